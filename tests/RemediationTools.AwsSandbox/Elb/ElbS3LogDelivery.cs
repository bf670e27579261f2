using System.Text.Json;
using System.Text.Json.Nodes;
using RemediationTools.AwsSandbox.Policies;

namespace RemediationTools.AwsSandbox.Elb;

/// <summary>
/// What ELB checks when access logs are turned on, against the sandbox's S3 buckets: the bucket is in the load
/// balancer's region and its bucket policy lets the log deliverer put an object under <c>[prefix/]AWSLogs/&lt;account&gt;/</c>.
/// The deliverer (Elastic Load Balancing User Guides): for classic and application load balancers the region's ELB
/// account (regions available before August 2022) or <c>logdelivery.elasticloadbalancing.amazonaws.com</c>; for network
/// load balancers <c>delivery.logs.amazonaws.com</c>, which puts with <c>x-amz-acl: bucket-owner-full-control</c>, as
/// <c>aws:SourceAccount</c> the account and as <c>aws:SourceArn</c> a log delivery ARN of the account and region (<c>arn:aws:logs:&lt;region&gt;:&lt;account&gt;:...</c>).
/// A bucket the sandbox does not hold is not checked (tests of ELB alone need no S3 setup).
/// </summary>
internal static class ElbS3LogDelivery
{
    private static readonly Dictionary<string, string> ElbAccounts = new(StringComparer.Ordinal)
    {
        ["us-east-1"] = "127311923021", ["us-east-2"] = "033677994240", ["us-west-1"] = "027434742980", ["us-west-2"] = "797873946194",
        ["af-south-1"] = "098369216593", ["ap-east-1"] = "754344448648", ["ap-southeast-3"] = "589379963580", ["ap-south-1"] = "718504428378",
        ["ap-northeast-3"] = "383597477331", ["ap-northeast-2"] = "600734575887", ["ap-southeast-1"] = "114774131450", ["ap-southeast-2"] = "783225319266",
        ["ap-northeast-1"] = "582318560864", ["ca-central-1"] = "985666609251", ["eu-central-1"] = "054676820928", ["eu-west-1"] = "156460612806",
        ["eu-west-2"] = "652711504416", ["eu-south-1"] = "635631232127", ["eu-west-3"] = "009996457667", ["eu-north-1"] = "897822967062",
        ["me-south-1"] = "076674570225", ["sa-east-1"] = "507241528517", ["us-gov-west-1"] = "048591011584", ["us-gov-east-1"] = "190560391635",
        ["cn-north-1"] = "638102146993", ["cn-northwest-1"] = "037604701340",
    };

    public static LogDeliveryCheck Check(SandboxState state, LogDeliveryRequest request)
    {
        if (!state.S3.Buckets.TryGetValue(request.Bucket, out var bucket))
        {
            return LogDeliveryCheck.Allowed;
        }

        if (bucket.Region != request.Region)
        {
            return LogDeliveryCheck.WrongRegion;
        }

        if (bucket.Policy is not { } policy)
        {
            return LogDeliveryCheck.AccessDenied;
        }

        var partition = request.Region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn" : request.Region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";
        var context = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["aws:SecureTransport"] = "true" };
        bool Matches(JsonElement principal) => PrincipalNames(principal, "AWS").Any(n => n == "*"
            || (request.LoadBalancerType != "network" && ElbAccounts.TryGetValue(request.Region, out var account) && (n == account || n == $"arn:{partition}:iam::{account}:root")))
            || PrincipalNames(principal, "Service").Any(n => n == (request.LoadBalancerType == "network"
                ? "delivery.logs.amazonaws.com"
                : ElbAccounts.ContainsKey(request.Region) ? null : "logdelivery.elasticloadbalancing.amazonaws.com"));
        if (request.LoadBalancerType == "network")
        {
            context["aws:SourceAccount"] = request.AccountId;
            context["aws:SourceArn"] = $"arn:{partition}:logs:{request.Region}:{request.AccountId}:delivery-source:elb-access-logs";
            context["s3:x-amz-acl"] = "bucket-owner-full-control";
        }

        using var document = JsonDocument.Parse(policy);
        var statement = document.RootElement.GetProperty("Statement");
        var statements = (statement.ValueKind == JsonValueKind.Array ? statement.EnumerateArray().ToList() : [statement])
            .Where(s => s.TryGetProperty("Principal", out var p) && Matches(p))
            .Select(AsIdentityStatement)
            .ToList();
        var resource = $"arn:{partition}:s3:::{request.Bucket}/{request.KeyPrefix}elasticloadbalancing/{request.Region}/log.gz";
        return PolicyEvaluator.Evaluate(statements, "s3:PutObject", resource, context) == PolicyDecision.Allow
            ? LogDeliveryCheck.Allowed
            : LogDeliveryCheck.AccessDenied;
    }

    private static List<string?> PrincipalNames(JsonElement principal, string kind)
    {
        if (principal.ValueKind == JsonValueKind.String)
        {
            return kind == "AWS" ? [principal.GetString()] : [];
        }

        if (principal.ValueKind != JsonValueKind.Object || !principal.TryGetProperty(kind, out var names))
        {
            return [];
        }

        return names.ValueKind == JsonValueKind.Array ? names.EnumerateArray().Select(n => n.GetString()).ToList() : [names.GetString()];
    }

    private static PolicyDocument AsIdentityStatement(JsonElement statement)
    {
        var node = JsonNode.Parse(statement.GetRawText())!.AsObject();
        node.Remove("Principal");
        node.Remove("Sid");
        return PolicyDocument.Parse(new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(node) }.ToJsonString(), isTrustPolicy: false);
    }
}
