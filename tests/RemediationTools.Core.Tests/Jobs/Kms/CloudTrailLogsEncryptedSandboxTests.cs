using System.Text.Json.Nodes;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed.CloudTrail;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.CloudTrail;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Tests.Jobs.Kms;

/// <summary>aws-cloudtrail-logs-encrypted against the sandbox: the key created once, reused, home regions, undo.</summary>
public sealed class CloudTrailLogsEncryptedSandboxTests : IDisposable
{
    private const string Region = "eu-west-1";
    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount account;
    private readonly AwsClientFactory factory;
    private readonly RemediationEngine engine;

    public CloudTrailLogsEncryptedSandboxTests()
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

    private Finding Finding(string trail, string region = Region) => new()
    {
        FindingId = "f-" + trail + "-" + region,
        RuleId = "5c8c25e47a550e1fb6560bac",
        AccountId = account.AccountId,
        Region = region,
        ResourceId = trail,
    };

    private async Task<Trail> TrailAsync(string name, string region = Region) =>
        (await (await factory.ForAccountAsync(null, CancellationToken.None)).CloudTrail(region).GetTrailAsync(new GetTrailRequest { Name = name })).Trail;

    private IReadOnlyList<SandboxKmsKeyView> Keys(string region = Region) => server.KmsKeys(account.AccountId, region);

    [Fact]
    public async Task Run_TrailWithoutKey_CreatesTheKeyWithPolicyAliasAndRotationThenPointsTheTrailAtIt()
    {
        server.AddTrail(account.AccountId, Region, "main", "trail-logs");

        var result = await engine.RunAsync(Finding("main"), new RemediationOptions());
        var again = await engine.RunAsync(Finding("main"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        var key = Assert.Single(Keys());
        Assert.Equal(new[] { CloudTrailLogsEncryptedJob.KeyAlias }, key.Aliases);
        Assert.True(key.RotationEnabled);
        Assert.Equal("CUSTOMER", key.KeyManager);
        Assert.Equal("SYMMETRIC_DEFAULT", key.KeySpec);
        Assert.True(JsonNode.DeepEquals(CloudTrailKeyPolicy.For(account.AccountId, Region), JsonNode.Parse(key.Policy)));
        Assert.Equal(key.Arn, (await TrailAsync("main")).KmsKeyId);
        Assert.Equal("trail-logs", (await TrailAsync("main")).S3BucketName);
        Assert.Equal(new[] { "kms:CreateKey", "kms:CreateAlias", "kms:EnableKeyRotation", "cloudtrail:UpdateTrail" }, result.Actions.Select(a => a.Operation));
        Assert.Equal(RemediationStatus.AlreadyCompliant, again.Status);
        Assert.Single(Keys());
    }

    [Fact]
    public async Task Plan_DryRun_ShowsTheKeyCreationAndPolicyAsJsonAndChangesNothing()
    {
        server.AddTrail(account.AccountId, Region, "main", "trail-logs");

        var result = await engine.RunAsync(Finding("main"), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        var create = result.Actions.First(a => a.Operation == "kms:CreateKey");
        var policy = JsonNode.Parse(create.After!)!;
        Assert.True(JsonNode.DeepEquals(CloudTrailKeyPolicy.For(account.AccountId, Region), policy));
        Assert.Contains("kms:EncryptionContext:aws:cloudtrail:arn", create.After, StringComparison.Ordinal);
        Assert.Empty(Keys());
        Assert.Null((await TrailAsync("main")).KmsKeyId);
    }

    [Fact]
    public async Task Run_KeyFromAnEarlierRun_ReusedWithoutCreatingAnother()
    {
        server.AddTrail(account.AccountId, Region, "first", "trail-logs");
        server.AddTrail(account.AccountId, Region, "second", "trail-logs");
        await engine.RunAsync(Finding("first"), new RemediationOptions());
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding("second"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        var key = Assert.Single(Keys());
        Assert.Equal(key.Arn, (await TrailAsync("second")).KmsKeyId);
        Assert.False(server.CallCounts.ContainsKey("kms:CreateKey"));
        Assert.Equal(new[] { "cloudtrail:UpdateTrail" }, result.Actions.Select(a => a.Operation));
        Assert.Contains(result.Notes, n => n.Contains("reused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ExistingAliasWithRotationOff_ReusedAndRotationTurnedOn()
    {
        var keyId = server.AddKmsKey(account.AccountId, Region, alias: CloudTrailLogsEncryptedJob.KeyAlias, policy: CloudTrailKeyPolicy.For(account.AccountId, Region).ToJsonString());
        server.AddTrail(account.AccountId, Region, "main", "trail-logs");

        var result = await engine.RunAsync(Finding("main"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        var key = Assert.Single(Keys());
        Assert.Equal(keyId, key.KeyId);
        Assert.True(key.RotationEnabled);
        Assert.Equal(key.Arn, (await TrailAsync("main")).KmsKeyId);
    }

    [Fact]
    public async Task Run_TenTrailFindingsInOneBatch_OneKeyCreatedAndEveryTrailUsesIt()
    {
        var names = Enumerable.Range(1, 10).Select(i => "trail-" + i).ToList();
        foreach (var name in names)
        {
            server.AddTrail(account.AccountId, Region, name, "trail-logs");
        }

        var results = await engine.RunAsync(names.Select(n => Finding(n)).ToList(), new RemediationOptions { ThrottleLimit = 10 });

        Assert.All(results, r => Assert.Equal(RemediationStatus.Remediated, r.Status));
        var key = Assert.Single(Keys());
        Assert.Equal(1, server.CallCounts["kms:CreateKey"]);
        Assert.Equal(1, server.CallCounts["kms:CreateAlias"]);
        foreach (var name in names)
        {
            Assert.Equal(key.Arn, (await TrailAsync(name)).KmsKeyId);
        }
    }

    [Fact]
    public async Task Run_MultiRegionTrailFromAnotherRegion_UpdatedInItsHomeRegionWithTheHomeRegionsKey()
    {
        server.AddTrail(account.AccountId, "us-east-2", "org", "trail-logs", isMultiRegionTrail: true, isOrganizationTrail: true);

        var result = await engine.RunAsync(Finding("org", Region), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal("us-east-2", result.Region);
        Assert.Empty(Keys(Region));
        var key = Assert.Single(Keys("us-east-2"));
        Assert.Equal(key.Arn, (await TrailAsync("org", Region)).KmsKeyId);
        Assert.Contains(result.Notes, n => n.Contains("organization trail", StringComparison.Ordinal) && n.Contains("us-east-2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_PayloadWithTrailArn_FindsTheTrailByItsArn()
    {
        var arn = server.AddTrail(account.AccountId, "us-west-2", "by-arn", "trail-logs");
        var payload = "{\"notificationInfo\":{\"CloudAccountID\":\"" + account.AccountId + "\",\"RuleID\":\"5c8c25e47a550e1fb6560bac\"," +
            "\"FindingInfo\":{\"FindingId\":\"f1\",\"ObjectId\":\"" + arn + "\",\"Region\":\"us-west-2\"}},\"autoRemediate\":true}";

        var result = await engine.RunAsync(Core.Findings.FindingParser.Parse(payload), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        Assert.Equal(Assert.Single(Keys("us-west-2")).Arn, (await TrailAsync("by-arn", "us-west-2")).KmsKeyId);
    }

    [Fact]
    public async Task Run_TrailWithKey_AlreadyCompliantWithoutKmsCalls()
    {
        var keyId = server.AddKmsKey(account.AccountId, Region);
        server.AddTrail(account.AccountId, Region, "main", "trail-logs", kmsKeyId: $"arn:aws:kms:{Region}:{account.AccountId}:key/{keyId}");
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding("main"), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.DoesNotContain(server.CallCounts.Keys, k => k.StartsWith("kms:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_TrailTaggedSkip_SkippedAndNoKeyCreated()
    {
        server.AddTrail(account.AccountId, Region, "main", "trail-logs", tags: new Dictionary<string, string> { ["remediation:skip"] = "true" });

        var result = await engine.RunAsync(Finding("main"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Empty(Keys());
    }

    [Fact]
    public async Task Run_AliasOnDisabledKey_FailedKeyUnusableAndTrailUnchanged()
    {
        server.AddKmsKey(account.AccountId, Region, keyState: "Disabled", alias: CloudTrailLogsEncryptedJob.KeyAlias);
        server.AddTrail(account.AccountId, Region, "main", "trail-logs");

        var result = await engine.RunAsync(Finding("main"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(CloudTrailLogsEncryptedJob.KeyUnusableErrorCode, result.ErrorCode);
        Assert.Null((await TrailAsync("main")).KmsKeyId);
    }

    [Fact]
    public async Task Undo_EncryptedTrail_RemovesTheKeyFromTheTrailAndKeepsTheKey()
    {
        server.AddTrail(account.AccountId, Region, "main", "trail-logs");
        var result = await engine.RunAsync(Finding("main"), new RemediationOptions());
        var record = RemediationJson.Deserialize<RemediationResult>(RemediationJson.Serialize(result)).UndoRecord!;

        var undo = await engine.UndoAsync(record, new RemediationOptions());
        var again = await engine.UndoAsync(record, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.Null((await TrailAsync("main")).KmsKeyId);
        Assert.Single(Keys());
        Assert.Contains(undo.Notes, n => n.Contains("is kept", StringComparison.Ordinal));
        Assert.Equal(RemediationStatus.AlreadyCompliant, again.Status);
    }
}
