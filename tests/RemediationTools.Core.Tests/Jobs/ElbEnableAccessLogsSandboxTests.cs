using System.Text.Json;
using System.Text.Json.Nodes;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Findings;
using RemediationTools.Core.Jobs.Elb;
using RemediationTools.Core.Results;
using Classic = RemediationTools.Core.Aws.Signed.ElasticLoadBalancing;
using Elbv2 = RemediationTools.Core.Aws.Signed.ElasticLoadBalancingV2;

namespace RemediationTools.Core.Tests.Jobs;

/// <summary>elb-enable-access-logs against the sandbox: classic, application and network load balancers, every branch.</summary>
public sealed class ElbEnableAccessLogsSandboxTests : IDisposable
{
    private const string Region = "eu-west-1";
    private const string NewRegion = "ap-south-2";
    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount account;
    private readonly AwsClientFactory factory;
    private readonly RemediationEngine engine;

    public ElbEnableAccessLogsSandboxTests()
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

    private string LoggingBucket(string region = Region) => "vss-logging-target-" + account.AccountId + "-" + region;

    private Finding Finding(string resourceId, string region = Region, string? entityType = null, IReadOnlyDictionary<string, string>? tags = null) => new()
    {
        FindingId = "f-" + resourceId,
        RuleId = "657c46b7-1cd0-4cce-80bb-9d195f49c987",
        AccountId = account.AccountId,
        Region = region,
        ResourceId = resourceId,
        ResourceType = entityType,
        Tags = tags ?? new Dictionary<string, string>(),
    };

    private async Task<Classic.IElasticLoadBalancingClient> ClassicAsync(string region = Region) =>
        (await factory.ForAccountAsync(null, CancellationToken.None)).ElasticLoadBalancing(region);

    private async Task<Elbv2.IElasticLoadBalancingV2Client> V2Async(string region = Region) =>
        (await factory.ForAccountAsync(null, CancellationToken.None)).ElasticLoadBalancingV2(region);

    private async Task<Classic.LoadBalancerAttributes> ClassicAttributesAsync(string name, string region = Region) =>
        (await (await ClassicAsync(region)).DescribeLoadBalancerAttributesAsync(new Classic.DescribeLoadBalancerAttributesRequest { LoadBalancerName = name })).LoadBalancerAttributes;

    private async Task<Dictionary<string, string>> V2AttributesAsync(string arn, string region = Region) =>
        (await (await V2Async(region)).DescribeLoadBalancerAttributesAsync(new Elbv2.DescribeLoadBalancerAttributesRequest { LoadBalancerArn = arn })).Attributes
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);

    private JsonElement? Bucket(string name)
    {
        using var document = JsonDocument.Parse(server.DumpS3Buckets());
        foreach (var bucket in document.RootElement.EnumerateArray())
        {
            if (bucket.GetProperty("name").GetString() == name)
            {
                return bucket.Clone();
            }
        }

        return null;
    }

    private List<JsonObject> PolicyStatements(string bucketName)
    {
        var policy = Bucket(bucketName)!.Value.GetProperty("policy").GetString()!;
        var statement = JsonNode.Parse(policy)!["Statement"]!;
        return statement is JsonArray array ? array.Select(s => s!.AsObject()).ToList() : new List<JsonObject> { statement.AsObject() };
    }

    private int Calls(string action) => server.CallCounts.TryGetValue(action, out var count) ? count : 0;

    [Fact]
    public async Task Classic_LogsOff_LogsToNewLoggingBucketWithTheRegionsElbAccount()
    {
        server.AddClassicLoadBalancer(account.AccountId, Region, "web");

        var result = await engine.RunAsync(Finding("web"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        var log = (await ClassicAttributesAsync("web")).AccessLog!;
        Assert.True(log.Enabled);
        Assert.Equal(LoggingBucket(), log.S3BucketName);
        Assert.Equal("elb/web", log.S3BucketPrefix);
        Assert.Equal(60, log.EmitInterval);
        var bucket = Bucket(LoggingBucket())!.Value;
        Assert.Equal(Region, bucket.GetProperty("region").GetString());
        Assert.Equal("BucketOwnerEnforced", bucket.GetProperty("objectOwnership").GetString());
        Assert.Equal("AES256", bucket.GetProperty("encryption").GetProperty("algorithm").GetString());
        Assert.True(bucket.GetProperty("publicAccessBlock").EnumerateObject().All(p => p.Value.GetBoolean()));
        var statement = Assert.Single(PolicyStatements(LoggingBucket()));
        Assert.Equal("arn:aws:iam::156460612806:root", statement["Principal"]!["AWS"]!.GetValue<string>());
        Assert.Equal("s3:PutObject", statement["Action"]!.GetValue<string>());
        Assert.Equal($"arn:aws:s3:::{LoggingBucket()}/elb/*/AWSLogs/{account.AccountId}/*", statement["Resource"]!.GetValue<string>());
        Assert.NotNull(result.UndoRecord);
        Assert.Equal("web", result.UndoRecord!.ResourceId);
    }

    [Fact]
    public async Task Classic_OtherAttributesAndASetEmitInterval_Kept()
    {
        server.AddClassicLoadBalancer(account.AccountId, Region, "web");
        var elb = await ClassicAsync();
        await elb.ModifyLoadBalancerAttributesAsync(new Classic.ModifyLoadBalancerAttributesRequest
        {
            LoadBalancerName = "web",
            LoadBalancerAttributes = new Classic.LoadBalancerAttributes
            {
                AccessLog = new Classic.AccessLog { Enabled = false, EmitInterval = 5 },
                ConnectionDraining = new Classic.ConnectionDraining { Enabled = true, Timeout = 120 },
                ConnectionSettings = new Classic.ConnectionSettings { IdleTimeout = 300 },
                CrossZoneLoadBalancing = new Classic.CrossZoneLoadBalancing { Enabled = true },
            },
        });
        server.Settle();

        var result = await engine.RunAsync(Finding("web"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        var after = await ClassicAttributesAsync("web");
        Assert.Equal(5, after.AccessLog!.EmitInterval);
        Assert.True(after.AccessLog.Enabled);
        Assert.True(after.ConnectionDraining!.Enabled);
        Assert.Equal(120, after.ConnectionDraining.Timeout);
        Assert.Equal(300, after.ConnectionSettings!.IdleTimeout);
        Assert.True(after.CrossZoneLoadBalancing!.Enabled);
        Assert.Equal("defensive", Assert.Single(after.AdditionalAttributes).Value);
    }

    [Fact]
    public async Task Classic_AlreadyOn_CompliantWithoutAnyS3CallOrWrite()
    {
        server.AddClassicLoadBalancer(account.AccountId, Region, "web");
        await (await ClassicAsync()).ModifyLoadBalancerAttributesAsync(new Classic.ModifyLoadBalancerAttributesRequest
        {
            LoadBalancerName = "web",
            LoadBalancerAttributes = new Classic.LoadBalancerAttributes { AccessLog = new Classic.AccessLog { Enabled = true, S3BucketName = "elsewhere" } },
        });
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding("web"), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Contains(result.Notes, n => n.Contains("elsewhere", StringComparison.Ordinal));
        Assert.Equal(0, Calls("elasticloadbalancing:ModifyLoadBalancerAttributes"));
        Assert.DoesNotContain(server.CallCounts.Keys, k => k.StartsWith("s3:", StringComparison.Ordinal));
        Assert.Equal("elsewhere", (await ClassicAttributesAsync("web")).AccessLog!.S3BucketName);
    }

    [Fact]
    public async Task SkipTag_OnClassicAndV2_SkippedUnchanged()
    {
        var skip = new Dictionary<string, string> { ["remediation:skip"] = "true" };
        server.AddClassicLoadBalancer(account.AccountId, Region, "web", skip);
        var arn = server.AddLoadBalancerV2(account.AccountId, Region, "api", tags: new Dictionary<string, string> { ["remediation:skip"] = "TRUE" });

        var results = await engine.RunAsync(new[] { Finding("web"), Finding(arn) }, new RemediationOptions());

        Assert.All(results, r => Assert.Equal(RemediationStatus.Skipped, r.Status));
        Assert.False((await ClassicAttributesAsync("web")).AccessLog!.Enabled);
        Assert.Equal("false", (await V2AttributesAsync(arn))["access_logs.s3.enabled"]);
        Assert.Null(Bucket(LoggingBucket()));
    }

    [Fact]
    public async Task Application_ByArn_OnlyTheAccessLogKeysChange()
    {
        var arn = server.AddLoadBalancerV2(account.AccountId, Region, "api");
        await (await V2Async()).ModifyLoadBalancerAttributesAsync(new Elbv2.ModifyLoadBalancerAttributesRequest
        {
            LoadBalancerArn = arn,
            Attributes = { new("idle_timeout.timeout_seconds", "120"), new("deletion_protection.enabled", "true") },
        });
        var before = await V2AttributesAsync(arn);
        server.Settle();

        var result = await engine.RunAsync(Finding(arn), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        var after = await V2AttributesAsync(arn);
        Assert.Equal("true", after["access_logs.s3.enabled"]);
        Assert.Equal(LoggingBucket(), after["access_logs.s3.bucket"]);
        Assert.Equal("elb/api", after["access_logs.s3.prefix"]);
        Assert.Equal(
            before.Where(p => !p.Key.StartsWith("access_logs.", StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal),
            after.Where(p => !p.Key.StartsWith("access_logs.", StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(arn, result.UndoRecord!.ResourceId);
    }

    [Fact]
    public async Task Application_ByNameInARegionFromAfterAugust2022_LogDeliveryServicePrincipal()
    {
        server.AddLoadBalancerV2(account.AccountId, NewRegion, "api");

        var result = await engine.RunAsync(Finding("api", NewRegion), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        var statement = Assert.Single(PolicyStatements(LoggingBucket(NewRegion)));
        Assert.Equal(ElbLogDelivery.ServicePrincipal, statement["Principal"]!["Service"]!.GetValue<string>());
        Assert.Equal(NewRegion, Bucket(LoggingBucket(NewRegion))!.Value.GetProperty("region").GetString());
    }

    [Fact]
    public async Task Network_DeliversThroughLogDeliveryWithItsTwoStatements()
    {
        var arn = server.AddLoadBalancerV2(account.AccountId, Region, "tcp", "network");

        var result = await engine.RunAsync(Finding(arn), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        Assert.Equal("true", (await V2AttributesAsync(arn))["access_logs.s3.enabled"]);
        var statements = PolicyStatements(LoggingBucket());
        Assert.Equal(new[] { "AWSLogDeliveryWrite", "AWSLogDeliveryAclCheck" }, statements.Select(s => s["Sid"]!.GetValue<string>()));
        Assert.All(statements, s => Assert.Equal("delivery.logs.amazonaws.com", s["Principal"]!["Service"]!.GetValue<string>()));
        Assert.Equal("s3:GetBucketAcl", statements[1]["Action"]!.GetValue<string>());
    }

    [Fact]
    public async Task Gateway_NoAccessLogs_Skipped()
    {
        var arn = server.AddLoadBalancerV2(account.AccountId, Region, "gwy", "gateway");

        var result = await engine.RunAsync(Finding(arn), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains("Gateway", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameNameClassicAndV2_WithoutEntityType_FailedAsAmbiguousAndNothingChanged()
    {
        server.AddClassicLoadBalancer(account.AccountId, Region, "web");
        var arn = server.AddLoadBalancerV2(account.AccountId, Region, "web");

        var result = await engine.RunAsync(Finding("web"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(ElbLoadBalancerTarget.AmbiguousErrorCode, result.ErrorCode);
        Assert.Contains("'web'", result.Reason, StringComparison.Ordinal);
        Assert.False((await ClassicAttributesAsync("web")).AccessLog!.Enabled);
        Assert.Equal("false", (await V2AttributesAsync(arn))["access_logs.s3.enabled"]);
    }

    [Theory]
    [InlineData("AWS::ElasticLoadBalancingV2::LoadBalancer", false)]
    [InlineData("AwsElbv2LoadBalancer", false)]
    [InlineData("ELB", true)]
    [InlineData("AWS::ElasticLoadBalancing::LoadBalancer", true)]
    public async Task SameNameClassicAndV2_EntityTypeChooses(string entityType, bool classic)
    {
        server.AddClassicLoadBalancer(account.AccountId, Region, "web");
        var arn = server.AddLoadBalancerV2(account.AccountId, Region, "web");

        var result = await engine.RunAsync(Finding("web", entityType: entityType), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        Assert.Equal(classic, (await ClassicAttributesAsync("web")).AccessLog!.Enabled);
        Assert.Equal(classic ? "false" : "true", (await V2AttributesAsync(arn))["access_logs.s3.enabled"]);
    }

    [Theory]
    [InlineData("nope", "LoadBalancerNotFound")]
    [InlineData("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/nope/0123456789abcdef", "LoadBalancerNotFound")]
    public async Task Missing_FailedNotFound(string resourceId, string code)
    {
        var result = await engine.RunAsync(Finding(resourceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(code, result.ErrorCode);
    }

    [Theory]
    [InlineData("-bad-")]
    [InlineData("arn:aws:s3:::bucket")]
    public async Task NotALoadBalancerId_FailedNamingIt(string resourceId)
    {
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding(resourceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Contains(resourceId, result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(server.CallCounts.Keys, k => k.StartsWith("elasticloadbalancing:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plan_IsReadOnlyAndShowsTheBucketTheStatementAndTheChange()
    {
        server.AddClassicLoadBalancer(account.AccountId, Region, "web");
        server.ResetCallCounts();

        var plan = await engine.PlanAsync(Finding("web"), new RemediationOptions());

        var operations = plan.Actions.Select(a => a.Operation).ToList();
        Assert.Equal(new[] { "s3:CreateBucket", "s3:PutBucketPolicy", "elasticloadbalancing:ModifyLoadBalancerAttributes" }, operations);
        Assert.Contains("156460612806", plan.Actions[1].After, StringComparison.Ordinal);
        Assert.StartsWith("off", plan.Actions[2].Before, StringComparison.Ordinal);
        Assert.Contains("elb/web", plan.Actions[2].After, StringComparison.Ordinal);
        Assert.Null(Bucket(LoggingBucket()));
        Assert.False((await ClassicAttributesAsync("web")).AccessLog!.Enabled);
        Assert.Equal(0, Calls("elasticloadbalancing:ModifyLoadBalancerAttributes") + Calls("s3:CreateBucket") + Calls("s3:PutBucketPolicy"));
    }

    [Fact]
    public async Task Undo_Classic_PutsTheAccessLogBackAndTwiceIsCompliant()
    {
        server.AddClassicLoadBalancer(account.AccountId, Region, "web");
        var result = await engine.RunAsync(Finding("web"), new RemediationOptions());
        var record = RemediationJson.Deserialize<RemediationResult>(RemediationJson.Serialize(result)).UndoRecord!;

        var undo = await engine.UndoAsync(record, new RemediationOptions());
        var again = await engine.UndoAsync(record, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.Reason);
        var log = (await ClassicAttributesAsync("web")).AccessLog!;
        Assert.False(log.Enabled);
        Assert.Null(log.S3BucketName);
        Assert.Null(log.EmitInterval);
        Assert.Equal(RemediationStatus.AlreadyCompliant, again.Status);
        Assert.NotNull(Bucket(LoggingBucket()));
    }

    [Fact]
    public async Task Undo_Application_PutsTheThreeKeysBack()
    {
        var arn = server.AddLoadBalancerV2(account.AccountId, Region, "api");
        var before = await V2AttributesAsync(arn);
        var result = await engine.RunAsync(Finding(arn), new RemediationOptions());

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.Reason);
        Assert.Equal(before, await V2AttributesAsync(arn));
    }

    [Fact]
    public async Task Undo_LogsRepointedSince_FailedUndoConflictAndLeftAlone()
    {
        server.AddClassicLoadBalancer(account.AccountId, Region, "web");
        var result = await engine.RunAsync(Finding("web"), new RemediationOptions());
        await (await ClassicAsync()).ModifyLoadBalancerAttributesAsync(new Classic.ModifyLoadBalancerAttributesRequest
        {
            LoadBalancerName = "web",
            LoadBalancerAttributes = new Classic.LoadBalancerAttributes { AccessLog = new Classic.AccessLog { Enabled = true, S3BucketName = "team-logs" } },
        });

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, undo.Status);
        Assert.Equal("UndoConflict", undo.ErrorCode);
        Assert.Equal("team-logs", (await ClassicAttributesAsync("web")).AccessLog!.S3BucketName);
    }

    [Fact]
    public async Task Batch_ClassicAndApplicationInOneRegion_OneBucketOneStatement()
    {
        server.AddClassicLoadBalancer(account.AccountId, Region, "web");
        server.AddClassicLoadBalancer(account.AccountId, Region, "web2");
        var arn = server.AddLoadBalancerV2(account.AccountId, Region, "api");
        server.ResetCallCounts();

        var results = await engine.RunAsync(new[] { Finding("web"), Finding("web2"), Finding(arn) }, new RemediationOptions());

        Assert.All(results, r => Assert.True(r.Status == RemediationStatus.Remediated, r.JobId + " " + r.Reason));
        Assert.Equal(1, Calls("s3:CreateBucket"));
        Assert.Single(PolicyStatements(LoggingBucket()));
        Assert.Equal(3, Calls("elasticloadbalancing:ModifyLoadBalancerAttributes"));

        // Batched reads: the region's classic and v2 load balancers listed once each, the tags read once per API.
        Assert.Equal(2, Calls("elasticloadbalancing:DescribeLoadBalancers"));
        Assert.Equal(2, Calls("elasticloadbalancing:DescribeTags"));
    }

    [Fact]
    public async Task Batch_ManyNamesSomeMissingSomeAmbiguous_EachResultAsAlone()
    {
        for (var i = 0; i < 7; i++)
        {
            server.AddClassicLoadBalancer(account.AccountId, Region, "web" + i);
        }

        server.AddClassicLoadBalancer(account.AccountId, Region, "both");
        server.AddLoadBalancerV2(account.AccountId, Region, "both");
        var names = Enumerable.Range(0, 7).Select(i => "web" + i).Concat(new[] { "both", "missing" }).ToList();
        server.ResetCallCounts();

        var results = await engine.RunAsync(names.Select(n => Finding(n)).ToList(), new RemediationOptions());

        Assert.Equal(Enumerable.Repeat(RemediationStatus.Remediated, 7).Concat(new[] { RemediationStatus.Failed, RemediationStatus.Failed }), results.Select(r => r.Status));
        Assert.Equal(ElbLoadBalancerTarget.AmbiguousErrorCode, results[7].ErrorCode);
        Assert.Equal(ElbLoadBalancerTarget.NotFoundErrorCode, results[8].ErrorCode);

        // Pages of 5 in job tests: 8 classic load balancers take 2 pages, 1 v2 load balancer 1 page; the tags of the 8
        // classic ones in one call, of the v2 one in another.
        Assert.Equal(3, Calls("elasticloadbalancing:DescribeLoadBalancers"));
        Assert.Equal(2, Calls("elasticloadbalancing:DescribeTags"));
    }

    [Fact]
    public async Task ExistingLoggingBucket_StatementAddedEveryOtherKept()
    {
        var s3Statement = "{\"Sid\":\"S3ServerAccessLogsPolicy\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"logging.s3.amazonaws.com\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::"
            + LoggingBucket() + "/s3bucket/*\",\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":\"" + account.AccountId + "\"}}}";
        server.AddS3Bucket(account.AccountId, Region, LoggingBucket(), new SandboxS3BucketSpec { Policy = "{\"Version\":\"2012-10-17\",\"Id\":\"keep\",\"Statement\":[" + s3Statement + "]}" });
        server.AddClassicLoadBalancer(account.AccountId, Region, "web");
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding("web"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        Assert.Equal(0, Calls("s3:CreateBucket"));
        var statements = PolicyStatements(LoggingBucket());
        Assert.Equal(new[] { "S3ServerAccessLogsPolicy", ElbLogDelivery.ElbSid }, statements.Select(s => s["Sid"]!.GetValue<string>()));
        Assert.Equal("keep", JsonNode.Parse(Bucket(LoggingBucket())!.Value.GetProperty("policy").GetString()!)!["Id"]!.GetValue<string>());
        Assert.Contains(result.Notes, n => n.Contains("exists", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoggingBucketPolicyWithoutElb_ElbRefusesUntilTheStatementIsThere()
    {
        // The sandbox's ELB checks the bucket policy as ELB does: without the job's statement the same call is refused.
        server.AddS3Bucket(account.AccountId, Region, LoggingBucket());
        server.AddClassicLoadBalancer(account.AccountId, Region, "web");

        var refused = await Assert.ThrowsAsync<RemediationTools.Core.Aws.Signed.AwsQueryServiceException>(async () =>
            await (await ClassicAsync()).ModifyLoadBalancerAttributesAsync(new Classic.ModifyLoadBalancerAttributesRequest
            {
                LoadBalancerName = "web",
                LoadBalancerAttributes = new Classic.LoadBalancerAttributes { AccessLog = new Classic.AccessLog { Enabled = true, S3BucketName = LoggingBucket(), S3BucketPrefix = "elb/web" } },
            }));
        var result = await engine.RunAsync(Finding("web"), new RemediationOptions());

        Assert.Equal("InvalidConfigurationRequest", refused.ErrorCode);
        Assert.Contains("Access Denied for bucket", refused.Message, StringComparison.Ordinal);
        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
    }
    [Fact]
    public async Task SecurityHubElb5_ClassicArn_Remediated()
    {
        server.AddClassicLoadBalancer(account.AccountId, Region, "web");
        var asff = Findings.SecurityHubElbControlTests.Asff("AwsElbLoadBalancer", $"arn:aws:elasticloadbalancing:{Region}:{account.AccountId}:loadbalancer/web")
            .Replace("123456789012", account.AccountId, StringComparison.Ordinal);

        var result = await engine.RunAsync(FindingParser.Parse(asff), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        Assert.True((await ClassicAttributesAsync("web")).AccessLog!.Enabled);
    }
}
