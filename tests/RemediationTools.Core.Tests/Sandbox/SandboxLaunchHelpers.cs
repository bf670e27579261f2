using Amazon.EC2;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>Shared setup of the launch tests: an instance profile whose role trusts EC2, and the catalog's AMIs.</summary>
internal static class SandboxLaunchHelpers
{
    public const string Ec2TrustPolicy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

    /// <summary>Creates role <paramref name="roleName"/> (trusting EC2, with the inline policy) in profile <paramref name="profileName"/>; returns the profile ARN.</summary>
    public static async Task<string> CreateInstanceProfileAsync(SandboxHarness sandbox, string roleName, string profileName, string? policy = null)
    {
        var iam = sandbox.Iam(sandbox.Admin);
        Assert.Equal(200, (await iam.CallAsync("CreateRole", new() { ["RoleName"] = roleName, ["AssumeRolePolicyDocument"] = Ec2TrustPolicy })).Status);
        if (policy is not null)
        {
            Assert.Equal(200, (await iam.CallAsync("PutRolePolicy", new() { ["RoleName"] = roleName, ["PolicyName"] = "inline", ["PolicyDocument"] = policy })).Status);
        }

        var profile = await iam.CallAsync("CreateInstanceProfile", new() { ["InstanceProfileName"] = profileName });
        Assert.Equal(200, profile.Status);
        Assert.Equal(200, (await iam.CallAsync("AddRoleToInstanceProfile", new() { ["InstanceProfileName"] = profileName, ["RoleName"] = roleName })).Status);
        return profile.Value("Arn")!;
    }

    /// <summary>The region's Amazon Linux 2023 AMI for an architecture, found the way deployment code finds it.</summary>
    public static async Task<string> Al2023ImageIdAsync(AmazonEC2Client ec2, string architecture = "x86_64")
    {
        var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest
        {
            Owners = ["amazon"],
            Filters = [new Filter("name", ["al2023-ami-2023.*-kernel-6.1-" + architecture]), new Filter("architecture", [architecture])],
        });
        return Assert.Single(images.Images).ImageId;
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> otherwise.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail("Timed out waiting until " + what);
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }
}
