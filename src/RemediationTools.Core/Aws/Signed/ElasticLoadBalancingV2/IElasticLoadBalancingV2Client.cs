namespace RemediationTools.Core.Aws.Signed.ElasticLoadBalancingV2;

/// <summary>
/// The ELBv2 operations the module uses (API version 2015-12-01: application, network and gateway load balancers),
/// shaped like AWSSDK.ElasticLoadBalancingV2's <c>IAmazonElasticLoadBalancingV2</c> so the official client can replace
/// <see cref="ElasticLoadBalancingV2Client"/> later. Errors are <see cref="Amazon.Runtime.AmazonServiceException"/>s
/// with ELBv2's error codes: LoadBalancerNotFound, InvalidConfigurationRequest, ValidationError, AccessDenied, Throttling.
/// </summary>
internal interface IElasticLoadBalancingV2Client
{
    /// <summary>Describes load balancers by ARN or by name, or one page of all of them.</summary>
    Task<DescribeLoadBalancersResponse> DescribeLoadBalancersAsync(DescribeLoadBalancersRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads every attribute of a load balancer (the keys differ by type).</summary>
    Task<DescribeLoadBalancerAttributesResponse> DescribeLoadBalancerAttributesAsync(DescribeLoadBalancerAttributesRequest request, CancellationToken cancellationToken = default);

    /// <summary>Changes the attributes sent; returns every attribute after the change.</summary>
    Task<ModifyLoadBalancerAttributesResponse> ModifyLoadBalancerAttributesAsync(ModifyLoadBalancerAttributesRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads the tags of up to 20 resources.</summary>
    Task<DescribeTagsResponse> DescribeTagsAsync(DescribeTagsRequest request, CancellationToken cancellationToken = default);
}
