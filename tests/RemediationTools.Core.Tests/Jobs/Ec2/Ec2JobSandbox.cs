using Amazon.EC2;
using Amazon.Runtime;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Tests.Engine;

namespace RemediationTools.Core.Tests.Jobs.Ec2;

/// <summary>
/// A sandbox account with a root EC2 client, and engines for the root or for a user with a given policy. As in every
/// EC2 job test, the account has no default VPC and the sandbox lags and pages (<see cref="SandboxEc2.StartForJobs"/>).
/// </summary>
internal sealed class Ec2JobSandbox : IDisposable
{
    public const string Region = "us-east-1";

    public Ec2JobSandbox()
    {
        Server = SandboxEc2.StartForJobs();
        Account = SandboxEc2.JobAccount(Server);
        Ec2 = Client(Account);
    }

    public SandboxServer Server { get; }

    public SandboxAccount Account { get; }

    /// <summary>The account's VPC (not a default VPC).</summary>
    public string VpcId => Server.GetFirstVpcId(Account.AccountId, Region);

    public AmazonEC2Client Ec2 { get; }

    public AmazonEC2Client Client(SandboxAccount who) => new(
        new BasicAWSCredentials(who.AccessKeyId, who.SecretAccessKey),
        new AmazonEC2Config { ServiceURL = Server.Endpoint.ToString(), AuthenticationRegion = Region, MaxErrorRetry = 0 });

    public RemediationEngine Engine(JobCatalog? catalog = null) => new(new FakeClientFactory(Ec2, Account.AccountId), catalog);

    /// <summary>An engine acting as a user allowed everything but <paramref name="deniedAction"/>.</summary>
    public RemediationEngine EngineDenying(string deniedAction)
    {
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}," +
            "{\"Effect\":\"Deny\",\"Action\":\"" + deniedAction + "\",\"Resource\":\"*\"}]}";
        return new(new FakeClientFactory(Client(Server.CreateUser(Account.AccountId, "deny-" + Guid.NewGuid().ToString("N")[..8], policy)), Account.AccountId));
    }

    /// <summary>An engine acting as a user allowed exactly <paramref name="actions"/>.</summary>
    public RemediationEngine EngineAllowing(IEnumerable<string> actions)
    {
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[" +
            string.Join(",", actions.Select(a => "\"" + a + "\"")) + "],\"Resource\":\"*\"}]}";
        return new(new FakeClientFactory(Client(Server.CreateUser(Account.AccountId, "allow-" + Guid.NewGuid().ToString("N")[..8], policy)), Account.AccountId));
    }

    public Finding Finding(string jobId, string resourceId, IReadOnlyDictionary<string, string>? tags = null) => new()
    {
        JobId = jobId,
        AccountId = Account.AccountId,
        Region = Region,
        ResourceId = resourceId,
        Tags = tags ?? new Dictionary<string, string>(StringComparer.Ordinal),
    };

    public int Calls(string action) => Server.CallCounts.TryGetValue(action, out var count) ? count : 0;

    public int MutatingCalls(params string[] actions) => actions.Sum(Calls);

    public void Dispose()
    {
        Ec2.Dispose();
        Server.Dispose();
    }
}
