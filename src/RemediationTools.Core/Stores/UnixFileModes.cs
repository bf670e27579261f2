using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RemediationTools.Core.Stores;

/// <summary>
/// Folders and files created with their final Unix mode (owner-only 0700/0600, or group-shared 0770/0660), never
/// created wider and narrowed afterwards: mkdir(2) and open(2) get a mode no wider than the target (the umask can only
/// narrow it), and chmod/fchmod then set it exactly. netstandard2.0 has neither File.SetUnixFileMode nor
/// FileStreamOptions.UnixCreateMode, so this is libc through P/Invoke, as AtomicFile does for link(2). Every member is a
/// no-op (or null) on Windows, where the per-user profile's ACLs apply.
/// </summary>
internal static class UnixFileModes
{
    /// <summary>rwx for the owner only.</summary>
    public const int OwnerFolder = 0x1C0; // 0700

    /// <summary>rw for the owner only.</summary>
    public const int OwnerFile = 0x180; // 0600

    /// <summary>rwx for the owner and the group.</summary>
    public const int GroupFolder = 0x1F8; // 0770

    /// <summary>rw for the owner and the group.</summary>
    public const int GroupFile = 0x1B0; // 0660

    /// <summary>rwx for the owner, r-x for the group: a shared store's folder that only its owner may change.</summary>
    public const int GroupReadFolder = 0x1E8; // 0750

    /// <summary>rw for the owner, r for the group.</summary>
    public const int GroupReadFile = 0x1A0; // 0640

    /// <summary>set-group-ID on a folder: what is created in it belongs to the folder's group (and folders inherit the bit).</summary>
    public const int SetGroupId = 0x400; // 02000

    /// <summary>The group bits (rwx).</summary>
    public const int GroupBits = 0x38; // 0070

    /// <summary>The permission bits (rwxrwxrwx).</summary>
    public const int PermissionBits = 0x1FF; // 0777

    /// <summary>The permission bits and the set-user-ID, set-group-ID and sticky bits.</summary>
    public const int ModeBits = 0xFFF; // 07777

    private const int EEXIST = 17;

    // File.GetUnixFileMode(string) is .NET 7+: present wherever PowerShell 7.4+ and the worker run; absent on .NET Framework.
    private static readonly MethodInfo? GetUnixFileModeMethod =
        typeof(File).GetMethod("GetUnixFileMode", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string) }, null);

    /// <summary>True on Linux and macOS.</summary>
    public static bool IsUnix => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    /// <summary>The permission bits of <paramref name="path"/>; null on Windows, when the runtime cannot tell, or when it is gone.</summary>
    public static int? GetMode(string path) => GetMode(path, PermissionBits);

    /// <summary>The mode bits of <paramref name="path"/> selected by <paramref name="mask"/> (<see cref="ModeBits"/> includes set-group-ID).</summary>
    public static int? GetMode(string path, int mask)
    {
        if (!IsUnix || GetUnixFileModeMethod is null)
        {
            return null;
        }

        try
        {
            return Convert.ToInt32(GetUnixFileModeMethod.Invoke(null, new object[] { path }), System.Globalization.CultureInfo.InvariantCulture) & mask;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Sets the permission bits of <paramref name="path"/> exactly (chmod); throws <see cref="IOException"/> naming the path on failure.</summary>
    public static void SetMode(string path, int mode)
    {
        if (IsUnix && Native.chmod(path, (uint)mode) != 0)
        {
            var errno = Marshal.GetLastWin32Error();
            throw new IOException("Cannot set the mode of '" + path + "' to " + Octal(mode) + " (errno " + errno + ").");
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> and every missing parent with <paramref name="mode"/> (existing folders are left
    /// as they are). On Windows, <see cref="Directory.CreateDirectory(string)"/>.
    /// </summary>
    public static void CreateDirectory(string path, int mode)
    {
        if (!IsUnix)
        {
            Directory.CreateDirectory(path);
            return;
        }

        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return;
        }

        var parent = Path.GetDirectoryName(full);
        if (parent is not null && !Directory.Exists(parent))
        {
            CreateDirectory(parent, mode);
        }

        if (Native.mkdir(full, (uint)mode) != 0)
        {
            var errno = Marshal.GetLastWin32Error();
            if (errno == EEXIST && Directory.Exists(full))
            {
                return; // another process made it first
            }

            throw new IOException("Cannot create the folder '" + full + "' (errno " + errno + ").");
        }

        // The umask may have narrowed it (a group-shared folder under umask 022); widening a new, still empty folder to
        // its target leaves no window in which it was wider than meant.
        SetMode(full, mode);
    }

    /// <summary>
    /// A new file at <paramref name="path"/> (fails when it exists) open for writing, created with <paramref name="mode"/>.
    /// On Windows, a plain <see cref="FileStream"/> with <see cref="FileMode.CreateNew"/>.
    /// </summary>
    public static FileStream CreateNew(string path, int mode)
    {
        if (!IsUnix)
        {
            return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None);
        }

        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            // open(2) is variadic, which P/Invoke cannot call portably (Apple silicon passes the mode on the stack): create
            // it, then set the mode before anything is written. Its folder is already owner- or group-only.
            var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None);
            try
            {
                SetMode(path, mode);
                return stream;
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        const int Flags = 0x1 | 0x40 | 0x80 | 0x80000; // O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC (Linux)
        var fd = Native.open(path, Flags, (uint)mode);
        if (fd < 0)
        {
            var errno = Marshal.GetLastWin32Error();
            throw errno == EEXIST
                ? new IOException("The file '" + path + "' already exists.")
                : new IOException("Cannot create the file '" + path + "' (errno " + errno + ").");
        }

        var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        try
        {
            if (Native.fchmod(fd, (uint)mode) != 0)
            {
                throw new IOException("Cannot set the mode of '" + path + "' (errno " + Marshal.GetLastWin32Error() + ").");
            }

            return new FileStream(handle, FileAccess.Write);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The mode as an octal text, such as <c>0700</c> or <c>2770</c>.</summary>
    public static string Octal(int mode) => Convert.ToString(mode & ModeBits, 8).PadLeft(4, '0');

    /// <summary>Gives <paramref name="path"/> the group <paramref name="groupId"/> (its owner unchanged); throws <see cref="IOException"/> naming both on failure.</summary>
    public static void SetGroup(string path, int groupId)
    {
        if (IsUnix && Native.chown(path, uint.MaxValue, (uint)groupId) != 0)
        {
            var errno = Marshal.GetLastWin32Error();
            throw new IOException("Cannot give '" + path + "' the group " + groupId.ToString(System.Globalization.CultureInfo.InvariantCulture) + " (errno " + errno +
                "): its owner may give it only a group the owner is a member of; root may give any.");
        }
    }

    /// <summary>The owner, group and mode of <paramref name="path"/> (Linux statx); null elsewhere or when it cannot be read.</summary>
    public static (int UserId, int GroupId, int Mode)? GetOwner(string path)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return null;
        }

        // struct statx has the same layout on every Linux architecture: stx_uid at 20, stx_gid at 24, stx_mode at 28.
        var buffer = new byte[256];
        try
        {
            const int AtFdCwd = -100;
            const uint BasicStats = 0x7FF;
            if (Native.statx(AtFdCwd, path, 0, BasicStats, buffer) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        return (BitConverter.ToInt32(buffer, 20), BitConverter.ToInt32(buffer, 24), BitConverter.ToUInt16(buffer, 28) & ModeBits);
    }

    /// <summary>This process's user ID, group ID and supplementary groups, as <c>id</c> shows them (null on Windows).</summary>
    public static string? DescribeProcess()
    {
        if (!IsUnix)
        {
            return null;
        }

        var groups = new uint[256];
        var count = Native.getgroups(groups.Length, groups);
        var supplementary = count > 0 ? string.Join(",", groups.Take(count).Select(g => g.ToString(System.Globalization.CultureInfo.InvariantCulture))) : "none";
        return "uid " + Native.geteuid().ToString(System.Globalization.CultureInfo.InvariantCulture) + ", gid " + Native.getegid().ToString(System.Globalization.CultureInfo.InvariantCulture) +
            ", groups " + supplementary;
    }

    /// <summary>True when this process may read, write and enter the folder <paramref name="path"/> (access(2)); true on Windows.</summary>
    public static bool CanUseFolder(string path)
    {
        const int ReadWriteExecute = 4 | 2 | 1;
        return !IsUnix || Native.access(path, ReadWriteExecute) == 0;
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int chmod(string path, uint mode);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int fchmod(int fd, uint mode);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int mkdir(string path, uint mode);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int chown(string path, uint owner, uint group);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int access(string path, int mode);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

        [DllImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern uint geteuid();

        [DllImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern uint getegid();

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int getgroups(int size, [Out] uint[] list);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int open(string path, int flags, uint mode);
    }
}
