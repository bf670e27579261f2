using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Elb;

/// <summary>
/// The one endpoint (signing name <c>elasticloadbalancing</c>) that serves both load balancing APIs: the Version
/// parameter picks Classic (2012-06-01) or ELBv2 (2015-12-01), as AWS does. Calls count under the IAM action names,
/// <c>elasticloadbalancing:&lt;Action&gt;</c>, the same prefix for both.
/// </summary>
internal sealed class ElasticLoadBalancingService : IAwsService
{
    public const string ClassicVersion = "2012-06-01";
    public const string V2Version = "2015-12-01";

    public string? Handle(AwsRequestContext context) => context.Args.Get("Version") switch
    {
        ClassicVersion => ClassicElbService.Handle(context),
        V2Version => Elbv2.Elbv2Service.Handle(context),
        null => throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter Version"),
        var other => throw new AwsServiceError(400, "InvalidAction", $"Could not find operation {context.Action} for version {other}"),
    };
}
