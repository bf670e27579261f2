using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Sqs;

internal static partial class SqsService
{
    /// <summary>
    /// Seeds a standard queue in any account and region, as CreateQueue makes it (default attributes), with a policy
    /// validated as SetQueueAttributes validates one, and tags; for the control API. Throws <see cref="ArgumentException"/>
    /// naming the bad value (a name SQS refuses, an existing queue, a policy SQS would not store). Under the state lock.
    /// </summary>
    public static SqsQueue Seed(SandboxState state, string accountId, string region, string name, string? policy, IReadOnlyDictionary<string, string>? tags)
    {
        state.Account(accountId);
        if (name is null || !QueueNamePattern().IsMatch(name))
        {
            throw new ArgumentException($"The queue name '{name}' is not valid: 1 to 80 letters, digits, hyphens or underscores.", nameof(name));
        }

        var regionState = SqsState.For(state).Region(accountId, region);
        if (regionState.Queues.ContainsKey(name))
        {
            throw new ArgumentException($"A queue named '{name}' already exists in {accountId}/{region}.", nameof(name));
        }

        if (!string.IsNullOrEmpty(policy))
        {
            try
            {
                SqsAccess.ValidatePolicy(policy);
            }
            catch (AwsServiceError error)
            {
                throw new ArgumentException($"The queue policy is not one SQS stores ({error.Code}): {policy}", nameof(policy), error);
            }
        }

        var queue = new SqsQueue { Name = name, AccountId = accountId, Region = region, CreatedAt = state.Now, LastModifiedAt = state.Now };
        foreach (var (attribute, value) in Settable.Where(s => s.Value is not null))
        {
            queue.Attributes[attribute] = value!;
        }

        if (!string.IsNullOrEmpty(policy))
        {
            queue.Attributes["Policy"] = policy;
        }

        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            queue.Tags[key] = value;
        }

        regionState.Queues[name] = queue;
        return queue;
    }
}
