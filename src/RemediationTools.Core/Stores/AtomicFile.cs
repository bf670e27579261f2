using System.Reflection;

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
            // Two-argument File.Move fails when the destination exists: link(2) on Unix, MoveFile on Windows, both
            // atomic, so of two writers exactly one creates the file.
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

    /// <summary>Reads a whole file; null when it does not exist.</summary>
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
        Directory.CreateDirectory(folder);

        // Same folder, so the rename never crosses file systems; a leading dot and the .tmp suffix keep it out of listings.
        var temp = Path.Combine(folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            stream.Write(content, 0, content.Length);
            stream.Flush(flushToDisk: true);
        }

        return temp;
    }

    private static Action<string, string, bool>? CreateMoveOverwrite()
    {
        var method = typeof(File).GetMethod(nameof(File.Move), BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(string), typeof(bool) }, null);
        return method is null ? null : (Action<string, string, bool>)method.CreateDelegate(typeof(Action<string, string, bool>));
    }
}
