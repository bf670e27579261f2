using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;
using Elb = RemediationTools.Core.Aws.Signed.ElasticLoadBalancing;
using Elbv2 = RemediationTools.Core.Aws.Signed.ElasticLoadBalancingV2;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>The sandbox's Classic and v2 load balancers, through the module's signed clients.</summary>
public sealed class SandboxElbTests : IDisposable
{
    private const string Region = "eu-west-1";
    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount root;
    private readonly AwsClientFactory factory;

    public SandboxElbTests()
    {
        root = server.CreateAccount(defaultVpc: false);
        factory = SandboxSignedClients.Factory(server, root, Region);
    }

    public void Dispose()
    {
        factory.Dispose();
        server.Dispose();
    }

    private async Task<Elb.IElasticLoadBalancingClient> ClassicAsync() => (await factory.ClientsAsync()).ElasticLoadBalancing(Region);

    private async Task<Elbv2.IElasticLoadBalancingV2Client> V2Async() => (await factory.ClientsAsync()).ElasticLoadBalancingV2(Region);

    private static Elb.ModifyLoadBalancerAttributesRequest AccessLog(string name, bool enabled, string? bucket, int? interval = null, string? prefix = null) => new()
    {
        LoadBalancerName = name,
        LoadBalancerAttributes = new Elb.LoadBalancerAttributes { AccessLog = new Elb.AccessLog { Enabled = enabled, S3BucketName = bucket, EmitInterval = interval, S3BucketPrefix = prefix } },
    };

    [Fact]
    public async Task Classic_NewLoadBalancer_HasAwsDefaultAttributes()
    {
        server.AddClassicLoadBalancer(root.AccountId, Region, "web");
        var elb = await ClassicAsync();

        var attributes = (await elb.DescribeLoadBalancerAttributesAsync(new Elb.DescribeLoadBalancerAttributesRequest { LoadBalancerName = "web" })).LoadBalancerAttributes;

        Assert.False(attributes.AccessLog!.Enabled);
        Assert.Null(attributes.AccessLog.S3BucketName);
        Assert.False(attributes.ConnectionDraining!.Enabled);
        Assert.Equal(300, attributes.ConnectionDraining.Timeout);
        Assert.Equal(60, attributes.ConnectionSettings!.IdleTimeout);
        Assert.False(attributes.CrossZoneLoadBalancing!.Enabled);
        var additional = Assert.Single(attributes.AdditionalAttributes);
        Assert.Equal(("elb.http.desyncmitigationmode", "defensive"), (additional.Key, additional.Value));
    }

    [Fact]
    public async Task Classic_DescribeByName_ReturnsItOrLoadBalancerNotFound()
    {
        server.AddClassicLoadBalancer(root.AccountId, Region, "web");
        var elb = await ClassicAsync();

        var found = await elb.DescribeLoadBalancersAsync(new Elb.DescribeLoadBalancersRequest { LoadBalancerNames = { "web" } });
        var missing = await Assert.ThrowsAsync<AwsQueryServiceException>(() =>
            elb.DescribeLoadBalancersAsync(new Elb.DescribeLoadBalancersRequest { LoadBalancerNames = { "web", "nope" } }));

        var lb = Assert.Single(found.LoadBalancerDescriptions);
        Assert.Equal("web", lb.LoadBalancerName);
        Assert.EndsWith(".eu-west-1.elb.amazonaws.com", lb.DNSName, StringComparison.Ordinal);
        Assert.Equal("LoadBalancerNotFound", missing.ErrorCode);
        Assert.Equal(400, (int)missing.StatusCode);
        Assert.Contains("'nope'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classic_ModifyAccessLogWithoutEmitInterval_ReplacesTheWholeAccessLogWithInterval60()
    {
        server.AddClassicLoadBalancer(root.AccountId, Region, "web");
        var elb = await ClassicAsync();
        await elb.ModifyLoadBalancerAttributesAsync(AccessLog("web", true, "logs", interval: 5, prefix: "elb"));

        var echoed = await elb.ModifyLoadBalancerAttributesAsync(AccessLog("web", true, "logs2"));
        var after = (await elb.DescribeLoadBalancerAttributesAsync(new Elb.DescribeLoadBalancerAttributesRequest { LoadBalancerName = "web" })).LoadBalancerAttributes;

        Assert.Equal(60, after.AccessLog!.EmitInterval);
        Assert.Equal("logs2", after.AccessLog.S3BucketName);
        Assert.Null(after.AccessLog.S3BucketPrefix);
        Assert.True(after.AccessLog.Enabled);
        Assert.Equal("web", echoed.LoadBalancerName);
        Assert.Equal("logs2", echoed.LoadBalancerAttributes.AccessLog!.S3BucketName);
        Assert.Null(echoed.LoadBalancerAttributes.ConnectionDraining);
        Assert.Equal(300, after.ConnectionDraining!.Timeout);
    }

    [Fact]
    public async Task Classic_ModifyOtherAttribute_KeepsAccessLog()
    {
        server.AddClassicLoadBalancer(root.AccountId, Region, "web");
        var elb = await ClassicAsync();
        await elb.ModifyLoadBalancerAttributesAsync(AccessLog("web", true, "logs", interval: 5));

        await elb.ModifyLoadBalancerAttributesAsync(new Elb.ModifyLoadBalancerAttributesRequest
        {
            LoadBalancerName = "web",
            LoadBalancerAttributes = new Elb.LoadBalancerAttributes { ConnectionSettings = new Elb.ConnectionSettings { IdleTimeout = 120 } },
        });
        var after = (await elb.DescribeLoadBalancerAttributesAsync(new Elb.DescribeLoadBalancerAttributesRequest { LoadBalancerName = "web" })).LoadBalancerAttributes;

        Assert.Equal(120, after.ConnectionSettings!.IdleTimeout);
        Assert.Equal(5, after.AccessLog!.EmitInterval);
        Assert.Equal("logs", after.AccessLog.S3BucketName);
    }

    [Theory]
    [InlineData(true, null, null, "ValidationError", "S3Bucket name cannot be empty")]
    [InlineData(true, "logs", 7, "ValidationError", "'7'")]
    public async Task Classic_ModifyInvalidAccessLog_RefusedAndNothingChanged(bool enabled, string? bucket, int? interval, string code, string message)
    {
        server.AddClassicLoadBalancer(root.AccountId, Region, "web");
        var elb = await ClassicAsync();

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => elb.ModifyLoadBalancerAttributesAsync(AccessLog("web", enabled, bucket, interval)));
        var after = (await elb.DescribeLoadBalancerAttributesAsync(new Elb.DescribeLoadBalancerAttributesRequest { LoadBalancerName = "web" })).LoadBalancerAttributes;

        Assert.Equal(code, ex.ErrorCode);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.False(after.AccessLog!.Enabled);
    }

    [Fact]
    public async Task Classic_DescribeAllWithSmallPages_MarkerPagesEveryLoadBalancerOnce()
    {
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            server.AddClassicLoadBalancer(root.AccountId, Region, name);
        }

        server.MaxPageSize = 2;
        var elb = await ClassicAsync();
        var seen = new List<string>();
        string? marker = null;
        var pages = 0;
        do
        {
            var page = await elb.DescribeLoadBalancersAsync(new Elb.DescribeLoadBalancersRequest { Marker = marker, PageSize = 400 });
            seen.AddRange(page.LoadBalancerDescriptions.Select(d => d.LoadBalancerName));
            marker = page.NextMarker;
            pages++;
        }
        while (marker is not null);

        Assert.Equal(new[] { "a", "b", "c", "d", "e" }, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Classic_DescribeTags_ReturnsSeededTags()
    {
        server.AddClassicLoadBalancer(root.AccountId, Region, "web", new Dictionary<string, string> { ["remediation:skip"] = "true" });
        server.AddClassicLoadBalancer(root.AccountId, Region, "api");
        var elb = await ClassicAsync();

        var tags = await elb.DescribeTagsAsync(new Elb.DescribeTagsRequest { LoadBalancerNames = { "web", "api" } });

        Assert.Equal(new[] { "web", "api" }, tags.TagDescriptions.Select(t => t.LoadBalancerName));
        var tag = Assert.Single(tags.TagDescriptions[0].Tags);
        Assert.Equal(("remediation:skip", "true"), (tag.Key, tag.Value));
        Assert.Empty(tags.TagDescriptions[1].Tags);
    }

    [Theory]
    [InlineData("application", "idle_timeout.timeout_seconds", true)]
    [InlineData("application", "access_logs.s3.enabled", true)]
    [InlineData("network", "dns_record.client_routing_policy", true)]
    [InlineData("network", "idle_timeout.timeout_seconds", false)]
    [InlineData("network", "access_logs.s3.enabled", true)]
    [InlineData("gateway", "access_logs.s3.enabled", false)]
    [InlineData("gateway", "load_balancing.cross_zone.enabled", true)]
    public async Task V2_AttributesDifferByType(string type, string key, bool present)
    {
        var arn = server.AddLoadBalancerV2(root.AccountId, Region, "lb", type);
        var elbv2 = await V2Async();

        var attributes = (await elbv2.DescribeLoadBalancerAttributesAsync(new Elbv2.DescribeLoadBalancerAttributesRequest { LoadBalancerArn = arn })).Attributes;

        Assert.Equal(present, attributes.Any(a => a.Key == key));
        if (attributes.SingleOrDefault(a => a.Key == "access_logs.s3.enabled") is { } logs)
        {
            Assert.Equal("false", logs.Value);
        }
    }

    [Fact]
    public async Task V2_ModifyAccessLogs_ChangesOnlyThoseKeysAndReturnsAll()
    {
        var arn = server.AddLoadBalancerV2(root.AccountId, Region, "web");
        var elbv2 = await V2Async();
        var before = (await elbv2.DescribeLoadBalancerAttributesAsync(new Elbv2.DescribeLoadBalancerAttributesRequest { LoadBalancerArn = arn })).Attributes;

        var response = await elbv2.ModifyLoadBalancerAttributesAsync(new Elbv2.ModifyLoadBalancerAttributesRequest
        {
            LoadBalancerArn = arn,
            Attributes = { new("access_logs.s3.enabled", "true"), new("access_logs.s3.bucket", "logs"), new("access_logs.s3.prefix", "elb/web") },
        });

        Assert.Equal(before.Count, response.Attributes.Count);
        Assert.Equal("true", response.Attributes.Single(a => a.Key == "access_logs.s3.enabled").Value);
        Assert.Equal("logs", response.Attributes.Single(a => a.Key == "access_logs.s3.bucket").Value);
        var untouched = before.Where(a => !a.Key.StartsWith("access_logs.", StringComparison.Ordinal)).Select(a => (a.Key, a.Value));
        Assert.Equal(untouched, response.Attributes.Where(a => !a.Key.StartsWith("access_logs.", StringComparison.Ordinal)).Select(a => (a.Key, a.Value)));
    }

    [Theory]
    [InlineData("gateway", "access_logs.s3.enabled", "true", "InvalidConfigurationRequest", "Key access_logs.s3.enabled not valid")]
    [InlineData("application", "no.such.key", "1", "InvalidConfigurationRequest", "Key no.such.key not valid")]
    [InlineData("application", "deletion_protection.enabled", "yes", "InvalidConfigurationRequest", "'yes'")]
    [InlineData("application", "access_logs.s3.enabled", "true", "ValidationError", "The value of 'access_logs.s3.bucket' cannot be empty")]
    [InlineData("network", "access_logs.s3.prefix", "AWSLogs/x", "InvalidConfigurationRequest", "'AWSLogs/x'")]
    public async Task V2_ModifyInvalid_RefusedWithElbCodeAndNothingChanged(string type, string key, string value, string code, string message)
    {
        var arn = server.AddLoadBalancerV2(root.AccountId, Region, "lb", type);
        var elbv2 = await V2Async();
        var before = (await elbv2.DescribeLoadBalancerAttributesAsync(new Elbv2.DescribeLoadBalancerAttributesRequest { LoadBalancerArn = arn })).Attributes;

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => elbv2.ModifyLoadBalancerAttributesAsync(
            new Elbv2.ModifyLoadBalancerAttributesRequest { LoadBalancerArn = arn, Attributes = { new(key, value) } }));
        var after = (await elbv2.DescribeLoadBalancerAttributesAsync(new Elbv2.DescribeLoadBalancerAttributesRequest { LoadBalancerArn = arn })).Attributes;

        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal(400, (int)ex.StatusCode);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before.Select(a => (a.Key, a.Value)), after.Select(a => (a.Key, a.Value)));
    }

    [Fact]
    public async Task V2_DescribeByNameOrArn_FindsTheSameLoadBalancer()
    {
        var arn = server.AddLoadBalancerV2(root.AccountId, Region, "web", "network");
        var elbv2 = await V2Async();

        var byName = Assert.Single((await elbv2.DescribeLoadBalancersAsync(new Elbv2.DescribeLoadBalancersRequest { Names = { "web" } })).LoadBalancers);
        var byArn = Assert.Single((await elbv2.DescribeLoadBalancersAsync(new Elbv2.DescribeLoadBalancersRequest { LoadBalancerArns = { arn } })).LoadBalancers);

        Assert.Equal(arn, byName.LoadBalancerArn);
        Assert.Equal("web", byArn.LoadBalancerName);
        Assert.Equal("network", byArn.Type);
        Assert.Equal("active", byArn.State!.Code);
        Assert.Matches(@"^arn:aws:elasticloadbalancing:eu-west-1:\d{12}:loadbalancer/net/web/[0-9a-f]{16}$", arn);
    }

    [Fact]
    public async Task V2_DescribeErrors_NotFoundMalformedArnAndBothFilters()
    {
        var arn = server.AddLoadBalancerV2(root.AccountId, Region, "web");
        var elbv2 = await V2Async();

        var missing = await Assert.ThrowsAsync<AwsQueryServiceException>(() => elbv2.DescribeLoadBalancersAsync(new Elbv2.DescribeLoadBalancersRequest { Names = { "nope" } }));
        var malformed = await Assert.ThrowsAsync<AwsQueryServiceException>(() => elbv2.DescribeLoadBalancersAsync(new Elbv2.DescribeLoadBalancersRequest { LoadBalancerArns = { "web" } }));
        var both = await Assert.ThrowsAsync<AwsQueryServiceException>(() =>
            elbv2.DescribeLoadBalancersAsync(new Elbv2.DescribeLoadBalancersRequest { Names = { "web" }, LoadBalancerArns = { arn } }));

        Assert.Equal("LoadBalancerNotFound", missing.ErrorCode);
        Assert.Equal("ValidationError", malformed.ErrorCode);
        Assert.Contains("'web' is not a valid load balancer ARN", malformed.Message, StringComparison.Ordinal);
        Assert.Equal("ValidationError", both.ErrorCode);
    }

    [Fact]
    public async Task V2_DescribeTags_ByArn()
    {
        var arn = server.AddLoadBalancerV2(root.AccountId, Region, "web", tags: new Dictionary<string, string> { ["team"] = "edge" });
        var elbv2 = await V2Async();

        var description = Assert.Single((await elbv2.DescribeTagsAsync(new Elbv2.DescribeTagsRequest { ResourceArns = { arn } })).TagDescriptions);

        Assert.Equal(arn, description.ResourceArn);
        var tag = Assert.Single(description.Tags);
        Assert.Equal(("team", "edge"), (tag.Key, tag.Value));
    }

    [Fact]
    public async Task BothApis_CountUnderTheOneIamPrefix()
    {
        server.AddClassicLoadBalancer(root.AccountId, Region, "web");
        server.AddLoadBalancerV2(root.AccountId, Region, "web");
        var elb = await ClassicAsync();
        var elbv2 = await V2Async();
        server.ResetCallCounts();

        await elb.DescribeLoadBalancersAsync(new Elb.DescribeLoadBalancersRequest { LoadBalancerNames = { "web" } });
        await elbv2.DescribeLoadBalancersAsync(new Elbv2.DescribeLoadBalancersRequest { Names = { "web" } });

        Assert.Equal(2, server.CallCounts["elasticloadbalancing:DescribeLoadBalancers"]);
    }

    [Fact]
    public async Task Modify_WithoutPermission_AccessDeniedNamingTheAction()
    {
        server.AddClassicLoadBalancer(root.AccountId, Region, "web");
        var reader = server.CreateUser(root.AccountId, "reader", SandboxHarness.AllowPolicy("elasticloadbalancing:Describe*"));
        using var readerFactory = SandboxSignedClients.Factory(server, reader, Region);
        var elb = (await readerFactory.ClientsAsync()).ElasticLoadBalancing(Region);

        await elb.DescribeLoadBalancerAttributesAsync(new Elb.DescribeLoadBalancerAttributesRequest { LoadBalancerName = "web" });
        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => elb.ModifyLoadBalancerAttributesAsync(AccessLog("web", true, "logs")));

        Assert.Equal("AccessDenied", ex.ErrorCode);
        Assert.Contains("elasticloadbalancing:ModifyLoadBalancerAttributes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InjectedThrottling_ElbThrottlingCode_RetriedByTheClient()
    {
        server.AddLoadBalancerV2(root.AccountId, Region, "web");
        server.Faults.ThrottleRate = 1;
        var elbv2 = await V2Async();

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => elbv2.DescribeLoadBalancersAsync(new Elbv2.DescribeLoadBalancersRequest { Names = { "web" } }));
        Assert.Equal("Throttling", ex.ErrorCode);
        Assert.True(AwsRetryPolicy.IsRetryable(ex, CancellationToken.None));

        server.Faults.ThrottleRate = 0.5;
        server.Faults.Seed = 7;
        using var retrying = SandboxSignedClients.Factory(server, root, Region, maxErrorRetry: 10);
        var lb = Assert.Single((await (await retrying.ClientsAsync()).ElasticLoadBalancingV2(Region)
            .DescribeLoadBalancersAsync(new Elbv2.DescribeLoadBalancersRequest { Names = { "web" } })).LoadBalancers);
        Assert.Equal("web", lb.LoadBalancerName);
    }
    private static string PutObjectPolicy(string bucket, string principal) =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":" + principal + ",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"}]}";

    [Theory]
    [InlineData("eu-west-1", "{\"AWS\":\"arn:aws:iam::156460612806:root\"}", true)]
    [InlineData("eu-west-1", "{\"AWS\":\"156460612806\"}", true)]
    [InlineData("eu-west-1", "{\"AWS\":\"arn:aws:iam::127311923021:root\"}", false)]
    [InlineData("eu-west-1", "{\"Service\":\"logdelivery.elasticloadbalancing.amazonaws.com\"}", false)]
    [InlineData("ap-south-2", "{\"Service\":\"logdelivery.elasticloadbalancing.amazonaws.com\"}", true)]
    [InlineData("ap-south-2", "{\"AWS\":\"arn:aws:iam::156460612806:root\"}", false)]
    public async Task V2_AccessLogsOn_BucketPolicyMustLetTheRegionsDelivererWrite(string region, string principal, bool allowed)
    {
        var arn = server.AddLoadBalancerV2(root.AccountId, region, "web");
        server.AddS3Bucket(root.AccountId, region, "logs-" + root.AccountId, new SandboxS3BucketSpec { Policy = PutObjectPolicy("logs-" + root.AccountId, principal) });
        var elbv2 = (await factory.ClientsAsync()).ElasticLoadBalancingV2(region);
        var request = new Elbv2.ModifyLoadBalancerAttributesRequest { LoadBalancerArn = arn, Attributes = { new("access_logs.s3.enabled", "true"), new("access_logs.s3.bucket", "logs-" + root.AccountId) } };

        var error = await Record.ExceptionAsync(() => elbv2.ModifyLoadBalancerAttributesAsync(request));

        if (allowed)
        {
            Assert.Null(error);
        }
        else
        {
            var ex = Assert.IsType<AwsQueryServiceException>(error);
            Assert.Equal("InvalidConfigurationRequest", ex.ErrorCode);
            Assert.Equal($"Access Denied for bucket: logs-{root.AccountId}. Please check S3bucket permission", ex.Message);
        }
    }

    [Fact]
    public async Task Classic_AccessLogsToABucketOfAnotherRegion_Refused409()
    {
        server.AddClassicLoadBalancer(root.AccountId, Region, "web");
        server.AddS3Bucket(root.AccountId, "us-east-1", "logs-" + root.AccountId, new SandboxS3BucketSpec { Policy = PutObjectPolicy("logs-" + root.AccountId, "{\"AWS\":\"arn:aws:iam::156460612806:root\"}") });
        var elb = await ClassicAsync();

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => elb.ModifyLoadBalancerAttributesAsync(AccessLog("web", true, "logs-" + root.AccountId)));

        Assert.Equal("InvalidConfigurationRequest", ex.ErrorCode);
        Assert.Equal(409, (int)ex.StatusCode);
        Assert.False((await elb.DescribeLoadBalancerAttributesAsync(new Elb.DescribeLoadBalancerAttributesRequest { LoadBalancerName = "web" })).LoadBalancerAttributes.AccessLog!.Enabled);
    }
    [Theory]
    [InlineData(null, true)]
    [InlineData("111122223333", false)]
    public async Task Network_AccessLogsOn_LogDeliveryStatementConditionsChecked(string? otherAccount, bool allowed)
    {
        var account = otherAccount ?? root.AccountId;
        var arn = server.AddLoadBalancerV2(root.AccountId, Region, "tcp", "network");
        var bucket = "nlb-logs-" + root.AccountId;
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"delivery.logs.amazonaws.com\"},\"Action\":\"s3:PutObject\","
            + "\"Resource\":\"arn:aws:s3:::" + bucket + "/*\",\"Condition\":{\"StringEquals\":{\"s3:x-amz-acl\":\"bucket-owner-full-control\",\"aws:SourceAccount\":\"" + account + "\"},"
            + "\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:logs:" + Region + ":" + account + ":*\"}}}]}";
        server.AddS3Bucket(root.AccountId, Region, bucket, new SandboxS3BucketSpec { Policy = policy });
        var elbv2 = await V2Async();

        var error = await Record.ExceptionAsync(() => elbv2.ModifyLoadBalancerAttributesAsync(new Elbv2.ModifyLoadBalancerAttributesRequest
        {
            LoadBalancerArn = arn,
            Attributes = { new("access_logs.s3.enabled", "true"), new("access_logs.s3.bucket", bucket) },
        }));

        Assert.Equal(allowed, error is null);
        if (!allowed)
        {
            Assert.Equal("InvalidConfigurationRequest", Assert.IsType<AwsQueryServiceException>(error).ErrorCode);
        }
    }
}
