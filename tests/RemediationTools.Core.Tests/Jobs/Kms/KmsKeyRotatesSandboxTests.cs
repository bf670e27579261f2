using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.Kms;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Tests.Jobs.Kms;

/// <summary>aws-kms-key-rotates against the sandbox: every branch (rotate, compliant, skips, key forms, undo).</summary>
public sealed class KmsKeyRotatesSandboxTests : IDisposable
{
    private const string Region = "eu-west-1";
    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount account;
    private readonly AwsClientFactory factory;
    private readonly RemediationEngine engine;

    public KmsKeyRotatesSandboxTests()
    {
        account = SandboxEc2.JobAccount(server);
        factory = SandboxEc2.JobFactory(server, account, Region);
        engine = new RemediationEngine(factory);
    }

    public void Dispose()
    {
        factory.Dispose();
        server.Dispose();
    }

    private Finding Finding(string resourceId, string region = Region, IReadOnlyDictionary<string, string>? tags = null) => new()
    {
        FindingId = "f-" + resourceId,
        RuleId = "5c8c26217a550e1fb6560c12",
        AccountId = account.AccountId,
        Region = region,
        ResourceId = resourceId,
        Tags = tags ?? new Dictionary<string, string>(),
    };

    private SandboxKmsKeyView Key(string keyId, string region = Region) => server.KmsKeys(account.AccountId, region).Single(k => k.KeyId == keyId);

    [Fact]
    public async Task Run_CustomerKeyRotationOff_TurnsRotationOnAndSecondRunIsCompliant()
    {
        var keyId = server.AddKmsKey(account.AccountId, Region);

        var result = await engine.RunAsync(Finding(keyId), new RemediationOptions());
        var again = await engine.RunAsync(Finding(keyId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(KmsKeyRotatesJob.JobId, result.JobId);
        var action = Assert.Single(result.Actions);
        Assert.Equal("kms:EnableKeyRotation", action.Operation);
        Assert.Equal("automatic rotation off", action.Before);
        Assert.True(Key(keyId).RotationEnabled);
        Assert.Equal(RemediationStatus.AlreadyCompliant, again.Status);
        Assert.Equal(1, server.CallCounts["kms:EnableKeyRotation"]);
    }

    [Theory]
    [InlineData("arn")]
    [InlineData("alias")]
    [InlineData("alias-arn")]
    public async Task Run_KeyByArnOrAlias_TurnsRotationOnAndUndoRecordNamesTheKeyArn(string form)
    {
        var keyId = server.AddKmsKey(account.AccountId, Region, alias: "alias/app-data");
        var arn = $"arn:aws:kms:{Region}:{account.AccountId}:key/{keyId}";
        var reference = form switch
        {
            "arn" => arn,
            "alias" => "alias/app-data",
            _ => $"arn:aws:kms:{Region}:{account.AccountId}:alias/app-data",
        };

        var result = await engine.RunAsync(Finding(reference), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.True(Key(keyId).RotationEnabled);
        Assert.Equal(arn, result.UndoRecord!.ResourceId);
    }

    [Theory]
    [InlineData("key")]
    [InlineData("alias")]
    public async Task Run_PayloadWithArnObjectId_UsesTheWholeArn(string form)
    {
        var keyId = server.AddKmsKey(account.AccountId, Region, alias: "alias/payload");
        var arn = form == "key" ? $"arn:aws:kms:{Region}:{account.AccountId}:key/{keyId}" : $"arn:aws:kms:{Region}:{account.AccountId}:alias/payload";
        var payload = "{\"notificationInfo\":{\"CloudAccountID\":\"" + account.AccountId + "\",\"RuleID\":\"5c8c26217a550e1fb6560c12\"," +
            "\"FindingInfo\":{\"FindingId\":\"f1\",\"ObjectId\":\"" + arn + "\",\"Region\":\"" + Region + "\"}},\"autoRemediate\":true}";

        var result = await engine.RunAsync(Core.Findings.FindingParser.Parse(payload), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        Assert.True(Key(keyId).RotationEnabled);
    }

    [Fact]
    public async Task Run_KeyArnOfAnotherRegion_RotatesItThereAndReportsThatRegion()
    {
        var keyId = server.AddKmsKey(account.AccountId, "ap-south-1");

        var result = await engine.RunAsync(Finding($"arn:aws:kms:ap-south-1:{account.AccountId}:key/{keyId}"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal("ap-south-1", result.Region);
        Assert.True(Key(keyId, "ap-south-1").RotationEnabled);
    }

    [Fact]
    public async Task Run_KeyAlreadyRotating_AlreadyCompliantWithoutChange()
    {
        var keyId = server.AddKmsKey(account.AccountId, Region, rotationEnabled: true);
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding(keyId), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Empty(result.Actions);
        Assert.False(server.CallCounts.ContainsKey("kms:EnableKeyRotation"));
    }

    [Theory]
    [InlineData("aws-managed", "AWS managed key")]
    [InlineData("asymmetric", "asymmetric key (RSA_2048)")]
    [InlineData("hmac", "HMAC key (HMAC_256)")]
    [InlineData("imported", "imported key material")]
    [InlineData("custom-key-store", "custom key store")]
    [InlineData("pending-deletion", "pending deletion")]
    [InlineData("disabled", "is Disabled")]
    public async Task Run_KeyThatCannotRotate_SkippedWithTheReasonAndNoChangeCall(string kind, string reason)
    {
        var keyId = kind switch
        {
            "aws-managed" => server.AddKmsKey(account.AccountId, Region, keyManager: "AWS", alias: "alias/aws/s3"),
            "asymmetric" => server.AddKmsKey(account.AccountId, Region, keySpec: "RSA_2048"),
            "hmac" => server.AddKmsKey(account.AccountId, Region, keySpec: "HMAC_256"),
            "imported" => server.AddKmsKey(account.AccountId, Region, origin: "EXTERNAL"),
            "custom-key-store" => server.AddKmsKey(account.AccountId, Region, origin: "AWS_CLOUDHSM"),
            "pending-deletion" => server.AddKmsKey(account.AccountId, Region, keyState: "PendingDeletion"),
            _ => server.AddKmsKey(account.AccountId, Region, keyState: "Disabled"),
        };
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding(kind == "aws-managed" ? "alias/aws/s3" : keyId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
        Assert.False(server.CallCounts.ContainsKey("kms:EnableKeyRotation"));
        Assert.Equal(kind == "aws-managed", Key(keyId).RotationEnabled);
    }

    [Fact]
    public async Task Run_KeyTaggedSkip_SkippedThroughListResourceTags()
    {
        var keyId = server.AddKmsKey(account.AccountId, Region, tags: new Dictionary<string, string> { ["remediation:skip"] = "TRUE" });

        var result = await engine.RunAsync(Finding(keyId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(1, server.CallCounts["kms:ListResourceTags"]);
        Assert.False(Key(keyId).RotationEnabled);
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("arn:aws:s3:::bucket")]
    public async Task Run_ObjectIdThatIsNoKey_FailedNamingItWithoutCalls(string reference)
    {
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding(reference), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(KmsKeys.InvalidKeyIdErrorCode, result.ErrorCode);
        Assert.Contains(reference, result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(server.CallCounts.Keys, k => k.StartsWith("kms:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_UnknownKey_FailedWithKmsNotFound()
    {
        var result = await engine.RunAsync(Finding("1234abcd-12ab-34cd-56ef-1234567890ab"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("NotFoundException", result.ErrorCode);
    }

    [Fact]
    public async Task Undo_RotatedKey_TurnsRotationOffAndSecondUndoIsCompliant()
    {
        var keyId = server.AddKmsKey(account.AccountId, Region);
        var result = await engine.RunAsync(Finding(keyId), new RemediationOptions());
        var record = RemediationJson.Deserialize<RemediationResult>(RemediationJson.Serialize(result)).UndoRecord!;

        var undo = await engine.UndoAsync(record, new RemediationOptions());
        var again = await engine.UndoAsync(record, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.Equal("kms:DisableKeyRotation", Assert.Single(undo.Actions).Operation);
        Assert.False(Key(keyId).RotationEnabled);
        Assert.Equal(RemediationStatus.AlreadyCompliant, again.Status);
    }
}
