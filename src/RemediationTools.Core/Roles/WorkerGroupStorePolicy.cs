using RemediationTools.Core.Aws;
using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Roles;

/// <summary>
/// What a worker of one group may do on the AWS store: exactly the SQS actions the worker loop calls, on its group's
/// queue and dead-letter queue, and exactly the DynamoDB actions it calls, on the installation's table and only in its
/// group's partition (<c>dynamodb:LeadingKeys</c>). Never the queues or items of another group, never table or queue
/// administration: creating and deleting them is the administrator's (New- and Remove-RemediationWorkerGroup).
/// </summary>
internal static class WorkerGroupStorePolicy
{
    /// <summary>The installation name used when <c>aws</c> names none.</summary>
    public const string DefaultInstallation = "RemediationTools";

    /// <summary>The Sid of the queue statement.</summary>
    public const string QueueStatementSid = "WorkerGroupQueues";

    /// <summary>The Sid of the table statement.</summary>
    public const string TableStatementSid = "WorkerGroupTable";

    /// <summary>The Sid of the statement that lets the worker read its group's client secret parameter.</summary>
    public const string SecretStatementSid = "WorkerGroupSecrets";

    /// <summary>What a worker on EC2 calls to read its client secret at start (the SecureString of Deploy-RemediationWorker).</summary>
    public static readonly IReadOnlyList<string> SecretActions = new[] { "ssm:GetParameter" };

    /// <summary>The SQS actions a worker calls: receive, extend the lease, delete on completion, look up its queues.</summary>
    public static readonly IReadOnlyList<string> QueueActions = new[]
    {
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
    };

    /// <summary>
    /// The DynamoDB actions a worker calls: read its group, write heartbeats, runs, dead letters and write-ahead undo
    /// records, read and remove those records. Exact: WorkerStorePolicyTests runs a worker allowed only these.
    /// </summary>
    public static readonly IReadOnlyList<string> TableActions = new[]
    {
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
    };

    /// <summary>
    /// The statements for <paramref name="groups"/> of the installation <paramref name="installation"/> in the hosting
    /// account <paramref name="accountId"/> and <paramref name="region"/>. Throws <see cref="ArgumentException"/>
    /// naming a bad group name, account ID or region.
    /// </summary>
    public static IReadOnlyList<PolicyStatementSpec> Statements(IReadOnlyCollection<string> groups, string? installation, string accountId, string region)
    {
        if (groups is null || groups.Count == 0)
        {
            throw new ArgumentException("At least one worker group is needed.", nameof(groups));
        }

        var name = string.IsNullOrEmpty(installation) ? DefaultInstallation : installation!;
        if (accountId is null || accountId.Length != 12 || !accountId.All(char.IsDigit))
        {
            throw new ArgumentException("'" + accountId + "' is not an AWS account ID (12 digits).", nameof(accountId));
        }

        if (string.IsNullOrWhiteSpace(region))
        {
            throw new ArgumentException("The AWS store's region is needed for its queue and table ARNs.", nameof(region));
        }

        var partition = AwsPartition.Of(region);
        var keys = groups.Select(PartitionOf).Distinct(StringComparer.Ordinal).ToList();
        var queues = keys.SelectMany(key => new[]
        {
            "arn:" + partition + ":sqs:" + region + ":" + accountId + ":" + name + "-" + key,
            "arn:" + partition + ":sqs:" + region + ":" + accountId + ":" + name + "-" + key + "-dlq",
        });
        var table = "arn:" + partition + ":dynamodb:" + region + ":" + accountId + ":table/" + name;

        // The parameter's key is the AWS managed aws/ssm: its key policy lets principals of the account decrypt through
        // SSM, so ssm:GetParameter on exactly the group's parameter is all the worker needs, and no other group's secret.
        var secrets = keys.Select(key => "arn:" + partition + ":ssm:" + region + ":" + accountId + ":parameter" + Deployment.WorkerDeploymentRequest.DefaultSecretParameter(key));
        return new[]
        {
            new PolicyStatementSpec(QueueStatementSid, QueueActions, queues),
            new PolicyStatementSpec(TableStatementSid, TableActions, new[] { table }, new PolicyCondition("ForAllValues:StringEquals", "dynamodb:LeadingKeys", keys)),
            new PolicyStatementSpec(SecretStatementSid, SecretActions, secrets),
        };
    }

    /// <summary>
    /// The statements of a role that already serves the groups of <paramref name="existingQueues"/> (in the table of
    /// <paramref name="existingTables"/>), extended by <paramref name="groups"/>; none when there are neither. One
    /// installation per role: another one is an <see cref="ArgumentException"/> naming both.
    /// </summary>
    public static IReadOnlyList<PolicyStatementSpec> Extend(
        IReadOnlyList<string> existingTables,
        IReadOnlyList<string> existingQueues,
        IReadOnlyList<string> groups,
        string? installation,
        string accountId,
        string partition,
        string region)
    {
        var existing = existingTables.Select(t => t.Substring(t.LastIndexOf('/') + 1)).Distinct(StringComparer.Ordinal).ToList();
        if (existing.Count == 0 && groups.Count == 0)
        {
            return Array.Empty<PolicyStatementSpec>();
        }

        var name = existing.Count > 0 && installation is null ? existing[0] : installation ?? DefaultInstallation;
        if (existing.Count > 0 && !existing.Contains(name, StringComparer.Ordinal))
        {
            throw new ArgumentException("The worker role already serves worker groups of the AWS store 'aws:" + existing[0] + "'; it cannot also serve 'aws:" + name + "'. Use another role for it.", nameof(installation));
        }

        var served = existingQueues
            .Select(q => q.Substring(q.LastIndexOf(':') + 1))
            .Where(q => q.StartsWith(name + "-", StringComparison.Ordinal) && !q.EndsWith("-dlq", StringComparison.Ordinal))
            .Select(q => q.Substring(name.Length + 1));
        var all = served.Concat(groups.Select(PartitionOf)).Distinct(StringComparer.Ordinal).ToList();
        var statements = Statements(all, name, accountId, region);
        return partition == AwsPartition.Of(region) ? statements : throw new ArgumentException("The region " + region + " is not in the partition " + partition + " of the caller.", nameof(region));
    }

    /// <summary>The worker role's store statements as the public policy type (Get-RemediationPolicy -WorkerGroup).</summary>
    public static RemediationPolicy Describe(IReadOnlyCollection<string> groups, string? installation, string accountId, string region)
    {
        var statements = Statements(groups, installation, accountId, region);
        var builder = new IamPolicyBuilder();
        foreach (var statement in statements)
        {
            builder.Add(statement);
        }

        var documents = builder.Build();
        return new RemediationPolicy
        {
            WorkerGroups = groups.Select(PartitionOf).Distinct(StringComparer.Ordinal).OrderBy(g => g, StringComparer.Ordinal).ToList(),
            Actions = QueueActions.Concat(TableActions).Concat(SecretActions).OrderBy(a => a, StringComparer.Ordinal).ToList(),
            Statements = documents.SelectMany(d => d.Statements).Select(s => s.ToPublic()).ToList(),
            Documents = documents.Select(d => d.Json).ToList(),
            CharacterCount = documents.Sum(d => d.CountedLength),
        };
    }

    /// <summary>The partition (and queue-name part) of a group: its name in lower case.</summary>
    public static string PartitionOf(string group) => StoreKeys.Group(group);

    /// <summary>The installation named by a store selection (<c>aws</c>, <c>aws:&lt;name&gt;</c>); null for another store.</summary>
    public static string? InstallationOf(string? store)
    {
        if (store is null)
        {
            return null;
        }

        if (string.Equals(store, "aws", StringComparison.OrdinalIgnoreCase))
        {
            return DefaultInstallation;
        }

        return store.StartsWith("aws:", StringComparison.OrdinalIgnoreCase) ? store.Substring(4) : null;
    }
}
