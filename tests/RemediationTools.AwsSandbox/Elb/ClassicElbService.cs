using System.Globalization;
using System.Text;
using System.Xml.Linq;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Elb;

/// <summary>
/// Classic Load Balancing (awsQuery, API version 2012-06-01) as the module calls it: DescribeLoadBalancers (names or
/// Marker pages), DescribeLoadBalancerAttributes, ModifyLoadBalancerAttributes and DescribeTags. ModifyLoadBalancerAttributes
/// replaces the AccessLog attribute as a whole (EmitInterval back to 60 when not sent) and, when logs are turned on,
/// asks S3 whether ELB may write to the bucket: refused with InvalidConfigurationRequest as ELB is.
/// </summary>
internal static class ClassicElbService
{
    public static readonly XNamespace Ns = "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/";

    private const int MaxPageSize = 400;

    public static string? Handle(AwsRequestContext context) => context.Action switch
    {
        "DescribeLoadBalancers" => DescribeLoadBalancers(context),
        "DescribeLoadBalancerAttributes" => DescribeLoadBalancerAttributes(context),
        "ModifyLoadBalancerAttributes" => ModifyLoadBalancerAttributes(context),
        "DescribeTags" => DescribeTags(context),
        _ => null,
    };

    internal static XElement E(string name, params object?[] content) => new(Ns + name, content);

    private static string Ok(AwsRequestContext context, params object?[] result) => AwsXml.QueryResponse(Ns, context.Action, context.RequestId, result);

    private static AwsServiceError NotFound(string name) => new(400, "LoadBalancerNotFound", $"There is no ACTIVE Load Balancer named '{name}'");

    private static AwsServiceError Validation(string message) => new(400, "ValidationError", message);

    private static string ClassicArn(AwsRequestContext context, string name) =>
        $"arn:aws:elasticloadbalancing:{context.Region}:{context.Caller.AccountId}:loadbalancer/{name}";

    private static ClassicLoadBalancer Find(AwsRequestContext context, string name)
    {
        Authorizer.Require(context, "elasticloadbalancing:" + context.Action, ClassicArn(context, name));
        return context.State.Elb(context.Caller.AccountId, context.Region).Classic.TryGetValue(name, out var lb) ? lb : throw NotFound(name);
    }

    private static string DescribeLoadBalancers(AwsRequestContext context)
    {
        Authorizer.Require(context, "elasticloadbalancing:DescribeLoadBalancers", "*");
        var names = context.Args.Strings("LoadBalancerNames.member");
        var region = context.State.Elb(context.Caller.AccountId, context.Region);
        List<ClassicLoadBalancer> page;
        string? nextMarker = null;
        if (names.Count > 0)
        {
            page = names.Distinct(StringComparer.OrdinalIgnoreCase).Select(n => region.Classic.TryGetValue(n, out var lb) ? lb : throw NotFound(n)).ToList();
        }
        else
        {
            var size = context.Args.GetInt("PageSize") ?? MaxPageSize;
            if (size is < 1 or > MaxPageSize)
            {
                throw Validation($"1 validation error detected: Value '{size.ToString(CultureInfo.InvariantCulture)}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and 400");
            }

            if (context.State.MaxPageSize is { } cap)
            {
                size = Math.Min(size, cap);
            }

            var start = ParseMarker(context.Args.Get("Marker"));
            var all = region.Classic.Values.ToList();
            page = all.Skip(start).Take(size).ToList();
            if (start + page.Count < all.Count)
            {
                nextMarker = Marker(start + page.Count);
            }
        }

        return Ok(context, E("LoadBalancerDescriptions", page.Select(Description)), nextMarker is null ? null : E("NextMarker", nextMarker));
    }

    private static XElement Description(ClassicLoadBalancer lb) => E(
        "member",
        E("LoadBalancerName", lb.Name),
        E("DNSName", lb.DnsName),
        E("CanonicalHostedZoneName", lb.DnsName),
        E("Scheme", lb.Scheme),
        lb.VpcId is null ? null : E("VPCId", lb.VpcId),
        E("CreatedTime", AwsXml.TimestampMillis(lb.CreatedTime)),
        E("AvailabilityZones", E("member", lb.Region + "a")),
        E("Subnets"),
        E("SecurityGroups"),
        E("ListenerDescriptions"),
        E("Instances"));

    private static string DescribeLoadBalancerAttributes(AwsRequestContext context)
    {
        var lb = Find(context, RequiredName(context));
        return Ok(context, Attributes(lb, accessLog: true, draining: true, settings: true, crossZone: true, additional: true));
    }

    private static XElement Attributes(ClassicLoadBalancer lb, bool accessLog, bool draining, bool settings, bool crossZone, bool additional) => E(
        "LoadBalancerAttributes",
        accessLog
            ? E(
                "AccessLog",
                E("Enabled", AwsXml.Bool(lb.AccessLog.Enabled)),
                lb.AccessLog.S3BucketName is null ? null : E("S3BucketName", lb.AccessLog.S3BucketName),
                lb.AccessLog.EmitInterval is null ? null : E("EmitInterval", AwsXml.Int(lb.AccessLog.EmitInterval.Value)),
                lb.AccessLog.S3BucketPrefix is null ? null : E("S3BucketPrefix", lb.AccessLog.S3BucketPrefix))
            : null,
        draining ? E("ConnectionDraining", E("Enabled", AwsXml.Bool(lb.ConnectionDrainingEnabled)), E("Timeout", AwsXml.Int(lb.ConnectionDrainingTimeout))) : null,
        settings ? E("ConnectionSettings", E("IdleTimeout", AwsXml.Int(lb.IdleTimeout))) : null,
        crossZone ? E("CrossZoneLoadBalancing", E("Enabled", AwsXml.Bool(lb.CrossZoneLoadBalancing))) : null,
        additional ? E("AdditionalAttributes", lb.Additional.Select(a => E("member", E("Key", a.Key), E("Value", a.Value)))) : null);

    private static string ModifyLoadBalancerAttributes(AwsRequestContext context)
    {
        var args = context.Args;
        var lb = Find(context, RequiredName(context));
        const string prefix = "LoadBalancerAttributes.";
        if (!args.Values.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            throw Validation("1 validation error detected: Value null at 'loadBalancerAttributes' failed to satisfy constraint: Member must not be null");
        }

        // Validate everything first: a refused call changes nothing.
        ClassicAccessLog? accessLog = null;
        var hasAccessLog = args.Values.Keys.Any(k => k.StartsWith(prefix + "AccessLog.", StringComparison.Ordinal));
        if (hasAccessLog)
        {
            var enabled = Bool(args, prefix + "AccessLog.Enabled", required: true)!.Value;
            var bucket = args.Get(prefix + "AccessLog.S3BucketName");
            var keyPrefix = args.Get(prefix + "AccessLog.S3BucketPrefix");
            var interval = args.GetInt(prefix + "AccessLog.EmitInterval");
            if (interval is not null and not (5 or 60))
            {
                throw Validation($"The EmitInterval '{interval.Value.ToString(CultureInfo.InvariantCulture)}' is not valid: the interval is 5 or 60 minutes.");
            }

            if (enabled)
            {
                if (string.IsNullOrEmpty(bucket))
                {
                    throw Validation("S3Bucket name cannot be empty");
                }

                CheckDelivery(context, bucket, keyPrefix, "classic", status: 409);
            }

            accessLog = new ClassicAccessLog
            {
                Enabled = enabled,
                S3BucketName = string.IsNullOrEmpty(bucket) ? null : bucket,
                S3BucketPrefix = string.IsNullOrEmpty(keyPrefix) ? null : keyPrefix,
                EmitInterval = interval ?? (enabled || !string.IsNullOrEmpty(bucket) ? 60 : null),
            };
        }

        var drainingEnabled = Bool(args, prefix + "ConnectionDraining.Enabled", required: false);
        var drainingTimeout = Range(args, prefix + "ConnectionDraining.Timeout", 1, 3600);
        var idleTimeout = Range(args, prefix + "ConnectionSettings.IdleTimeout", 1, 4000);
        var crossZone = Bool(args, prefix + "CrossZoneLoadBalancing.Enabled", required: false);
        var additional = args.List(prefix + "AdditionalAttributes.member");
        foreach (var attribute in additional)
        {
            var key = attribute.Get("Key");
            if (key != "elb.http.desyncmitigationmode")
            {
                throw new AwsServiceError(409, "InvalidConfigurationRequest", $"Key {key} not valid");
            }

            if (attribute.Get("Value") is not ("monitor" or "defensive" or "strictest"))
            {
                throw new AwsServiceError(409, "InvalidConfigurationRequest", $"Value '{attribute.Get("Value")}' not valid for key {key}");
            }
        }

        if (accessLog is not null)
        {
            lb.AccessLog = accessLog;
        }

        lb.ConnectionDrainingEnabled = drainingEnabled ?? lb.ConnectionDrainingEnabled;
        lb.ConnectionDrainingTimeout = drainingTimeout ?? lb.ConnectionDrainingTimeout;
        lb.IdleTimeout = idleTimeout ?? lb.IdleTimeout;
        lb.CrossZoneLoadBalancing = crossZone ?? lb.CrossZoneLoadBalancing;
        foreach (var attribute in additional)
        {
            lb.Additional[attribute.Get("Key")!] = attribute.Get("Value")!;
        }

        return Ok(
            context,
            E("LoadBalancerName", lb.Name),
            Attributes(
                lb,
                accessLog: hasAccessLog,
                draining: drainingEnabled is not null || drainingTimeout is not null,
                settings: idleTimeout is not null,
                crossZone: crossZone is not null,
                additional: additional.Count > 0));
    }

    /// <summary>Asks the sandbox's S3 whether ELB may write the logs (<see cref="ElbS3LogDelivery"/>); refuses the call the way ELB does.</summary>
    internal static void CheckDelivery(AwsRequestContext context, string bucket, string? keyPrefix, string type, int status)
    {
        var path = (string.IsNullOrEmpty(keyPrefix) ? string.Empty : keyPrefix + "/") + "AWSLogs/" + context.Caller.AccountId + "/";
        switch (ElbS3LogDelivery.Check(context.State, new LogDeliveryRequest(context.Caller.AccountId, context.Region, bucket, path, type)))
        {
            case LogDeliveryCheck.NoSuchBucket:
                throw new AwsServiceError(status, "InvalidConfigurationRequest", $"The specified bucket does not exist: {bucket}");
            case LogDeliveryCheck.WrongRegion:
                throw new AwsServiceError(status, "InvalidConfigurationRequest", $"The bucket {bucket} is not in the load balancer's region {context.Region}.");
            case LogDeliveryCheck.AccessDenied:
                throw new AwsServiceError(status, "InvalidConfigurationRequest", $"Access Denied for bucket: {bucket}. Please check S3bucket permission");
        }
    }

    private static string DescribeTags(AwsRequestContext context)
    {
        var names = context.Args.Strings("LoadBalancerNames.member");
        if (names.Count is 0 or > 20)
        {
            throw Validation($"1 validation error detected: Value at 'loadBalancerNames' failed to satisfy constraint: Member must have length less than or equal to 20 and greater than or equal to 1 ({names.Count.ToString(CultureInfo.InvariantCulture)} given)");
        }

        var found = names.Select(n => Find(context, n)).ToList();
        return Ok(context, E(
            "TagDescriptions",
            found.Select(lb => E("member", E("LoadBalancerName", lb.Name), E("Tags", lb.Tags.Select(t => E("member", E("Key", t.Key), E("Value", t.Value))))))));
    }

    private static string RequiredName(AwsRequestContext context) =>
        context.Args.Get("LoadBalancerName") is { Length: > 0 } name
            ? name
            : throw Validation("1 validation error detected: Value null at 'loadBalancerName' failed to satisfy constraint: Member must not be null");

    private static bool? Bool(QueryArgs args, string name, bool required)
    {
        var text = args.Get(name);
        if (text is null)
        {
            return required ? throw Validation($"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null") : null;
        }

        return text switch
        {
            "true" => true,
            "false" => false,
            _ => throw Validation($"Value '{text}' for {name} is not a boolean (true or false)."),
        };
    }

    private static int? Range(QueryArgs args, string name, int min, int max)
    {
        var text = args.Get(name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Validation($"Value '{text}' for {name} must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}.");
    }

    internal static string Marker(int index) => Convert.ToBase64String(Encoding.UTF8.GetBytes("lb:" + index.ToString(CultureInfo.InvariantCulture)));

    internal static int ParseMarker(string? marker)
    {
        if (string.IsNullOrEmpty(marker))
        {
            return 0;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(marker));
            if (text.StartsWith("lb:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                return index;
            }
        }
        catch (FormatException)
        {
            // Falls through to the error below.
        }

        throw Validation($"Invalid Marker '{marker}'");
    }
}
