using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;

namespace RemediationTools.Completers;

/// <summary>
/// Completes AWS profile names from the shared config file (<c>AWS_CONFIG_FILE</c>, else <c>~/.aws/config</c>:
/// <c>[default]</c> and <c>[profile name]</c> sections) and the shared credentials file
/// (<c>AWS_SHARED_CREDENTIALS_FILE</c>, else <c>~/.aws/credentials</c>: <c>[name]</c> sections), as the AWS SDKs and
/// AWS Tools read them. Other config sections (<c>[sso-session x]</c>, <c>[services x]</c>) are not profiles.
/// </summary>
public sealed class ProfileNameCompleter : IArgumentCompleter
{
    private static readonly Regex Section = new(@"^\s*\[\s*(?<name>[^\]]+?)\s*\]", RegexOptions.CultureInvariant);
    private static readonly Regex ConfigProfile = new(@"^profile\s+(?<name>\S.*)$", RegexOptions.CultureInvariant);

    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => CompletionHelper.Complete(ProfileNames(), wordToComplete);

    /// <summary>The profile names of both files, sorted, each once.</summary>
    internal static IReadOnlyList<string> ProfileNames()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string section in Sections(SharedFile("AWS_CONFIG_FILE", "config")))
        {
            if (section == "default")
            {
                names.Add(section);
            }
            else if (ConfigProfile.Match(section) is { Success: true } profile)
            {
                names.Add(profile.Groups["name"].Value.Trim());
            }
        }

        foreach (string section in Sections(SharedFile("AWS_SHARED_CREDENTIALS_FILE", "credentials")))
        {
            names.Add(section);
        }

        return names.ToList();
    }

    private static string? SharedFile(string variable, string fileName)
    {
        string? path = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(path))
        {
            return path;
        }

        string home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } unixHome
            ? unixHome
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".aws", fileName);
    }

    private static IEnumerable<string> Sections(string? path)
    {
        string[] lines;
        try
        {
            if (path is null || !File.Exists(path))
            {
                return Array.Empty<string>();
            }

            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // An unreadable file completes nothing; the cmdlet itself reports it when the profile is used.
            return Array.Empty<string>();
        }

        return lines.Select(line => Section.Match(line)).Where(m => m.Success).Select(m => m.Groups["name"].Value).ToList();
    }
}
