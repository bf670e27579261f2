using System.Globalization;
using System.Xml.Linq;
using static RemediationTools.Core.Aws.Signed.QueryParameterLists;

namespace RemediationTools.Core.Aws.Signed.ElasticLoadBalancing;

/// <summary><see cref="IElasticLoadBalancingClient"/> over the AWS Query protocol (Classic Load Balancing API version 2012-06-01).</summary>
internal sealed class ElasticLoadBalancingClient : IElasticLoadBalancingClient, IDisposable
{
    public const string ApiVersion = "2012-06-01";

    /// <summary>The service ID of AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING.</summary>
    public const string ServiceId = "Elastic Load Balancing";

    /// <summary>The signing name, shared with ELBv2.</summary>
    public const string SigningName = "elasticloadbalancing";

    private readonly AwsQueryClient query;

    public ElasticLoadBalancingClient(AwsQueryClient query)
    {
        this.query = query ?? throw new ArgumentNullException(nameof(query));
    }

    public async Task<DescribeLoadBalancersResponse> DescribeLoadBalancersAsync(DescribeLoadBalancersRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).AddList("LoadBalancerNames.member", request.LoadBalancerNames).AddIf("Marker", request.Marker).AddIf("PageSize", request.PageSize);
        var r = await query.InvokeAsync("DescribeLoadBalancers", p, cancellationToken).ConfigureAwait(false);
        return new DescribeLoadBalancersResponse
        {
            LoadBalancerDescriptions = r.Result.Child("LoadBalancerDescriptions").Members().Select(ParseLoadBalancer).ToList(),
            NextMarker = NullIfEmpty(r.Result.Text("NextMarker")),
            RequestId = r.RequestId,
        };
    }

    public async Task<DescribeLoadBalancerAttributesResponse> DescribeLoadBalancerAttributesAsync(DescribeLoadBalancerAttributesRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("LoadBalancerName", request.LoadBalancerName);
        var r = await query.InvokeAsync("DescribeLoadBalancerAttributes", p, cancellationToken).ConfigureAwait(false);
        return new DescribeLoadBalancerAttributesResponse { LoadBalancerAttributes = ParseAttributes(r.Result.Child("LoadBalancerAttributes")), RequestId = r.RequestId };
    }

    public async Task<ModifyLoadBalancerAttributesResponse> ModifyLoadBalancerAttributesAsync(ModifyLoadBalancerAttributesRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("LoadBalancerName", request.LoadBalancerName);
        AddAttributes(p, request.LoadBalancerAttributes ?? throw new ArgumentException("LoadBalancerAttributes is required.", nameof(request)));
        var r = await query.InvokeAsync("ModifyLoadBalancerAttributes", p, cancellationToken).ConfigureAwait(false);
        return new ModifyLoadBalancerAttributesResponse
        {
            LoadBalancerName = r.Result.Text("LoadBalancerName"),
            LoadBalancerAttributes = ParseAttributes(r.Result.Child("LoadBalancerAttributes")),
            RequestId = r.RequestId,
        };
    }

    public async Task<DescribeTagsResponse> DescribeTagsAsync(DescribeTagsRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).AddList("LoadBalancerNames.member", request.LoadBalancerNames);
        var r = await query.InvokeAsync("DescribeTags", p, cancellationToken).ConfigureAwait(false);
        return new DescribeTagsResponse
        {
            TagDescriptions = r.Result.Child("TagDescriptions").Members().Select(m => new TagDescription
            {
                LoadBalancerName = m.Text("LoadBalancerName") ?? string.Empty,
                Tags = m.Child("Tags").Members().Select(t => new Tag { Key = t.Text("Key") ?? string.Empty, Value = t.Text("Value") }).ToList(),
            }).ToList(),
            RequestId = r.RequestId,
        };
    }

    public void Dispose() => query.Dispose();

    internal static void AddAttributes(QueryParameters p, LoadBalancerAttributes attributes)
    {
        const string prefix = "LoadBalancerAttributes.";
        if (attributes.AccessLog is { } log)
        {
            p.AddIf(prefix + "AccessLog.Enabled", log.Enabled ?? throw new ArgumentException("AccessLog.Enabled is required when AccessLog is sent.", nameof(attributes)))
                .AddIf(prefix + "AccessLog.S3BucketName", log.S3BucketName)
                .AddIf(prefix + "AccessLog.EmitInterval", log.EmitInterval)
                .AddIf(prefix + "AccessLog.S3BucketPrefix", log.S3BucketPrefix);
        }

        if (attributes.ConnectionDraining is { } draining)
        {
            p.AddIf(prefix + "ConnectionDraining.Enabled", draining.Enabled).AddIf(prefix + "ConnectionDraining.Timeout", draining.Timeout);
        }

        if (attributes.ConnectionSettings is { } settings)
        {
            p.AddIf(prefix + "ConnectionSettings.IdleTimeout", settings.IdleTimeout);
        }

        if (attributes.CrossZoneLoadBalancing is { } crossZone)
        {
            p.AddIf(prefix + "CrossZoneLoadBalancing.Enabled", crossZone.Enabled);
        }

        for (var i = 0; i < attributes.AdditionalAttributes.Count; i++)
        {
            var n = (i + 1).ToString(CultureInfo.InvariantCulture);
            p.Add(new KeyValuePair<string, string>($"{prefix}AdditionalAttributes.member.{n}.Key", attributes.AdditionalAttributes[i].Key));
            p.Add(new KeyValuePair<string, string>($"{prefix}AdditionalAttributes.member.{n}.Value", attributes.AdditionalAttributes[i].Value ?? string.Empty));
        }
    }

    internal static LoadBalancerAttributes ParseAttributes(XElement? element)
    {
        var attributes = new LoadBalancerAttributes();
        if (element is null)
        {
            return attributes;
        }

        if (element.Child("AccessLog") is { } log)
        {
            attributes.AccessLog = new AccessLog
            {
                Enabled = ParseBool(log.Text("Enabled")),
                S3BucketName = log.Text("S3BucketName"),
                S3BucketPrefix = log.Text("S3BucketPrefix"),
                EmitInterval = ParseInt(log.Text("EmitInterval")),
            };
        }

        if (element.Child("ConnectionDraining") is { } draining)
        {
            attributes.ConnectionDraining = new ConnectionDraining { Enabled = ParseBool(draining.Text("Enabled")), Timeout = ParseInt(draining.Text("Timeout")) };
        }

        if (element.Child("ConnectionSettings") is { } settings)
        {
            attributes.ConnectionSettings = new ConnectionSettings { IdleTimeout = ParseInt(settings.Text("IdleTimeout")) };
        }

        if (element.Child("CrossZoneLoadBalancing") is { } crossZone)
        {
            attributes.CrossZoneLoadBalancing = new CrossZoneLoadBalancing { Enabled = ParseBool(crossZone.Text("Enabled")) };
        }

        attributes.AdditionalAttributes = element.Child("AdditionalAttributes").Members()
            .Select(m => new AdditionalAttribute { Key = m.Text("Key") ?? string.Empty, Value = m.Text("Value") })
            .ToList();
        return attributes;
    }

    private static LoadBalancerDescription ParseLoadBalancer(XElement element) => new()
    {
        LoadBalancerName = element.Text("LoadBalancerName") ?? string.Empty,
        DNSName = element.Text("DNSName"),
        Scheme = element.Text("Scheme"),
        VPCId = element.Text("VPCId"),
        CreatedTime = ParseDate(element.Text("CreatedTime")),
        AvailabilityZones = element.Child("AvailabilityZones").Members().Select(m => m.Value).ToList(),
        Subnets = element.Child("Subnets").Members().Select(m => m.Value).ToList(),
        SecurityGroups = element.Child("SecurityGroups").Members().Select(m => m.Value).ToList(),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static QueryParameters Params(object request) =>
        request is null ? throw new ArgumentNullException(nameof(request)) : new QueryParameters();
}
