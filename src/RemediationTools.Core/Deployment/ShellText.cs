namespace RemediationTools.Core.Deployment;

/// <summary>Quoting for the POSIX shell commands the module prints and writes into EC2 user data.</summary>
internal static class ShellText
{
    /// <summary><paramref name="value"/> in single quotes, a single quote inside written as <c>'\''</c>.</summary>
    public static string Quote(string value) => "'" + (value ?? throw new ArgumentNullException(nameof(value))).Replace("'", "'\\''") + "'";
}
