namespace RemediationTools.Core.Tests;

/// <summary>A fact about Unix file modes: reported as skipped (not passed) on Windows.</summary>
public sealed class UnixOnlyFactAttribute : FactAttribute
{
    public UnixOnlyFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Unix file modes do not exist on Windows.";
        }
    }
}

/// <summary>A fact that needs Linux (/proc, kill(1)): reported as skipped elsewhere.</summary>
public sealed class LinuxOnlyFactAttribute : FactAttribute
{
    public LinuxOnlyFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs Linux (/proc and process signals).";
        }
    }
}
