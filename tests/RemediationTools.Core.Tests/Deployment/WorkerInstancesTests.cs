using Amazon.EC2;
using RemediationTools.Core.Deployment;

namespace RemediationTools.Core.Tests.Deployment;

public sealed class WorkerInstancesTests
{
    [Fact]
    public void Request_WorkerLaunch_ImdsV2HopLimit2EncryptedRootNoKeyPairTags()
    {
        var spec = new WorkerLaunchSpec
        {
            GroupName = "prod",
            Image = WorkerImageReference.Parse("remediation-worker:0.2.0"),
            Store = "aws",
            SecretParameter = "/remediation/prod/client-secret",
            InstanceType = "t3.micro",
            InstanceProfileName = "RemediationWorker",
            SubnetId = "subnet-0123456789abcdef0",
            SecurityGroupId = "sg-0123456789abcdef0",
            Ami = new WorkerAmi("ami-0123456789abcdef0", "x86_64", "/dev/xvda", WorkerAmiResolver.ParameterPrefix + "x86_64"),
            UserData = "#!/bin/bash\necho hi\n",
            Count = 2,
            Tags = new Dictionary<string, string> { ["team"] = "security", [WorkerInstances.GroupTag] = "not-this" },
        };

        var request = WorkerInstances.Request(spec);

        Assert.Equal(2, request.MinCount);
        Assert.Equal(2, request.MaxCount);
        Assert.Null(request.KeyName);
        Assert.Equal(HttpTokensState.Required, request.MetadataOptions.HttpTokens);
        Assert.Equal(2, request.MetadataOptions.HttpPutResponseHopLimit);
        Assert.Equal(InstanceMetadataEndpointState.Enabled, request.MetadataOptions.HttpEndpoint);
        var root = Assert.Single(request.BlockDeviceMappings);
        Assert.Equal("/dev/xvda", root.DeviceName);
        Assert.True(root.Ebs.Encrypted);
        Assert.True(root.Ebs.DeleteOnTermination);
        Assert.Equal("RemediationWorker", request.IamInstanceProfile.Name);
        Assert.Equal(new[] { "sg-0123456789abcdef0" }, request.SecurityGroupIds);
        Assert.Equal("#!/bin/bash\necho hi\n", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(request.UserData)));
        Assert.False(string.IsNullOrEmpty(request.ClientToken));
        foreach (var specification in request.TagSpecifications)
        {
            var tags = specification.Tags.ToDictionary(t => t.Key, t => t.Value);
            Assert.Equal("prod", tags[WorkerInstances.GroupTag]);
            Assert.Equal("remediation-worker:0.2.0", tags[WorkerInstances.ImageTag]);
            Assert.Equal("/remediation/prod/client-secret", tags[WorkerInstances.SecretParameterTag]);
            Assert.Equal("security", tags["team"]);
        }

        Assert.Equal(new[] { ResourceType.Instance, ResourceType.Volume }, request.TagSpecifications.Select(t => t.ResourceType).ToArray());
    }
}
