namespace RemediationTools.Core.Aws.Signed.ElasticLoadBalancing;

// Request and result types shaped like AWSSDK.ElasticLoadBalancing's (Amazon.ElasticLoadBalancing.Model), so the
// official package can replace ElasticLoadBalancingClient later with few changes in callers. As in SDK v4, values the
// answer may leave out are nullable.

/// <summary>Base of every Classic Load Balancing response.</summary>
internal class ElasticLoadBalancingResponse
{
    public string? RequestId { get; set; }
}

/// <summary>A tag of a Classic Load Balancer.</summary>
internal sealed class Tag
{
    public string Key { get; set; } = string.Empty;

    public string? Value { get; set; }
}

/// <summary>A Classic Load Balancer as DescribeLoadBalancers returns it (the members the module reads).</summary>
internal sealed class LoadBalancerDescription
{
    public string LoadBalancerName { get; set; } = string.Empty;

    public string? DNSName { get; set; }

    /// <summary>internet-facing or internal.</summary>
    public string? Scheme { get; set; }

    public string? VPCId { get; set; }

    public DateTime? CreatedTime { get; set; }

    public List<string> AvailabilityZones { get; set; } = new();

    public List<string> Subnets { get; set; } = new();

    public List<string> SecurityGroups { get; set; } = new();
}

/// <summary>The access log settings of a Classic Load Balancer.</summary>
internal sealed class AccessLog
{
    public bool? Enabled { get; set; }

    public string? S3BucketName { get; set; }

    public string? S3BucketPrefix { get; set; }

    /// <summary>Minutes between log publications: 5 or 60 (ELB's default).</summary>
    public int? EmitInterval { get; set; }
}

/// <summary>Connection draining of a Classic Load Balancer.</summary>
internal sealed class ConnectionDraining
{
    public bool? Enabled { get; set; }

    public int? Timeout { get; set; }
}

/// <summary>Connection settings of a Classic Load Balancer.</summary>
internal sealed class ConnectionSettings
{
    public int? IdleTimeout { get; set; }
}

/// <summary>Cross-zone load balancing of a Classic Load Balancer.</summary>
internal sealed class CrossZoneLoadBalancing
{
    public bool? Enabled { get; set; }
}

/// <summary>An attribute outside the typed ones (e.g. elb.http.desyncmitigationmode).</summary>
internal sealed class AdditionalAttribute
{
    public string Key { get; set; } = string.Empty;

    public string? Value { get; set; }
}

/// <summary>
/// The attributes of a Classic Load Balancer. In ModifyLoadBalancerAttributes, a member left null is not sent and
/// stays as it is.
/// </summary>
internal sealed class LoadBalancerAttributes
{
    public AccessLog? AccessLog { get; set; }

    public ConnectionDraining? ConnectionDraining { get; set; }

    public ConnectionSettings? ConnectionSettings { get; set; }

    public CrossZoneLoadBalancing? CrossZoneLoadBalancing { get; set; }

    public List<AdditionalAttribute> AdditionalAttributes { get; set; } = new();
}

internal sealed class DescribeLoadBalancersRequest
{
    /// <summary>Names to describe; empty for every load balancer of the region (paged).</summary>
    public List<string> LoadBalancerNames { get; set; } = new();

    public string? Marker { get; set; }

    /// <summary>1 to 400.</summary>
    public int? PageSize { get; set; }
}

internal sealed class DescribeLoadBalancersResponse : ElasticLoadBalancingResponse
{
    public List<LoadBalancerDescription> LoadBalancerDescriptions { get; set; } = new();

    /// <summary>Marker of the next page; null on the last.</summary>
    public string? NextMarker { get; set; }
}

internal sealed class DescribeLoadBalancerAttributesRequest
{
    public string LoadBalancerName { get; set; } = string.Empty;
}

internal sealed class DescribeLoadBalancerAttributesResponse : ElasticLoadBalancingResponse
{
    public LoadBalancerAttributes LoadBalancerAttributes { get; set; } = new();
}

internal sealed class ModifyLoadBalancerAttributesRequest
{
    public string LoadBalancerName { get; set; } = string.Empty;

    public LoadBalancerAttributes LoadBalancerAttributes { get; set; } = new();
}

internal sealed class ModifyLoadBalancerAttributesResponse : ElasticLoadBalancingResponse
{
    public string? LoadBalancerName { get; set; }

    /// <summary>The attributes sent, as ELB echoes them.</summary>
    public LoadBalancerAttributes LoadBalancerAttributes { get; set; } = new();
}

internal sealed class DescribeTagsRequest
{
    /// <summary>1 to 20 load balancer names.</summary>
    public List<string> LoadBalancerNames { get; set; } = new();
}

/// <summary>The tags of one load balancer.</summary>
internal sealed class TagDescription
{
    public string LoadBalancerName { get; set; } = string.Empty;

    public List<Tag> Tags { get; set; } = new();
}

internal sealed class DescribeTagsResponse : ElasticLoadBalancingResponse
{
    public List<TagDescription> TagDescriptions { get; set; } = new();
}
