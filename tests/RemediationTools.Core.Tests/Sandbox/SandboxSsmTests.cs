using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using static RemediationTools.Core.Tests.Sandbox.SandboxLaunchHelpers;

namespace RemediationTools.Core.Tests.Sandbox;

public sealed class SandboxSsmTests : IDisposable
{
    private const string SecretName = "/remediation/prod/client-secret";
    private const string X86Parameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonSimpleSystemsManagementClient _ssm;

    public SandboxSsmTests() => _ssm = Ssm(SandboxHarness.Credentials(_sandbox.Admin));

    public void Dispose()
    {
        _ssm.Dispose();
        _sandbox.Dispose();
    }

    private AmazonSimpleSystemsManagementClient Ssm(AWSCredentials credentials) => new(credentials, new AmazonSimpleSystemsManagementConfig
    {
        ServiceURL = _sandbox.Server.Endpoint.ToString(),
        AuthenticationRegion = SandboxHarness.Region,
        MaxErrorRetry = 0,
    });

    private Task<PutParameterResponse> PutSecretAsync(string value = "s3cr3t", bool overwrite = false) =>
        _ssm.PutParameterAsync(new PutParameterRequest { Name = SecretName, Value = value, Type = ParameterType.SecureString, Overwrite = overwrite });

    [Fact]
    public async Task PutParameter_SecureStringDefaultKey_StoredAndDecryptedOnlyWhenAsked()
    {
        var put = await PutSecretAsync();

        var decrypted = await _ssm.GetParameterAsync(new GetParameterRequest { Name = SecretName, WithDecryption = true });
        var encrypted = await _ssm.GetParameterAsync(new GetParameterRequest { Name = SecretName });
        var stored = _sandbox.Server.GetStoredParameter(_sandbox.AccountId, SandboxHarness.Region, SecretName);

        Assert.Equal(1, put.Version);
        Assert.Equal(ParameterTier.Standard, put.Tier);
        Assert.Equal("s3cr3t", decrypted.Parameter.Value);
        Assert.NotEqual("s3cr3t", encrypted.Parameter.Value);
        Assert.Equal("arn:aws:ssm:us-east-1:" + _sandbox.AccountId + ":parameter" + SecretName, decrypted.Parameter.ARN);
        Assert.NotNull(stored);
        Assert.Equal("s3cr3t", stored.Value);
        Assert.Equal("alias/aws/ssm", stored.KeyId);
        Assert.Equal(SecretName, Assert.Single(_sandbox.Server.DumpParameters()).Name);
    }

    [Fact]
    public async Task PutParameter_ExistingNameTagsAndOverwrite_AwsRules()
    {
        await PutSecretAsync();

        var exists = await Assert.ThrowsAsync<ParameterAlreadyExistsException>(() => PutSecretAsync("other"));
        var overwritten = await PutSecretAsync("other", overwrite: true);
        var tagsWithOverwrite = await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(() => _ssm.PutParameterAsync(new PutParameterRequest
        {
            Name = SecretName,
            Value = "third",
            Type = ParameterType.SecureString,
            Overwrite = true,
            Tags = [new Amazon.SimpleSystemsManagement.Model.Tag { Key = "remediation:worker-group", Value = "prod" }],
        }));
        var noType = await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(() => _ssm.PutParameterAsync(new PutParameterRequest { Name = "/remediation/new", Value = "x" }));
        var reserved = await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(() => _ssm.PutParameterAsync(new PutParameterRequest { Name = "/aws/service/mine", Value = "x", Type = ParameterType.String }));

        Assert.Equal("ParameterAlreadyExists", exists.ErrorCode);
        Assert.Equal(2, overwritten.Version);
        Assert.Equal("other", _sandbox.Server.GetStoredParameter(_sandbox.AccountId, SandboxHarness.Region, SecretName)!.Value);
        Assert.Equal("ValidationException", tagsWithOverwrite.ErrorCode);
        Assert.Contains("tags and overwrite can't be used together", tagsWithOverwrite.Message, StringComparison.Ordinal);
        Assert.Equal("ValidationException", noType.ErrorCode);
        Assert.Equal("ValidationException", reserved.ErrorCode);
    }

    [Fact]
    public async Task PutParameter_WithTags_TagsListed()
    {
        await _ssm.PutParameterAsync(new PutParameterRequest
        {
            Name = SecretName,
            Value = "s3cr3t",
            Type = ParameterType.SecureString,
            Description = "client secret of prod",
            Tags = [new Amazon.SimpleSystemsManagement.Model.Tag { Key = "remediation:worker-group", Value = "prod" }],
        });

        var tags = await _ssm.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceType = ResourceTypeForTagging.Parameter, ResourceId = SecretName });

        Assert.Equal("prod", Assert.Single(tags.TagList).Value);
        Assert.Equal("client secret of prod", _sandbox.Server.GetStoredParameter(_sandbox.AccountId, SandboxHarness.Region, SecretName)!.Description);
    }

    [Fact]
    public async Task DeleteParameter_ThenGetAndDeleteAgain_ParameterNotFound()
    {
        await PutSecretAsync();

        await _ssm.DeleteParameterAsync(new DeleteParameterRequest { Name = SecretName });

        await Assert.ThrowsAsync<ParameterNotFoundException>(() => _ssm.GetParameterAsync(new GetParameterRequest { Name = SecretName }));
        await Assert.ThrowsAsync<ParameterNotFoundException>(() => _ssm.DeleteParameterAsync(new DeleteParameterRequest { Name = SecretName }));
        Assert.Null(_sandbox.Server.GetStoredParameter(_sandbox.AccountId, SandboxHarness.Region, SecretName));
    }

    [Fact]
    public async Task PutAndDeleteParameter_Iam_ActionOnParameterArnAndEncryptOnCustomerKey()
    {
        var arn = "arn:aws:ssm:us-east-1:" + _sandbox.AccountId + ":parameter" + SecretName;
        var reader = _sandbox.Server.CreateUser(_sandbox.AccountId, "reader", SandboxHarness.AllowPolicy("ssm:GetParameter"));
        var writer = _sandbox.Server.CreateUser(
            _sandbox.AccountId,
            "writer",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"ssm:PutParameter\",\"ssm:DeleteParameter\"],\"Resource\":\"" + arn + "\"}]}");
        using var readerSsm = Ssm(SandboxHarness.Credentials(reader));
        using var writerSsm = Ssm(SandboxHarness.Credentials(writer));

        var readerPut = await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(() => readerSsm.PutParameterAsync(new PutParameterRequest { Name = SecretName, Value = "x", Type = ParameterType.SecureString }));
        await writerSsm.PutParameterAsync(new PutParameterRequest { Name = SecretName, Value = "x", Type = ParameterType.SecureString });
        var otherName = await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(() => writerSsm.PutParameterAsync(new PutParameterRequest { Name = "/remediation/dev/client-secret", Value = "x", Type = ParameterType.SecureString }));
        var customerKey = await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(() => writerSsm.PutParameterAsync(new PutParameterRequest { Name = SecretName, Value = "y", Type = ParameterType.SecureString, KeyId = "alias/remediation", Overwrite = true }));
        var readerDelete = await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(() => readerSsm.DeleteParameterAsync(new DeleteParameterRequest { Name = SecretName }));
        await writerSsm.DeleteParameterAsync(new DeleteParameterRequest { Name = SecretName });

        Assert.Equal("AccessDeniedException", readerPut.ErrorCode);
        Assert.Contains("ssm:PutParameter on resource: " + arn, readerPut.Message, StringComparison.Ordinal);
        Assert.Equal("AccessDeniedException", otherName.ErrorCode);
        Assert.Equal("AccessDeniedException", customerKey.ErrorCode);
        Assert.Contains("kms:Encrypt", customerKey.Message, StringComparison.Ordinal);
        Assert.Equal("AccessDeniedException", readerDelete.ErrorCode);
        Assert.Empty(_sandbox.Server.DumpParameters());
    }

    [Fact]
    public async Task GetParameter_PublicAl2023Parameters_EveryAccountWithPermissionReadsTheCatalogAmis()
    {
        var otherAccount = _sandbox.Server.CreateAccount();
        var reader = _sandbox.Server.CreateUser(
            otherAccount.AccountId,
            "reader",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ssm:GetParameter\",\"Resource\":\"arn:aws:ssm:*::parameter/aws/service/ami-amazon-linux-latest/*\"}]}");
        var none = _sandbox.Server.CreateUser(otherAccount.AccountId, "none", SandboxHarness.AllowPolicy("ec2:DescribeImages"));
        using var readerSsm = Ssm(SandboxHarness.Credentials(reader));
        using var noneSsm = Ssm(SandboxHarness.Credentials(none));
        using var ec2 = _sandbox.Ec2();

        var x86 = await readerSsm.GetParameterAsync(new GetParameterRequest { Name = X86Parameter });
        var arm = await readerSsm.GetParameterAsync(new GetParameterRequest { Name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64" });
        var byArn = await readerSsm.GetParameterAsync(new GetParameterRequest { Name = "arn:aws:ssm:us-east-1::parameter" + X86Parameter });
        var denied = await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(() => noneSsm.GetParameterAsync(new GetParameterRequest { Name = X86Parameter }));

        Assert.Equal(ParameterType.String, x86.Parameter.Type);
        Assert.Equal("arn:aws:ssm:us-east-1::parameter" + X86Parameter, x86.Parameter.ARN);
        Assert.Equal(await Al2023ImageIdAsync(ec2, "x86_64"), x86.Parameter.Value);
        Assert.Equal(await Al2023ImageIdAsync(ec2, "arm64"), arm.Parameter.Value);
        Assert.Equal(x86.Parameter.Value, byArn.Parameter.Value);
        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [x86.Parameter.Value] });
        Assert.Equal("x86_64", Assert.Single(images.Images).Architecture.Value);
    }
}
