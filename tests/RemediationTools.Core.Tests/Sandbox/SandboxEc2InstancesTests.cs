using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using static RemediationTools.Core.Tests.Sandbox.SandboxLaunchHelpers;

namespace RemediationTools.Core.Tests.Sandbox;

public sealed class SandboxEc2InstancesTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonEC2Client _ec2;

    public SandboxEc2InstancesTests() => _ec2 = _sandbox.Ec2();

    public void Dispose()
    {
        _ec2.Dispose();
        _sandbox.Dispose();
    }

    private async Task<RunInstancesRequest> MinimalRequestAsync(string instanceType = "t3.micro") => new()
    {
        ImageId = await Al2023ImageIdAsync(_ec2),
        InstanceType = instanceType,
        MinCount = 1,
        MaxCount = 1,
    };

    private async Task<AmazonEC2Exception> RunFailsAsync(RunInstancesRequest request, AmazonEC2Client? client = null) =>
        await Assert.ThrowsAsync<AmazonEC2Exception>(() => (client ?? _ec2).RunInstancesAsync(request));

    [Fact]
    public async Task RunInstances_FullRequest_RecordsEverythingAndAnswersPending()
    {
        var profileArn = await CreateInstanceProfileAsync(_sandbox, "WorkerRole", "WorkerProfile");
        var group = (await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "workers", Description = "workers" })).GroupId;
        var userData = Convert.ToBase64String(Encoding.UTF8.GetBytes("#!/bin/bash\necho hello\n"));
        var request = await MinimalRequestAsync();
        request.MinCount = 2;
        request.MaxCount = 2;
        request.SecurityGroupIds = [group];
        request.IamInstanceProfile = new IamInstanceProfileSpecification { Name = "WorkerProfile" };
        request.UserData = userData;
        request.MetadataOptions = new InstanceMetadataOptionsRequest { HttpTokens = HttpTokensState.Required, HttpPutResponseHopLimit = 2, HttpEndpoint = InstanceMetadataEndpointState.Enabled };
        request.BlockDeviceMappings = [new BlockDeviceMapping { DeviceName = "/dev/xvda", Ebs = new EbsBlockDevice { Encrypted = true, VolumeType = VolumeType.Gp3, VolumeSize = 16, DeleteOnTermination = true } }];
        request.TagSpecifications =
        [
            new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag("remediation:worker-group", "prod")] },
            new TagSpecification { ResourceType = ResourceType.Volume, Tags = [new Tag("remediation:worker-group", "prod")] },
        ];

        var response = await _ec2.RunInstancesAsync(request);

        Assert.Equal(2, response.Reservation.Instances.Count);
        var launched = response.Reservation.Instances[0];
        Assert.Equal(InstanceStateName.Pending, launched.State.Name);
        Assert.Equal(0, launched.State.Code);
        Assert.Equal(profileArn, launched.IamInstanceProfile.Arn);
        Assert.StartsWith("AIPA", launched.IamInstanceProfile.Id, StringComparison.Ordinal);
        Assert.Equal(HttpTokensState.Required, launched.MetadataOptions.HttpTokens);
        Assert.Equal("prod", Assert.Single(launched.Tags).Value);

        var described = Assert.Single((await _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [launched.InstanceId] })).Reservations);
        Assert.Equal(response.Reservation.ReservationId, described.ReservationId);
        var instance = Assert.Single(described.Instances);
        Assert.Equal(InstanceStateName.Running, instance.State.Name);
        Assert.Equal(request.ImageId, instance.ImageId);
        Assert.Equal(InstanceType.T3Micro, instance.InstanceType);
        Assert.Null(instance.KeyName);
        Assert.Equal(2, instance.MetadataOptions.HttpPutResponseHopLimit);
        Assert.Equal(InstanceMetadataEndpointState.Enabled, instance.MetadataOptions.HttpEndpoint);
        Assert.Equal(profileArn, instance.IamInstanceProfile.Arn);
        Assert.Equal([group], instance.SecurityGroups.Select(g => g.GroupId).ToArray());
        Assert.Equal(_sandbox.Server.GetFirstVpcId(_sandbox.AccountId, SandboxHarness.Region), instance.VpcId);
        Assert.NotNull(instance.LaunchTime);
        var root = Assert.Single(instance.BlockDeviceMappings);
        Assert.Equal("/dev/xvda", root.DeviceName);

        var volume = Assert.Single((await _ec2.DescribeVolumesAsync(new DescribeVolumesRequest { VolumeIds = [root.Ebs.VolumeId] })).Volumes);
        Assert.True(volume.Encrypted);
        Assert.Equal(16, volume.Size);
        Assert.Equal(VolumeType.Gp3, volume.VolumeType);
        Assert.Equal(instance.InstanceId, Assert.Single(volume.Attachments).InstanceId);
        Assert.True(volume.Attachments[0].DeleteOnTermination);
        Assert.Equal("prod", Assert.Single(volume.Tags).Value);

        var attribute = await _ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = instance.InstanceId, Attribute = InstanceAttributeName.UserData });
        Assert.Equal(userData, attribute.InstanceAttribute.UserData);
    }

    [Fact]
    public async Task RunInstances_Defaults_DefaultSubnetDefaultGroupImdsV2RequiredUnencryptedRoot()
    {
        var response = await _ec2.RunInstancesAsync(await MinimalRequestAsync());

        var instance = Assert.Single(response.Reservation.Instances);
        var subnet = Assert.Single((await _ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = [instance.SubnetId] })).Subnets);
        Assert.True(subnet.DefaultForAz);
        Assert.Equal(subnet.AvailabilityZone, instance.Placement.AvailabilityZone);
        Assert.Equal(_sandbox.Server.GetDefaultSecurityGroupId(_sandbox.AccountId, SandboxHarness.Region), Assert.Single(instance.SecurityGroups).GroupId);
        Assert.Equal(HttpTokensState.Required, instance.MetadataOptions.HttpTokens);
        Assert.Equal(2, instance.MetadataOptions.HttpPutResponseHopLimit);
        Assert.Null(instance.IamInstanceProfile);
        var volumes = await _ec2.DescribeVolumesAsync(new DescribeVolumesRequest { Filters = [new Filter("attachment.instance-id", [instance.InstanceId])] });
        var root = Assert.Single(volumes.Volumes);
        Assert.False(root.Encrypted);
        Assert.Equal(8, root.Size);
        var attribute = await _ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = instance.InstanceId, Attribute = InstanceAttributeName.UserData });
        Assert.Null(attribute.InstanceAttribute.UserData);
    }

    [Fact]
    public async Task RunInstances_BadImageOrType_AwsErrorCodes()
    {
        var request = await MinimalRequestAsync();
        request.ImageId = "ami-0123456789abcdef0";
        Assert.Equal("InvalidAMIID.NotFound", (await RunFailsAsync(request)).ErrorCode);
        request.ImageId = "image-1";
        Assert.Equal("InvalidAMIID.Malformed", (await RunFailsAsync(request)).ErrorCode);

        request = await MinimalRequestAsync("t3.gigantic");
        var unknownType = await RunFailsAsync(request);
        Assert.Equal("InvalidParameterValue", unknownType.ErrorCode);
        Assert.Equal("Invalid value 't3.gigantic' for InstanceType.", unknownType.Message);

        request = await MinimalRequestAsync("t4g.micro");
        var mismatch = await RunFailsAsync(request);
        Assert.Equal("InvalidParameterValue", mismatch.ErrorCode);
        Assert.Contains("architecture 'arm64' of the specified instance type does not match the architecture 'x86_64'", mismatch.Message, StringComparison.Ordinal);

        request.ImageId = await Al2023ImageIdAsync(_ec2, "arm64");
        Assert.Equal("arm64", Assert.Single((await _ec2.RunInstancesAsync(request)).Reservation.Instances).Architecture.Value);
    }

    [Fact]
    public async Task RunInstances_BadNetwork_AwsErrorCodes()
    {
        var otherVpc = _sandbox.Server.AddVpc(_sandbox.AccountId, SandboxHarness.Region);
        var otherGroup = (await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "other", Description = "other", VpcId = otherVpc })).GroupId;

        var request = await MinimalRequestAsync();
        request.SubnetId = "subnet-0123456789abcdef0";
        Assert.Equal("InvalidSubnetID.NotFound", (await RunFailsAsync(request)).ErrorCode);

        request = await MinimalRequestAsync();
        request.SecurityGroupIds = [otherGroup];
        var differentNetworks = await RunFailsAsync(request);
        Assert.Equal("InvalidParameter", differentNetworks.ErrorCode);
        Assert.Contains(otherGroup, differentNetworks.Message, StringComparison.Ordinal);

        request.SecurityGroupIds = ["sg-0123456789abcdef0"];
        Assert.Equal("InvalidGroup.NotFound", (await RunFailsAsync(request)).ErrorCode);

        var otherSubnet = Assert.Single((await _ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("vpc-id", [otherVpc])] })).Subnets);
        Assert.False(otherSubnet.DefaultForAz);
        request.SubnetId = otherSubnet.SubnetId;
        request.SecurityGroupIds = [otherGroup];
        var instance = Assert.Single((await _ec2.RunInstancesAsync(request)).Reservation.Instances);
        Assert.Equal(otherVpc, instance.VpcId);
    }

    [Fact]
    public async Task RunInstances_NoDefaultVpcAndNoSubnet_VpcIdNotSpecified()
    {
        using var sandbox = new SandboxHarness(defaultVpc: false);
        using var ec2 = sandbox.Ec2();
        var request = new RunInstancesRequest { ImageId = await Al2023ImageIdAsync(ec2), InstanceType = "t3.micro", MinCount = 1, MaxCount = 1 };

        Assert.Equal("VPCIdNotSpecified", (await RunFailsAsync(request, ec2)).ErrorCode);
    }

    [Fact]
    public async Task RunInstances_BadProfileUserDataKeyOrMetadataOptions_AwsErrorCodes()
    {
        var request = await MinimalRequestAsync();
        request.IamInstanceProfile = new IamInstanceProfileSpecification { Name = "Missing" };
        var profile = await RunFailsAsync(request);
        Assert.Equal("InvalidParameterValue", profile.ErrorCode);
        Assert.Equal("Value (Missing) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name", profile.Message);

        request = await MinimalRequestAsync();
        request.UserData = Convert.ToBase64String(new byte[(16 * 1024) + 1]);
        Assert.Equal("InvalidParameterValue", (await RunFailsAsync(request)).ErrorCode);
        request.UserData = Convert.ToBase64String(new byte[16 * 1024]);
        Assert.Single((await _ec2.RunInstancesAsync(request)).Reservation.Instances);

        request = await MinimalRequestAsync();
        request.KeyName = "ops";
        Assert.Equal("InvalidKeyPair.NotFound", (await RunFailsAsync(request)).ErrorCode);
        _sandbox.Server.AddKeyPair(_sandbox.AccountId, SandboxHarness.Region, "ops");
        Assert.Equal("ops", Assert.Single((await _ec2.RunInstancesAsync(request)).Reservation.Instances).KeyName);

        request = await MinimalRequestAsync();
        request.MetadataOptions = new InstanceMetadataOptionsRequest { HttpPutResponseHopLimit = 65 };
        Assert.Equal("InvalidParameterValue", (await RunFailsAsync(request)).ErrorCode);
        request.MetadataOptions = new InstanceMetadataOptionsRequest { HttpTokens = new HttpTokensState("sometimes") };
        Assert.Equal("InvalidParameterValue", (await RunFailsAsync(request)).ErrorCode);
    }

    [Fact]
    public async Task RunInstances_InstanceProfileWithoutPassRole_UnauthorizedOperation()
    {
        await CreateInstanceProfileAsync(_sandbox, "WorkerRole", "WorkerProfile");
        var launcher = _sandbox.Server.CreateUser(_sandbox.AccountId, "launcher", SandboxHarness.AllowPolicy("ec2:RunInstances", "ec2:DescribeImages"));
        var passer = _sandbox.Server.CreateUser(
            _sandbox.AccountId,
            "passer",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"ec2:RunInstances\"],\"Resource\":\"*\"},"
            + "{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"arn:aws:iam::" + _sandbox.AccountId + ":role/WorkerRole\"}]}");
        using var launcherEc2 = _sandbox.Ec2(SandboxHarness.Credentials(launcher));
        using var passerEc2 = _sandbox.Ec2(SandboxHarness.Credentials(passer));
        var request = await MinimalRequestAsync();
        request.IamInstanceProfile = new IamInstanceProfileSpecification { Name = "WorkerProfile" };

        var denied = await RunFailsAsync(request, launcherEc2);
        var launched = await passerEc2.RunInstancesAsync(request);

        Assert.Equal("UnauthorizedOperation", denied.ErrorCode);
        Assert.Contains("iam:PassRole on resource: arn:aws:iam::" + _sandbox.AccountId + ":role/WorkerRole", denied.Message, StringComparison.Ordinal);
        Assert.Single(launched.Reservation.Instances);
    }

    [Fact]
    public async Task RunInstances_ClientToken_SameParametersSameReservationOtherwiseMismatch()
    {
        var request = await MinimalRequestAsync();
        request.ClientToken = "deploy-prod-1";

        var first = await _ec2.RunInstancesAsync(request);
        var again = await _ec2.RunInstancesAsync(request);
        request.InstanceType = "t3.small";
        var mismatch = await RunFailsAsync(request);

        Assert.Equal(first.Reservation.ReservationId, again.Reservation.ReservationId);
        Assert.Equal(first.Reservation.Instances.Select(i => i.InstanceId), again.Reservation.Instances.Select(i => i.InstanceId));
        Assert.Equal("IdempotentParameterMismatch", mismatch.ErrorCode);
        Assert.Single((await _ec2.DescribeInstancesAsync(new DescribeInstancesRequest())).Reservations);
    }

    [Fact]
    public async Task InstanceStates_WithTransitionDelay_PendingRunningShuttingDownTerminated()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        _sandbox.Server.Clock = () => now;
        _sandbox.Server.TransitionDelay = TimeSpan.FromSeconds(30);
        var request = await MinimalRequestAsync();
        request.BlockDeviceMappings = [new BlockDeviceMapping { DeviceName = "/dev/sdf", Ebs = new EbsBlockDevice { VolumeSize = 20, DeleteOnTermination = false } }];
        var id = Assert.Single((await _ec2.RunInstancesAsync(request)).Reservation.Instances).InstanceId;
        async Task<InstanceStateName> StateAsync() =>
            Assert.Single(Assert.Single((await _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] })).Reservations).Instances).State.Name;

        var pending = await StateAsync();
        now = now.AddSeconds(30);
        var running = await StateAsync();
        var terminate = await _ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [id] });
        var shuttingDown = await StateAsync();
        now = now.AddSeconds(30);
        var terminated = await StateAsync();

        Assert.Equal(InstanceStateName.Pending, pending);
        Assert.Equal(InstanceStateName.Running, running);
        var change = Assert.Single(terminate.TerminatingInstances);
        Assert.Equal(InstanceStateName.Running, change.PreviousState.Name);
        Assert.Equal(InstanceStateName.ShuttingDown, change.CurrentState.Name);
        Assert.Equal(32, change.CurrentState.Code);
        Assert.Equal(InstanceStateName.ShuttingDown, shuttingDown);
        Assert.Equal(InstanceStateName.Terminated, terminated);
        var left = (await _ec2.DescribeVolumesAsync(new DescribeVolumesRequest())).Volumes;
        var kept = Assert.Single(left);
        Assert.Equal(20, kept.Size);
        Assert.True(kept.Attachments is null or { Count: 0 });
        var stop = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] }));
        Assert.Equal("IncorrectInstanceState", stop.ErrorCode);
    }

    [Fact]
    public async Task TerminateInstances_UnknownId_NotFound()
    {
        var ex = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = ["i-0123456789abcdef0"] }));

        Assert.Equal("InvalidInstanceID.NotFound", ex.ErrorCode);
    }

    [Fact]
    public async Task DescribeInstances_LaunchFilters_SelectTheLaunchedInstances()
    {
        var profileArn = await CreateInstanceProfileAsync(_sandbox, "WorkerRole", "WorkerProfile");
        var tagged = await MinimalRequestAsync();
        tagged.IamInstanceProfile = new IamInstanceProfileSpecification { Arn = profileArn };
        tagged.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag("remediation:worker-group", "prod")] }];
        var worker = Assert.Single((await _ec2.RunInstancesAsync(tagged)).Reservation.Instances).InstanceId;
        var other = Assert.Single((await _ec2.RunInstancesAsync(await MinimalRequestAsync())).Reservation.Instances).InstanceId;
        await _ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [other] });

        async Task<List<string>> IdsAsync(params Filter[] filters) =>
            (await _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [.. filters] })).Reservations.SelectMany(r => r.Instances).Select(i => i.InstanceId).ToList();

        Assert.Equal([worker], await IdsAsync(new Filter("tag:remediation:worker-group", ["prod"])));
        Assert.Equal([worker], await IdsAsync(new Filter("iam-instance-profile.arn", [profileArn])));
        Assert.Equal([worker], await IdsAsync(new Filter("instance-state-name", ["pending", "running"])));
        Assert.Equal([other], await IdsAsync(new Filter("instance-state-name", ["terminated"])));
        Assert.Equal(2, (await IdsAsync(new Filter("image-id", [tagged.ImageId]))).Count);
    }

    [Fact]
    public async Task DescribeImages_Al2023_PublicAmazonImagesReadableByAnyAccount()
    {
        var reader = _sandbox.Server.CreateUser(_sandbox.Server.CreateAccount().AccountId, "reader", SandboxHarness.AllowPolicy("ec2:DescribeImages"));
        using var ec2 = _sandbox.Ec2(SandboxHarness.Credentials(reader));

        var images = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"], Filters = [new Filter("owner-alias", ["amazon"])] })).Images;
        var notFound = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = ["ami-0123456789abcdef0"] }));

        Assert.Equal(["arm64", "x86_64"], images.Select(i => i.Architecture.Value).Order(StringComparer.Ordinal).ToArray());
        var image = images.Single(i => i.Architecture == ArchitectureValues.X86_64);
        Assert.Equal("al2023-ami-2023.6.20241121.0-kernel-6.1-x86_64", image.Name);
        Assert.Equal("137112412989", image.OwnerId);
        Assert.Equal("/dev/xvda", image.RootDeviceName);
        Assert.Equal(DeviceType.Ebs, image.RootDeviceType);
        Assert.Equal(VirtualizationType.Hvm, image.VirtualizationType);
        Assert.True(image.Public);
        Assert.Equal(image.ImageId, Assert.Single((await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [image.ImageId] })).Images).ImageId);
        Assert.Equal("InvalidAMIID.NotFound", notFound.ErrorCode);
        Assert.True((await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images is null or { Count: 0 });
    }

    [Fact]
    public async Task DescribeInstanceTypes_KnownAndUnknownTypes()
    {
        var types = (await _ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = ["t3.nano", "t4g.small", "m5.large"] })).InstanceTypes;
        var unknown = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = ["t3.gigantic"] }));

        var nano = types.Single(t => t.InstanceType == InstanceType.T3Nano);
        Assert.Equal(["x86_64"], nano.ProcessorInfo.SupportedArchitectures.ToArray());
        Assert.Equal(2, nano.VCpuInfo.DefaultVCpus);
        Assert.Equal(512, nano.MemoryInfo.SizeInMiB);
        Assert.True(nano.BurstablePerformanceSupported);
        Assert.Equal(["arm64"], types.Single(t => t.InstanceType == InstanceType.T4gSmall).ProcessorInfo.SupportedArchitectures.ToArray());
        Assert.False(types.Single(t => t.InstanceType == InstanceType.M5Large).BurstablePerformanceSupported);
        Assert.Equal("InvalidInstanceType", unknown.ErrorCode);
    }

    [Fact]
    public async Task DescribeSubnets_DefaultVpcHasOneDefaultSubnetPerZone()
    {
        var vpcId = _sandbox.Server.GetFirstVpcId(_sandbox.AccountId, SandboxHarness.Region);

        var subnets = (await _ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("vpc-id", [vpcId]), new Filter("default-for-az", ["true"])] })).Subnets;
        var zoneB = (await _ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("availability-zone", ["us-east-1b"])] })).Subnets;
        var notFound = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = ["subnet-0123456789abcdef0"] }));

        Assert.Equal(["us-east-1a", "us-east-1b", "us-east-1c"], subnets.Select(s => s.AvailabilityZone).Order(StringComparer.Ordinal).ToArray());
        Assert.All(subnets, s => Assert.True(s.MapPublicIpOnLaunch));
        Assert.Equal(subnets.Single(s => s.AvailabilityZone == "us-east-1b").SubnetId, Assert.Single(zoneB).SubnetId);
        Assert.Equal("InvalidSubnetID.NotFound", notFound.ErrorCode);
    }

    [Fact]
    public async Task CreateSecurityGroup_TagSpecification_FoundByTagNameAndVpc()
    {
        var vpcId = _sandbox.Server.GetFirstVpcId(_sandbox.AccountId, SandboxHarness.Region);
        var created = await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
        {
            GroupName = "remediation-workers-prod",
            Description = "Remediation workers (no ingress)",
            VpcId = vpcId,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.SecurityGroup, Tags = [new Tag("remediation:worker-group", "prod")] }],
        });

        var found = (await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
        {
            Filters = [new Filter("group-name", ["remediation-workers-prod"]), new Filter("vpc-id", [vpcId]), new Filter("tag:remediation:worker-group", ["prod"])],
        })).SecurityGroups;

        var group = Assert.Single(found);
        Assert.Equal(created.GroupId, group.GroupId);
        Assert.True(group.IpPermissions is null or { Count: 0 });
        Assert.Equal("prod", Assert.Single(created.Tags).Value);
    }
}
