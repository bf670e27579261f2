namespace RemediationTools.Core.Aws.Signed.ElasticLoadBalancingV2;

// Request and result types shaped like AWSSDK.ElasticLoadBalancingV2's (Amazon.ElasticLoadBalancingV2.Model), so the
// official package can replace ElasticLoadBalancingV2Client later with few changes in callers. The SDK's constant
// classes (LoadBalancerTypeEnum, LoadBalancerSchemeEnum, LoadBalancerStateEnum) are their string values here.

/// <summary>Base of every ELBv2 response.</summary>
internal class ElasticLoadBalancingV2Response
{
    public string? RequestId { get; set; }
}

/// <summary>A tag of an ELBv2 resource.</summary>
internal sealed class Tag
{
    public string Key { get; set; } = string.Empty;

    public string? Value { get; set; }
}

/// <summary>The state of a load balancer: active, provisioning, active_impaired or failed.</summary>
internal sealed class LoadBalancerState
{
    public string Code { get; set; } = string.Empty;

    public string? Reason { get; set; }
}

/// <summary>A zone a load balancer is in.</summary>
internal sealed class AvailabilityZone
{
    public string? ZoneName { get; set; }

    public string? SubnetId { get; set; }
}

/// <summary>An application, network or gateway load balancer (the members the module reads).</summary>
internal sealed class LoadBalancer
{
    public string LoadBalancerArn { get; set; } = string.Empty;

    public string LoadBalancerName { get; set; } = string.Empty;

    public string? DNSName { get; set; }

    /// <summary>application, network or gateway.</summary>
    public string Type { get; set; } = string.Empty;

    /// <summary>internet-facing or internal.</summary>
    public string? Scheme { get; set; }

    public string? VpcId { get; set; }

    public LoadBalancerState? State { get; set; }

    public DateTime? CreatedTime { get; set; }

    public string? IpAddressType { get; set; }

    public List<AvailabilityZone> AvailabilityZones { get; set; } = new();

    public List<string> SecurityGroups { get; set; } = new();
}

/// <summary>One attribute (e.g. access_logs.s3.enabled = true).</summary>
internal sealed class LoadBalancerAttribute
{
    public LoadBalancerAttribute()
    {
    }

    public LoadBalancerAttribute(string key, string value)
    {
        Key = key;
        Value = value;
    }

    public string Key { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;
}

internal sealed class DescribeLoadBalancersRequest
{
    /// <summary>ARNs to describe (up to 20); not together with <see cref="Names"/>.</summary>
    public List<string> LoadBalancerArns { get; set; } = new();

    /// <summary>Names to describe; not together with <see cref="LoadBalancerArns"/>.</summary>
    public List<string> Names { get; set; } = new();

    public string? Marker { get; set; }

    /// <summary>1 to 400.</summary>
    public int? PageSize { get; set; }
}

internal sealed class DescribeLoadBalancersResponse : ElasticLoadBalancingV2Response
{
    public List<LoadBalancer> LoadBalancers { get; set; } = new();

    /// <summary>Marker of the next page; null on the last.</summary>
    public string? NextMarker { get; set; }
}

internal sealed class DescribeLoadBalancerAttributesRequest
{
    public string LoadBalancerArn { get; set; } = string.Empty;
}

internal sealed class DescribeLoadBalancerAttributesResponse : ElasticLoadBalancingV2Response
{
    public List<LoadBalancerAttribute> Attributes { get; set; } = new();
}

internal sealed class ModifyLoadBalancerAttributesRequest
{
    public string LoadBalancerArn { get; set; } = string.Empty;

    /// <summary>The attributes to change (up to 20); the others stay as they are.</summary>
    public List<LoadBalancerAttribute> Attributes { get; set; } = new();
}

internal sealed class ModifyLoadBalancerAttributesResponse : ElasticLoadBalancingV2Response
{
    /// <summary>Every attribute of the load balancer after the change.</summary>
    public List<LoadBalancerAttribute> Attributes { get; set; } = new();
}

internal sealed class DescribeTagsRequest
{
    /// <summary>Up to 20 resource ARNs.</summary>
    public List<string> ResourceArns { get; set; } = new();
}

/// <summary>The tags of one resource.</summary>
internal sealed class TagDescription
{
    public string ResourceArn { get; set; } = string.Empty;

    public List<Tag> Tags { get; set; } = new();
}

internal sealed class DescribeTagsResponse : ElasticLoadBalancingV2Response
{
    public List<TagDescription> TagDescriptions { get; set; } = new();
}
