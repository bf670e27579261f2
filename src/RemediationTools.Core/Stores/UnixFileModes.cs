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

    /// <summary>The group bits (rwx).</summary>
    public const int GroupBits = 0x38; // 0070

    /// <summary>The permission bits (rwxrwxrwx).</summary>
    public const int PermissionBits = 0x1FF; // 0777

    private const int EEXIST = 17;

    // File.GetUnixFileMode(string) is .NET 7+: present wherever PowerShell 7.4+ and the worker run; absent on .NET Framework.
    private static readonly MethodInfo? GetUnixFileModeMethod =
        typeof(File).GetMethod("GetUnixFileMode", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string) }, null);

    /// <summary>True on Linux and macOS.</summary>
    public static bool IsUnix => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    /// <summary>The permission bits of <paramref name="path"/>; null on Windows, when the runtime cannot tell, or when it is gone.</summary>
    public static int? GetMode(string path)
    {
        if (!IsUnix || GetUnixFileModeMethod is null)
        {
            return null;
        }

        try
        {
            return Convert.ToInt32(GetUnixFileModeMethod.Invoke(null, new object[] { path }), System.Globalization.CultureInfo.InvariantCulture) & PermissionBits;
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

    /// <summary>The mode as an octal text, such as <c>0700</c>.</summary>
    public static string Octal(int mode) => "0" + Convert.ToString(mode & PermissionBits, 8).PadLeft(3, '0');

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
        internal static extern int open(string path, int flags, uint mode);
    }
}
