using System.Globalization;
using System.Xml.Linq;
using static RemediationTools.Core.Aws.Signed.QueryParameterLists;

namespace RemediationTools.Core.Aws.Signed.ElasticLoadBalancingV2;

/// <summary><see cref="IElasticLoadBalancingV2Client"/> over the AWS Query protocol (ELBv2 API version 2015-12-01).</summary>
internal sealed class ElasticLoadBalancingV2Client : IElasticLoadBalancingV2Client, IDisposable
{
    public const string ApiVersion = "2015-12-01";

    /// <summary>The service ID of AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2.</summary>
    public const string ServiceId = "Elastic Load Balancing v2";

    private readonly AwsQueryClient query;

    public ElasticLoadBalancingV2Client(AwsQueryClient query)
    {
        this.query = query ?? throw new ArgumentNullException(nameof(query));
    }

    public async Task<DescribeLoadBalancersResponse> DescribeLoadBalancersAsync(DescribeLoadBalancersRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request)
            .AddList("LoadBalancerArns.member", request.LoadBalancerArns)
            .AddList("Names.member", request.Names)
            .AddIf("Marker", request.Marker)
            .AddIf("PageSize", request.PageSize);
        var r = await query.InvokeAsync("DescribeLoadBalancers", p, cancellationToken).ConfigureAwait(false);
        return new DescribeLoadBalancersResponse
        {
            LoadBalancers = r.Result.Child("LoadBalancers").Members().Select(ParseLoadBalancer).ToList(),
            NextMarker = string.IsNullOrEmpty(r.Result.Text("NextMarker")) ? null : r.Result.Text("NextMarker"),
            RequestId = r.RequestId,
        };
    }

    public async Task<DescribeLoadBalancerAttributesResponse> DescribeLoadBalancerAttributesAsync(DescribeLoadBalancerAttributesRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("LoadBalancerArn", request.LoadBalancerArn);
        var r = await query.InvokeAsync("DescribeLoadBalancerAttributes", p, cancellationToken).ConfigureAwait(false);
        return new DescribeLoadBalancerAttributesResponse { Attributes = ParseAttributes(r.Result.Child("Attributes")), RequestId = r.RequestId };
    }

    public async Task<ModifyLoadBalancerAttributesResponse> ModifyLoadBalancerAttributesAsync(ModifyLoadBalancerAttributesRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("LoadBalancerArn", request.LoadBalancerArn);
        for (var i = 0; i < request.Attributes.Count; i++)
        {
            var n = (i + 1).ToString(CultureInfo.InvariantCulture);
            p.Add(new KeyValuePair<string, string>($"Attributes.member.{n}.Key", request.Attributes[i].Key));
            p.Add(new KeyValuePair<string, string>($"Attributes.member.{n}.Value", request.Attributes[i].Value ?? string.Empty));
        }

        var r = await query.InvokeAsync("ModifyLoadBalancerAttributes", p, cancellationToken).ConfigureAwait(false);
        return new ModifyLoadBalancerAttributesResponse { Attributes = ParseAttributes(r.Result.Child("Attributes")), RequestId = r.RequestId };
    }

    public async Task<DescribeTagsResponse> DescribeTagsAsync(DescribeTagsRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).AddList("ResourceArns.member", request.ResourceArns);
        var r = await query.InvokeAsync("DescribeTags", p, cancellationToken).ConfigureAwait(false);
        return new DescribeTagsResponse
        {
            TagDescriptions = r.Result.Child("TagDescriptions").Members().Select(m => new TagDescription
            {
                ResourceArn = m.Text("ResourceArn") ?? string.Empty,
                Tags = m.Child("Tags").Members().Select(t => new Tag { Key = t.Text("Key") ?? string.Empty, Value = t.Text("Value") }).ToList(),
            }).ToList(),
            RequestId = r.RequestId,
        };
    }

    public void Dispose() => query.Dispose();

    private static List<LoadBalancerAttribute> ParseAttributes(XElement? element) =>
        element.Members().Select(m => new LoadBalancerAttribute(m.Text("Key") ?? string.Empty, m.Text("Value") ?? string.Empty)).ToList();

    private static LoadBalancer ParseLoadBalancer(XElement element) => new()
    {
        LoadBalancerArn = element.Text("LoadBalancerArn") ?? string.Empty,
        LoadBalancerName = element.Text("LoadBalancerName") ?? string.Empty,
        DNSName = element.Text("DNSName"),
        Type = element.Text("Type") ?? string.Empty,
        Scheme = element.Text("Scheme"),
        VpcId = element.Text("VpcId"),
        State = element.Child("State") is { } state ? new LoadBalancerState { Code = state.Text("Code") ?? string.Empty, Reason = state.Text("Reason") } : null,
        CreatedTime = ParseDate(element.Text("CreatedTime")),
        IpAddressType = element.Text("IpAddressType"),
        AvailabilityZones = element.Child("AvailabilityZones").Members()
            .Select(m => new AvailabilityZone { ZoneName = m.Text("ZoneName"), SubnetId = m.Text("SubnetId") })
            .ToList(),
        SecurityGroups = element.Child("SecurityGroups").Members().Select(m => m.Value).ToList(),
    };

    private static QueryParameters Params(object request) =>
        request is null ? throw new ArgumentNullException(nameof(request)) : new QueryParameters();
}
