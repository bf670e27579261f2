namespace RemediationTools.Core.Aws.Signed.ElasticLoadBalancing;

/// <summary>
/// The Classic Load Balancer operations the module uses (API version 2012-06-01), shaped like AWSSDK.ElasticLoadBalancing's
/// <c>IAmazonElasticLoadBalancing</c> (same operation, request and result names) so the official client can replace
/// <see cref="ElasticLoadBalancingClient"/> later. Errors are <see cref="Amazon.Runtime.AmazonServiceException"/>s with
/// ELB's error codes: LoadBalancerNotFound (the SDK's AccessPointNotFoundException), LoadBalancerAttributeNotFound,
/// InvalidConfigurationRequest, ValidationError, AccessDenied, Throttling.
/// </summary>
internal interface IElasticLoadBalancingClient
{
    /// <summary>Describes the named load balancers, or one page of all of them.</summary>
    Task<DescribeLoadBalancersResponse> DescribeLoadBalancersAsync(DescribeLoadBalancersRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads a load balancer's attributes (access log, connection draining and settings, cross-zone, additional).</summary>
    Task<DescribeLoadBalancerAttributesResponse> DescribeLoadBalancerAttributesAsync(DescribeLoadBalancerAttributesRequest request, CancellationToken cancellationToken = default);

    /// <summary>Changes the attributes sent; those not sent stay as they are.</summary>
    Task<ModifyLoadBalancerAttributesResponse> ModifyLoadBalancerAttributesAsync(ModifyLoadBalancerAttributesRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads the tags of up to 20 load balancers.</summary>
    Task<DescribeTagsResponse> DescribeTagsAsync(DescribeTagsRequest request, CancellationToken cancellationToken = default);
}
