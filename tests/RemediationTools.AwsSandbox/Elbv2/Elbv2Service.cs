using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using RemediationTools.AwsSandbox.Elb;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Elbv2;

/// <summary>
/// ELBv2 (awsQuery, API version 2015-12-01) as the module calls it: DescribeLoadBalancers (ARNs or names, Marker pages),
/// DescribeLoadBalancerAttributes, ModifyLoadBalancerAttributes (keys checked against the type, values against the key;
/// access logs turned on only when S3 lets ELB write) and DescribeTags.
/// </summary>
internal static partial class Elbv2Service
{
    public static readonly XNamespace Ns = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

    private const int MaxPageSize = 400;

    public static string? Handle(AwsRequestContext context) => context.Action switch
    {
        "DescribeLoadBalancers" => DescribeLoadBalancers(context),
        "DescribeLoadBalancerAttributes" => DescribeLoadBalancerAttributes(context),
        "ModifyLoadBalancerAttributes" => ModifyLoadBalancerAttributes(context),
        "DescribeTags" => DescribeTags(context),
        _ => null,
    };

    private static XElement E(string name, params object?[] content) => new(Ns + name, content);

    private static string Ok(AwsRequestContext context, params object?[] result) => AwsXml.QueryResponse(Ns, context.Action, context.RequestId, result);

    private static AwsServiceError NotFound() => new(400, "LoadBalancerNotFound", "One or more load balancers not found");

    private static AwsServiceError Validation(string message) => new(400, "ValidationError", message);

    private static AwsServiceError InvalidConfiguration(string message) => new(400, "InvalidConfigurationRequest", message);

    /// <summary>The load balancer of an ARN, after the IAM check on it; ValidationError for a malformed ARN.</summary>
    private static LoadBalancerV2 ByArn(AwsRequestContext context, string arn, string action)
    {
        if (!ArnPattern().IsMatch(arn))
        {
            throw Validation($"'{arn}' is not a valid load balancer ARN");
        }

        Authorizer.Require(context, action, arn);
        return context.State.Elb(context.Caller.AccountId, context.Region).V2.FirstOrDefault(lb => lb.Arn == arn) ?? throw NotFound();
    }

    private static string DescribeLoadBalancers(AwsRequestContext context)
    {
        Authorizer.Require(context, "elasticloadbalancing:DescribeLoadBalancers", "*");
        var args = context.Args;
        var arns = args.Strings("LoadBalancerArns.member");
        var names = args.Strings("Names.member");
        var region = context.State.Elb(context.Caller.AccountId, context.Region);
        if (arns.Count > 0 && names.Count > 0)
        {
            throw Validation("Load balancer names and load balancer ARNs cannot be specified at the same time");
        }

        List<LoadBalancerV2> page;
        string? nextMarker = null;
        if (arns.Count > 0)
        {
            if (arns.Count > 20)
            {
                throw Validation("1 validation error detected: Value at 'loadBalancerArns' failed to satisfy constraint: Member must have length less than or equal to 20");
            }

            page = arns.Distinct(StringComparer.Ordinal).Select(a => ArnPattern().IsMatch(a)
                ? region.V2.FirstOrDefault(lb => lb.Arn == a) ?? throw NotFound()
                : throw Validation($"'{a}' is not a valid load balancer ARN")).ToList();
        }
        else if (names.Count > 0)
        {
            page = names.Distinct(StringComparer.Ordinal).Select(n => region.V2.FirstOrDefault(lb => lb.Name == n) ?? throw NotFound()).ToList();
        }
        else
        {
            var size = args.GetInt("PageSize") ?? MaxPageSize;
            if (size is < 1 or > MaxPageSize)
            {
                throw Validation($"1 validation error detected: Value '{size.ToString(CultureInfo.InvariantCulture)}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and 400");
            }

            if (context.State.MaxPageSize is { } cap)
            {
                size = Math.Min(size, cap);
            }

            var start = ClassicElbService.ParseMarker(args.Get("Marker"));
            page = region.V2.Skip(start).Take(size).ToList();
            if (start + page.Count < region.V2.Count)
            {
                nextMarker = ClassicElbService.Marker(start + page.Count);
            }
        }

        return Ok(context, E("LoadBalancers", page.Select(Description)), nextMarker is null ? null : E("NextMarker", nextMarker));
    }

    private static XElement Description(LoadBalancerV2 lb) => E(
        "member",
        E("LoadBalancerArn", lb.Arn),
        lb.Type == "gateway" ? null : E("DNSName", lb.DnsName),
        E("CanonicalHostedZoneId", "Z35SXDOTRQ7X7K"),
        E("CreatedTime", AwsXml.TimestampMillis(lb.CreatedTime)),
        E("LoadBalancerName", lb.Name),
        lb.Type == "gateway" ? null : E("Scheme", lb.Scheme),
        lb.VpcId is null ? null : E("VpcId", lb.VpcId),
        E("State", E("Code", "active")),
        E("Type", lb.Type),
        E("AvailabilityZones", E("member", E("ZoneName", lb.Region + "a"))),
        lb.Type == "application" ? E("SecurityGroups") : null,
        E("IpAddressType", "ipv4"));

    private static XElement AttributeList(IEnumerable<KeyValuePair<string, string>> attributes) =>
        E("Attributes", attributes.Select(a => E("member", E("Value", a.Value), E("Key", a.Key))));

    private static string DescribeLoadBalancerAttributes(AwsRequestContext context)
    {
        var lb = ByArn(context, RequiredArn(context), "elasticloadbalancing:DescribeLoadBalancerAttributes");
        return Ok(context, AttributeList(lb.Attributes));
    }

    private static string ModifyLoadBalancerAttributes(AwsRequestContext context)
    {
        var lb = ByArn(context, RequiredArn(context), "elasticloadbalancing:ModifyLoadBalancerAttributes");
        var changes = context.Args.List("Attributes.member");
        if (changes.Count is 0 or > 20)
        {
            throw Validation($"1 validation error detected: Value at 'attributes' failed to satisfy constraint: Member must have length less than or equal to 20 and greater than or equal to 1 ({changes.Count.ToString(CultureInfo.InvariantCulture)} given)");
        }

        // Validate everything against the state after the change first: a refused call changes nothing.
        var after = lb.Attributes.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        foreach (var change in changes)
        {
            var key = change.Get("Key") ?? string.Empty;
            var value = change.Get("Value") ?? string.Empty;
            if (!after.ContainsKey(key))
            {
                throw InvalidConfiguration($"Key {key} not valid");
            }

            if (Elbv2Attributes.Invalid(key, value) is { } why)
            {
                throw InvalidConfiguration(why);
            }

            after[key] = value;
        }

        if (after.TryGetValue("access_logs.s3.enabled", out var enabled) && enabled == "true"
            && changes.Any(c => c.Get("Key")?.StartsWith("access_logs.s3.", StringComparison.Ordinal) == true))
        {
            var bucket = after["access_logs.s3.bucket"];
            if (bucket.Length == 0)
            {
                throw Validation("The value of 'access_logs.s3.bucket' cannot be empty");
            }

            ClassicElbService.CheckDelivery(context, bucket, after["access_logs.s3.prefix"], lb.Type, status: 400);
        }

        for (var i = 0; i < lb.Attributes.Count; i++)
        {
            lb.Attributes[i] = new KeyValuePair<string, string>(lb.Attributes[i].Key, after[lb.Attributes[i].Key]);
        }

        return Ok(context, AttributeList(lb.Attributes));
    }

    private static string DescribeTags(AwsRequestContext context)
    {
        var arns = context.Args.Strings("ResourceArns.member");
        if (arns.Count is 0 or > 20)
        {
            throw Validation($"1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to 20 and greater than or equal to 1 ({arns.Count.ToString(CultureInfo.InvariantCulture)} given)");
        }

        var found = arns.Select(a => ByArn(context, a, "elasticloadbalancing:DescribeTags")).ToList();
        return Ok(context, E(
            "TagDescriptions",
            found.Select(lb => E("member", E("ResourceArn", lb.Arn), E("Tags", lb.Tags.Select(t => E("member", E("Value", t.Value), E("Key", t.Key))))))));
    }

    private static string RequiredArn(AwsRequestContext context) =>
        context.Args.Get("LoadBalancerArn") is { Length: > 0 } arn
            ? arn
            : throw Validation("1 validation error detected: Value null at 'loadBalancerArn' failed to satisfy constraint: Member must not be null");

    [GeneratedRegex(@"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/(app|net|gwy)/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$")]
    private static partial Regex ArnPattern();
}
