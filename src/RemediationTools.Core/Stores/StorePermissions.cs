using System.Globalization;

namespace RemediationTools.Core.Stores;

/// <summary>Who may use a local store besides its owner.</summary>
internal enum StoreSharing
{
    /// <summary>Only the owner: folders 0700, files 0600 (the default).</summary>
    Owner,

    /// <summary>
    /// The owner and the store folder's group, for workers (containers) that run as other users of that group: folders
    /// 2770 (set-group-ID, so everything made in them by any member belongs to the store's group), files 0660; the
    /// worker-group records (with the client secret's hash) 2750 and 0640: the group reads them, only the owner changes them.
    /// </summary>
    Group,
}

/// <summary>The sharing asked for by <c>REMEDIATION_STORE_SHARED</c> (or a caller): null members mean "as the store is".</summary>
internal readonly struct StoreSharingRequest
{
    public StoreSharingRequest(StoreSharing? sharing, int? groupId)
    {
        Sharing = sharing;
        GroupId = groupId;
    }

    /// <summary>Owner or Group; null keeps what the store has (a new store is owner-only).</summary>
    public StoreSharing? Sharing { get; }

    /// <summary>The group to give the store (<c>group:&lt;gid&gt;</c>); null keeps the folder's group.</summary>
    public int? GroupId { get; }
}

/// <summary>
/// The Unix modes of a local store. The store records its own sharing in the modes of its folder (group rwx and
/// set-group-ID: shared with the folder's group), so every process that opens it, the admin's session and workers of
/// other users alike, keeps it as it is unless told otherwise (<c>REMEDIATION_STORE_SHARED</c>, applied by the owner).
/// New folders and files take their mode from the folder they are made in; on Windows nothing is changed.
/// </summary>
internal static class StorePermissions
{
    /// <summary>The environment variable that shares a local store with its group (<c>group</c>, <c>group:&lt;gid&gt;</c>) or not (<c>owner</c>).</summary>
    public const string SharedVariable = "REMEDIATION_STORE_SHARED";

    // The store's areas: only these are re-moded when the sharing changes, so that a file of the user's that happens to
    // lie in the store folder (a client secret, say) is never widened.
    private static readonly string[] Areas = { "groups", "queues", "workers", "runs", ".trash" };

    /// <summary>
    /// The sharing named by <see cref="SharedVariable"/>: empty keeps the store's, <c>owner</c>, <c>group</c> (the folder's
    /// group) or <c>group:&lt;gid&gt;</c> (a numeric group ID); any other value throws naming it.
    /// </summary>
    public static StoreSharingRequest FromEnvironment(Func<string, string?>? variable = null)
    {
        var text = (variable ?? Environment.GetEnvironmentVariable)(SharedVariable)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return new StoreSharingRequest(null, null);
        }

        if (string.Equals(text, "owner", StringComparison.OrdinalIgnoreCase))
        {
            return new StoreSharingRequest(StoreSharing.Owner, null);
        }

        if (string.Equals(text, "group", StringComparison.OrdinalIgnoreCase))
        {
            return new StoreSharingRequest(StoreSharing.Group, null);
        }

        const string Prefix = "group:";
        if (text!.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            && int.TryParse(text.Substring(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var groupId))
        {
            return new StoreSharingRequest(StoreSharing.Group, groupId);
        }

        throw new RemediationStoreException(
            StoreError.StoreNotAvailable,
            SharedVariable + " must be 'owner', 'group' (the store folder's group) or 'group:<numeric group ID>', not '" + text + "'.")
        {
            Target = text,
        };
    }

    /// <summary>The folder mode of <paramref name="sharing"/>.</summary>
    public static int FolderMode(StoreSharing sharing) => sharing == StoreSharing.Group ? UnixFileModes.GroupFolder | UnixFileModes.SetGroupId : UnixFileModes.OwnerFolder;

    /// <summary>The file mode of <paramref name="sharing"/>.</summary>
    public static int FileMode(StoreSharing sharing) => sharing == StoreSharing.Group ? UnixFileModes.GroupFile : UnixFileModes.OwnerFile;

    /// <summary>The sharing an existing store folder records in its mode: group-writable is shared, anything else owner-only.</summary>
    public static StoreSharing SharingOf(string root) => ((UnixFileModes.GetMode(root) ?? 0) & 0x10) != 0 ? StoreSharing.Group : StoreSharing.Owner;

    /// <summary>
    /// Creates <paramref name="root"/> with the sharing of <paramref name="request"/>, or brings an existing one to it (a
    /// request without a sharing keeps the store's own): a looser store (readable by others, say 0755) is tightened,
    /// and when a mode or the group changes every folder and file of the store's areas is set to match. Returns the
    /// sharing in force and a note for the user when it changed or could not change a mode (null otherwise).
    /// </summary>
    public static (StoreSharing Sharing, string? Note) Prepare(string root, StoreSharingRequest request)
    {
        if (!UnixFileModes.IsUnix)
        {
            return (request.Sharing ?? StoreSharing.Owner, null);
        }

        if (!Directory.Exists(root))
        {
            var fresh = request.Sharing ?? StoreSharing.Owner;
            UnixFileModes.CreateDirectory(root, FolderMode(fresh));
            if (request.GroupId is { } newGroup)
            {
                UnixFileModes.SetGroup(root, newGroup);
                UnixFileModes.SetMode(root, FolderMode(fresh)); // chown clears set-group-ID
            }

            UnixFileModes.CreateDirectory(Path.Combine(root, "groups"), RecordsFolderMode(fresh));
            return (fresh, null);
        }

        var sharing = request.Sharing ?? SharingOf(root);
        var folderMode = FolderMode(sharing);
        var current = UnixFileModes.GetMode(root, UnixFileModes.ModeBits);
        var owner = UnixFileModes.GetOwner(root);
        var groups = Path.Combine(root, "groups");
        var groupsMode = Directory.Exists(groups) ? UnixFileModes.GetMode(groups, UnixFileModes.ModeBits) : null;
        var groupChanges = request.GroupId is { } wanted && owner is { } known && known.GroupId != wanted;
        if (current is null || (current.Value == folderMode && (groupsMode is null || groupsMode.Value == RecordsFolderMode(sharing)) && !groupChanges))
        {
            if (groupsMode is null && current is not null && UnixFileModes.CanUseFolder(root))
            {
                UnixFileModes.CreateDirectory(groups, RecordsFolderMode(sharing));
            }

            return (sharing, null);
        }

        try
        {
            if (groupChanges)
            {
                SetGroupOfAreas(root, request.GroupId!.Value);
            }

            UnixFileModes.SetMode(root, folderMode);
            foreach (var area in Areas.Select(a => Path.Combine(root, a)).Where(Directory.Exists))
            {
                var records = string.Equals(Path.GetFileName(area), "groups", StringComparison.Ordinal);
                var areaFolderMode = records ? RecordsFolderMode(sharing) : folderMode;
                var areaFileMode = records ? RecordsFileMode(sharing) : FileMode(sharing);
                UnixFileModes.SetMode(area, areaFolderMode);
                foreach (var folder in Directory.EnumerateDirectories(area, "*", SearchOption.AllDirectories))
                {
                    UnixFileModes.SetMode(folder, areaFolderMode);
                }

                foreach (var file in Directory.EnumerateFiles(area, "*", SearchOption.AllDirectories))
                {
                    UnixFileModes.SetMode(file, areaFileMode);
                }
            }

            UnixFileModes.CreateDirectory(groups, RecordsFolderMode(sharing));
            var group = UnixFileModes.GetOwner(root)?.GroupId;
            return (sharing, "The local store " + root + " had mode " + UnixFileModes.Octal(current.Value) + "; it and its contents now have " +
                UnixFileModes.Octal(folderMode) + " (folders) and " + UnixFileModes.Octal(FileMode(sharing)) + " (files)" +
                (sharing == StoreSharing.Group
                    ? ", shared with its group" + (group is null ? string.Empty : " " + group.Value.ToString(CultureInfo.InvariantCulture)) +
                      " (worker-group records " + UnixFileModes.Octal(RecordsFolderMode(sharing)) + "/" + UnixFileModes.Octal(RecordsFileMode(sharing)) +
                      ": readable by the group, changed by the owner only); run workers in that group (docker run --group-add " +
                      (group is null ? "<gid>" : group.Value.ToString(CultureInfo.InvariantCulture)) + ")."
                    : ", readable by its owner only."));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (sharing, "The local store " + root + " has mode " + UnixFileModes.Octal(current.Value) + " and could not be set to " + UnixFileModes.Octal(folderMode) +
                " (" + ex.Message + "). Only its owner can change it: as the owner, open it once with " + SharedVariable + "=" +
                (sharing == StoreSharing.Group ? "group" : "owner") + ", or set it with chmod -R.");
        }
    }

    /// <summary>
    /// Why this process cannot use <paramref name="folder"/> of the store at <paramref name="root"/>, and the fix: names
    /// the folder, its owner, group and mode, and this process's user and groups.
    /// </summary>
    public static string AccessProblem(string root, string folder)
    {
        var owner = UnixFileModes.GetOwner(folder);
        var text = "This process (" + (UnixFileModes.DescribeProcess() ?? "this user") + ") may not use the local store folder " + folder +
            (owner is { } o
                ? " (owner uid " + o.UserId.ToString(CultureInfo.InvariantCulture) + ", group " + o.GroupId.ToString(CultureInfo.InvariantCulture) + ", mode " + UnixFileModes.Octal(o.Mode) + ")"
                : string.Empty) + ". ";
        var group = UnixFileModes.GetOwner(root)?.GroupId;
        return text + "To share the store " + root + " with workers of other users, its owner opens it once with " + SharedVariable + "=group (or group:<gid>), " +
            "e.g. New-RemediationWorkerGroup or Get-RemediationWorkerGroup with that variable set; then the worker runs in the store's group " +
            (group is null ? "(docker run --group-add <gid>)" : "(docker run --group-add " + group.Value.ToString(CultureInfo.InvariantCulture) + ")") + ".";
    }

    /// <summary>The first folder on the way from <paramref name="root"/> to <paramref name="folders"/> that this process may not use; null when none.</summary>
    public static string? FirstUnusable(string root, params string[] folders)
    {
        foreach (var folder in new[] { root }.Concat(folders))
        {
            if (Directory.Exists(folder) && !UnixFileModes.CanUseFolder(folder))
            {
                return folder;
            }

            // A folder not made yet is made by the first user who needs it: its parent must be usable (if it exists; if not, its own parent is asked in turn).
            if (!Directory.Exists(folder) && Path.GetDirectoryName(folder) is { } parent && Directory.Exists(parent) && !UnixFileModes.CanUseFolder(parent))
            {
                return parent;
            }
        }

        return null;
    }

    /// <summary>The mode for a new folder inside <paramref name="parent"/>: as shared as the parent (and set-group-ID with it), else owner-only.</summary>
    public static int FolderModeIn(string parent)
    {
        var mode = UnixFileModes.GetMode(parent, UnixFileModes.ModeBits) ?? 0;
        var setGroupId = mode & UnixFileModes.SetGroupId;
        return (mode & 0x30) switch
        {
            0x30 => UnixFileModes.GroupFolder | setGroupId,
            0x20 => UnixFileModes.GroupReadFolder | setGroupId,
            _ => UnixFileModes.OwnerFolder,
        };
    }

    /// <summary>The mode for a new file inside <paramref name="folder"/>: group-writable, group-readable or owner-only, as the folder is.</summary>
    public static int FileModeIn(string folder) => ((UnixFileModes.GetMode(folder) ?? 0) & 0x30) switch
    {
        0x30 => UnixFileModes.GroupFile,
        0x20 => UnixFileModes.GroupReadFile,
        _ => UnixFileModes.OwnerFile,
    };

    /// <summary>Creates <paramref name="folder"/> (and missing parents) with the mode its nearest existing parent implies.</summary>
    public static void CreateFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (Directory.Exists(full))
        {
            return;
        }

        var existing = Path.GetDirectoryName(full);
        while (existing is not null && !Directory.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing);
        }

        UnixFileModes.CreateDirectory(full, existing is null ? UnixFileModes.OwnerFolder : FolderModeIn(existing));
    }

    // The worker-group records hold the client secret's salted hash: a shared store's group may read them (a worker
    // verifies its secret against the hash) but never write them, so no member can put in a hash of a secret of its own.
    private static int RecordsFolderMode(StoreSharing sharing) => sharing == StoreSharing.Group ? UnixFileModes.GroupReadFolder | UnixFileModes.SetGroupId : UnixFileModes.OwnerFolder;

    private static int RecordsFileMode(StoreSharing sharing) => sharing == StoreSharing.Group ? UnixFileModes.GroupReadFile : UnixFileModes.OwnerFile;

    private static void SetGroupOfAreas(string root, int groupId)
    {
        UnixFileModes.SetGroup(root, groupId);
        foreach (var area in Areas.Select(a => Path.Combine(root, a)).Where(Directory.Exists))
        {
            UnixFileModes.SetGroup(area, groupId);
            foreach (var entry in Directory.EnumerateFileSystemEntries(area, "*", SearchOption.AllDirectories))
            {
                UnixFileModes.SetGroup(entry, groupId);
            }
        }
    }
}
