using System.Globalization;
using RemediationTools.Core.Aws.Signed.Rds;

namespace RemediationTools.Core.Jobs.Rds;

/// <summary>
/// The bounded wait of the RDS jobs for an instance or cluster to be <c>available</c> (and, after a change, to show
/// it): a change applied immediately passes through <c>modifying</c> (and may show <c>available</c> for a moment before
/// it starts), which is a transient state, not a failure. A status that does not pass by itself (stopped, failed,
/// storage-full, ...) ends the wait at once.
/// </summary>
internal sealed class RdsWaiter
{
    // The statuses RDS leaves by itself (RDS User Guide, "Viewing Amazon RDS DB instance status").
    private static readonly HashSet<string> Transient = new(StringComparer.OrdinalIgnoreCase)
    {
        "modifying", "backing-up", "configuring-enhanced-monitoring", "configuring-iam-database-auth", "configuring-log-exports",
        "converting-to-vpc", "creating", "maintenance", "moving-to-vpc", "rebooting", "renaming", "resetting-master-credentials",
        "starting", "storage-optimization", "upgrading", "upgrading-to-pending-version", "migrating", "preparing-data-migration",
        "backtracking", "promoting", "update-iam-db-auth",
    };

    /// <summary>Creates the waiter.</summary>
    public RdsWaiter(TimeSpan pollInterval, TimeSpan timeout)
    {
        if (pollInterval <= TimeSpan.Zero || timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), "The polling interval and the timeout must be positive.");
        }

        PollInterval = pollInterval;
        Timeout = timeout;
    }

    /// <summary>The wait of the shipped jobs: a read every 5 seconds for up to 20 minutes.</summary>
    public static RdsWaiter Default => new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(20));

    /// <summary>Time between reads.</summary>
    public TimeSpan PollInterval { get; }

    /// <summary>How long to wait at most.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>True when <paramref name="status"/> passes by itself.</summary>
    public static bool IsTransient(string? status) => status is not null && Transient.Contains(status);

    /// <summary>True when <paramref name="status"/> is <c>available</c>.</summary>
    public static bool IsAvailable(string? status) => string.Equals(status, "available", StringComparison.OrdinalIgnoreCase);

    /// <summary>The failure of a resource in a status RDS does not leave by itself.</summary>
    public static JobFailureException Stuck(string code, string what, string? status) => new(
        code,
        what + " is " + (status ?? "(no status)") + ", which RDS does not leave by itself, so it cannot be modified now; the job goes no further.");

    /// <summary>
    /// Reads the instance until it is <c>available</c> and <paramref name="done"/> holds (null: just available); a
    /// <see cref="JobFailureException"/> with <see cref="RdsActions.DBInstanceNotAvailableErrorCode"/> past the timeout
    /// or in a status that does not pass.
    /// </summary>
    public Task<DBInstance> InstanceAsync(JobContext context, RdsInstanceTarget target, Func<DBInstance, bool>? done, CancellationToken cancellationToken)
        => UntilAvailableAsync(
            context,
            "The DB instance " + target.Identifier,
            RdsActions.DBInstanceNotAvailableErrorCode,
            () => target.DescribeAsync(context, cancellationToken),
            i => i.DBInstanceStatus,
            done,
            cancellationToken);

    /// <summary>As <see cref="InstanceAsync"/>, for a DB cluster (<see cref="RdsActions.DBClusterNotAvailableErrorCode"/>).</summary>
    public Task<DBCluster> ClusterAsync(JobContext context, string clusterId, Func<DBCluster, bool>? done, CancellationToken cancellationToken)
        => UntilAvailableAsync(
            context,
            "The DB cluster " + clusterId,
            RdsActions.DBClusterNotAvailableErrorCode,
            () => DescribeClusterAsync(context, clusterId, cancellationToken),
            c => c.Status,
            done,
            cancellationToken);

    // The one polling loop of instances and clusters: read, done when available and showing the change, failed past the
    // deadline or in a status RDS does not leave by itself.
    private async Task<T> UntilAvailableAsync<T>(JobContext context, string what, string code, Func<Task<T>> read, Func<T, string?> statusOf, Func<T, bool>? done, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + Timeout;
        while (true)
        {
            var resource = await read().ConfigureAwait(false);
            var status = statusOf(resource);
            var available = IsAvailable(status);
            if (available && (done is null || done(resource)))
            {
                return resource;
            }

            if ((!available && !IsTransient(status)) || DateTimeOffset.UtcNow >= deadline)
            {
                throw Failure(code, what, status, available);
            }

            context.Reporter.Verbose(what + " is " + status + "; waiting for available.");
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    // Past the timeout, or in a status that does not pass: what the result says.
    private JobFailureException Failure(string code, string what, string? status, bool available)
    {
        if (!available && !IsTransient(status))
        {
            return Stuck(code, what, status);
        }

        return new JobFailureException(code, string.Format(
            CultureInfo.InvariantCulture,
            "{0} is {1} after {2:0.###} seconds of waiting for it to be available{3}; nothing more was changed.",
            what,
            status ?? "(no status)",
            Timeout.TotalSeconds,
            available ? " with the change in place (it does not show the change yet)" : string.Empty));
    }

    /// <summary>DescribeDBClusters of one cluster.</summary>
    public static async Task<DBCluster> DescribeClusterAsync(JobContext context, string clusterId, CancellationToken cancellationToken)
    {
        var rds = context.Clients.Rds(context.Region);
        var response = await AwsCall.RunAsync(context.Reporter, RdsActions.DescribeDBClusters, clusterId, () =>
            rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = clusterId }, cancellationToken)).ConfigureAwait(false);
        return response.DBClusters.FirstOrDefault(c => string.Equals(c.DBClusterIdentifier, clusterId, StringComparison.OrdinalIgnoreCase))
            ?? throw new JobFailureException("DBClusterNotFoundFault", "DescribeDBClusters returned no DB cluster " + clusterId + ".");
    }
}
