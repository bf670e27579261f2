using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.S3;
using RemediationTools.Core.Jobs.Policies;

namespace RemediationTools.Core.Tests.Jobs.S3;

/// <summary>
/// aws-s3-cloudtrail-public-access against the sandbox: the bucket from ObjectChain or from the trail; the three public
/// principal forms removed, conditional and CloudTrail statements kept, an emptied policy deleted, then all four public
/// access block settings on; a concurrent writer replanned; undo puts the block and the policy back.
/// </summary>
public sealed class S3CloudTrailPublicAccessSandboxTests : IDisposable
{
    private const string JobId = "aws-s3-cloudtrail-public-access";
    private const string TrailName = "org-trail";

    private const string CloudTrailStatements =
        "{\"Sid\":\"AWSCloudTrailAclCheck\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},\"Action\":\"s3:GetBucketAcl\",\"Resource\":\"arn:aws:s3:::{bucket}\"}," +
        "{\"Sid\":\"AWSCloudTrailWrite\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::{bucket}/AWSLogs/*\",\"Condition\":{\"StringEquals\":{\"s3:x-amz-acl\":\"bucket-owner-full-control\"}}}";

    private const string PublicStar = "{\"Sid\":\"Star\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::{bucket}/*\"}";
    private const string PublicAws = "{\"Sid\":\"AwsStar\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::{bucket}\"}";
    private const string PublicAwsList = "{\"Sid\":\"AwsList\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"*\"]},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::{bucket}/AWSLogs/*\"}";
    private const string Conditional = "{\"Sid\":\"Office\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::{bucket}/*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}}";

    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount account;
    private readonly AmazonS3Client s3;

    public S3CloudTrailPublicAccessSandboxTests()
    {
        account = server.CreateAccount();
        s3 = SandboxS3.Client(server, account);
    }

    public void Dispose()
    {
        s3.Dispose();
        server.Dispose();
    }

    private (string Bucket, string Policy) Bucket(string? statements, string shape = "[{0}]", SandboxS3PublicAccessBlock? block = null)
    {
        var name = "trail-logs-" + Guid.NewGuid().ToString("N")[..12];
        var policy = statements is null ? null : ("{\"Version\":\"2012-10-17\",\"Id\":\"TrailBucket\",\"Statement\":" + string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, statements) + "}").Replace("{bucket}", name, StringComparison.Ordinal);
        server.AddS3Bucket(account.AccountId, SandboxS3.Region, name, new SandboxS3BucketSpec { Policy = policy, PublicAccessBlock = block });
        return (name, policy!);
    }

    private Finding ObjectChainFinding(string bucket) => new()
    {
        FindingId = "f-" + bucket,
        JobId = JobId,
        AccountId = account.AccountId,
        Region = SandboxS3.Region,
        ResourceId = TrailName,
        Properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["S3BucketName"] = bucket },
    };

    private Finding TrailFinding() => new()
    {
        FindingId = "f-trail",
        JobId = JobId,
        AccountId = account.AccountId,
        Region = SandboxS3.Region,
        ResourceId = TrailName,
    };

    private async Task<string?> PolicyAsync(string bucket)
    {
        // AWSSDK.S3 4 answers a 404 of GetBucketPolicy with the error document as Policy (see BucketPolicyStore).
        var response = await s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucket });
        return response.HttpStatusCode == System.Net.HttpStatusCode.OK ? response.Policy : null;
    }

    private async Task<PublicAccessBlockState> BlockAsync(string bucket)
    {
        try
        {
            return PublicAccessBlockState.From((await s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucket })).PublicAccessBlockConfiguration);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == PublicAccessBlockStore.NotFoundCode)
        {
            return PublicAccessBlockState.None;
        }
    }

    private async Task<RemediationEngine> EngineAsync() => new(await SandboxS3.FactoryAsync(server, account.AccessKeyId, account.SecretAccessKey));

    private int Calls(string action) => server.CallCounts.TryGetValue(action, out var count) ? count : 0;

    [Fact]
    public async Task Run_ObjectChainBucket_RemovesTheThreePublicForms_KeepsCloudTrailsAndConditional_BlocksAll_UndoRestoresBoth()
    {
        var (bucket, original) = Bucket(string.Join(",", CloudTrailStatements, PublicStar, Conditional, PublicAws, PublicAwsList));
        server.ResetCallCounts();
        var engine = await EngineAsync();

        var result = await engine.RunAsync(ObjectChainFinding(bucket), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var policy = PolicyDocument.Parse(await PolicyAsync(bucket), bucket);
        Assert.Equal(new[] { "AWSCloudTrailAclCheck", "AWSCloudTrailWrite", "Office" }, policy.Statements.Select(PolicyStatements.Sid));
        Assert.True((await BlockAsync(bucket)).IsAllOn);
        Assert.Equal(0, Calls(S3CloudTrailPublicAccessJob.GetTrailAction));
        Assert.Contains(result.Notes, n => n.Contains("\"Sid\":\"Office\"", StringComparison.Ordinal));
        Assert.Equal(
            new[] { "s3:PutBucketPolicy", "s3:PutBucketPolicy", "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock" },
            result.Actions.Select(a => a.Operation));
        Assert.Contains("\"Sid\":\"AwsList\"", result.Actions[2].Before, StringComparison.Ordinal);

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.True(PolicyDocument.Parse(await PolicyAsync(bucket), bucket).SameAs(PolicyDocument.Parse(original, bucket)));
        Assert.False((await BlockAsync(bucket)).Exists);
    }

    [Fact]
    public async Task Run_TrailName_BucketFromGetTrail_SingleObjectPublicStatementEmptiesThePolicy_Deleted_UndoPutsItBack()
    {
        var (bucket, original) = Bucket(PublicStar, shape: "{0}");
        server.AddTrail(account.AccountId, SandboxS3.Region, TrailName, bucket);
        server.ResetCallCounts();
        var engine = await EngineAsync();

        var result = await engine.RunAsync(TrailFinding(), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Null(await PolicyAsync(bucket));
        Assert.True((await BlockAsync(bucket)).IsAllOn);
        Assert.Equal(1, Calls(S3CloudTrailPublicAccessJob.GetTrailAction));
        Assert.Equal("s3:DeleteBucketPolicy", result.Actions[0].Operation);

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.True(PolicyDocument.Parse(await PolicyAsync(bucket), bucket).SameAs(PolicyDocument.Parse(original, bucket)));
    }

    [Fact]
    public async Task Run_NoPolicyAndAllBlocked_AlreadyCompliant()
    {
        var (bucket, _) = Bucket(null, block: SandboxS3PublicAccessBlock.AllOn);
        server.ResetCallCounts();

        var result = await (await EngineAsync()).RunAsync(ObjectChainFinding(bucket), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(0, Calls("s3:PutBucketPolicy") + Calls("s3:PutBucketPublicAccessBlock") + Calls("s3:DeleteBucketPolicy"));
    }

    [Fact]
    public async Task Run_OnlyConditionalPublicAndNoBlock_KeepsThePolicyReportsItAndBlocks()
    {
        var (bucket, original) = Bucket(Conditional);

        var result = await (await EngineAsync()).RunAsync(ObjectChainFinding(bucket), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal(original, await PolicyAsync(bucket));
        Assert.Equal("s3:PutBucketPublicAccessBlock", Assert.Single(result.Actions).Operation);
        Assert.Contains(result.Notes, n => n.Contains("conditional", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Run_WhatIf_ShowsTheRemovedStatementAsJsonAndChangesNothing()
    {
        var (bucket, original) = Bucket(PublicAws);
        server.ResetCallCounts();

        var result = await (await EngineAsync()).RunAsync(ObjectChainFinding(bucket), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.Equal(PublicAws.Replace("{bucket}", bucket, StringComparison.Ordinal), result.Actions[0].Before);
        Assert.Null(result.Actions[0].After);
        Assert.Equal(original, await PolicyAsync(bucket));
        Assert.False((await BlockAsync(bucket)).Exists);
    }

    [Fact]
    public async Task Run_ConcurrentPolicyWriterBetweenPlanAndApply_PlansAgainAndKeepsTheOtherWritersStatement()
    {
        var (bucket, _) = Bucket(string.Join(",", CloudTrailStatements, PublicStar));
        var engine = await EngineAsync();
        var written = false;
        var other = ("{\"Version\":\"2012-10-17\",\"Statement\":[" + string.Join(",", CloudTrailStatements, PublicStar) + "," +
                     "{\"Sid\":\"Auditor\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::{bucket}/*\"}]}")
            .Replace("{bucket}", bucket, StringComparison.Ordinal);

        var results = await engine.RunBatchAsync(
            new[] { ObjectChainFinding(bucket) },
            new RemediationOptions { FindingRetryDelay = TimeSpan.Zero },
            async plan =>
            {
                if (!written)
                {
                    written = true;
                    await s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = other });
                }

                return true;
            },
            null);

        var result = Assert.Single(results);
        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal(new[] { "AWSCloudTrailAclCheck", "AWSCloudTrailWrite", "Auditor" }, PolicyDocument.Parse(await PolicyAsync(bucket), bucket).Statements.Select(PolicyStatements.Sid));
        Assert.True((await BlockAsync(bucket)).IsAllOn);
    }

    [Fact]
    public async Task Run_SecurityHubBucketResource_UsesTheBucketWithoutCloudTrail()
    {
        var (bucket, _) = Bucket(PublicStar);
        server.ResetCallCounts();
        var finding = new Finding
        {
            JobId = JobId,
            AccountId = account.AccountId,
            Region = SandboxS3.Region,
            ResourceId = bucket,
            ResourceArn = "arn:aws:s3:::" + bucket,
            ResourceType = "AwsS3Bucket",
        };

        var result = await (await EngineAsync()).RunAsync(finding, new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Null(await PolicyAsync(bucket));
        Assert.Equal(0, Calls(S3CloudTrailPublicAccessJob.GetTrailAction));
    }

    [Fact]
    public async Task Run_UnknownTrail_FailedWithCloudTrailsCode()
    {
        var result = await (await EngineAsync()).RunAsync(TrailFinding(), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("TrailNotFoundException", result.ErrorCode);
    }
}
