using Amazon.EC2;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using RemediationTools.AwsSandbox;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>
/// A sandbox with one account, an admin IAM user, and factories for official SDK clients pointed at it. The sandbox's
/// own behaviour tests use an account with default VPCs and no lag unless they ask otherwise; job tests use
/// <see cref="Jobs.SandboxEc2.StartForJobs"/> (no default VPC, read lag, small pages).
/// </summary>
internal sealed class SandboxHarness : IDisposable
{
    public const string Region = "us-east-1";

    /// <summary>Starts the sandbox.</summary>
    /// <param name="defaultVpc">False for an account without default VPCs (each region starts with a non-default VPC).</param>
    public SandboxHarness(bool defaultVpc = true)
    {
        Server = SandboxServer.Start();
        Root = Server.CreateAccount(defaultVpc: defaultVpc);
        Admin = Server.CreateUser(Root.AccountId, "admin");
    }

    public SandboxServer Server { get; }

    /// <summary>Root credentials of the account.</summary>
    public SandboxAccount Root { get; }

    /// <summary>An IAM user allowed everything (AWS refuses AssumeRole signed by root keys).</summary>
    public SandboxAccount Admin { get; }

    public string AccountId => Root.AccountId;

    public static AWSCredentials Credentials(SandboxAccount account) => new BasicAWSCredentials(account.AccessKeyId, account.SecretAccessKey);

    public static AWSCredentials Credentials(Credentials session) => new SessionAWSCredentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken);

    public AmazonEC2Client Ec2(AWSCredentials credentials, string region = Region) => new(credentials, new AmazonEC2Config
    {
        ServiceURL = Server.Endpoint.ToString(),
        AuthenticationRegion = region,
        MaxErrorRetry = 0,
    });

    public AmazonEC2Client Ec2() => Ec2(Credentials(Root));

    public AmazonSecurityTokenServiceClient Sts(AWSCredentials credentials) => new(credentials, new AmazonSecurityTokenServiceConfig
    {
        ServiceURL = Server.Endpoint.ToString(),
        AuthenticationRegion = Region,
        MaxErrorRetry = 0,
    });

    public IamQueryClient Iam(SandboxAccount account) => new(Server.Endpoint, account.AccessKeyId, account.SecretAccessKey, null);

    public IamQueryClient Iam(Credentials session) => new(Server.Endpoint, session.AccessKeyId, session.SecretAccessKey, session.SessionToken);

    public static string TrustPolicy(string principal, string? externalId = null) =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + principal + "\"},\"Action\":\"sts:AssumeRole\""
        + (externalId is null ? string.Empty : ",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"" + externalId + "\"}}")
        + "}]}";

    public static string AllowPolicy(params string[] actions) =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[" + string.Join(",", actions.Select(a => "\"" + a + "\"")) + "],\"Resource\":\"*\"}]}";

    /// <summary>Creates a role trusted by this account (with an optional external id) and the given inline policy.</summary>
    public async Task<string> CreateRoleAsync(string roleName, string? externalId = null, string? policy = null)
    {
        var iam = Iam(Admin);
        var created = await iam.CallAsync("CreateRole", new()
        {
            ["RoleName"] = roleName,
            ["AssumeRolePolicyDocument"] = TrustPolicy($"arn:aws:iam::{AccountId}:root", externalId),
        });
        Assert.Equal(200, created.Status);
        if (policy is not null)
        {
            var put = await iam.CallAsync("PutRolePolicy", new() { ["RoleName"] = roleName, ["PolicyName"] = "inline", ["PolicyDocument"] = policy });
            Assert.Equal(200, put.Status);
        }

        return $"arn:aws:iam::{AccountId}:role/{roleName}";
    }

    public async Task<Credentials> AssumeAsync(string roleArn, string? externalId = null)
    {
        using var sts = Sts(Credentials(Admin));
        var response = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "test-session", ExternalId = externalId });
        return response.Credentials;
    }

    public void Dispose() => Server.Dispose();
}
