using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Workers;

/// <summary>How a <see cref="RemediationWorker"/> runs: its group and credentials, concurrency and timings, and the hosting AWS connection.</summary>
internal sealed class WorkerOptions
{
    /// <summary>The worker group to serve.</summary>
    public string GroupName { get; set; } = string.Empty;

    /// <summary>The group's client ID.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The group's client secret; never logged, never stored.</summary>
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>The store selection (<c>local</c>, <c>local:&lt;folder&gt;</c>); null for <c>REMEDIATION_STORE</c> or the default.</summary>
    public string? Store { get; set; }

    /// <summary>How many requests run at once (at least 1).</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>How long one long poll of the queue waits for a request before it starts again.</summary>
    public TimeSpan PollWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a claimed request stays invisible to other workers; extended every third of it while the job runs.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the worker re-checks its credentials and records a heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Stop once the queue is empty and no job runs (a poll that finds nothing): drain the queue and exit, for runbooks
    /// and pipelines. A request that failed an attempt and waits for its retry counts as queued only once it is visible.
    /// </summary>
    public bool StopWhenIdle { get; set; }

    /// <summary>
    /// Give memory back to the system once per idle period (<see cref="IdleMemoryTrimmer"/>): the worker console, which
    /// must fit a 128 MB host, sets it; a worker inside another process (PowerShell) leaves that process's heap alone.
    /// </summary>
    public bool TrimMemoryWhenIdle { get; set; }

    /// <summary>How long a failed request waits before it is retried.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The hosting account's AWS connection (credentials, region, endpoint): the caller that assumes the account roles.</summary>
    public AwsConnectionOptions Connection { get; set; } = new();

    /// <summary>The host name recorded for the worker; null for the machine name.</summary>
    public string? Host { get; set; }

    /// <summary>The EC2 instance the worker runs on, reported in its heartbeats (<c>REMEDIATION_INSTANCE_ID</c>); null off EC2.</summary>
    public string? InstanceId { get; set; }

    /// <summary>A file touched at every heartbeat, for <c>remediation-worker --health</c>; null for none.</summary>
    public string? HealthFile { get; set; }

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        Require(GroupName, nameof(GroupName));
        Require(ClientId, nameof(ClientId));
        Require(ClientSecret, nameof(ClientSecret));
        if (MaxConcurrency < 1 || MaxConcurrency > 256)
        {
            throw new ArgumentException("MaxConcurrency must be between 1 and 256, not " + MaxConcurrency + ".", nameof(MaxConcurrency));
        }

        Positive(PollWait, nameof(PollWait));
        Positive(LeaseDuration, nameof(LeaseDuration));
        Positive(HeartbeatInterval, nameof(HeartbeatInterval));
        if (RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("RetryDelay cannot be negative.", nameof(RetryDelay));
        }
    }

    private static void Require(string value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException(name + " is required.", name);
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException(name + " must be positive, not " + value + ".", name);
        }
    }
}
