using System.Reflection;
using System.Runtime.InteropServices;

namespace RemediationTools.Core.Stores;

/// <summary>
/// File operations that are atomic for other processes: a reader sees the whole old file or the whole new one, never a
/// part; a rename of one source by several processes succeeds for exactly one of them.
/// </summary>
internal static class AtomicFile
{
    // File.Move(string, string, bool) exists on .NET Core 3.0 and later (PowerShell 7, the worker) but not in
    // netstandard2.0. With overwrite it is a plain rename(2) on Unix, which is what claiming needs; the two-argument
    // File.Move is link + unlink on Unix, which lets two processes both "move" the same source.
    private static readonly Action<string, string, bool>? MoveOverwrite = CreateMoveOverwrite();

    /// <summary>
    /// Renames <paramref name="source"/> to <paramref name="destination"/>, a name no other process uses. Throws
    /// <see cref="FileNotFoundException"/> (or <see cref="DirectoryNotFoundException"/>) when another process moved or
    /// deleted the source first.
    /// </summary>
    public static void Rename(string source, string destination)
    {
        if (MoveOverwrite is not null)
        {
            MoveOverwrite(source, destination, true);
        }
        else
        {
            File.Move(source, destination);
        }
    }

    /// <summary>True when <paramref name="exception"/> means that the file or its folder is gone (another process won).</summary>
    public static bool IsGone(Exception exception) => exception is FileNotFoundException or DirectoryNotFoundException;

    /// <summary>Writes <paramref name="path"/> atomically, replacing what is there.</summary>
    public static void WriteReplace(string path, byte[] content)
    {
        var temp = WriteTemp(path, content);
        try
        {
            if (MoveOverwrite is not null)
            {
                MoveOverwrite(temp, path, true);
            }
            else if (File.Exists(path))
            {
                File.Replace(temp, path, null);
            }
            else
            {
                File.Move(temp, path);
            }
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="path"/> atomically only if it does not exist; false (and nothing written) when it does.</summary>
    public static bool WriteNew(string path, byte[] content)
    {
        var temp = WriteTemp(path, content);
        try
        {
            if (TryLinkNew(temp, path) is { } linked)
            {
                TryDelete(temp);
                return linked;
            }

            // Windows: MoveFile without MOVEFILE_REPLACE_EXISTING fails atomically when the destination exists.
            File.Move(temp, path);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            TryDelete(temp);
            return false;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static byte[]? TryRead(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (IsGone(ex))
        {
            return null;
        }
    }

    /// <summary>Deletes a file; true when it existed.</summary>
    public static bool TryDelete(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (IsGone(ex))
        {
            return false;
        }
    }

    private static string WriteTemp(string path, byte[] content)
    {
        var folder = Path.GetDirectoryName(path)!;
        StorePermissions.CreateFolder(folder);

        // Same folder, so the rename never crosses file systems; a leading dot and the .tmp suffix keep it out of listings.
        // Created owner-only (or group-shared, as its folder is), never wider first; the rename keeps the mode.
        var temp = Path.Combine(folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        using (var stream = UnixFileModes.CreateNew(temp, StorePermissions.FileModeIn(folder)))
        {
            stream.Write(content, 0, content.Length);
            stream.Flush(flushToDisk: true);
        }

        return temp;
    }

    // On Unix, .NET's two-argument File.Move checks that the destination is absent and then renames, which is not
    // atomic: two writers can both "create" the file (seen here as a flaky exactly-one-winner test). link(2) is:
    // it fails with EEXIST when the name exists. Null when not on Unix or the file system has no hard links.
    private static bool? TryLinkNew(string source, string destination)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return null;
        }

        if (NativeMethods.link(source, destination) == 0)
        {
            return true;
        }

        return Marshal.GetLastWin32Error() == NativeMethods.EEXIST ? false : null;
    }

    private static Action<string, string, bool>? CreateMoveOverwrite()
    {
        var method = typeof(File).GetMethod(nameof(File.Move), BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(string), typeof(bool) }, null);
        return method is null ? null : (Action<string, string, bool>)method.CreateDelegate(typeof(Action<string, string, bool>));
    }
}

/// <summary>The one libc call the store needs (see AtomicFile.TryLinkNew).</summary>
internal static class NativeMethods
{
    /// <summary>errno for "file exists" (Linux and macOS).</summary>
    public const int EEXIST = 17;

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int link(string oldpath, string newpath);
}
