using System.Net;
using System.Text;
using Amazon.Runtime;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;
using RemediationTools.Core.Aws.Signed.CloudTrail;
using Elb = RemediationTools.Core.Aws.Signed.ElasticLoadBalancing;
using Elbv2 = RemediationTools.Core.Aws.Signed.ElasticLoadBalancingV2;

namespace RemediationTools.Core.Tests.Aws;

/// <summary>The ELB, ELBv2 and CloudTrail clients on the wire: what they send, how they read answers and errors.</summary>
public class SignedClientsTests
{
    private const string ElbNs = "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/";
    private const string Elbv2Ns = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

    private static AwsClientFactory Factory(ScriptedHttpHandler handler, FakeEnvironment? environment = null, string region = "eu-west-1", int maxErrorRetry = 3) => new(
        new AwsConnection(
            new BasicAWSCredentials("AKIDTEST", "secret"),
            "test",
            region,
            "test",
            new AwsEndpointResolver(null, environment ?? new FakeEnvironment()),
            new AwsRetryPolicy(maxErrorRetry, delay: (_, _) => Task.CompletedTask),
            false),
        new AwsClientFactoryOptions { HttpHandlerFactory = handler.Forwarder });

    private static HttpResponseMessage QueryOk(string ns, string action, string result) => ScriptedHttpHandler.Xml(
        HttpStatusCode.OK,
        $"<{action}Response xmlns=\"{ns}\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>rid-{action}</RequestId></ResponseMetadata></{action}Response>");

    private static HttpResponseMessage Json(HttpStatusCode status, string json, string? errorType = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/x-amz-json-1.1") };
        response.Headers.Add("x-amzn-RequestId", "rid-json");
        if (errorType is not null)
        {
            response.Headers.Add("x-amzn-ErrorType", errorType);
        }

        return response;
    }

    private static Dictionary<string, string> Form(string body) => body.Split('&')
        .Select(p => p.Split('='))
        .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);

    [Fact]
    public async Task ElasticLoadBalancing_ModifyAccessLog_SendsClassicAttributesToRegionalEndpoint()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => QueryOk(ElbNs, "ModifyLoadBalancerAttributes",
            "<LoadBalancerName>web</LoadBalancerName><LoadBalancerAttributes><AccessLog><Enabled>true</Enabled><S3BucketName>logs</S3BucketName>" +
            "<EmitInterval>60</EmitInterval><S3BucketPrefix>elb/web</S3BucketPrefix></AccessLog></LoadBalancerAttributes>"));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var response = await clients.ElasticLoadBalancing("eu-west-1").ModifyLoadBalancerAttributesAsync(new Elb.ModifyLoadBalancerAttributesRequest
        {
            LoadBalancerName = "web",
            LoadBalancerAttributes = new Elb.LoadBalancerAttributes
            {
                AccessLog = new Elb.AccessLog { Enabled = true, S3BucketName = "logs", S3BucketPrefix = "elb/web", EmitInterval = 60 },
            },
        });

        var (request, body) = handler.Received.Single();
        Assert.Equal(new Uri("https://elasticloadbalancing.eu-west-1.amazonaws.com/"), request.RequestUri);
        Assert.Contains("/eu-west-1/elasticloadbalancing/aws4_request", request.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
        var form = Form(body);
        Assert.Equal("ModifyLoadBalancerAttributes", form["Action"]);
        Assert.Equal("2012-06-01", form["Version"]);
        Assert.Equal("true", form["LoadBalancerAttributes.AccessLog.Enabled"]);
        Assert.Equal("logs", form["LoadBalancerAttributes.AccessLog.S3BucketName"]);
        Assert.Equal("60", form["LoadBalancerAttributes.AccessLog.EmitInterval"]);
        Assert.Equal("elb/web", form["LoadBalancerAttributes.AccessLog.S3BucketPrefix"]);
        Assert.DoesNotContain(form.Keys, k => k.Contains("ConnectionDraining", StringComparison.Ordinal));
        Assert.Equal("web", response.LoadBalancerName);
        Assert.Equal(60, response.LoadBalancerAttributes.AccessLog!.EmitInterval);
        Assert.Equal("rid-ModifyLoadBalancerAttributes", response.RequestId);
    }

    [Fact]
    public async Task ElasticLoadBalancing_DescribeAttributes_ParsesEverySection()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => QueryOk(ElbNs, "DescribeLoadBalancerAttributes",
            "<LoadBalancerAttributes><AccessLog><Enabled>false</Enabled></AccessLog><ConnectionDraining><Enabled>true</Enabled><Timeout>300</Timeout></ConnectionDraining>" +
            "<ConnectionSettings><IdleTimeout>60</IdleTimeout></ConnectionSettings><CrossZoneLoadBalancing><Enabled>false</Enabled></CrossZoneLoadBalancing>" +
            "<AdditionalAttributes><member><Key>elb.http.desyncmitigationmode</Key><Value>defensive</Value></member></AdditionalAttributes></LoadBalancerAttributes>"));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var attributes = (await clients.ElasticLoadBalancing("eu-west-1").DescribeLoadBalancerAttributesAsync(
            new Elb.DescribeLoadBalancerAttributesRequest { LoadBalancerName = "web" })).LoadBalancerAttributes;

        Assert.False(attributes.AccessLog!.Enabled);
        Assert.True(attributes.ConnectionDraining!.Enabled);
        Assert.Equal(300, attributes.ConnectionDraining.Timeout);
        Assert.Equal(60, attributes.ConnectionSettings!.IdleTimeout);
        Assert.False(attributes.CrossZoneLoadBalancing!.Enabled);
        Assert.Equal("defensive", Assert.Single(attributes.AdditionalAttributes).Value);
        Assert.Equal("web", Form(handler.Received.Single().Body)["LoadBalancerName"]);
    }

    [Fact]
    public async Task ElasticLoadBalancing_Throttling_RetriedThenSucceeds()
    {
        var handler = new ScriptedHttpHandler((i, _, _) => i == 0
            ? ScriptedHttpHandler.Xml(HttpStatusCode.BadRequest, ScriptedHttpHandler.ErrorXml("Throttling", "Rate exceeded"))
            : QueryOk(ElbNs, "DescribeLoadBalancers", "<LoadBalancerDescriptions><member><LoadBalancerName>web</LoadBalancerName></member></LoadBalancerDescriptions>"));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var response = await clients.ElasticLoadBalancing("eu-west-1").DescribeLoadBalancersAsync(new Elb.DescribeLoadBalancersRequest { LoadBalancerNames = { "web" } });

        Assert.Equal(2, handler.Count);
        Assert.Equal("web", Assert.Single(response.LoadBalancerDescriptions).LoadBalancerName);
        Assert.Null(response.NextMarker);
        Assert.Equal("web", Form(handler.Received[1].Body)["LoadBalancerNames.member.1"]);
    }

    [Fact]
    public async Task ElasticLoadBalancing_NotFound_ThrowsWithElbCodeOnce()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => ScriptedHttpHandler.Xml(
            HttpStatusCode.BadRequest, ScriptedHttpHandler.ErrorXml("LoadBalancerNotFound", "There is no ACTIVE Load Balancer named 'web'")));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() =>
            clients.ElasticLoadBalancing("eu-west-1").DescribeTagsAsync(new Elb.DescribeTagsRequest { LoadBalancerNames = { "web" } }));

        Assert.Equal("LoadBalancerNotFound", ex.ErrorCode);
        Assert.Equal("elasticloadbalancing", ex.ServiceName);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task ElasticLoadBalancingV2_Modify_SendsKeyValueMembersAndReadsAllAttributes()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => QueryOk(Elbv2Ns, "ModifyLoadBalancerAttributes",
            "<Attributes><member><Key>access_logs.s3.enabled</Key><Value>true</Value></member><member><Key>deletion_protection.enabled</Key><Value>false</Value></member></Attributes>"));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);
        const string arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/50dc6c495c0c9188";

        var response = await clients.ElasticLoadBalancingV2("eu-west-1").ModifyLoadBalancerAttributesAsync(new Elbv2.ModifyLoadBalancerAttributesRequest
        {
            LoadBalancerArn = arn,
            Attributes = { new("access_logs.s3.enabled", "true"), new("access_logs.s3.bucket", "logs") },
        });

        var form = Form(handler.Received.Single().Body);
        Assert.Equal("2015-12-01", form["Version"]);
        Assert.Equal(arn, form["LoadBalancerArn"]);
        Assert.Equal("access_logs.s3.enabled", form["Attributes.member.1.Key"]);
        Assert.Equal("true", form["Attributes.member.1.Value"]);
        Assert.Equal("logs", form["Attributes.member.2.Value"]);
        Assert.Equal(2, response.Attributes.Count);
        Assert.Equal("false", response.Attributes.Single(a => a.Key == "deletion_protection.enabled").Value);
    }

    [Fact]
    public async Task ElasticLoadBalancingV2_DescribeByName_ParsesTypeStateAndMarker()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => QueryOk(Elbv2Ns, "DescribeLoadBalancers",
            "<LoadBalancers><member><LoadBalancerArn>arn:1</LoadBalancerArn><LoadBalancerName>web</LoadBalancerName><Type>network</Type>" +
            "<State><Code>active</Code></State><Scheme>internal</Scheme></member></LoadBalancers><NextMarker>m2</NextMarker>"));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var response = await clients.ElasticLoadBalancingV2("eu-west-1").DescribeLoadBalancersAsync(new Elbv2.DescribeLoadBalancersRequest { Names = { "web" }, PageSize = 5 });

        var lb = Assert.Single(response.LoadBalancers);
        Assert.Equal("network", lb.Type);
        Assert.Equal("active", lb.State!.Code);
        Assert.Equal("m2", response.NextMarker);
        var form = Form(handler.Received.Single().Body);
        Assert.Equal("web", form["Names.member.1"]);
        Assert.Equal("5", form["PageSize"]);
        Assert.False(form.ContainsKey("LoadBalancerArns.member.1"));
    }

    [Fact]
    public async Task CloudTrail_GetTrail_PostsJson11WithSignedTarget()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => Json(HttpStatusCode.OK,
            "{\"Trail\":{\"Name\":\"main\",\"S3BucketName\":\"trail-logs\",\"IsMultiRegionTrail\":true,\"HomeRegion\":\"us-east-1\",\"TrailARN\":\"arn:aws:cloudtrail:us-east-1:111122223333:trail/main\"}}"));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var response = await clients.CloudTrail("eu-west-1").GetTrailAsync(new GetTrailRequest { Name = "main" });

        var (request, body) = handler.Received.Single();
        Assert.Equal(new Uri("https://cloudtrail.eu-west-1.amazonaws.com/"), request.RequestUri);
        Assert.Equal("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrail", request.Headers.GetValues("X-Amz-Target").Single());
        Assert.Equal("application/x-amz-json-1.1", request.Content!.Headers.ContentType!.MediaType);
        var authorization = request.Headers.GetValues("Authorization").Single();
        Assert.Contains("/eu-west-1/cloudtrail/aws4_request", authorization, StringComparison.Ordinal);
        Assert.Contains("x-amz-target", authorization, StringComparison.Ordinal);
        Assert.Equal("{\"Name\":\"main\"}", body);
        Assert.Equal("trail-logs", response.Trail.S3BucketName);
        Assert.True(response.Trail.IsMultiRegionTrail);
        Assert.Equal("us-east-1", response.Trail.HomeRegion);
        Assert.Null(response.Trail.KmsKeyId);
        Assert.Equal("rid-json", response.RequestId);
    }

    [Fact]
    public async Task CloudTrail_DescribeTrails_SendsLowerCamelMembers()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => Json(HttpStatusCode.OK, "{\"trailList\":[{\"Name\":\"a\"},{\"Name\":\"b\",\"KmsKeyId\":\"arn:aws:kms:k\"}]}"));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var response = await clients.CloudTrail("eu-west-1").DescribeTrailsAsync(new DescribeTrailsRequest { TrailNameList = { "a", "b" }, IncludeShadowTrails = false });

        Assert.Equal("{\"trailNameList\":[\"a\",\"b\"],\"includeShadowTrails\":false}", handler.Received.Single().Body);
        Assert.Equal(new[] { "a", "b" }, response.TrailList.Select(t => t.Name));
        Assert.Equal("arn:aws:kms:k", response.TrailList[1].KmsKeyId);
    }

    [Fact]
    public async Task CloudTrail_UpdateTrail_SendsOnlySetMembersAndReadsFlatAnswer()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => Json(HttpStatusCode.OK, "{\"Name\":\"main\",\"KmsKeyId\":\"arn:aws:kms:us-east-1:1:key/k\",\"TrailARN\":\"arn:t\"}"));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var response = await clients.CloudTrail("us-east-1").UpdateTrailAsync(new UpdateTrailRequest { Name = "main", KmsKeyId = "alias/x" });

        Assert.Equal("{\"Name\":\"main\",\"KmsKeyId\":\"alias/x\"}", handler.Received.Single().Body);
        Assert.Equal("arn:aws:kms:us-east-1:1:key/k", response.KmsKeyId);
        Assert.Equal("arn:t", response.TrailARN);
    }

    [Theory]
    [InlineData("{\"__type\":\"com.amazonaws.cloudtrail.v20131101#TrailNotFoundException\",\"message\":\"Unknown trail\"}", null, "TrailNotFoundException", "Unknown trail")]
    [InlineData("{\"__type\":\"TrailNotFoundException\",\"Message\":\"Unknown trail\"}", null, "TrailNotFoundException", "Unknown trail")]
    [InlineData("not json", "InvalidTrailNameException:http://internal", "InvalidTrailNameException", "CLOUDTRAIL answered HTTP 400 (InvalidTrailNameException).")]
    public async Task CloudTrail_Error_ShortCodeAndMessage(string body, string? header, string code, string message)
    {
        var handler = new ScriptedHttpHandler((_, _, _) => Json(HttpStatusCode.BadRequest, body, header));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => clients.CloudTrail("eu-west-1").GetTrailAsync(new GetTrailRequest { Name = "main" }));

        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal(message, ex.Message);
        Assert.Equal(ErrorType.Sender, ex.ErrorType);
        Assert.Equal("rid-json", ex.RequestId);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task CloudTrail_ThrottlingException_Retried()
    {
        var handler = new ScriptedHttpHandler((i, _, _) => i < 2
            ? Json(HttpStatusCode.BadRequest, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}")
            : Json(HttpStatusCode.OK, "{\"trailList\":[]}"));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var response = await clients.CloudTrail("eu-west-1").DescribeTrailsAsync(new DescribeTrailsRequest());

        Assert.Empty(response.TrailList);
        Assert.Equal(3, handler.Count);
        Assert.Equal("{}", handler.Received[0].Body);
    }

    [Theory]
    [InlineData("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING", "elb")]
    [InlineData("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", "elbv2")]
    [InlineData("AWS_ENDPOINT_URL_CLOUDTRAIL", "cloudtrail")]
    public async Task EndpointOverride_ServiceSpecificVariable_UsedByItsClientOnly(string variable, string service)
    {
        var handler = new ScriptedHttpHandler((_, request, _) => request.Headers.Contains("X-Amz-Target")
            ? Json(HttpStatusCode.OK, "{\"trailList\":[]}")
            : QueryOk(ElbNs, "DescribeLoadBalancers", string.Empty));
        var environment = new FakeEnvironment().Set(variable, "http://emulator.test:4566");
        using var factory = Factory(handler, environment);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        await clients.ElasticLoadBalancing("ap-south-2").DescribeLoadBalancersAsync(new Elb.DescribeLoadBalancersRequest());
        await clients.ElasticLoadBalancingV2("ap-south-2").DescribeLoadBalancersAsync(new Elbv2.DescribeLoadBalancersRequest());
        await clients.CloudTrail("ap-south-2").DescribeTrailsAsync(new DescribeTrailsRequest());

        var hosts = handler.Received.Select(r => r.Request.RequestUri!.Host).ToList();
        var expected = new[] { "elb", "elbv2", "cloudtrail" }
            .Select(s => s == service ? "emulator.test" : (s == "cloudtrail" ? "cloudtrail" : "elasticloadbalancing") + ".ap-south-2.amazonaws.com")
            .ToList();
        Assert.Equal(expected, hosts);
    }

    [Fact]
    public async Task Clients_ChinaRegion_UsePartitionDnsSuffixAndAreReused()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => QueryOk(ElbNs, "DescribeLoadBalancers", string.Empty));
        using var factory = Factory(handler, region: "cn-north-1");
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        await clients.ElasticLoadBalancing("cn-north-1").DescribeLoadBalancersAsync(new Elb.DescribeLoadBalancersRequest());

        Assert.Equal("elasticloadbalancing.cn-north-1.amazonaws.com.cn", handler.Received.Single().Request.RequestUri!.Host);
        Assert.Same(clients.ElasticLoadBalancing("cn-north-1"), clients.ElasticLoadBalancing("cn-north-1"));
        Assert.NotSame(clients.ElasticLoadBalancing("cn-north-1"), clients.ElasticLoadBalancing("cn-northwest-1"));
        Assert.Same(clients.CloudTrail("cn-north-1"), clients.CloudTrail("cn-north-1"));
    }
}
