namespace RemediationTools.AwsSandbox.Elb;

/// <summary>The load balancers of one account in one region.</summary>
internal sealed class ElbRegionState
{
    /// <summary>Classic load balancers by name (names are unique per account and region, case-insensitively).</summary>
    public SortedDictionary<string, ClassicLoadBalancer> Classic { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Application, network and gateway load balancers, in creation order.</summary>
    public List<LoadBalancerV2> V2 { get; } = new();
}

/// <summary>A Classic Load Balancer and its attributes as DescribeLoadBalancerAttributes returns them.</summary>
internal sealed class ClassicLoadBalancer
{
    public required string Name { get; init; }

    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public required DateTimeOffset CreatedTime { get; init; }

    public string Scheme { get; init; } = "internet-facing";

    public string? VpcId { get; init; }

    public required string DnsName { get; init; }

    public string Arn => $"arn:aws:elasticloadbalancing:{Region}:{AccountId}:loadbalancer/{Name}";

    public List<KeyValuePair<string, string>> Tags { get; } = new();

    public ClassicAccessLog AccessLog { get; set; } = new();

    public bool ConnectionDrainingEnabled { get; set; }

    public int ConnectionDrainingTimeout { get; set; } = 300;

    public int IdleTimeout { get; set; } = 60;

    public bool CrossZoneLoadBalancing { get; set; }

    /// <summary>The additional attributes (elb.http.desyncmitigationmode defensive by default).</summary>
    public SortedDictionary<string, string> Additional { get; } = new(StringComparer.Ordinal) { ["elb.http.desyncmitigationmode"] = "defensive" };
}

/// <summary>A classic load balancer's AccessLog attribute: replaced as a whole by ModifyLoadBalancerAttributes.</summary>
internal sealed record ClassicAccessLog
{
    public bool Enabled { get; init; }

    public string? S3BucketName { get; init; }

    public string? S3BucketPrefix { get; init; }

    /// <summary>Minutes, 5 or 60; null until access logs were configured.</summary>
    public int? EmitInterval { get; init; }
}

/// <summary>An ELBv2 load balancer: its type decides which attribute keys it has.</summary>
internal sealed class LoadBalancerV2
{
    public required string Name { get; init; }

    public required string AccountId { get; init; }

    public required string Region { get; init; }

    /// <summary>application, network or gateway.</summary>
    public required string Type { get; init; }

    public required string Id { get; init; }

    public required DateTimeOffset CreatedTime { get; init; }

    public string Scheme { get; init; } = "internet-facing";

    public string? VpcId { get; init; }

    public string TypePath => Type switch { "application" => "app", "network" => "net", _ => "gwy" };

    public string Arn => $"arn:aws:elasticloadbalancing:{Region}:{AccountId}:loadbalancer/{TypePath}/{Name}/{Id}";

    public string DnsName => Type == "gateway" ? string.Empty : $"{Name}-{Id[..10]}.elb.{Region}.amazonaws.com";

    public List<KeyValuePair<string, string>> Tags { get; } = new();

    /// <summary>Every attribute key of the type with its value, in the order DescribeLoadBalancerAttributes lists them.</summary>
    public List<KeyValuePair<string, string>> Attributes { get; } = new();
}

/// <summary>A load balancer's request to deliver access logs to <see cref="Bucket"/> under <see cref="KeyPrefix"/>.</summary>
/// <param name="AccountId">The load balancer's account.</param>
/// <param name="Region">The load balancer's region (the bucket must be in it).</param>
/// <param name="Bucket">The target bucket.</param>
/// <param name="KeyPrefix">Where the logs go: <c>[prefix/]AWSLogs/&lt;account&gt;/</c>.</param>
/// <param name="LoadBalancerType">classic, application or network (network logs come through log delivery).</param>
internal sealed record LogDeliveryRequest(string AccountId, string Region, string Bucket, string KeyPrefix, string LoadBalancerType);

/// <summary>What S3 says of a <see cref="LogDeliveryRequest"/>.</summary>
internal enum LogDeliveryCheck
{
    Allowed,
    NoSuchBucket,
    WrongRegion,
    AccessDenied,
}
