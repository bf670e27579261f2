using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;
using RemediationTools.Core.Aws.Signed.CloudTrail;
using RemediationTools.Core.Jobs.CloudTrail;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>The sandbox's CloudTrail trails, through the module's signed JSON 1.1 client.</summary>
public sealed class SandboxCloudTrailTests : IDisposable
{
    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount root;
    private readonly AwsClientFactory factory;

    public SandboxCloudTrailTests()
    {
        root = server.CreateAccount(defaultVpc: false);
        factory = SandboxSignedClients.Factory(server, root, "us-east-1");
    }

    public void Dispose()
    {
        factory.Dispose();
        server.Dispose();
    }

    private async Task<ICloudTrailClient> CloudTrailAsync(string region) => (await factory.ClientsAsync()).CloudTrail(region);

    [Fact]
    public async Task GetTrail_ByNameInHomeRegion_ReturnsItsSettings()
    {
        var arn = server.AddTrail(root.AccountId, "us-east-1", "main", "trail-logs");
        var cloudTrail = await CloudTrailAsync("us-east-1");

        var trail = (await cloudTrail.GetTrailAsync(new GetTrailRequest { Name = "main" })).Trail;

        Assert.Equal("main", trail.Name);
        Assert.Equal("trail-logs", trail.S3BucketName);
        Assert.Equal("us-east-1", trail.HomeRegion);
        Assert.Equal(arn, trail.TrailARN);
        Assert.Equal($"arn:aws:cloudtrail:us-east-1:{root.AccountId}:trail/main", arn);
        Assert.False(trail.IsMultiRegionTrail);
        Assert.False(trail.IsOrganizationTrail);
        Assert.Null(trail.KmsKeyId);
    }

    [Fact]
    public async Task GetTrail_MultiRegionShadowByName_FoundFromAnotherRegion()
    {
        server.AddTrail(root.AccountId, "us-east-1", "org", "trail-logs", isMultiRegionTrail: true, isOrganizationTrail: true);
        var cloudTrail = await CloudTrailAsync("ap-south-1");

        var trail = (await cloudTrail.GetTrailAsync(new GetTrailRequest { Name = "org" })).Trail;

        Assert.Equal("us-east-1", trail.HomeRegion);
        Assert.True(trail.IsMultiRegionTrail);
        Assert.True(trail.IsOrganizationTrail);
    }

    [Fact]
    public async Task GetTrail_SingleRegionTrailFromAnotherRegion_NotFoundByNameFoundByArn()
    {
        var arn = server.AddTrail(root.AccountId, "us-east-1", "main", "trail-logs");
        var cloudTrail = await CloudTrailAsync("eu-west-1");

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => cloudTrail.GetTrailAsync(new GetTrailRequest { Name = "main" }));
        var byArn = (await cloudTrail.GetTrailAsync(new GetTrailRequest { Name = arn })).Trail;

        Assert.Equal("TrailNotFoundException", ex.ErrorCode);
        Assert.Equal(400, (int)ex.StatusCode);
        Assert.Contains("main", ex.Message, StringComparison.Ordinal);
        Assert.Equal("main", byArn.Name);
    }

    [Theory]
    [InlineData("a", "InvalidTrailNameException")]
    [InlineData("bad name", "InvalidTrailNameException")]
    [InlineData("arn:aws:cloudtrail:us-east-1:12:trail/x", "CloudTrailARNInvalidException")]
    public async Task GetTrail_MalformedNameOrArn_CloudTrailCode(string name, string code)
    {
        var cloudTrail = await CloudTrailAsync("us-east-1");

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => cloudTrail.GetTrailAsync(new GetTrailRequest { Name = name }));

        Assert.Equal(code, ex.ErrorCode);
    }

    [Fact]
    public async Task DescribeTrails_EmptyList_HomeTrailsAndShadowsUnlessExcluded()
    {
        server.AddTrail(root.AccountId, "eu-west-1", "local", "b1");
        server.AddTrail(root.AccountId, "us-east-1", "global", "b2", isMultiRegionTrail: true);
        server.AddTrail(root.AccountId, "us-east-1", "elsewhere", "b3");
        var cloudTrail = await CloudTrailAsync("eu-west-1");

        var all = await cloudTrail.DescribeTrailsAsync(new DescribeTrailsRequest());
        var homeOnly = await cloudTrail.DescribeTrailsAsync(new DescribeTrailsRequest { IncludeShadowTrails = false });

        Assert.Equal(new[] { "local", "global" }, all.TrailList.Select(t => t.Name));
        Assert.Equal(new[] { "local" }, homeOnly.TrailList.Select(t => t.Name));
    }

    [Fact]
    public async Task DescribeTrails_Names_OnlyThisRegionsByNameAnyRegionByArn()
    {
        server.AddTrail(root.AccountId, "eu-west-1", "local", "b1");
        var other = server.AddTrail(root.AccountId, "us-east-1", "elsewhere", "b3");
        var cloudTrail = await CloudTrailAsync("eu-west-1");

        var byName = await cloudTrail.DescribeTrailsAsync(new DescribeTrailsRequest { TrailNameList = { "local", "elsewhere", "unknown" } });
        var byArn = await cloudTrail.DescribeTrailsAsync(new DescribeTrailsRequest { TrailNameList = { other } });

        Assert.Equal(new[] { "local" }, byName.TrailList.Select(t => t.Name));
        Assert.Equal(new[] { "elsewhere" }, byArn.TrailList.Select(t => t.Name));
    }

    [Fact]
    public async Task UpdateTrail_KmsKeyInHomeRegion_StoredAsKeyArnAndRemovedWithEmptyString()
    {
        server.AddTrail(root.AccountId, "us-east-1", "main", "trail-logs");
        var cloudTrail = await CloudTrailAsync("us-east-1");
        var keyId = server.AddKmsKey(root.AccountId, "us-east-1", policy: CloudTrailKeyPolicy.For(root.AccountId, "us-east-1").ToJsonString());

        var updated = await cloudTrail.UpdateTrailAsync(new UpdateTrailRequest { Name = "main", KmsKeyId = keyId });
        var read = (await cloudTrail.GetTrailAsync(new GetTrailRequest { Name = "main" })).Trail;
        await cloudTrail.UpdateTrailAsync(new UpdateTrailRequest { Name = "main", KmsKeyId = string.Empty });
        var cleared = (await cloudTrail.GetTrailAsync(new GetTrailRequest { Name = "main" })).Trail;

        var expected = $"arn:aws:kms:us-east-1:{root.AccountId}:key/{keyId}";
        Assert.Equal(expected, updated.KmsKeyId);
        Assert.Equal(expected, read.KmsKeyId);
        Assert.Equal("trail-logs", read.S3BucketName);
        Assert.Null(cleared.KmsKeyId);
    }

    [Fact]
    public async Task UpdateTrail_FromShadowRegion_InvalidHomeRegionAndUnchanged()
    {
        server.AddTrail(root.AccountId, "us-east-1", "global", "trail-logs", isMultiRegionTrail: true);
        var shadow = await CloudTrailAsync("eu-west-1");

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() =>
            shadow.UpdateTrailAsync(new UpdateTrailRequest { Name = "global", KmsKeyId = "alias/remediation-cloudtrail" }));
        var trail = (await shadow.GetTrailAsync(new GetTrailRequest { Name = "global" })).Trail;

        Assert.Equal("InvalidHomeRegionException", ex.ErrorCode);
        Assert.Null(trail.KmsKeyId);
    }

    [Fact]
    public async Task GetTrail_WithoutPermission_AccessDeniedException()
    {
        server.AddTrail(root.AccountId, "us-east-1", "main", "trail-logs");
        var reader = server.CreateUser(root.AccountId, "reader", SandboxHarness.AllowPolicy("cloudtrail:DescribeTrails"));
        using var readerFactory = SandboxSignedClients.Factory(server, reader, "us-east-1");
        var cloudTrail = (await readerFactory.ClientsAsync()).CloudTrail("us-east-1");

        var listed = await cloudTrail.DescribeTrailsAsync(new DescribeTrailsRequest());
        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => cloudTrail.GetTrailAsync(new GetTrailRequest { Name = "main" }));

        Assert.Single(listed.TrailList);
        Assert.Equal("AccessDeniedException", ex.ErrorCode);
        Assert.Contains("cloudtrail:GetTrail", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_CountedPerOperationAndThrottledAsThrottlingException()
    {
        server.AddTrail(root.AccountId, "us-east-1", "main", "trail-logs");
        var cloudTrail = await CloudTrailAsync("us-east-1");
        server.ResetCallCounts();

        await cloudTrail.GetTrailAsync(new GetTrailRequest { Name = "main" });
        server.Faults.ThrottleRate = 1;
        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => cloudTrail.GetTrailAsync(new GetTrailRequest { Name = "main" }));

        Assert.Equal(2, server.CallCounts["cloudtrail:GetTrail"]);
        Assert.Equal("ThrottlingException", ex.ErrorCode);
        Assert.True(AwsRetryPolicy.IsRetryable(ex, CancellationToken.None));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("other-region")]
    [InlineData("default-policy")]
    [InlineData("asymmetric")]
    public async Task UpdateTrail_KeyCloudTrailCannotUse_RefusedWithCloudTrailsErrorAndUnchanged(string kind)
    {
        server.AddTrail(root.AccountId, "us-east-1", "main", "trail-logs");
        var policy = CloudTrailKeyPolicy.For(root.AccountId, "us-east-1").ToJsonString();
        var keyId = kind switch
        {
            "missing" => "1234abcd-12ab-34cd-56ef-1234567890ab",
            "other-region" => $"arn:aws:kms:eu-west-1:{root.AccountId}:key/" + server.AddKmsKey(root.AccountId, "eu-west-1", policy: CloudTrailKeyPolicy.For(root.AccountId, "eu-west-1").ToJsonString()),
            "default-policy" => server.AddKmsKey(root.AccountId, "us-east-1"),
            _ => server.AddKmsKey(root.AccountId, "us-east-1", keySpec: "RSA_2048", keyUsage: "ENCRYPT_DECRYPT", policy: policy),
        };
        var cloudTrail = await CloudTrailAsync("us-east-1");

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => cloudTrail.UpdateTrailAsync(new UpdateTrailRequest { Name = "main", KmsKeyId = keyId }));
        var trail = (await cloudTrail.GetTrailAsync(new GetTrailRequest { Name = "main" })).Trail;

        var expected = kind switch
        {
            "missing" or "other-region" => "KmsKeyNotFoundException",
            "default-policy" => "InsufficientEncryptionPolicyException",
            _ => "KmsException",
        };
        Assert.Equal(expected, ex.ErrorCode);
        Assert.Null(trail.KmsKeyId);
    }

    [Fact]
    public async Task UpdateTrail_ByAliasName_StoresTheAliasedKeysArn()
    {
        server.AddTrail(root.AccountId, "us-east-1", "main", "trail-logs");
        var keyId = server.AddKmsKey(root.AccountId, "us-east-1", alias: "alias/logs", policy: CloudTrailKeyPolicy.For(root.AccountId, "us-east-1").ToJsonString());
        var cloudTrail = await CloudTrailAsync("us-east-1");

        var updated = await cloudTrail.UpdateTrailAsync(new UpdateTrailRequest { Name = "main", KmsKeyId = "alias/logs" });

        Assert.Equal($"arn:aws:kms:us-east-1:{root.AccountId}:key/{keyId}", updated.KmsKeyId);
    }

    [Fact]
    public async Task ListTags_TrailArn_ReturnsItsTagsAndUnknownArnIsResourceNotFound()
    {
        var arn = server.AddTrail(root.AccountId, "us-east-1", "main", "trail-logs", tags: new Dictionary<string, string> { ["remediation:skip"] = "true" });
        var cloudTrail = await CloudTrailAsync("us-east-1");

        var tags = await cloudTrail.ListTagsAsync(new ListTagsRequest { ResourceIdList = { arn } });
        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() =>
            cloudTrail.ListTagsAsync(new ListTagsRequest { ResourceIdList = { $"arn:aws:cloudtrail:us-east-1:{root.AccountId}:trail/unknown" } }));

        var only = Assert.Single(tags.ResourceTagList);
        Assert.Equal(arn, only.ResourceId);
        Assert.Equal("remediation:skip", Assert.Single(only.TagsList).Key);
        Assert.Equal("ResourceNotFoundException", ex.ErrorCode);
    }
}
