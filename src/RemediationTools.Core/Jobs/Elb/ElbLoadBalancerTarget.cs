using System.Text.RegularExpressions;
using RemediationTools.Core.Aws.Signed.ElasticLoadBalancing;
using Elbv2 = RemediationTools.Core.Aws.Signed.ElasticLoadBalancingV2;

namespace RemediationTools.Core.Jobs.Elb;

/// <summary>
/// The load balancer a finding names: a Classic Load Balancer by name (or classic ARN), an application, network or
/// gateway load balancer by name or ARN. A bare name is looked up in both APIs: when both have it, the finding's
/// <c>entityType</c> decides, and without one the finding fails as ambiguous.
/// </summary>
internal sealed class ElbLoadBalancerTarget
{
    /// <summary>The error code of a name that both APIs know, in a finding without an entityType.</summary>
    public const string AmbiguousErrorCode = "AmbiguousLoadBalancer";

    /// <summary>The error code of a load balancer neither API knows.</summary>
    public const string NotFoundErrorCode = "LoadBalancerNotFound";

    /// <summary>IAM action of DescribeLoadBalancers (both APIs).</summary>
    public const string DescribeLoadBalancersAction = "elasticloadbalancing:DescribeLoadBalancers";

    private static readonly Regex NamePattern = new("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$", RegexOptions.CultureInvariant);

    private static readonly Regex V2ArnPattern = new(
        @"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):elasticloadbalancing:([a-z0-9-]+):(\d{12}):loadbalancer/(app|net|gwy)/([A-Za-z0-9-]{1,32})/[0-9a-f]{16}$",
        RegexOptions.CultureInvariant);

    private static readonly Regex ClassicArnPattern = new(
        @"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):elasticloadbalancing:([a-z0-9-]+):(\d{12}):loadbalancer/([A-Za-z0-9-]{1,32})$",
        RegexOptions.CultureInvariant);

    private ElbLoadBalancerTarget(string name, string region, string type, string? arn)
    {
        Name = name;
        Region = region;
        Type = type;
        Arn = arn;
    }

    /// <summary>The load balancer's name.</summary>
    public string Name { get; }

    /// <summary>The load balancer's region.</summary>
    public string Region { get; }

    /// <summary>classic, application, network or gateway.</summary>
    public string Type { get; }

    /// <summary>The ARN of a v2 load balancer; null for a classic one.</summary>
    public string? Arn { get; }

    /// <summary>True for a Classic Load Balancer.</summary>
    public bool IsClassic => Type == "classic";

    /// <summary>The resource key of the load balancer's attributes.</summary>
    public string ResourceKey => "elb:load-balancer:" + (Arn ?? "classic/" + Name);

    /// <summary>The ID a result and an undo record name: the ARN of a v2 load balancer, the name of a classic one.</summary>
    public string ResourceId => Arn ?? Name;

    /// <summary>A classic load balancer known by name (undo records).</summary>
    public static ElbLoadBalancerTarget Classic(string name, string region) => new(name, region, "classic", null);

    /// <summary>A v2 load balancer known by ARN (undo records).</summary>
    public static ElbLoadBalancerTarget V2(string arn, string type)
    {
        var match = V2ArnPattern.Match(arn);
        return match.Success
            ? new ElbLoadBalancerTarget(match.Groups[5].Value, match.Groups[2].Value, type, arn)
            : throw new FindingFormatException("'" + arn + "' is not an ELBv2 load balancer ARN.", "ObjectId");
    }

    /// <summary>
    /// Finds the finding's load balancer (read-only: DescribeLoadBalancers of one or both APIs). Fails with a
    /// <see cref="FindingFormatException"/> for an ObjectId that is no load balancer name or ARN, and with
    /// <see cref="NotFoundErrorCode"/> or <see cref="AmbiguousErrorCode"/>.
    /// </summary>
    public static async Task<ElbLoadBalancerTarget> ResolveAsync(JobContext context, CancellationToken cancellationToken)
    {
        var id = (context.Finding.ResourceArn is { Length: > 0 } findingArn && findingArn.Contains(":elasticloadbalancing:") ? findingArn : context.ResourceId).Trim();
        if (id.StartsWith("arn:", StringComparison.Ordinal))
        {
            var v2 = V2ArnPattern.Match(id);
            if (v2.Success)
            {
                var region = v2.Groups[2].Value;
                var found = await DescribeV2Async(context, region, byArn: id, byName: null, cancellationToken).ConfigureAwait(false);
                return found ?? throw NotFound(id, region);
            }

            var classic = ClassicArnPattern.Match(id);
            if (classic.Success)
            {
                var region = classic.Groups[2].Value;
                var name = classic.Groups[4].Value;
                return await ExistsClassicAsync(context, region, name, cancellationToken).ConfigureAwait(false)
                    ? Classic(name, region)
                    : throw NotFound(name, region);
            }

            throw new FindingFormatException(
                "The finding's ObjectId '" + id + "' is not a load balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/[app|net|gwy/]<name>[/<id>]).",
                "ObjectId");
        }

        if (!NamePattern.IsMatch(id))
        {
            throw new FindingFormatException(
                "The finding's ObjectId '" + id + "' is not a load balancer name (1 to 32 letters, digits and hyphens, not starting or ending with a hyphen) nor an ARN.",
                "ObjectId");
        }

        var kind = KindOf(context.Finding.ResourceType);
        var regionOfFinding = context.Region;
        var isClassic = kind != "v2" && await ExistsClassicAsync(context, regionOfFinding, id, cancellationToken).ConfigureAwait(false);
        var asV2 = kind == "classic" ? null : await DescribeV2Async(context, regionOfFinding, byArn: null, byName: id, cancellationToken).ConfigureAwait(false);
        if (isClassic && asV2 is not null)
        {
            throw new JobFailureException(
                AmbiguousErrorCode,
                "Both a Classic Load Balancer and " + Article(asV2.Type) + " load balancer are named '" + id + "' in " + regionOfFinding +
                "; the finding has no entityType to choose, so nothing was changed. Give the v2 load balancer's ARN, or a finding whose entityType names the kind.");
        }

        return isClassic ? Classic(id, regionOfFinding) : asV2 ?? throw NotFound(id, regionOfFinding);
    }

    /// <summary>classic, v2, or null for an entityType that names neither (or none).</summary>
    internal static string? KindOf(string? entityType)
    {
        if (string.IsNullOrWhiteSpace(entityType))
        {
            return null;
        }

        var key = new string(entityType!.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
        if (key.Contains("elbv2") || key.Contains("loadbalancingv2") || key.Contains("applicationloadbalancer") || key.Contains("networkloadbalancer")
            || key.Contains("gatewayloadbalancer") || key is "alb" or "nlb" or "gwlb")
        {
            return "v2";
        }

        return key.Contains("elb") || key.Contains("loadbalanc") ? "classic" : null;
    }

    private static string Article(string type) => type == "application" ? "an application" : "a " + type;

    private static JobFailureException NotFound(string id, string region) =>
        new(NotFoundErrorCode, "There is no load balancer '" + id + "' in " + region + " (neither Classic nor v2); nothing was changed.");

    private static Task<bool> ExistsClassicAsync(JobContext context, string region, string name, CancellationToken cancellationToken) =>
        context.Cache.GetOrReadAsync(ClassicKey(region, name), async () =>
        {
            try
            {
                var response = await AwsCall.RunAsync(context.Reporter, DescribeLoadBalancersAction, name, () =>
                    context.Clients.ElasticLoadBalancing(region).DescribeLoadBalancersAsync(new DescribeLoadBalancersRequest { LoadBalancerNames = { name } }, cancellationToken)).ConfigureAwait(false);
                return response.LoadBalancerDescriptions.Any(d => string.Equals(d.LoadBalancerName, name, StringComparison.OrdinalIgnoreCase));
            }
            catch (AwsCallException ex) when (IsNotFound(ex))
            {
                return false;
            }
        });

    private static async Task<ElbLoadBalancerTarget?> DescribeV2Async(JobContext context, string region, string? byArn, string? byName, CancellationToken cancellationToken)
    {
        var found = await context.Cache.GetOrReadAsync(byArn is not null ? V2ArnKey(byArn) : V2NameKey(region, byName!), async () =>
        {
            var request = new Elbv2.DescribeLoadBalancersRequest();
            if (byArn is not null)
            {
                request.LoadBalancerArns.Add(byArn);
            }
            else
            {
                request.Names.Add(byName!);
            }

            try
            {
                var response = await AwsCall.RunAsync(context.Reporter, DescribeLoadBalancersAction, byArn ?? byName!, () =>
                    context.Clients.ElasticLoadBalancingV2(region).DescribeLoadBalancersAsync(request, cancellationToken)).ConfigureAwait(false);
                var lb = response.LoadBalancers.FirstOrDefault();
                return new V2Lookup(lb is null ? null : new ElbLoadBalancerTarget(lb.LoadBalancerName, region, lb.Type, lb.LoadBalancerArn));
            }
            catch (AwsCallException ex) when (IsNotFound(ex))
            {
                return new V2Lookup(null);
            }
        }).ConfigureAwait(false);
        return found.Target;
    }

    /// <summary>
    /// Reads the load balancers of many findings of one account and region into the batch's cache: the region's Classic
    /// and v2 load balancers listed in pages (one call per 400), so every finding's lookup, also of a name that is
    /// missing, is answered from the cache. Returns the load balancers found.
    /// </summary>
    internal static async Task<IReadOnlyList<ElbLoadBalancerTarget>> PrefetchAsync(IReadOnlyList<JobContext> contexts, CancellationToken cancellationToken)
    {
        var found = new List<ElbLoadBalancerTarget>();
        if (contexts.Count == 0)
        {
            return found;
        }

        var first = contexts[0];
        var region = first.Region;
        var names = contexts.Select(c => c.ResourceId.Trim()).Where(id => NamePattern.IsMatch(id)).Distinct(StringComparer.Ordinal).ToList();
        var classicNames = names.Where(n => contexts.Any(c => c.ResourceId.Trim() == n && KindOf(c.Finding.ResourceType) != "v2")).ToList();
        var v2Names = names.Where(n => contexts.Any(c => c.ResourceId.Trim() == n && KindOf(c.Finding.ResourceType) != "classic")).ToList();
        var arns = contexts.Select(c => c.ResourceId.Trim()).Where(id => V2ArnPattern.Match(id) is { Success: true } m && m.Groups[2].Value == region).Distinct(StringComparer.Ordinal).ToList();

        // A DescribeLoadBalancers that names one missing load balancer fails as a whole, and a bare name is looked up in
        // both APIs (one of them usually lacks it): so the region's load balancers are listed, a page of 400 per call.
        if (classicNames.Count > 0)
        {
            var all = new List<string>();
            string? marker = null;
            do
            {
                var request = new DescribeLoadBalancersRequest { Marker = marker, PageSize = 400 };
                var page = await AwsCall.RunAsync(first.Reporter, DescribeLoadBalancersAction, "Classic Load Balancers of " + region, () =>
                    first.Clients.ElasticLoadBalancing(region).DescribeLoadBalancersAsync(request, cancellationToken)).ConfigureAwait(false);
                all.AddRange(page.LoadBalancerDescriptions.Select(d => d.LoadBalancerName));
                marker = page.NextMarker;
            }
            while (marker is not null);

            foreach (var name in classicNames)
            {
                var exists = all.Contains(name, StringComparer.OrdinalIgnoreCase);
                first.Cache.Set(ClassicKey(region, name), exists);
                if (exists)
                {
                    found.Add(Classic(name, region));
                }
            }
        }

        if (v2Names.Count > 0 || arns.Count > 0)
        {
            var all = new List<Elbv2.LoadBalancer>();
            string? marker = null;
            do
            {
                var request = new Elbv2.DescribeLoadBalancersRequest { Marker = marker, PageSize = 400 };
                var page = await AwsCall.RunAsync(first.Reporter, DescribeLoadBalancersAction, "v2 load balancers of " + region, () =>
                    first.Clients.ElasticLoadBalancingV2(region).DescribeLoadBalancersAsync(request, cancellationToken)).ConfigureAwait(false);
                all.AddRange(page.LoadBalancers);
                marker = page.NextMarker;
            }
            while (marker is not null);

            foreach (var (id, byArn) in v2Names.Select(n => (n, false)).Concat(arns.Select(a => (a, true))))
            {
                var lb = all.FirstOrDefault(l => byArn ? l.LoadBalancerArn == id : l.LoadBalancerName == id);
                var target = lb is null ? null : new ElbLoadBalancerTarget(lb.LoadBalancerName, region, lb.Type, lb.LoadBalancerArn);
                first.Cache.Set(byArn ? V2ArnKey(id) : V2NameKey(region, id), new V2Lookup(target));
                if (target is not null)
                {
                    found.Add(target);
                }
            }
        }

        return found;
    }

    private static bool IsNotFound(AwsCallException ex) => ex.ErrorCode is "LoadBalancerNotFound" or "AccessPointNotFound";

    private static string ClassicKey(string region, string name) => "elb:classic-exists:" + region + ":" + name.ToLowerInvariant();

    private static string V2NameKey(string region, string name) => "elb:v2-by-name:" + region + ":" + name;

    private static string V2ArnKey(string arn) => "elb:v2-by-arn:" + arn;

    /// <summary>A cached v2 lookup: the load balancer, or null when there is none by that name or ARN.</summary>
    private sealed class V2Lookup
    {
        public V2Lookup(ElbLoadBalancerTarget? target) => Target = target;

        public ElbLoadBalancerTarget? Target { get; }
    }
}
