namespace RemediationTools.Core.Tests;

/// <summary>
/// A fact that needs Linux (process signals through kill(1), for example). On another OS the runner reports it as
/// skipped, with the reason, instead of counting a test that did nothing as passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class LinuxFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute; sets <see cref="FactAttribute.Skip"/> when not on Linux.</summary>
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs Linux (process signals); this is " + System.Runtime.InteropServices.RuntimeInformation.OSDescription + ".";
        }
    }
}
