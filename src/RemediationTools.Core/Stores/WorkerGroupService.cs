using System.Globalization;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Stores;

/// <summary>A group just created: its public view and its deployment information (with the secret, shown once).</summary>
internal sealed class WorkerGroupCreated
{
    /// <summary>Creates the pair.</summary>
    public WorkerGroupCreated(RemediationWorkerGroup group, WorkerGroupDeployment deployment)
    {
        Group = group;
        Deployment = deployment;
    }

    /// <summary>The group as stored.</summary>
    public RemediationWorkerGroup Group { get; }

    /// <summary>How to start its workers, with the client secret.</summary>
    public WorkerGroupDeployment Deployment { get; }
}

/// <summary>
/// Worker groups for the cmdlets: create (secret shown once, stored as a hash), read, change, add and remove accounts,
/// reset the secret, delete, and check a worker's credentials. Every change is read, modify, conditional write; a
/// conflicting write by someone else is retried on the fresh state.
/// </summary>
internal sealed class WorkerGroupService
{
    /// <summary>The environment variable that holds the group name for a worker.</summary>
    public const string GroupVariable = "REMEDIATION_WORKER_GROUP";

    /// <summary>The environment variable that holds the client ID for a worker.</summary>
    public const string ClientIdVariable = "REMEDIATION_CLIENT_ID";

    /// <summary>The environment variable that holds the client secret for a worker.</summary>
    public const string ClientSecretVariable = "REMEDIATION_CLIENT_SECRET";

    /// <summary>Where the local store is mounted in a worker container.</summary>
    public const string ContainerStoreFolder = "/var/lib/remediation";

    /// <summary>Where the caller's AWS profile files are mounted (read-only) in a worker container.</summary>
    public const string ContainerAwsFolder = "/run/aws";

    private const int ConflictRetries = 5;
    private readonly IRemediationStore store;
    private readonly Func<DateTimeOffset> clock;
    private readonly int hashIterations;

    /// <summary>Creates the service over <paramref name="store"/>.</summary>
    public WorkerGroupService(IRemediationStore store, Func<DateTimeOffset>? clock = null, int hashIterations = ClientSecretHasher.DefaultIterations)
    {
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.clock = clock ?? (() => DateTimeOffset.UtcNow);
        this.hashIterations = hashIterations;
    }

    /// <summary>The store the service works on.</summary>
    public IRemediationStore Store => store;

    /// <summary>
    /// Creates a group with at least one cloud account (external IDs empty or equal to <paramref name="organizationId"/>).
    /// Bad input throws <see cref="StoreError.InvalidInput"/> naming the value; nothing is stored then.
    /// </summary>
    public async Task<WorkerGroupCreated> CreateAsync(string name, string? description, string organizationId, IEnumerable<RemediationCloudAccount> cloudAccounts, bool allowDisruptive, CancellationToken cancellationToken, string? clientSecretFile = null)
    {
        WorkerGroupNames.Validate(name);
        WorkerGroupNames.ValidateOrganizationId(organizationId);
        var accounts = Merge(Array.Empty<RemediationCloudAccount>(), cloudAccounts, organizationId);
        if (accounts.Count == 0)
        {
            throw new RemediationStoreException(StoreError.InvalidInput, "Worker group '" + name + "' needs at least one cloud account (role ARN and external ID).") { Target = name };
        }

        var secret = ClientSecretHasher.NewClientSecret();
        var now = clock();
        var record = new WorkerGroupRecord
        {
            Group = new RemediationWorkerGroup
            {
                Name = name,
                Description = description,
                ClientId = ClientSecretHasher.NewClientId(),
                OrganizationId = organizationId,
                CloudAccounts = accounts,
                AllowDisruptive = allowDisruptive,
                Created = now,
                Modified = now,
            },
            SecretHash = ClientSecretHasher.Hash(secret, hashIterations),
        };
        var stored = await store.CreateGroupAsync(record, cancellationToken).ConfigureAwait(false);
        return new WorkerGroupCreated(stored.Group, Deployment(stored.Group, secret, clientSecretFile));
    }

    /// <summary>The group named <paramref name="name"/>; <see cref="StoreError.GroupNotFound"/> when there is none.</summary>
    public async Task<RemediationWorkerGroup> GetAsync(string name, CancellationToken cancellationToken)
        => (await RecordAsync(name, cancellationToken).ConfigureAwait(false)).Group;

    /// <summary>Every group, by name.</summary>
    public async Task<IReadOnlyList<RemediationWorkerGroup>> ListAsync(CancellationToken cancellationToken)
        => (await store.ListGroupsAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.Group).ToList();

    /// <summary>Changes the description and/or the disruptive flag (null leaves a value as it is).</summary>
    public Task<RemediationWorkerGroup> SetAsync(string name, string? description, bool? allowDisruptive, CancellationToken cancellationToken)
        => ChangeAsync(name, record =>
        {
            record.Group.Description = description ?? record.Group.Description;
            record.Group.AllowDisruptive = allowDisruptive ?? record.Group.AllowDisruptive;
        }, cancellationToken);

    /// <summary>Adds cloud accounts, or replaces the role of an account already in the group.</summary>
    public Task<RemediationWorkerGroup> AddAccountsAsync(string name, IEnumerable<RemediationCloudAccount> cloudAccounts, CancellationToken cancellationToken)
    {
        var accounts = cloudAccounts?.ToList() ?? throw new ArgumentNullException(nameof(cloudAccounts));
        return ChangeAsync(name, record => record.Group.CloudAccounts = Merge(record.Group.CloudAccounts, accounts, record.Group.OrganizationId), cancellationToken);
    }

    /// <summary>Removes cloud accounts by account ID; each must be in the group, and one must remain.</summary>
    public Task<RemediationWorkerGroup> RemoveAccountsAsync(string name, IEnumerable<string> accountIds, CancellationToken cancellationToken)
    {
        var ids = accountIds?.ToList() ?? throw new ArgumentNullException(nameof(accountIds));
        return ChangeAsync(name, record =>
        {
            foreach (var id in ids.Where(id => record.Group.FindAccount(id) is null))
            {
                throw new RemediationStoreException(StoreError.AccountNotInGroup, "Account '" + id + "' is not in worker group '" + record.Group.Name + "'; nothing was removed.") { Target = id };
            }

            var remaining = record.Group.CloudAccounts.Where(a => !ids.Contains(a.AccountId, StringComparer.Ordinal)).ToList();
            if (remaining.Count == 0)
            {
                throw new RemediationStoreException(StoreError.InvalidInput, "Worker group '" + record.Group.Name + "' must keep at least one cloud account; nothing was removed.") { Target = record.Group.Name };
            }

            record.Group.CloudAccounts = remaining;
        }, cancellationToken);
    }

    /// <summary>
    /// Replaces the client secret (the client ID stays): workers using the old secret are refused at start and stop at
    /// their next heartbeat. Returns the deployment with the new secret, shown once.
    /// </summary>
    public async Task<WorkerGroupDeployment> ResetSecretAsync(string name, CancellationToken cancellationToken, string? clientSecretFile = null)
    {
        var secret = ClientSecretHasher.NewClientSecret();
        var hash = ClientSecretHasher.Hash(secret, hashIterations);
        var group = await ChangeAsync(name, record => record.SecretHash = hash, cancellationToken).ConfigureAwait(false);
        return Deployment(group, secret, clientSecretFile);
    }

    /// <summary>Deletes a group with its queue, workers and runs; false when there was none.</summary>
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        WorkerGroupNames.Validate(name);
        return store.DeleteGroupAsync(name, cancellationToken);
    }

    /// <summary>
    /// Checks a worker's credentials against the stored hash; returns the group's record. A wrong client ID or secret
    /// throws <see cref="StoreError.CredentialsRefused"/> without saying which was wrong.
    /// </summary>
    public async Task<WorkerGroupRecord> VerifyAsync(string name, string? clientId, string? clientSecret, CancellationToken cancellationToken)
    {
        var record = await RecordAsync(name, cancellationToken).ConfigureAwait(false);

        // Both checks always run, so the time taken does not tell which one failed.
        var idMatches = ClientSecretHasher.FixedTimeEquals(clientId, record.Group.ClientId);
        var secretMatches = ClientSecretHasher.Verify(clientSecret, record.SecretHash);
        if (!idMatches || !secretMatches)
        {
            throw new RemediationStoreException(
                StoreError.CredentialsRefused,
                "The client ID or client secret for worker group '" + record.Group.Name + "' is wrong (or the secret was reset). Use the values from New-RemediationWorkerGroup or Reset-RemediationWorkerGroupSecret.")
            {
                Target = record.Group.Name,
            };
        }

        return record;
    }

    /// <summary>
    /// Where the printed commands expect the client secret file of group <paramref name="groupName"/> when none is
    /// chosen: a per-user folder outside the store, so that a worker container, which mounts the store, cannot read the
    /// secrets of other groups.
    /// </summary>
    public static string DefaultClientSecretFile(string groupName)
        => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".remediation-tools", "secrets", groupName + ".secret");

    /// <summary>
    /// The deployment information of <paramref name="group"/> for <paramref name="secret"/>. The commands read the
    /// secret from <paramref name="clientSecretFile"/> (default <see cref="DefaultClientSecretFile"/>): the container
    /// gets it as a read-only mount at <see cref="WorkerClientSecret.ContainerSecretFile"/>, the process through
    /// <see cref="WorkerClientSecret.FileVariable"/>. Neither holds the secret or AWS keys: the container runs as the
    /// caller (owner of the store and the secret file) and reads the AWS profile from a read-only mount of ~/.aws.
    /// </summary>
    public WorkerGroupDeployment Deployment(RemediationWorkerGroup group, string secret, string? clientSecretFile = null)
    {
        var secretFile = Path.GetFullPath(clientSecretFile ?? DefaultClientSecretFile(group.Name));
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [GroupVariable] = group.Name,
            [ClientIdVariable] = group.ClientId,
            [WorkerClientSecret.FileVariable] = secretFile,
            [StoreFactory.StoreVariable] = store.Description,
        };
        var image = "remediation-worker:" + Version();
        var docker = new List<string>
        {
            "docker run -d --name remediation-worker-" + group.Name.ToLowerInvariant() + " --restart unless-stopped --memory 128m --cpus 0.5",
            "--user \"$(id -u):$(id -g)\"",
            "-e " + GroupVariable + "=" + group.Name,
            "-e " + ClientIdVariable + "=" + group.ClientId,
            "--mount type=bind,source=" + Quote(secretFile) + ",target=" + WorkerClientSecret.ContainerSecretFile + ",readonly",
            "-e " + WorkerClientSecret.FileVariable + "=" + WorkerClientSecret.ContainerSecretFile,
        };
        if (store is LocalFolderStore local)
        {
            docker.Add("-e " + StoreFactory.StoreVariable + "=local:" + ContainerStoreFolder);
            docker.Add("-v " + Quote(local.Root) + ":" + ContainerStoreFolder);
            if (local.SharedGroupId is { } storeGroup)
            {
                // A group-shared store: the container is in the store's group whatever user it runs as.
                docker.Insert(2, "--group-add " + storeGroup.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        else
        {
            docker.Add("-e " + StoreFactory.StoreVariable + "=" + store.Description);
        }

        // The hosting credentials come from the profile files, mounted read-only, never from key values on the command
        // line or in the container's configuration (on EC2, drop the mount: the instance role is used).
        docker.Add("--mount type=bind,source=\"$HOME/.aws\",target=" + ContainerAwsFolder + ",readonly");
        docker.Add("-e AWS_SHARED_CREDENTIALS_FILE=" + ContainerAwsFolder + "/credentials -e AWS_CONFIG_FILE=" + ContainerAwsFolder + "/config -e AWS_PROFILE -e AWS_REGION");
        docker.Add(image);
        return new WorkerGroupDeployment
        {
            GroupName = group.Name,
            ClientId = group.ClientId,
            ClientSecretVariable = WorkerClientSecret.FileVariable,
            ClientSecretFile = secretFile,
            DockerRunCommand = string.Join(" ", docker),
            ProcessCommand = string.Join(" ", environment.Select(e => e.Key + "=" + Quote(e.Value))) + " remediation-worker",
            Environment = environment,
            PlainClientSecret = secret,
        };
    }

    private async Task<WorkerGroupRecord> RecordAsync(string name, CancellationToken cancellationToken)
    {
        WorkerGroupNames.Validate(name);
        return await store.GetGroupAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new RemediationStoreException(StoreError.GroupNotFound, "There is no worker group named '" + name + "' in " + store.Description + ".") { Target = name };
    }

    private async Task<RemediationWorkerGroup> ChangeAsync(string name, Action<WorkerGroupRecord> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var record = await RecordAsync(name, cancellationToken).ConfigureAwait(false);
            change(record);
            record.Group.Modified = clock();
            try
            {
                return (await store.UpdateGroupAsync(record, cancellationToken).ConfigureAwait(false)).Group;
            }
            catch (RemediationStoreException ex) when (ex.Error == StoreError.ConcurrencyConflict && attempt < ConflictRetries)
            {
                // Someone else changed the group: apply the change again to what is stored now.
            }
        }
    }

    private static List<RemediationCloudAccount> Merge(IReadOnlyList<RemediationCloudAccount> existing, IEnumerable<RemediationCloudAccount> added, string organizationId)
    {
        var merged = existing.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var account in (added ?? throw new ArgumentNullException(nameof(added))).Select(a => WorkerGroupNames.Account(a, organizationId)))
        {
            if (!seen.Add(account.AccountId))
            {
                throw new RemediationStoreException(StoreError.InvalidInput, "Account " + account.AccountId + " is given twice; give one role per account.") { Target = account.AccountId };
            }

            merged.RemoveAll(a => a.AccountId == account.AccountId);
            merged.Add(account);
        }

        return merged.OrderBy(a => a.AccountId, StringComparer.Ordinal).ToList();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";

    private static string Version()
    {
        var version = typeof(WorkerGroupService).Assembly.GetName().Version ?? new Version(0, 0, 0);
        return version.ToString(3).ToString(CultureInfo.InvariantCulture);
    }
}
