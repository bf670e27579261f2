using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Stores;

/// <summary>
/// The embedded store: plain files under one folder, shared by the admin's session and local workers (processes, or
/// containers that mount the folder). Every change is one atomic rename of a fully written file, so a process killed
/// between any two steps leaves a state the others read and repair (an expired lease goes back to the queue).
/// <code>
/// groups/&lt;name&gt;/v&lt;version&gt;.json          one file per version, created only if absent (optimistic concurrency)
/// queues/&lt;name&gt;/ready/&lt;visible-after&gt;.&lt;id&gt;.&lt;attempts&gt;.req
/// queues/&lt;name&gt;/leased/&lt;expires&gt;.&lt;id&gt;.&lt;attempt&gt;.&lt;worker&gt;.req   claimed by renaming out of ready/
/// queues/&lt;name&gt;/dead/&lt;id&gt;.&lt;attempts&gt;.req
/// workers/&lt;name&gt;/&lt;worker&gt;.json
/// runs/&lt;name&gt;/&lt;request&gt;.json                  the final run, created only if absent: one per request
/// runs/&lt;name&gt;/&lt;request&gt;.a&lt;attempt&gt;.json      a failed attempt
/// </code>
/// Times in names are UTC ticks, 19 digits, so names sort by time.
/// </summary>
internal sealed partial class LocalFolderStore : IRemediationStore
{
    private const string RequestExtension = ".req";
    private static readonly Regex VersionFile = new("^v([0-9]{10})\\.json$", RegexOptions.CultureInvariant);
    private readonly string root;
    private readonly Func<DateTimeOffset> clock;

    /// <summary>Opens (and on first use creates) the store under <paramref name="rootFolder"/>.</summary>
    /// <param name="rootFolder">The store's folder.</param>
    /// <param name="clock">The clock (tests).</param>
    /// <param name="maxAttempts">Attempts before a request is dead-lettered.</param>
    /// <param name="sharing">Owner-only or group-shared modes; null for <c>REMEDIATION_STORE_SHARED</c>, and when that is unset, the store's own (a new store is owner-only).</param>
    /// <param name="groupId">With <see cref="StoreSharing.Group"/>: the group to give the store (null keeps its folder's group).</param>
    public LocalFolderStore(string rootFolder, Func<DateTimeOffset>? clock = null, int maxAttempts = 3, StoreSharing? sharing = null, int? groupId = null)
    {
        if (string.IsNullOrWhiteSpace(rootFolder))
        {
            throw new RemediationStoreException(StoreError.StoreNotAvailable, "The local store needs a folder; the value given is empty.");
        }

        if (maxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, "At least one attempt is needed.");
        }

        root = Path.GetFullPath(rootFolder);
        this.clock = clock ?? (() => DateTimeOffset.UtcNow);
        MaxAttempts = maxAttempts;
        var request = sharing is null && groupId is null ? StorePermissions.FromEnvironment() : new StoreSharingRequest(sharing ?? StoreSharing.Group, groupId);
        try
        {
            (Sharing, PermissionNote) = StorePermissions.Prepare(root, request);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemediationStoreException(StoreError.StoreNotAvailable, "The local store folder " + root + " cannot be created: " + ex.Message, ex) { Target = root };
        }

        // A store this user may not enter would look empty (Directory.Exists is false), and a worker would call its
        // group missing: say what is wrong instead, and how to share the store.
        if (StorePermissions.FirstUnusable(root) is { } unusable)
        {
            throw new RemediationStoreException(StoreError.StoreNotAvailable, StorePermissions.AccessProblem(root, unusable)) { Target = root };
        }
    }

    /// <summary>Owner-only (0700/0600) or group-shared (2770/0660, records 2750/0640) modes on Unix.</summary>
    public StoreSharing Sharing { get; }

    /// <summary>The group the store is shared with (its folder's group) when <see cref="Sharing"/> is <see cref="StoreSharing.Group"/>; null otherwise or where it cannot be read.</summary>
    public int? SharedGroupId => Sharing == StoreSharing.Group ? UnixFileModes.GetOwner(root)?.GroupId : null;

    /// <summary>What opening the store did to the modes of an existing store (tightened, or could not), for a warning; null when nothing.</summary>
    public string? PermissionNote { get; }

    /// <summary>The store's folder.</summary>
    public string Root => root;

    /// <inheritdoc />
    public string Description => "local:" + root;

    /// <inheritdoc />
    public int MaxAttempts { get; }

    /// <summary>How often a long poll looks at the queue folder.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The default folder: <c>$env:REMEDIATION_HOME</c>, else <c>RemediationTools</c> in the user's local application
    /// data folder.
    /// </summary>
    public static string DefaultRoot()
    {
        var home = Environment.GetEnvironmentVariable("REMEDIATION_HOME");
        if (!string.IsNullOrWhiteSpace(home))
        {
            return home!;
        }

        var appData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(appData))
        {
            throw new RemediationStoreException(
                StoreError.StoreNotAvailable,
                "There is no per-user application data folder for the local store (no home folder). Set REMEDIATION_HOME to a folder.");
        }

        return Path.Combine(appData, "RemediationTools");
    }

    // ----- groups -----

    /// <inheritdoc />
    public Task<WorkerGroupRecord?> GetGroupAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(ReadGroup(GroupFolder(name)));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<WorkerGroupRecord>> ListGroupsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var folder = Path.Combine(root, "groups");
        var groups = new List<WorkerGroupRecord>();
        if (Directory.Exists(folder))
        {
            foreach (var groupFolder in Directory.EnumerateDirectories(folder))
            {
                if (!Path.GetFileName(groupFolder).StartsWith(".", StringComparison.Ordinal) && ReadGroup(groupFolder) is { } group)
                {
                    groups.Add(group);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<WorkerGroupRecord>>(groups.OrderBy(g => g.Group.Name, StringComparer.OrdinalIgnoreCase).ToList());
    }

    /// <inheritdoc />
    public Task<WorkerGroupRecord> CreateGroupAsync(WorkerGroupRecord group, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var folder = GroupFolder(group.Group.Name);
        if (ReadGroup(folder) is not null || !WriteVersion(folder, group, 1))
        {
            throw new RemediationStoreException(StoreError.GroupExists, "A worker group named '" + group.Group.Name + "' already exists in " + Description + ".")
            {
                Target = group.Group.Name,
            };
        }

        return Task.FromResult(ReadGroup(folder)!);
    }

    /// <inheritdoc />
    public Task<WorkerGroupRecord> UpdateGroupAsync(WorkerGroupRecord group, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var folder = GroupFolder(group.Group.Name);
        var latest = LatestVersion(folder) ?? throw GroupNotFound(group.Group.Name);

        // The version file is created only if absent: of two updates from the same version, exactly one succeeds.
        if (latest != group.Version || !WriteVersion(folder, group, group.Version + 1))
        {
            throw new RemediationStoreException(
                StoreError.ConcurrencyConflict,
                "Worker group '" + group.Group.Name + "' was changed by someone else since it was read (version " +
                group.Version.ToString(CultureInfo.InvariantCulture) + "); read it again and retry.")
            {
                Target = group.Group.Name,
            };
        }

        return Task.FromResult(ReadGroup(folder)!);
    }

    /// <inheritdoc />
    public Task<bool> DeleteGroupAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var key = Key(name);
        var folder = GroupFolder(name);
        if (LatestVersion(folder) is null)
        {
            return Task.FromResult(false);
        }

        // Renaming the group folder away is the one atomic step that deletes the group; the rest is clean-up.
        if (!MoveAway(folder))
        {
            return Task.FromResult(false);
        }

        foreach (var area in new[] { "queues", "workers", "runs" })
        {
            MoveAway(Path.Combine(root, area, key));
        }

        return Task.FromResult(true);
    }

    private static WorkerGroupRecord? ReadGroup(string folder)
    {
        // A version file never changes once written, so reading the latest one needs no lock.
        for (var tries = 0; tries < 3; tries++)
        {
            var latest = LatestVersion(folder);
            if (latest is null)
            {
                return null;
            }

            var bytes = AtomicFile.TryRead(VersionPath(folder, latest.Value));
            if (bytes is null)
            {
                continue;
            }

            var record = Deserialize<WorkerGroupRecord>(bytes, VersionPath(folder, latest.Value));
            record.Version = latest.Value;
            record.Group.Version = latest.Value;
            return record;
        }

        return null;
    }

    private static bool WriteVersion(string folder, WorkerGroupRecord group, long version)
    {
        var copy = new WorkerGroupRecord { Group = group.Group, SecretHash = group.SecretHash, Version = version };
        return AtomicFile.WriteNew(VersionPath(folder, version), Serialize(copy));
    }

    private static long? LatestVersion(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return null;
        }

        long? latest = null;
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder, "v*.json"))
            {
                var match = VersionFile.Match(Path.GetFileName(file));
                if (match.Success)
                {
                    var version = long.Parse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture);
                    latest = latest is null || version > latest ? version : latest;
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        return latest;
    }

    private static string VersionPath(string folder, long version) => Path.Combine(folder, "v" + version.ToString("D10", CultureInfo.InvariantCulture) + ".json");

    private string GroupFolder(string name) => Path.Combine(root, "groups", Key(name));

    private RemediationStoreException GroupNotFound(string name) => new(StoreError.GroupNotFound, "There is no worker group named '" + name + "' in " + Description + ".")
    {
        Target = name,
    };

    private bool MoveAway(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return false;
        }

        var trash = Path.Combine(root, ".trash", Path.GetFileName(folder) + "." + Guid.NewGuid().ToString("N"));
        StorePermissions.CreateFolder(Path.GetDirectoryName(trash)!);
        try
        {
            Directory.Move(folder, trash);
        }
        catch (Exception ex) when (AtomicFile.IsGone(ex))
        {
            return false;
        }

        try
        {
            Directory.Delete(trash, recursive: true);
        }
        catch (IOException)
        {
            // Left in .trash: it is no longer part of the store, and a later delete can remove it.
        }

        return true;
    }

    // ----- workers -----

    /// <inheritdoc />
    public Task SaveWorkerAsync(RemediationWorkerInfo worker, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var folder = Path.Combine(root, "workers", Key(worker.WorkerGroup));
        Guard(() => AtomicFile.WriteReplace(Path.Combine(folder, SafeId(worker.WorkerId, "worker ID") + ".json"), Serialize(worker)), folder);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RemediationWorkerInfo>> ListWorkersAsync(string? group, DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var workersRoot = Path.Combine(root, "workers");
        var folders = group is null
            ? (Directory.Exists(workersRoot) ? Directory.GetDirectories(workersRoot) : Array.Empty<string>())
            : new[] { Path.Combine(workersRoot, Key(group)) };
        var workers = new List<RemediationWorkerInfo>();
        foreach (var folder in folders.Where(Directory.Exists))
        {
            foreach (var file in SafeList(folder, "*.json"))
            {
                if (AtomicFile.TryRead(file) is { } bytes)
                {
                    var worker = Deserialize<RemediationWorkerInfo>(bytes, file);
                    WorkerHealth.Apply(worker, now);

                    workers.Add(worker);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<RemediationWorkerInfo>>(
            workers.OrderBy(w => w.WorkerGroup, StringComparer.OrdinalIgnoreCase).ThenBy(w => w.Started).ToList());
    }

    // ----- runs -----

    /// <inheritdoc />
    public Task RecordRunAsync(RemediationRun run, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        AtomicFile.WriteReplace(RunPath(run.WorkerGroup, run.Id), Serialize(run));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RemediationRun>> GetRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var folder = Path.Combine(root, "runs", Key(query.WorkerGroup));
        var pattern = query.Id is null ? "*.json" : SafeId(query.Id, "run ID") + "*.json";
        var runs = new List<RemediationRun>();
        foreach (var file in SafeList(folder, pattern))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (AtomicFile.TryRead(file) is not { } bytes)
            {
                continue;
            }

            var run = Deserialize<RemediationRun>(bytes, file);
            if (query.Matches(run))
            {
                runs.Add(run);
            }
        }

        var ordered = runs.OrderBy(r => r.Finished).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        if (query.IncludePending)
        {
            ordered.AddRange(ListPending(query.WorkerGroup, cancellationToken).Where(query.Matches));
        }

        return Task.FromResult<IReadOnlyList<RemediationRun>>(ordered);
    }

    /// <inheritdoc />
    public Task<RemediationRun?> GetFinalRunAsync(string group, string requestId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = RunPath(group, requestId);
        return Task.FromResult(AtomicFile.TryRead(path) is { } bytes ? Deserialize<RemediationRun>(bytes, path) : null);
    }

    private string RunPath(string group, string runId) => Path.Combine(root, "runs", Key(group), SafeId(runId, "run ID") + ".json");

    // ----- helpers -----

    /// <summary>The folder name of a group: its name in lower case (names compare without regard to case).</summary>
    internal static string Key(string name) => StoreKeys.Group(name);

    private static string SafeId(string id, string what) => StoreKeys.SafeId(id, what);

    // An access error names the first folder this process may not use, its owner, group and mode, and the fix.
    private T Guard<T>(Func<T> action, params string[] folders)
    {
        try
        {
            return action();
        }
        catch (UnauthorizedAccessException ex)
        {
            var unusable = StorePermissions.FirstUnusable(root, folders) ?? folders.FirstOrDefault() ?? root;
            throw new RemediationStoreException(StoreError.StoreNotAvailable, StorePermissions.AccessProblem(root, unusable), ex) { Target = unusable };
        }
    }

    private void Guard(Action action, params string[] folders) => Guard(() =>
    {
        action();
        return true;
    }, folders);

    private static string[] SafeList(string folder, string pattern)
    {
        try
        {
            return Directory.Exists(folder) ? Directory.GetFiles(folder, pattern) : Array.Empty<string>();
        }
        catch (DirectoryNotFoundException)
        {
            return Array.Empty<string>();
        }
    }

    private static byte[] Serialize<T>(T value) => Encoding.UTF8.GetBytes(RemediationJson.Serialize(value));

    private static T Deserialize<T>(byte[] bytes, string path)
        where T : class
    {
        try
        {
            return RemediationJson.Deserialize<T>(Encoding.UTF8.GetString(bytes));
        }
        catch (JsonException ex)
        {
            throw new RemediationStoreException(StoreError.StorageFailed, "The store file '" + path + "' is not valid: " + ex.Message, ex);
        }
    }
}
