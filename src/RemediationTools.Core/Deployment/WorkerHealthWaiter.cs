using Amazon.EC2;
using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Deployment;

/// <summary>
/// Waits until the worker on each of a set of instances has sent a Healthy heartbeat to the store (its heartbeats carry
/// the instance ID, <see cref="WorkerUserData.InstanceIdVariable"/>). An instance that stops running while it is waited
/// for will never report, so the wait for it ends at once.
/// </summary>
internal sealed class WorkerHealthWaiter
{
    private readonly IRemediationStore store;
    private readonly IAmazonEC2 ec2;
    private readonly Func<DateTimeOffset> clock;
    private readonly TimeSpan pollInterval;

    public WorkerHealthWaiter(IRemediationStore store, IAmazonEC2 ec2, Func<DateTimeOffset> clock, TimeSpan pollInterval)
    {
        this.store = store;
        this.ec2 = ec2;
        this.clock = clock;
        this.pollInterval = pollInterval;
    }

    /// <summary>Raised after each look with (healthy so far, all).</summary>
    public event EventHandler<(int Healthy, int Total)>? Progress;

    /// <summary>
    /// The instances of <paramref name="instanceIds"/> whose worker was Healthy before <paramref name="timeout"/>, and
    /// why the others were not (instance ID to reason).
    /// </summary>
    public async Task<(HashSet<string> Healthy, Dictionary<string, string> NotHealthy)> WaitAsync(
        string groupName, IReadOnlyCollection<string> instanceIds, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = clock() + timeout;
        var healthy = new HashSet<string>(StringComparer.Ordinal);
        var gone = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var workers = await store.ListWorkersAsync(groupName, clock(), cancellationToken).ConfigureAwait(false);
            foreach (var worker in workers.Where(w => w.State == RemediationWorkerState.Healthy && w.InstanceId is not null))
            {
                if (instanceIds.Contains(worker.InstanceId!))
                {
                    healthy.Add(worker.InstanceId!);
                }
            }

            var waiting = instanceIds.Where(id => !healthy.Contains(id) && !gone.ContainsKey(id)).ToList();
            if (waiting.Count > 0)
            {
                foreach (var instance in await WorkerInstances.DescribeAsync(ec2, waiting, cancellationToken).ConfigureAwait(false))
                {
                    var state = instance.State?.Name?.Value;
                    if (state is not null && !WorkerInstances.LiveStates.Contains(state))
                    {
                        gone[instance.InstanceId] = "the instance is " + state + (instance.StateReason?.Message is { Length: > 0 } why ? " (" + why + ")" : string.Empty);
                    }
                }
            }

            Progress?.Invoke(this, (healthy.Count, instanceIds.Count));
            waiting = instanceIds.Where(id => !healthy.Contains(id) && !gone.ContainsKey(id)).ToList();
            if (waiting.Count == 0 || clock() >= deadline)
            {
                foreach (var id in waiting)
                {
                    gone[id] = "its worker sent no Healthy heartbeat within " + timeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
                }

                return (healthy, gone);
            }

            var left = deadline - clock();
            await Task.Delay(left < pollInterval ? left : pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
