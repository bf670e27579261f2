namespace RemediationTools;

/// <summary>A worker instance on EC2, as Deploy-, Update- and Remove-RemediationWorker leave it.</summary>
public sealed class RemediationWorkerDeployment
{
    /// <summary>The EC2 instance ID.</summary>
    public string InstanceId { get; set; } = string.Empty;

    /// <summary>The worker group the instance serves (its <c>remediation:worker-group</c> tag).</summary>
    public string WorkerGroup { get; set; } = string.Empty;

    /// <summary>The worker image the instance runs (its <c>remediation:image</c> tag).</summary>
    public string ImageUri { get; set; } = string.Empty;

    /// <summary>The instance's EC2 state: pending, running, shutting-down, terminated, stopping, stopped.</summary>
    public string State { get; set; } = string.Empty;

    /// <summary>When the instance was launched (UTC).</summary>
    public DateTimeOffset? LaunchTime { get; set; }

    /// <summary>True once the worker on the instance has sent a Healthy heartbeat (known after -Wait or an update).</summary>
    public bool? Healthy { get; set; }

    /// <summary>The instance type.</summary>
    public string InstanceType { get; set; } = string.Empty;

    /// <summary>The subnet the instance runs in.</summary>
    public string SubnetId { get; set; } = string.Empty;

    /// <summary>The region of the instance.</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>The SSM parameter the worker reads its client secret from.</summary>
    public string ClientSecretParameter { get; set; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => InstanceId;
}
