namespace RemediationTools.Core.Stores;

/// <summary>Who may use a local store besides its owner.</summary>
internal enum StoreSharing
{
    /// <summary>Only the owner: folders 0700, files 0600 (the default).</summary>
    Owner,

    /// <summary>The owner and the folder's group, for worker containers that run as another user of that group: 0770 and 0660.</summary>
    Group,
}

/// <summary>
/// The Unix modes of a local store: chosen when the store is opened (<c>REMEDIATION_STORE_SHARED</c>), applied to its
/// root, and inherited from there by every folder and file the store creates. On Windows nothing is changed.
/// </summary>
internal static class StorePermissions
{
    /// <summary>The environment variable that shares a local store with its group (<c>group</c>) or not (<c>owner</c>, the default).</summary>
    public const string SharedVariable = "REMEDIATION_STORE_SHARED";

    /// <summary>The sharing named by <see cref="SharedVariable"/>; a value other than empty, <c>owner</c> or <c>group</c> throws naming it.</summary>
    public static StoreSharing FromEnvironment(Func<string, string?>? variable = null)
    {
        var text = (variable ?? Environment.GetEnvironmentVariable)(SharedVariable)?.Trim();
        if (string.IsNullOrEmpty(text) || string.Equals(text, "owner", StringComparison.OrdinalIgnoreCase))
        {
            return StoreSharing.Owner;
        }

        return string.Equals(text, "group", StringComparison.OrdinalIgnoreCase)
            ? StoreSharing.Group
            : throw new RemediationStoreException(StoreError.StoreNotAvailable, SharedVariable + " must be 'owner' (the default) or 'group', not '" + text + "'.") { Target = text };
    }

    /// <summary>The folder mode of <paramref name="sharing"/>.</summary>
    public static int FolderMode(StoreSharing sharing) => sharing == StoreSharing.Group ? UnixFileModes.GroupFolder : UnixFileModes.OwnerFolder;

    /// <summary>The file mode of <paramref name="sharing"/>.</summary>
    public static int FileMode(StoreSharing sharing) => sharing == StoreSharing.Group ? UnixFileModes.GroupFile : UnixFileModes.OwnerFile;

    /// <summary>
    /// Creates <paramref name="root"/> with the mode of <paramref name="sharing"/>, or brings an existing one to it:
    /// a looser store (readable by others, say 0755) is tightened, and when the mode changes every folder and file in it
    /// is set to match. Returns a note for the user when it changed or could not change a mode; null otherwise.
    /// </summary>
    public static string? Prepare(string root, StoreSharing sharing)
    {
        if (!UnixFileModes.IsUnix)
        {
            return null;
        }

        var folderMode = FolderMode(sharing);
        if (!Directory.Exists(root))
        {
            UnixFileModes.CreateDirectory(root, folderMode);
            return null;
        }

        var current = UnixFileModes.GetMode(root);
        if (current is null || current.Value == folderMode)
        {
            return null;
        }

        try
        {
            UnixFileModes.SetMode(root, folderMode);
            var fileMode = FileMode(sharing);
            foreach (var folder in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            {
                UnixFileModes.SetMode(folder, folderMode);
            }

            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                UnixFileModes.SetMode(file, fileMode);
            }

            return "The local store " + root + " had mode " + UnixFileModes.Octal(current.Value) + "; it and its contents now have " +
                UnixFileModes.Octal(folderMode) + " (folders) and " + UnixFileModes.Octal(fileMode) + " (files)" +
                (sharing == StoreSharing.Group ? ", shared with the folder's group (" + SharedVariable + "=group)." : ", readable by its owner only.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "The local store " + root + " has mode " + UnixFileModes.Octal(current.Value) + " and could not be set to " + UnixFileModes.Octal(folderMode) +
                " (" + ex.Message + "): other local users may read or change it. Set it with chmod -R.";
        }
    }

    /// <summary>The mode for a new folder inside <paramref name="parent"/>: group-shared when the parent is, else owner-only.</summary>
    public static int FolderModeIn(string parent) => HasGroupBits(parent) ? UnixFileModes.GroupFolder : UnixFileModes.OwnerFolder;

    /// <summary>The mode for a new file inside <paramref name="folder"/>: group-shared when the folder is, else owner-only.</summary>
    public static int FileModeIn(string folder) => HasGroupBits(folder) ? UnixFileModes.GroupFile : UnixFileModes.OwnerFile;

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

    // Group read and write (060): a store folder shared with its group. Only the store's own folders are asked.
    private static bool HasGroupBits(string path) => ((UnixFileModes.GetMode(path) ?? 0) & 0x30) == 0x30;
}
