using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>The sandbox's KMS through AWSSDK.KeyManagementService: keys, rotation and its errors, aliases, policies, tags.</summary>
public sealed class SandboxKmsTests : IDisposable
{
    private const string Region = "us-east-1";
    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount root;
    private readonly AwsClientFactory factory;

    public SandboxKmsTests()
    {
        root = server.CreateAccount(defaultVpc: false);
        factory = SandboxSignedClients.Factory(server, root, Region);
    }

    public void Dispose()
    {
        factory.Dispose();
        server.Dispose();
    }

    private async Task<IAmazonKeyManagementService> KmsAsync(string region = Region) => (await factory.ClientsAsync()).Kms(region);

    [Fact]
    public async Task CreateKey_Default_SymmetricCustomerManagedEnabledWithDefaultPolicyAndRotationOff()
    {
        var kms = await KmsAsync();

        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "d" })).KeyMetadata;
        var rotation = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        var policy = await kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.Arn });

        Assert.Equal(KeySpec.SYMMETRIC_DEFAULT, key.KeySpec);
        Assert.Equal(KeyManagerType.CUSTOMER, key.KeyManager);
        Assert.Equal(KeyState.Enabled, key.KeyState);
        Assert.Equal(OriginType.AWS_KMS, key.Origin);
        Assert.Equal($"arn:aws:kms:{Region}:{root.AccountId}:key/{key.KeyId}", key.Arn);
        Assert.False(rotation.KeyRotationEnabled);
        Assert.Contains($"arn:aws:iam::{root.AccountId}:root", policy.Policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeKey_ByIdArnAliasAndAliasArn_SameKey()
    {
        var keyId = server.AddKmsKey(root.AccountId, Region, alias: "alias/app");
        var kms = await KmsAsync();
        var arn = $"arn:aws:kms:{Region}:{root.AccountId}:key/{keyId}";

        var ids = new List<string>();
        foreach (var reference in new[] { keyId, arn, "alias/app", $"arn:aws:kms:{Region}:{root.AccountId}:alias/app" })
        {
            ids.Add((await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = reference })).KeyMetadata.KeyId);
        }

        Assert.All(ids, id => Assert.Equal(keyId, id));
    }

    [Fact]
    public async Task DescribeKey_UnknownAliasOrKey_NotFoundException()
    {
        var kms = await KmsAsync();

        var alias = await Assert.ThrowsAsync<NotFoundException>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/none" }));
        var key = await Assert.ThrowsAsync<NotFoundException>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "1234abcd-12ab-34cd-56ef-1234567890ab" }));

        Assert.Contains("alias/none", alias.Message, StringComparison.Ordinal);
        Assert.Contains("1234abcd-12ab-34cd-56ef-1234567890ab", key.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnableKeyRotation_CustomerSymmetric_OnWithDefaultPeriodAndDisableTurnsItOff()
    {
        var keyId = server.AddKmsKey(root.AccountId, Region);
        var kms = await KmsAsync();

        await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId });
        var on = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId });
        await kms.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = keyId });
        var off = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId });

        Assert.True(on.KeyRotationEnabled);
        Assert.Equal(365, on.RotationPeriodInDays);
        Assert.False(off.KeyRotationEnabled);
    }

    [Theory]
    [InlineData("RSA_2048", "AWS_KMS", "CUSTOMER", "Enabled", "UnsupportedOperationException")]
    [InlineData("HMAC_256", "AWS_KMS", "CUSTOMER", "Enabled", "UnsupportedOperationException")]
    [InlineData("SYMMETRIC_DEFAULT", "EXTERNAL", "CUSTOMER", "Enabled", "UnsupportedOperationException")]
    [InlineData("SYMMETRIC_DEFAULT", "AWS_CLOUDHSM", "CUSTOMER", "Enabled", "UnsupportedOperationException")]
    [InlineData("SYMMETRIC_DEFAULT", "AWS_KMS", "AWS", "Enabled", "UnsupportedOperationException")]
    [InlineData("SYMMETRIC_DEFAULT", "AWS_KMS", "CUSTOMER", "PendingDeletion", "KMSInvalidStateException")]
    [InlineData("SYMMETRIC_DEFAULT", "AWS_KMS", "CUSTOMER", "Disabled", "DisabledException")]
    public async Task EnableKeyRotation_KeyThatCannotRotate_KmsErrorAndUnchanged(string keySpec, string origin, string manager, string state, string expected)
    {
        var keyId = server.AddKmsKey(root.AccountId, Region, keySpec: keySpec, origin: origin, keyManager: manager, keyState: state, alias: manager == "AWS" ? "alias/aws/s3" : null);
        var kms = await KmsAsync();

        var ex = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId }));

        Assert.Equal(expected, ex.ErrorCode);
        Assert.Equal(manager == "AWS", Assert.Single(server.KmsKeys(root.AccountId, Region)).RotationEnabled);
    }

    [Fact]
    public async Task GetKeyRotationStatus_AwsManagedTrueAndAsymmetricUnsupported()
    {
        var managed = server.AddKmsKey(root.AccountId, Region, keyManager: "AWS", alias: "alias/aws/ebs");
        var asymmetric = server.AddKmsKey(root.AccountId, Region, keySpec: "ECC_NIST_P256");
        var kms = await KmsAsync();

        var status = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = managed });
        var ex = await Assert.ThrowsAsync<UnsupportedOperationException>(() => kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = asymmetric }));

        Assert.True(status.KeyRotationEnabled);
        Assert.Contains("ECC_NIST_P256", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAlias_Twice_AlreadyExistsAndListAliasesShowsOne()
    {
        var first = server.AddKmsKey(root.AccountId, Region);
        var second = server.AddKmsKey(root.AccountId, Region);
        var kms = await KmsAsync();

        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/shared", TargetKeyId = first });
        await Assert.ThrowsAsync<AlreadyExistsException>(() => kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/shared", TargetKeyId = second }));
        var reserved = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/aws/mine", TargetKeyId = second }));
        var aliases = await kms.ListAliasesAsync(new ListAliasesRequest());

        var alias = Assert.Single(aliases.Aliases);
        Assert.Equal("alias/shared", alias.AliasName);
        Assert.Equal(first, alias.TargetKeyId);
        Assert.Equal("NotAuthorizedException", reserved.ErrorCode);
    }

    [Fact]
    public async Task PutKeyPolicy_LockingOutTheAccount_MalformedPolicyDocumentAndUnchanged()
    {
        var keyId = server.AddKmsKey(root.AccountId, Region);
        var kms = await KmsAsync();
        const string lockout = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*"}]}""";

        var ex = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = keyId, Policy = lockout }));
        var policy = (await kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = keyId })).Policy;

        Assert.Contains("update the key policy", ex.Message, StringComparison.Ordinal);
        Assert.Contains(":root", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListResourceTags_SeededTags_Returned()
    {
        var keyId = server.AddKmsKey(root.AccountId, Region, tags: new Dictionary<string, string> { ["remediation:skip"] = "true", ["team"] = "a" });
        var kms = await KmsAsync();

        var tags = await kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId });

        Assert.Equal(new[] { "remediation:skip", "team" }, tags.Tags.Select(t => t.TagKey));
    }

    [Fact]
    public async Task DescribeKey_UserWithoutPermission_AccessDeniedException()
    {
        var keyId = server.AddKmsKey(root.AccountId, Region);
        var user = server.CreateUser(root.AccountId, "reader", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListAliases","Resource":"*"}]}""");
        using var restricted = SandboxSignedClients.Factory(server, user, Region);
        var kms = (await restricted.ClientsAsync()).Kms(Region);

        var ex = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }));

        Assert.Equal("AccessDeniedException", ex.ErrorCode);
        Assert.Contains("kms:DescribeKey", ex.Message, StringComparison.Ordinal);
    }
}
