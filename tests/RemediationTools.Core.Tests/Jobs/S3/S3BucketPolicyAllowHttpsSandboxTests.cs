using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.S3;
using RemediationTools.Core.Jobs.Policies;

namespace RemediationTools.Core.Tests.Jobs.S3;

/// <summary>
/// aws-s3-bucket-policy-allow-https against the sandbox's S3: one deny added, every other statement, Version and Id
/// kept; a single-object Statement; no policy; an equivalent deny; a concurrent writer; WhatIf; undo.
/// </summary>
public sealed class S3BucketPolicyAllowHttpsSandboxTests : IDisposable
{
    private const string JobId = "aws-s3-bucket-policy-allow-https";
    private const string Put = "s3:PutBucketPolicy";

    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount account;
    private readonly AmazonS3Client s3;

    public S3BucketPolicyAllowHttpsSandboxTests()
    {
        account = server.CreateAccount();
        s3 = SandboxS3.Client(server, account);
    }

    public void Dispose()
    {
        s3.Dispose();
        server.Dispose();
    }

    private static string Arn(string bucket) => "arn:aws:s3:::" + bucket;

    private string Bucket(string? policy, IReadOnlyDictionary<string, string>? tags = null)
    {
        var name = "https-" + Guid.NewGuid().ToString("N")[..12];
        server.AddS3Bucket(account.AccountId, SandboxS3.Region, name, new SandboxS3BucketSpec { Policy = policy?.Replace("{bucket}", name, StringComparison.Ordinal), Tags = tags });
        server.ResetCallCounts();
        return name;
    }

    private async Task<string?> PolicyAsync(string bucket)
    {
        // AWSSDK.S3 4 answers a 404 of GetBucketPolicy with the error document as Policy (see BucketPolicyStore).
        var response = await s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucket });
        return response.HttpStatusCode == System.Net.HttpStatusCode.OK ? response.Policy : null;
    }

    private async Task<RemediationEngine> EngineAsync() => new(await SandboxS3.FactoryAsync(server, account.AccessKeyId, account.SecretAccessKey));

    private static JsonObject Deny(string bucket, string sid = S3BucketPolicyAllowHttpsJob.DenySid) => BucketPolicyStatements.HttpsDeny(sid, Arn(bucket));

    [Fact]
    public async Task Run_NoPolicy_PolicyOfJustTheDeny_UndoDeletesIt()
    {
        var bucket = Bucket(null);
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var policy = PolicyDocument.Parse(await PolicyAsync(bucket), bucket);
        Assert.Equal(PolicyDocument.PolicyVersion, policy.ToJson() is { } text ? JsonNode.Parse(text)!["Version"]!.GetValue<string>() : null);
        Assert.True(LoggingTargetBucket.SameStatement(Deny(bucket), Assert.Single(policy.Statements)));
        var action = Assert.Single(result.Actions);
        Assert.Equal(Put, action.Operation);
        Assert.Null(action.Before);
        Assert.Equal(Deny(bucket).ToJsonString(), action.After);

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.Null(await PolicyAsync(bucket));
        Assert.Equal("s3:DeleteBucketPolicy", Assert.Single(undo.Actions).Operation);
    }

    [Fact]
    public async Task Run_SingleObjectStatementWithId_AddsDenyKeepingAll_UndoRestoresTheDocumentExactly()
    {
        const string Original = "{\"Version\":\"2012-10-17\",\"Id\":\"keep-me\",\"Statement\":{\"Sid\":\"Reader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::{bucket}/*\"}}";
        var bucket = Bucket(Original);
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var text = await PolicyAsync(bucket);
        var policy = PolicyDocument.Parse(text, bucket);
        Assert.Equal(new[] { "Reader", S3BucketPolicyAllowHttpsJob.DenySid }, policy.Statements.Select(PolicyStatements.Sid));
        Assert.Equal("keep-me", JsonNode.Parse(text!)!["Id"]!.GetValue<string>());

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.True(PolicyDocument.Parse(await PolicyAsync(bucket), bucket).SameAs(PolicyDocument.Parse(Original.Replace("{bucket}", bucket, StringComparison.Ordinal), bucket)));
    }

    [Theory]
    [InlineData("{\"Sid\":\"Tls\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::{bucket}\",\"arn:aws:s3:::{bucket}/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}")]
    [InlineData("{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"*\",\"Resource\":[\"arn:aws:s3:::{bucket}/*\",\"arn:aws:s3:::{bucket}\"],\"Condition\":{\"BoolIfExists\":{\"aws:SecureTransport\":\"false\"}}}")]
    public async Task Run_EquivalentDenyPresent_AlreadyCompliantNothingWritten(string statement)
    {
        var bucket = Bucket("{\"Version\":\"2012-10-17\",\"Statement\":[" + statement + "]}");
        var before = await PolicyAsync(bucket);
        server.ResetCallCounts();

        var result = await (await EngineAsync()).RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.DoesNotContain(Put, SandboxS3.S3Calls(server).Keys);
        Assert.Equal(before, await PolicyAsync(bucket));
    }

    [Fact]
    public async Task Run_NarrowerDenyOnlyOnObjects_AddsTheFullDenyWithAnUnusedSid()
    {
        var narrow = "{\"Sid\":\"AllowSSLRequestsOnly\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::{bucket}/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}";
        var bucket = Bucket("{\"Version\":\"2012-10-17\",\"Statement\":[" + narrow + "]}");

        var result = await (await EngineAsync()).RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var policy = PolicyDocument.Parse(await PolicyAsync(bucket), bucket);
        Assert.Equal(new[] { "AllowSSLRequestsOnly", "AllowSSLRequestsOnly2" }, policy.Statements.Select(PolicyStatements.Sid));
    }

    [Fact]
    public async Task Run_WhatIf_PlannedShowsTheStatementAndWritesNothing()
    {
        var bucket = Bucket(null);

        var result = await (await EngineAsync()).RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.Contains("aws:SecureTransport", Assert.Single(result.Actions).After, StringComparison.Ordinal);
        Assert.Null(await PolicyAsync(bucket));
        Assert.DoesNotContain(Put, SandboxS3.S3Calls(server).Keys);
    }

    [Fact]
    public async Task Run_SkipTag_SkippedAndUntouched()
    {
        var bucket = Bucket(null, new Dictionary<string, string> { ["remediation:skip"] = "true" });

        var result = await (await EngineAsync()).RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Null(await PolicyAsync(bucket));
    }

    [Fact]
    public async Task Run_ConcurrentPolicyWriterBetweenPlanAndApply_PlansAgainAndKeepsTheOtherWritersStatement()
    {
        var bucket = Bucket("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::{bucket}/*\"}]}");
        var engine = await EngineAsync();
        var writes = 0;
        var other = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"}," +
                    "{\"Sid\":\"B\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:root\"},\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::" + bucket + "\"}]}";

        // The confirm callback runs after the plan and before the apply: another writer changes the policy there.
        var results = await engine.RunBatchAsync(
            new[] { SandboxS3.Finding(JobId, account, bucket) },
            new RemediationOptions { FindingRetryDelay = TimeSpan.Zero },
            async plan =>
            {
                if (writes++ == 0)
                {
                    await s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = other });
                }

                return true;
            },
            null);

        var result = Assert.Single(results);
        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var policy = PolicyDocument.Parse(await PolicyAsync(bucket), bucket);
        Assert.Equal(new[] { "A", "B", S3BucketPolicyAllowHttpsJob.DenySid }, policy.Statements.Select(PolicyStatements.Sid));

        // The other writer's PutBucketPolicy and the job's one: the stale plan wrote nothing.
        Assert.Equal(2, SandboxS3.S3Calls(server)[Put]);
    }

    [Theory]
    [InlineData("s3:GetBucketPolicy")]
    [InlineData("s3:PutBucketPolicy")]
    public async Task Run_ActionDenied_FailedNamingTheMissingIamAction(string denied)
    {
        var bucket = Bucket(null);
        var user = server.CreateUser(account.AccountId, "deny-" + denied.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), SandboxS3.AllowAllBut(denied));
        var engine = new RemediationEngine(await SandboxS3.FactoryAsync(server, user.AccessKeyId, user.SecretAccessKey));

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("AccessDenied", result.ErrorCode);
        Assert.Equal(new[] { denied }, result.MissingIamActions);
        Assert.Null(await PolicyAsync(bucket));
    }

    [Fact]
    public async Task Apply_PolicyChangedAfterPlan_FailsWithStalePlanCodeAndWritesNothing()
    {
        var bucket = Bucket(null);
        var engine = await EngineAsync();
        var plan = await engine.PlanAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());
        var other = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"B\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:root\"},\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::" + bucket + "\"}]}";
        await s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = other });

        var result = await engine.ApplyAsync(plan);

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(WholeDocumentGuard.StalePlanErrorCode, result.ErrorCode);
        Assert.Equal(new[] { "B" }, PolicyDocument.Parse(await PolicyAsync(bucket), bucket).Statements.Select(PolicyStatements.Sid));
    }
}
