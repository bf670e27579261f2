using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.S3;
using RemediationTools.Core.Jobs.Policies;

namespace RemediationTools.Core.Tests.Jobs.S3;

/// <summary>
/// s3-enable-access-logging against the sandbox's S3: the logging bucket created once (encrypted, private,
/// BucketOwnerEnforced, the log delivery statement), reused when it exists, refused when another account has the
/// name; logging on is compliant; a bucket that is its own target is skipped; undo turns logging off only.
/// </summary>
public sealed class S3EnableAccessLoggingSandboxTests : IDisposable
{
    private const string JobId = "s3-enable-access-logging";

    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount account;
    private readonly AmazonS3Client s3;

    public S3EnableAccessLoggingSandboxTests()
    {
        account = server.CreateAccount();
        s3 = SandboxS3.Client(server, account);
    }

    public void Dispose()
    {
        s3.Dispose();
        server.Dispose();
    }

    private string Target(string prefix = LoggingTargetBucket.DefaultPrefix) => prefix + "-" + account.AccountId + "-" + SandboxS3.Region;

    private string Source(SandboxS3Logging? logging = null, IReadOnlyDictionary<string, string>? tags = null)
    {
        var name = "source-" + Guid.NewGuid().ToString("N")[..12];
        server.AddS3Bucket(account.AccountId, SandboxS3.Region, name, new SandboxS3BucketSpec { Logging = logging, Tags = tags });
        return name;
    }

    private async Task<S3BucketLoggingConfig> LoggingAsync(string bucket)
        => (await s3.GetBucketLoggingAsync(new GetBucketLoggingRequest { BucketName = bucket })).BucketLoggingConfig ?? new S3BucketLoggingConfig();

    private async Task<string?> PolicyAsync(string bucket)
    {
        // AWSSDK.S3 4 answers a 404 of GetBucketPolicy with the error document as Policy (see BucketPolicyStore).
        var response = await s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucket });
        return response.HttpStatusCode == System.Net.HttpStatusCode.OK ? response.Policy : null;
    }

    private async Task<RemediationEngine> EngineAsync() => new(await SandboxS3.FactoryAsync(server, account.AccessKeyId, account.SecretAccessKey));

    private int Calls(string action) => SandboxS3.S3Calls(server).TryGetValue(action, out var count) ? count : 0;

    [Fact]
    public async Task Run_NoTarget_CreatesItEncryptedPrivateEnforcedWithTheStatement_LogsUnderThePrefix_UndoTurnsLoggingOffOnly()
    {
        var source = Source();
        server.ResetCallCounts();
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, source), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var target = Target();
        var logging = await LoggingAsync(source);
        Assert.Equal(target, logging.TargetBucketName);
        Assert.Equal("s3bucket/" + source + "/", logging.TargetPrefix);
        var encryption = await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = target });
        Assert.Equal(ServerSideEncryptionMethod.AES256, Assert.Single(encryption.ServerSideEncryptionConfiguration.ServerSideEncryptionRules).ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm);
        var block = (await s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = target })).PublicAccessBlockConfiguration;
        Assert.True(block.BlockPublicAcls == true && block.IgnorePublicAcls == true && block.BlockPublicPolicy == true && block.RestrictPublicBuckets == true);
        var ownership = await s3.GetBucketOwnershipControlsAsync(new GetBucketOwnershipControlsRequest { BucketName = target });
        Assert.Equal(ObjectOwnership.BucketOwnerEnforced, Assert.Single(ownership.OwnershipControls.Rules).ObjectOwnership);
        var statement = Assert.Single(PolicyDocument.Parse(await PolicyAsync(target), target).Statements);
        Assert.True(LoggingTargetBucket.SameStatement(LoggingTargetBucket.S3ServerAccessLogsStatement(target, account.AccountId, SandboxS3.Region), statement));
        Assert.Equal(new[] { "s3:CreateBucket", "s3:PutBucketPolicy", "s3:PutBucketLogging" }, result.Actions.Select(a => a.Operation));
        Assert.Equal(1, Calls("s3:CreateBucket"));

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.Null((await LoggingAsync(source)).TargetBucketName);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = target })).HttpStatusCode);
        Assert.NotNull(await PolicyAsync(target));
    }

    [Fact]
    public async Task Run_LoggingOnToAnotherBucket_AlreadyCompliantAndNeverRepointed()
    {
        var elsewhere = Source();
        var source = Source(new SandboxS3Logging(elsewhere, "custom/"));
        server.ResetCallCounts();

        var result = await (await EngineAsync()).RunAsync(SandboxS3.Finding(JobId, account, source), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(elsewhere, (await LoggingAsync(source)).TargetBucketName);
        Assert.Equal(0, Calls("s3:PutBucketLogging") + Calls("s3:CreateBucket"));
    }

    [Fact]
    public async Task Run_SourceIsTheTarget_Skipped()
    {
        var target = Target();
        server.AddS3Bucket(account.AccountId, SandboxS3.Region, target);
        server.ResetCallCounts();

        var result = await (await EngineAsync()).RunAsync(SandboxS3.Finding(JobId, account, target), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains("itself the logging bucket", result.Reason, StringComparison.Ordinal);
        Assert.Null((await LoggingAsync(target)).TargetBucketName);
    }

    [Fact]
    public async Task Run_TwentyFindingsNeedingOneTarget_CreateItOnceAndAllLog()
    {
        var sources = Enumerable.Range(0, 20).Select(_ => Source()).ToList();
        server.ResetCallCounts();

        var results = await (await EngineAsync()).RunAsync(sources.Select(s => SandboxS3.Finding(JobId, account, s)).ToList(), new RemediationOptions());

        Assert.All(results, r => Assert.True(r.Status == RemediationStatus.Remediated, r.ResourceId + ": " + r.Status + " " + r.ErrorCode + " " + r.Reason));
        Assert.Equal(1, Calls("s3:CreateBucket"));
        Assert.Equal(1, Calls("s3:PutBucketPolicy"));
        Assert.Equal(20, Calls("s3:PutBucketLogging"));
        Assert.Single(PolicyDocument.Parse(await PolicyAsync(Target()), Target()).Statements);
        foreach (var source in sources)
        {
            Assert.Equal(Target(), (await LoggingAsync(source)).TargetBucketName);
        }

        // Only the finding that created the bucket lists its creation; every one has its own undo record.
        Assert.Single(results, r => r.Actions.Any(a => a.Operation == "s3:CreateBucket"));
        Assert.All(results, r => Assert.NotNull(r.UndoRecord));
    }

    [Fact]
    public async Task Run_TenFindingsTargetExists_NoteInEveryResultWarnedOnce()
    {
        server.AddS3Bucket(account.AccountId, SandboxS3.Region, Target());
        var sources = Enumerable.Range(0, 10).Select(_ => Source()).ToList();
        var reporter = new WarningRecorder();
        var engine = new RemediationEngine(await SandboxS3.FactoryAsync(server, account.AccessKeyId, account.SecretAccessKey), reporter: reporter);

        var results = await engine.RunAsync(sources.Select(s => SandboxS3.Finding(JobId, account, s)).ToList(), new RemediationOptions());

        Assert.All(results, r => Assert.Equal(RemediationStatus.Remediated, r.Status));
        Assert.All(results, r => Assert.Contains(r.Notes, n => n.Contains("exists and is used", StringComparison.Ordinal)));
        Assert.Single(reporter.Warnings, w => w.Contains("exists and is used", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_TargetNameTakenByAnotherAccount_FailedWithTheReasonAndNothingChanged()
    {
        var other = server.CreateAccount();
        server.AddS3Bucket(other.AccountId, SandboxS3.Region, Target());
        var source = Source();

        var result = await (await EngineAsync()).RunAsync(SandboxS3.Finding(JobId, account, source), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(LoggingTargetBucket.TakenErrorCode, result.ErrorCode);
        Assert.Contains("another AWS account", result.Reason, StringComparison.Ordinal);
        Assert.Null((await LoggingAsync(source)).TargetBucketName);
    }

    [Fact]
    public async Task Run_TargetExistsWithOtherStatements_ReusedStatementAddedOthersKept()
    {
        var target = Target("org-logs");
        var existing = "{\"Version\":\"2012-10-17\",\"Id\":\"old\",\"Statement\":[{\"Sid\":\"Keep\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + target + "/*\"}]}";
        server.AddS3Bucket(account.AccountId, SandboxS3.Region, target, new SandboxS3BucketSpec { Policy = existing });
        var source = Source();
        server.ResetCallCounts();

        var result = await (await EngineAsync()).RunAsync(SandboxS3.Finding(JobId, account, source), new RemediationOptions { LoggingBucketPrefix = "org-logs" });

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal(0, Calls("s3:CreateBucket"));
        var policy = PolicyDocument.Parse(await PolicyAsync(target), target);
        Assert.Equal(new[] { "Keep", LoggingTargetBucket.S3ServerAccessLogsSid }, policy.Statements.Select(PolicyStatements.Sid));
        Assert.Equal(target, (await LoggingAsync(source)).TargetBucketName);
        Assert.Contains(result.Notes, n => n.Contains("exists and is used", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_BatchWithAnHttpsFindingOnTheLoggingBucket_BothJobsShareItsPolicyAndBothStatementsStay()
    {
        var target = Target();
        server.AddS3Bucket(account.AccountId, SandboxS3.Region, target);
        var sources = new[] { Source(), Source() };
        var findings = sources.Select(s => SandboxS3.Finding(JobId, account, s)).Append(SandboxS3.Finding("aws-s3-bucket-policy-allow-https", account, target)).ToList();
        server.ResetCallCounts();

        var results = await (await EngineAsync()).RunAsync(findings, new RemediationOptions());

        Assert.All(results, r => Assert.True(r.Status == RemediationStatus.Remediated, r.JobId + " " + r.ResourceId + ": " + r.Status + " " + r.ErrorCode + " " + r.Reason));
        var sids = PolicyDocument.Parse(await PolicyAsync(target), target).Statements.Select(PolicyStatements.Sid).OrderBy(x => x, StringComparer.Ordinal);
        Assert.Equal(new[] { S3BucketPolicyAllowHttpsJob.DenySid, LoggingTargetBucket.S3ServerAccessLogsSid }, sids);
        Assert.Equal(0, Calls("s3:CreateBucket"));
    }

    [Fact]
    public async Task Run_BucketInAnotherRegionThanTheFinding_TargetMadeInTheBucketsRegion()
    {
        var source = "source-" + Guid.NewGuid().ToString("N")[..12];
        server.AddS3Bucket(account.AccountId, "eu-west-1", source);
        var target = LoggingTargetBucket.DefaultPrefix + "-" + account.AccountId + "-eu-west-1";

        var result = await (await EngineAsync()).RunAsync(SandboxS3.Finding(JobId, account, source), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal("eu-west-1", result.Region);
        using var west = SandboxS3.Client(server, account, "eu-west-1");
        Assert.Equal(target, (await west.GetBucketLoggingAsync(new GetBucketLoggingRequest { BucketName = source })).BucketLoggingConfig.TargetBucketName);
        Assert.Equal("eu-west-1", (await west.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = target })).Location.Value);
    }

    [Fact]
    public async Task Run_TargetReadyAlready_OnlyTurnsLoggingOn()
    {
        var first = Source();
        var second = Source();
        var engine = await EngineAsync();
        await engine.RunAsync(SandboxS3.Finding(JobId, account, first), new RemediationOptions());
        server.ResetCallCounts();

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, second), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal("s3:PutBucketLogging", Assert.Single(result.Actions).Operation);
        Assert.Equal(0, Calls("s3:CreateBucket") + Calls("s3:PutBucketPolicy"));
    }

    [Fact]
    public async Task Run_WhatIf_PlansTheTargetAndChangesNothing()
    {
        var source = Source();
        server.ResetCallCounts();

        var result = await (await EngineAsync()).RunAsync(SandboxS3.Finding(JobId, account, source), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.Contains("logging.s3.amazonaws.com", result.Actions.Single(a => a.Operation == "s3:PutBucketPolicy").After, StringComparison.Ordinal);
        Assert.Equal(0, Calls("s3:CreateBucket") + Calls("s3:PutBucketPolicy") + Calls("s3:PutBucketLogging"));
    }

    [Fact]
    public async Task Run_SkipTag_Skipped()
    {
        var source = Source(tags: new Dictionary<string, string> { ["remediation:skip"] = "TRUE" });

        var result = await (await EngineAsync()).RunAsync(SandboxS3.Finding(JobId, account, source), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Null((await LoggingAsync(source)).TargetBucketName);
    }

    [Fact]
    public async Task Undo_LoggingRepointedSince_UndoConflictAndLeftAlone()
    {
        var source = Source();
        var elsewhere = Source();
        var engine = await EngineAsync();
        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, source), new RemediationOptions());
        await s3.PutBucketLoggingAsync(new PutBucketLoggingRequest { BucketName = source, LoggingConfig = new S3BucketLoggingConfig { TargetBucketName = elsewhere, TargetPrefix = "x/" } });

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, undo.Status);
        Assert.Equal("UndoConflict", undo.ErrorCode);
        Assert.Equal(elsewhere, (await LoggingAsync(source)).TargetBucketName);
    }

    private sealed class WarningRecorder : IRemediationReporter
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Warnings { get; } = new();

        void IRemediationReporter.Progress(RemediationProgress progress)
        {
        }

        void IRemediationReporter.Verbose(string message)
        {
        }

        void IRemediationReporter.Warning(string message) => Warnings.Enqueue(message);
    }
}
