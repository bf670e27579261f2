using System.Runtime;
using System.Runtime.InteropServices;

namespace RemediationTools.Core.Workers;

/// <summary>
/// Gives the worker's memory back when its queue drains. The garbage collector keeps the heap it grew under load (a
/// workstation GC's first-generation budget alone is sized from the CPU's cache) and nothing collects while a worker
/// long-polls an empty queue, so without this the resident memory of an idle worker stays at its peak. Once per idle
/// period, on the first poll that finds the queue empty with no job running after requests were received, it runs one
/// blocking, compacting collection of every generation, the large object heap included, that also decommits the freed
/// memory (<c>GCCollectionMode.Aggressive</c> where the runtime has it, .NET 7 and later), then, on Linux with glibc,
/// hands the C heap's free pages back too (<c>malloc_trim</c>): glibc keeps what threads freed in its arenas. Last, it
/// asks Linux to reclaim the resident pages of the files the process maps (the assemblies' and libraries' code and
/// data, most of an idle worker's memory: measured 53 of 72 MB) with <c>madvise(MADV_PAGEOUT)</c>: a hint that drops
/// clean file pages from the process (they are read back from the page cache or the file on their next use, so nothing
/// is lost) and never discards data, unlike <c>MADV_DONTNEED</c>.
/// </summary>
internal sealed class IdleMemoryTrimmer
{
    // GCCollectionMode.Aggressive (3) is not part of netstandard2.0; older runtimes get a forced compacting collection.
    private const int AggressiveMode = 3;

    private static readonly char[] Space = { ' ' };

    private readonly Action trim;
    private bool workSinceTrim;

    /// <summary>Creates the trimmer; <paramref name="trim"/> replaces the collection (tests).</summary>
    public IdleMemoryTrimmer(Action? trim = null)
    {
        this.trim = trim ?? CompactHeap;
    }

    /// <summary>How many times memory was given back.</summary>
    public int Trims { get; private set; }

    /// <summary>
    /// Called after every poll of the queue with the number of requests it returned and the number of requests still
    /// running. Trims (and returns true) on the first empty poll with nothing running since requests were last received;
    /// never twice in one idle period, never before any work.
    /// </summary>
    public bool OnPoll(int received, int running)
    {
        if (received < 0 || running < 0)
        {
            throw new ArgumentOutOfRangeException(received < 0 ? nameof(received) : nameof(running), "A count of requests cannot be negative, not " + Math.Min(received, running) + ".");
        }

        if (received > 0)
        {
            workSinceTrim = true;
            return false;
        }

        if (!workSinceTrim || running > 0)
        {
            return false;
        }

        workSinceTrim = false;
        trim();
        Trims++;
        return true;
    }

    /// <summary>One blocking, compacting collection of all generations and the large object heap, decommitting what it frees.</summary>
    internal static void CompactHeap()
    {
        var mode = Enum.IsDefined(typeof(GCCollectionMode), AggressiveMode) ? (GCCollectionMode)AggressiveMode : GCCollectionMode.Forced;
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, mode, blocking: true, compacting: true);
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            TrimNativeHeap();
            ReleaseFilePages();
        }
    }

    /// <summary>The file-backed mappings of <c>/proc/self/maps</c> text: (start, length) of each line that names a file.</summary>
    internal static IEnumerable<(ulong Start, ulong Length)> FileMappings(IEnumerable<string> mapsLines)
    {
        foreach (var line in mapsLines)
        {
            // "start-end perms offset dev inode   path": a path that starts with '/' is a file ([heap], [stack] are not).
            var parts = line.Split(Space, 6, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 6 || !parts[5].StartsWith("/", StringComparison.Ordinal) || parts[5].EndsWith("(deleted)", StringComparison.Ordinal))
            {
                continue;
            }

            var range = parts[0].Split('-');
            if (range.Length == 2
                && ulong.TryParse(range[0], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var start)
                && ulong.TryParse(range[1], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var end)
                && end > start)
            {
                yield return (start, end - start);
            }
        }
    }

    private static void ReleaseFilePages()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/maps");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        try
        {
            foreach (var (start, length) in FileMappings(lines))
            {
                // A hint: a kernel without MADV_PAGEOUT (before 5.4) answers EINVAL, and the pages simply stay.
                _ = NativeMethods.madvise(new IntPtr(unchecked((long)start)), new UIntPtr(length), NativeMethods.MadvPageOut);
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc madvise: nothing to hand back this way.
        }
    }

    private static void TrimNativeHeap()
    {
        try
        {
            _ = NativeMethods.malloc_trim(UIntPtr.Zero);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): nothing to hand back this way.
        }
    }

    private static class NativeMethods
    {
        /// <summary>MADV_PAGEOUT of linux/mman.h (Linux 5.4 and later).</summary>
        internal const int MadvPageOut = 21;

        [DllImport("libc", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int madvise(IntPtr address, UIntPtr length, int advice);

        [DllImport("libc", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int malloc_trim(UIntPtr pad);
    }
}
