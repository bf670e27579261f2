using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Tests.Jobs;
using RemediationTools.Core.Tests.Sandbox;
using RemediationTools.Core.Tests.Stores;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>
/// A sandbox with a cloud account (a role the hosting account may assume with the organization ID as external ID), a
/// hosting account whose IAM user is the worker's caller (AWS refuses AssumeRole with root keys), a local store with
/// one worker group, and security groups open to the world on 5432. As in the EC2 job tests, the cloud account has no
/// default VPC and the sandbox lags and pages (<see cref="SandboxEc2.StartForJobs"/>).
/// </summary>
internal sealed class WorkerSandbox : IDisposable
{
    public const string Region = "us-east-1";
    public const string Organization = "o-worker1234";
    public const string PostgresRule = "5c8c25f07a550e1fb6560bc6";
    public const string GroupName = "prod";

    private WorkerSandbox()
    {
        Server = SandboxEc2.StartForJobs();
        Cloud = SandboxEc2.JobAccount(Server);
        CloudAdmin = Server.CreateUser(Cloud.AccountId, "admin");
        var hostingRoot = Server.CreateAccount();
        Hosting = Server.CreateUser(hostingRoot.AccountId, "remediation-worker");
        Store = new LocalFolderStore(Folder.Path);
        Groups = new WorkerGroupService(Store, hashIterations: ClientSecretHasher.MinimumIterations);
        Ec2 = new AmazonEC2Client(new BasicAWSCredentials(Cloud.AccessKeyId, Cloud.SecretAccessKey), new AmazonEC2Config { ServiceURL = Server.Endpoint.ToString(), AuthenticationRegion = Region });
    }

    public SandboxServer Server { get; }

    public SandboxAccount Cloud { get; }

    public SandboxAccount CloudAdmin { get; }

    /// <summary>The hosting account's IAM user: the worker's own AWS credentials.</summary>
    public SandboxAccount Hosting { get; }

    public StoreTestFolder Folder { get; } = new();

    public LocalFolderStore Store { get; }

    public WorkerGroupService Groups { get; }

    public AmazonEC2Client Ec2 { get; }

    public WorkerGroupCreated Group { get; private set; } = null!;

    /// <summary>The client secret of the group, shown once at creation (or after a reset).</summary>
    public string Secret => Group.Deployment.PlainClientSecret;

    public static async Task<WorkerSandbox> StartAsync()
    {
        var sandbox = new WorkerSandbox();
        var iam = new IamQueryClient(sandbox.Server.Endpoint, sandbox.CloudAdmin.AccessKeyId, sandbox.CloudAdmin.SecretAccessKey, null);
        var role = await iam.CallAsync("CreateRole", new()
        {
            ["RoleName"] = "RemediationRole",
            ["AssumeRolePolicyDocument"] = SandboxHarness.TrustPolicy("arn:aws:iam::" + sandbox.Hosting.AccountId + ":root", Organization),
        });
        Assert.Equal(200, role.Status);
        var policy = await iam.CallAsync("PutRolePolicy", new()
        {
            ["RoleName"] = "RemediationRole",
            ["PolicyName"] = "remediation",
            ["PolicyDocument"] = SandboxHarness.AllowPolicy("ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:DescribeNetworkInterfaces", "ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress"),
        });
        Assert.Equal(200, policy.Status);
        sandbox.Group = await sandbox.Groups.CreateAsync(
            GroupName,
            "workers under test",
            Organization,
            new[] { new RemediationCloudAccount { RoleArn = "arn:aws:iam::" + sandbox.Cloud.AccountId + ":role/RemediationRole" } },
            allowDisruptive: false,
            CancellationToken.None);
        return sandbox;
    }

    /// <summary>
    /// The environment of a <c>remediation-worker</c> process for this sandbox's group: the hosting caller's keys,
    /// the sandbox endpoint, short heartbeats and polls; no client secret (the test adds its own source).
    /// </summary>
    public Dictionary<string, string?> ProcessEnvironment(string healthFile, string leaseSeconds) => new()
    {
        ["REMEDIATION_WORKER_GROUP"] = GroupName,
        ["REMEDIATION_CLIENT_ID"] = Group.Group.ClientId,
        ["REMEDIATION_STORE"] = "local:" + Store.Root,
        ["REMEDIATION_MAX_JOBS"] = "4",
        ["REMEDIATION_LEASE_SECONDS"] = leaseSeconds,
        ["REMEDIATION_HEARTBEAT_SECONDS"] = "1",
        ["REMEDIATION_POLL_SECONDS"] = "1",
        ["REMEDIATION_RETRY_DELAY_SECONDS"] = "0.1",
        ["REMEDIATION_HEALTH_FILE"] = healthFile,
        ["AWS_ACCESS_KEY_ID"] = Hosting.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = Hosting.SecretAccessKey,
        ["AWS_REGION"] = Region,
        ["AWS_ENDPOINT_URL"] = Server.Endpoint.ToString(),
        ["AWS_MAX_ATTEMPTS"] = "1",
    };

    /// <summary>The hosting caller's connection, pointed at the sandbox.</summary>
    public AwsConnectionOptions Connection() => new()
    {
        AccessKey = Hosting.AccessKeyId,
        SecretKey = Hosting.SecretAccessKey,
        Region = Region,
        EndpointUrl = Server.Endpoint.ToString(),
        MaxErrorRetry = 0,
    };

    /// <summary>Creates security groups with tcp 5432 open to 0.0.0.0/0 (and 22 from 10.0.0.0/8, which must stay).</summary>
    public async Task<IReadOnlyList<string>> OpenGroupsAsync(int count)
    {
        var ids = new string[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var id = (await Ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "db-" + i, Description = "db", VpcId = Server.GetFirstVpcId(Cloud.AccountId, Region) }, ct)).GroupId;
            await Ec2.AuthorizeSecurityGroupIngressAsync(
                new AuthorizeSecurityGroupIngressRequest
                {
                    GroupId = id,
                    IpPermissions = new List<IpPermission>
                    {
                        new() { IpProtocol = "tcp", FromPort = 5432, ToPort = 5432, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "0.0.0.0/0" } } },
                        new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "10.0.0.0/8" } } },
                    },
                },
                ct);
            ids[i] = id;
        });
        Server.Settle();
        Server.ResetCallCounts();
        return ids;
    }

    public Finding Finding(string groupId, string? accountId = null) => new()
    {
        FindingId = "f-" + groupId,
        RuleId = PostgresRule,
        AccountId = accountId ?? Cloud.AccountId,
        Region = Region,
        ResourceId = groupId,
    };

    /// <summary>The security groups (of <paramref name="ids"/>) that still have 5432 open to the world, and those that lost the 22 rule.</summary>
    public async Task<(int Open, int Damaged)> CheckGroupsAsync(IReadOnlyList<string> ids)
    {
        Server.Settle();
        var groups = (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = ids.ToList() })).SecurityGroups;
        Assert.Equal(ids.Count, groups.Count);
        var open = groups.Count(g => (g.IpPermissions ?? new List<IpPermission>()).Any(p => p.FromPort <= 5432 && p.ToPort >= 5432 && (p.Ipv4Ranges ?? new List<IpRange>()).Any(r => r.CidrIp == "0.0.0.0/0")));
        var damaged = groups.Count(g => !(g.IpPermissions ?? new List<IpPermission>()).Any(p => p.FromPort == 22 && (p.Ipv4Ranges ?? new List<IpRange>()).Any(r => r.CidrIp == "10.0.0.0/8")));
        return (open, damaged);
    }

    /// <summary>Worker options for this sandbox's group: short polls, heartbeats and retries, as the worker tests use.</summary>
    public WorkerOptions WorkerOptions(string? secret = null) => new()
    {
        GroupName = GroupName,
        ClientId = Group.Group.ClientId,
        ClientSecret = secret ?? Secret,
        MaxConcurrency = 4,
        PollWait = TimeSpan.FromMilliseconds(300),
        LeaseDuration = TimeSpan.FromSeconds(30),
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        RetryDelay = TimeSpan.Zero,
        Connection = Connection(),
    };

    /// <summary>Runs one worker on the store until the runs of <paramref name="ids"/> are recorded (30 s at most), then stops it.</summary>
    public async Task<IReadOnlyList<RemediationRun>> RunWorkerUntilRecordedAsync(WorkerGroupDispatcher dispatcher, IReadOnlyList<string> ids)
    {
        var worker = new RemediationWorker(WorkerOptions(), Store);
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync(stop.Token);
        try
        {
            return await dispatcher.WaitAsync(GroupName, ids, null, TimeSpan.FromSeconds(30));
        }
        finally
        {
            stop.Cancel();
            await running;
        }
    }

    public int Calls(string action) => Server.CallCounts.TryGetValue(action, out var count) ? count : 0;

    public void Dispose()
    {
        Ec2.Dispose();
        Server.Dispose();
        Folder.Dispose();
    }
}
