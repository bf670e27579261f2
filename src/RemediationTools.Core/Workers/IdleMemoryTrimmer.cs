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
/// hands the C heap's free pages back too (<c>malloc_trim</c>): glibc keeps what threads freed in its arenas.
/// </summary>
internal sealed class IdleMemoryTrimmer
{
    // GCCollectionMode.Aggressive (3) is not part of netstandard2.0; older runtimes get a forced compacting collection.
    private const int AggressiveMode = 3;

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
        [DllImport("libc", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int malloc_trim(UIntPtr pad);
    }
}
