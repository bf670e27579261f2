using System.Text.Json.Nodes;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs.S3;

namespace RemediationTools.Core.Jobs.Elb;

/// <summary>
/// Who writes a load balancer's access logs into the logging bucket, per region, and the bucket policy statement that
/// lets it (Elastic Load Balancing User Guides, "Enable access logs for your Classic Load Balancer" / "... for your
/// Application Load Balancer", step "Attach a policy to your S3 bucket"; "Access logs for your Network Load Balancer",
/// "Bucket requirements"). Classic and application load balancers: in the regions available before August 2022, the
/// region's Elastic Load Balancing account (<c>arn:&lt;partition&gt;:iam::&lt;elb-account&gt;:root</c>); in newer regions the
/// log delivery service principal <see cref="ServicePrincipal"/>. Network load balancers deliver through CloudWatch
/// Logs' log delivery (<see cref="NetworkLogDeliveryPrincipal"/>) in every region.
/// </summary>
internal static class ElbLogDelivery
{
    /// <summary>The principal of the regions available as of August 2022 or later.</summary>
    public const string ServicePrincipal = "logdelivery.elasticloadbalancing.amazonaws.com";

    /// <summary>The principal that writes network load balancers' access logs.</summary>
    public const string NetworkLogDeliveryPrincipal = "delivery.logs.amazonaws.com";

    /// <summary>The Sid of the classic and application load balancers' statement.</summary>
    public const string ElbSid = "ElbAccessLogsPolicy";

    /// <summary>The Sids of the network load balancers' statements (the documentation's).</summary>
    public const string NetworkWriteSid = "AWSLogDeliveryWrite";

    /// <summary>The Sid of the network load balancers' ACL check statement.</summary>
    public const string NetworkAclCheckSid = "AWSLogDeliveryAclCheck";

    /// <summary>The key prefix under which every load balancer's logs go in the logging bucket: <c>elb/&lt;name&gt;</c>.</summary>
    public const string KeyPrefixRoot = "elb";

    /// <summary>
    /// The Elastic Load Balancing account of each region available before August 2022 (the one table of them). A region
    /// not listed uses <see cref="ServicePrincipal"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> RegionalAccounts { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["us-east-1"] = "127311923021",
        ["us-east-2"] = "033677994240",
        ["us-west-1"] = "027434742980",
        ["us-west-2"] = "797873946194",
        ["af-south-1"] = "098369216593",
        ["ap-east-1"] = "754344448648",
        ["ap-southeast-3"] = "589379963580",
        ["ap-south-1"] = "718504428378",
        ["ap-northeast-3"] = "383597477331",
        ["ap-northeast-2"] = "600734575887",
        ["ap-southeast-1"] = "114774131450",
        ["ap-southeast-2"] = "783225319266",
        ["ap-northeast-1"] = "582318560864",
        ["ca-central-1"] = "985666609251",
        ["eu-central-1"] = "054676820928",
        ["eu-west-1"] = "156460612806",
        ["eu-west-2"] = "652711504416",
        ["eu-south-1"] = "635631232127",
        ["eu-west-3"] = "009996457667",
        ["eu-north-1"] = "897822967062",
        ["me-south-1"] = "076674570225",
        ["sa-east-1"] = "507241528517",
        ["us-gov-west-1"] = "048591011584",
        ["us-gov-east-1"] = "190560391635",
        ["cn-north-1"] = "638102146993",
        ["cn-northwest-1"] = "037604701340",
    };

    /// <summary>The key prefix of one load balancer's logs (ELB adds <c>/AWSLogs/&lt;account&gt;/...</c> below it).</summary>
    public static string KeyPrefixFor(string loadBalancerName) => KeyPrefixRoot + "/" + loadBalancerName;

    /// <summary>
    /// The statements the logging bucket needs for load balancers of <paramref name="type"/> (classic, application or
    /// network) in <paramref name="region"/>: one per region and type, covering every load balancer's prefix of the account
    /// (<c>elb/*/AWSLogs/&lt;account&gt;/*</c>), so the batch adds it once.
    /// </summary>
    public static IReadOnlyList<JsonObject> StatementsFor(string type, string targetBucket, string accountId, string region)
    {
        var bucketArn = LoggingTargetBucket.BucketArn(targetBucket, region);
        var logs = bucketArn + "/" + KeyPrefixRoot + "/*/AWSLogs/" + accountId + "/*";
        if (type == "network")
        {
            var conditions = new Func<JsonObject>(() => new JsonObject
            {
                ["StringEquals"] = new JsonObject { ["aws:SourceAccount"] = accountId },
                ["ArnLike"] = new JsonObject { ["aws:SourceArn"] = "arn:" + AwsPartition.Of(region) + ":logs:" + region + ":" + accountId + ":*" },
            });
            var write = conditions();
            ((JsonObject)write["StringEquals"]!)["s3:x-amz-acl"] = "bucket-owner-full-control";
            return new[]
            {
                new JsonObject
                {
                    ["Sid"] = NetworkWriteSid,
                    ["Effect"] = "Allow",
                    ["Principal"] = new JsonObject { ["Service"] = NetworkLogDeliveryPrincipal },
                    ["Action"] = "s3:PutObject",
                    ["Resource"] = logs,
                    ["Condition"] = write,
                },
                new JsonObject
                {
                    ["Sid"] = NetworkAclCheckSid,
                    ["Effect"] = "Allow",
                    ["Principal"] = new JsonObject { ["Service"] = NetworkLogDeliveryPrincipal },
                    ["Action"] = "s3:GetBucketAcl",
                    ["Resource"] = bucketArn,
                    ["Condition"] = conditions(),
                },
            };
        }

        return new[]
        {
            new JsonObject
            {
                ["Sid"] = ElbSid,
                ["Effect"] = "Allow",
                ["Principal"] = PrincipalFor(region),
                ["Action"] = "s3:PutObject",
                ["Resource"] = logs,
            },
        };
    }

    /// <summary>The principal that writes classic and application load balancers' logs in <paramref name="region"/>.</summary>
    public static JsonObject PrincipalFor(string region) => RegionalAccounts.TryGetValue(region, out var account)
        ? new JsonObject { ["AWS"] = "arn:" + AwsPartition.Of(region) + ":iam::" + account + ":root" }
        : new JsonObject { ["Service"] = ServicePrincipal };
}
