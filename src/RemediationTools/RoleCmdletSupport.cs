using System.Collections;
using System.Globalization;
using System.Management.Automation;
using Amazon.Runtime;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Roles;

namespace RemediationTools;

/// <summary>What the role cmdlets share: job selection by ID pattern, tag tables, and mapping failures to error records.</summary>
internal static class RoleCmdletSupport
{
    /// <summary>
    /// The catalog jobs matching any of <paramref name="patterns"/> (IDs or underscore aliases, wildcards allowed), in
    /// catalog order; every job when <paramref name="patterns"/> is null. An exact name that matches no job throws.
    /// </summary>
    public static IReadOnlyList<RemediationJobInfo> SelectJobs(IEnumerable<string>? patterns)
    {
        var all = JobCatalog.Default.Describe();
        if (patterns is null)
        {
            return all;
        }

        var list = patterns.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        foreach (var exact in list.Where(p => !WildcardPattern.ContainsWildcardCharacters(p)))
        {
            if (JobCatalog.Default.FindById(exact) is null)
            {
                throw new ItemNotFoundException($"There is no remediation job '{exact}'. Get-RemediationJob lists the jobs.");
            }
        }

        var selected = all.Where(job => list.Any(p => Matches(job.Id, p) || Matches(job.Id.Replace('-', '_'), p))).ToList();
        if (selected.Count == 0)
        {
            throw new ItemNotFoundException($"No remediation job matches '{string.Join("', '", list)}'. Get-RemediationJob lists the jobs.");
        }

        return selected;
    }

    /// <summary>A tag table (<c>@{ team = 'security' }</c>) as strings.</summary>
    public static IDictionary<string, string>? Tags(Hashtable? table)
    {
        if (table is null)
        {
            return null;
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            tags[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = Convert.ToString(entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value, CultureInfo.InvariantCulture) ?? string.Empty;
        }

        return tags;
    }

    /// <summary>The error record for a failure of one role request; null when the exception is not one we map.</summary>
    public static ErrorRecord? ToErrorRecord(Exception exception, object? target) => exception switch
    {
        ItemNotFoundException notFound => new ErrorRecord(notFound, ErrorIds.JobNotFound, ErrorCategory.ObjectNotFound, target),
        ArgumentException invalid => new ErrorRecord(invalid, ErrorIds.RoleRequestInvalid, ErrorCategory.InvalidArgument, target),
        PolicyTooLargeException tooLarge => new ErrorRecord(tooLarge, ErrorIds.PolicyTooLarge, ErrorCategory.LimitsExceeded, target),
        InvalidOperationException conflict => new ErrorRecord(conflict, ErrorIds.RoleRequestInvalid, ErrorCategory.ResourceExists, target),
        AmazonServiceException aws => new ErrorRecord(
            new InvalidOperationException($"AWS refused a call ({aws.ErrorCode}): {aws.Message}", aws),
            ErrorIds.AwsCallFailed,
            aws.ErrorCode is "AccessDenied" or "AccessDeniedException" ? ErrorCategory.PermissionDenied : ErrorCategory.InvalidOperation,
            target),
        AmazonClientException client => new ErrorRecord(client, ErrorIds.AwsCallFailed, ErrorCategory.ConnectionError, target),
        _ => null,
    };

    /// <summary>Creates the AWS client factory for a cmdlet, logging AWS calls to -Verbose.</summary>
    public static Task<AwsClientFactory> CreateFactoryAsync(AwsConnectionOptions options, PipelineReporter reporter, CancellationToken cancellationToken) =>
        AwsClientFactory.CreateAsync(options, new AwsClientFactoryOptions { Log = reporter.Verbose }, cancellationToken);

    private static bool Matches(string value, string pattern) =>
        WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant).IsMatch(value);
}
