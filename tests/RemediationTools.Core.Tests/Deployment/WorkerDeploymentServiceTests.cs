using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Deployment;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Tests.Aws;
using RemediationTools.Core.Tests.Sandbox;
using RemediationTools.Core.Tests.Stores;

namespace RemediationTools.Core.Tests.Deployment;

/// <summary>
/// The deployment service against the sandbox's EC2 and SSM, with a local store standing in for the group's store. The
/// workers' heartbeats are written by the test (the Pester tests run real workers): that makes "Healthy" and "never
/// reports" exact, so the update's ordering and its rollback are checked without timing.
/// </summary>
public sealed class WorkerDeploymentServiceTests : IDisposable
{
    private const string Region = "us-east-1";
    private const string Image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/remediation-worker:1.0.0";
    private const string NewImage = "111122223333.dkr.ecr.us-east-1.amazonaws.com/remediation-worker:1.1.0";

    private readonly SandboxHarness harness = new();
    private readonly SandboxServer server;
    private readonly SandboxAccount hosting;
    private readonly StoreTestFolder folder = new();
    private readonly LocalFolderStore store;
    private readonly List<IDisposable> disposables = new();

    public WorkerDeploymentServiceTests()
    {
        server = harness.Server;
        hosting = harness.Admin;
        store = new LocalFolderStore(folder.Path);
    }

    public void Dispose()
    {
        foreach (var item in disposables)
        {
            item.Dispose();
        }

        harness.Dispose();
        folder.Dispose();
    }

    [Fact]
    public async Task Deploy_DefaultVpc_SecretInSsmGroupWithoutIngressInstancesAsAsked()
    {
        var (service, created) = await SetUpAsync();

        var plan = await service.PlanDeployAsync(Request(created), CancellationToken.None);
        Assert.Null(server.GetStoredParameter(hosting.AccountId, Region, "/remediation/prod/client-secret"));
        var deployed = await service.DeployAsync(plan, CancellationToken.None);

        Assert.Equal(2, deployed.Count);
        var parameter = server.GetStoredParameter(hosting.AccountId, Region, "/remediation/prod/client-secret");
        Assert.NotNull(parameter);
        Assert.Equal("SecureString", parameter!.Type);
        Assert.Equal(created.Deployment.PlainClientSecret, parameter.Value);
        var ec2 = Ec2();
        var group = Assert.Single((await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["remediation-worker-prod"])] })).SecurityGroups);
        Assert.True(group.IpPermissions is null || group.IpPermissions.Count == 0);
        foreach (var instance in server.DumpInstances().Where(i => deployed.Any(d => d.InstanceId == i.InstanceId)))
        {
            Assert.DoesNotContain(created.Deployment.PlainClientSecret, instance.UserData ?? string.Empty, StringComparison.Ordinal);
            Assert.Contains("REMEDIATION_CLIENT_ID=" + created.Group.ClientId, instance.UserData, StringComparison.Ordinal);
        }

        // A second deployment reuses the group and overwrites the parameter with the same secret.
        var again = await service.PlanDeployAsync(Request(created, count: 1), CancellationToken.None);
        Assert.Equal(group.GroupId, again.Network.SecurityGroupId);
        Assert.True(again.ParameterExists);
        await service.DeployAsync(again, CancellationToken.None);
        Assert.Equal(2, server.GetStoredParameter(hosting.AccountId, Region, "/remediation/prod/client-secret")!.Version);
        Assert.Single((await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["remediation-worker-prod"])] })).SecurityGroups);
    }

    [Fact]
    public async Task PlanDeploy_ReusedGroupWithIngress_RefusedNothingCreated()
    {
        var (service, created) = await SetUpAsync();
        var ec2 = Ec2();
        var vpc = (await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = [new Filter("is-default", ["true"])] })).Vpcs[0];
        var group = await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "remediation-worker-prod", Description = "hand made", VpcId = vpc.VpcId });
        await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = group.GroupId,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = 22, ToPort = 22, Ipv4Ranges = [new IpRange { CidrIp = "0.0.0.0/0" }] }],
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => service.PlanDeployAsync(Request(created), CancellationToken.None));

        Assert.Contains(group.GroupId, error.Message, StringComparison.Ordinal);
        Assert.Contains("inbound", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.DumpInstances());
    }

    [Fact]
    public async Task PlanDeploy_NoDefaultVpcAndNoSubnet_ArgumentExceptionNamingSubnetId()
    {
        var account = server.CreateAccount(defaultVpc: false);
        var admin = server.CreateUser(account.AccountId, "admin");
        var created = await GroupsAsync().CreateAsync("prod", null, "o-abcdefghij", [new RemediationCloudAccount { RoleArn = "arn:aws:iam::222222222222:role/RemediationRole" }], false, CancellationToken.None);
        var service = new WorkerDeploymentService(await ClientsAsync(admin), Region, store);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => service.PlanDeployAsync(Request(created), CancellationToken.None));

        Assert.Contains("-SubnetId", error.Message, StringComparison.Ordinal);
        Assert.Contains("no default VPC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_ReplacementHealthy_OldTerminatedOnlyAfterIt()
    {
        var (service, created) = await SetUpAsync();
        var old = await service.DeployAsync(await service.PlanDeployAsync(Request(created, count: 1), CancellationToken.None), CancellationToken.None);
        await HeartbeatAsync(old[0].InstanceId);
        var plan = await service.PlanUpdateAsync("prod", NewImage, CancellationToken.None);
        Assert.Equal([old[0].InstanceId], plan.Current.Select(c => c.InstanceId));

        // The test plays the new worker: once the replacement exists, it reports Healthy, and only then may the old
        // instance go. Its state is checked at that moment.
        string? oldStateWhenNewReported = null;
        using var done = new CancellationTokenSource();
        var playNewWorker = Task.Run(async () =>
        {
            SandboxLaunchedInstance? replacement = null;
            while (replacement is null)
            {
                done.Token.ThrowIfCancellationRequested();
                replacement = server.DumpInstances().FirstOrDefault(i => i.InstanceId != old[0].InstanceId && i.Tags.TryGetValue(WorkerInstances.ImageTag, out var image) && image == NewImage);
                await Task.Delay(20, CancellationToken.None);
            }

            oldStateWhenNewReported = server.DumpInstances().Single(i => i.InstanceId == old[0].InstanceId).State;
            await HeartbeatAsync(replacement.InstanceId);
        });

        var outcome = await service.UpdateAsync(plan, TimeSpan.FromMinutes(1), CancellationToken.None);
        await done.CancelAsync();
        await playNewWorker;

        Assert.Null(outcome.FailureReason);
        var replacementDeployment = Assert.Single(outcome.Replacements);
        Assert.True(replacementDeployment.Healthy);
        Assert.Equal(NewImage, replacementDeployment.ImageUri);
        Assert.Equal("running", oldStateWhenNewReported);
        Assert.Contains(server.DumpInstances().Single(i => i.InstanceId == old[0].InstanceId).State, new[] { "shutting-down", "terminated" });
    }

    [Fact]
    public async Task Update_ReplacementNeverReports_RolledBackOldKeepsRunning()
    {
        var (service, created) = await SetUpAsync();
        var old = await service.DeployAsync(await service.PlanDeployAsync(Request(created, count: 1), CancellationToken.None), CancellationToken.None);
        await HeartbeatAsync(old[0].InstanceId);
        var plan = await service.PlanUpdateAsync("prod", NewImage, CancellationToken.None);

        var outcome = await service.UpdateAsync(plan, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.NotNull(outcome.FailureReason);
        Assert.Contains("rolled back", outcome.FailureReason, StringComparison.Ordinal);
        Assert.Contains(old[0].InstanceId + " (" + Image + ") keep running", outcome.FailureReason, StringComparison.Ordinal);
        var replacement = Assert.Single(outcome.Replacements);
        Assert.Contains(server.DumpInstances().Single(i => i.InstanceId == replacement.InstanceId).State, new[] { "shutting-down", "terminated" });
        Assert.Equal("running", server.DumpInstances().Single(i => i.InstanceId == old[0].InstanceId).State);
    }

    [Fact]
    public async Task Join_InstanceGoneAndInstanceThatNeverReported_ShownAsSuch()
    {
        var (service, created) = await SetUpAsync();
        var deployed = await service.DeployAsync(await service.PlanDeployAsync(Request(created, count: 2), CancellationToken.None), CancellationToken.None);
        await HeartbeatAsync(deployed[0].InstanceId);
        await Ec2().TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [deployed[0].InstanceId] });

        var joined = await service.JoinAsync("prod", await store.ListWorkersAsync("prod", DateTimeOffset.UtcNow, CancellationToken.None), CancellationToken.None);

        var gone = Assert.Single(joined, w => w.InstanceId == deployed[0].InstanceId);
        Assert.Equal(RemediationWorkerState.InstanceGone, gone.State);
        Assert.Contains(gone.InstanceState, new[] { "shutting-down", "terminated" });
        var silent = Assert.Single(joined, w => w.InstanceId == deployed[1].InstanceId);
        Assert.Equal(RemediationWorkerState.NotReported, silent.State);
        Assert.Equal(string.Empty, silent.WorkerId);
        Assert.Equal(Image, silent.Version);
    }

    [Fact]
    public async Task Find_InstanceOfAnotherKind_Refused()
    {
        var (service, _) = await SetUpAsync();
        var ec2 = Ec2();
        var image = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"], Filters = [new Filter("architecture", ["x86_64"])] })).Images[0].ImageId;
        var other = (await ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = image, InstanceType = "t3.micro", MinCount = 1, MaxCount = 1 })).Reservation.Instances[0].InstanceId;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => service.FindAsync(null, [other], CancellationToken.None));

        Assert.Contains("'" + other + "' is not a worker", error.Message, StringComparison.Ordinal);
        Assert.Equal("running", server.DumpInstances().Single(i => i.InstanceId == other).State);
    }

    private static WorkerDeploymentRequest Request(WorkerGroupCreated created, int count = 2) => new()
    {
        GroupName = created.Group.Name,
        ClientSecret = created.Deployment.PlainClientSecret,
        ImageUri = Image,
        InstanceProfileName = "RemediationWorker",
        Count = count,
        Store = "aws",
    };

    private WorkerGroupService GroupsAsync() => new(store, hashIterations: ClientSecretHasher.MinimumIterations);

    private async Task<(WorkerDeploymentService Service, WorkerGroupCreated Created)> SetUpAsync()
    {
        await SandboxLaunchHelpers.CreateInstanceProfileAsync(harness, "RemediationWorker", "RemediationWorker");
        var created = await GroupsAsync().CreateAsync("prod", null, "o-abcdefghij", [new RemediationCloudAccount { RoleArn = "arn:aws:iam::222222222222:role/RemediationRole" }], false, CancellationToken.None);
        var service = new WorkerDeploymentService(await ClientsAsync(hosting), Region, store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        return (service, created);
    }

    private Task HeartbeatAsync(string instanceId) => store.SaveWorkerAsync(
        new RemediationWorkerInfo
        {
            WorkerId = "w-" + instanceId[2..],
            WorkerGroup = "prod",
            Host = "container",
            InstanceId = instanceId,
            Started = DateTimeOffset.UtcNow,
            LastHeartbeat = DateTimeOffset.UtcNow,
            HeartbeatPeriod = TimeSpan.FromMinutes(5),
        },
        CancellationToken.None);

    private AmazonEC2Client Ec2()
    {
        var client = new AmazonEC2Client(new BasicAWSCredentials(hosting.AccessKeyId, hosting.SecretAccessKey), new AmazonEC2Config { ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = Region });
        disposables.Add(client);
        return client;
    }

    private async Task<IAwsClients> ClientsAsync(SandboxAccount account)
    {
        var resolver = new AwsConnectionResolver(new FakeEnvironment(), new FakeProfileStore(), new FakeDefaultChain(null));
        var connection = await resolver.ResolveAsync(
            new AwsConnectionOptions { AccessKey = account.AccessKeyId, SecretKey = account.SecretAccessKey, Region = Region, EndpointUrl = server.Endpoint.ToString(), MaxErrorRetry = 0 },
            CancellationToken.None);
        var factory = new AwsClientFactory(connection);
        disposables.Add(factory);
        return await factory.ForAccountAsync(null, CancellationToken.None);
    }
}
