using System.Collections;
using System.Globalization;
using System.Management.Automation;
using RemediationTools.Core.Engine;
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
        ArgumentException invalid => new ErrorRecord(UserMessages.ForUser(invalid), ErrorIds.RoleRequestInvalid, ErrorCategory.InvalidArgument, target),
        PolicyTooLargeException tooLarge => new ErrorRecord(tooLarge, ErrorIds.PolicyTooLarge, ErrorCategory.LimitsExceeded, target),
        InvalidOperationException conflict => new ErrorRecord(conflict, ErrorIds.RoleRequestInvalid, ErrorCategory.ResourceExists, target),
        AmazonServiceException aws => new ErrorRecord(
            new InvalidOperationException($"AWS refused a call ({aws.ErrorCode}): {aws.Message}" + PrincipalHint(aws), aws),
            ErrorIds.AwsCallFailed,
            aws.ErrorCode is "AccessDenied" or "AccessDeniedException" ? ErrorCategory.PermissionDenied : ErrorCategory.InvalidOperation,
            target),
        AmazonClientException client => new ErrorRecord(client, ErrorIds.AwsCallFailed, ErrorCategory.ConnectionError, target),
        _ => null,
    };

    // IAM refuses a trust policy that names a role or user that does not exist (yet).
    private static string PrincipalHint(AmazonServiceException aws) =>
        aws.ErrorCode == "MalformedPolicyDocument" && aws.Message?.IndexOf("Invalid principal", StringComparison.Ordinal) >= 0
            ? " IAM accepts only roles that exist as principals: create the worker role first (New-RemediationWorkerRole), or trust the hosting account with -HostingAccountId (narrowed with -TrustedRoleName) until it exists."
            : string.Empty;

    /// <summary>Creates the AWS client factory for a cmdlet, logging AWS calls to -Verbose.</summary>
    public static Task<AwsClientFactory> CreateFactoryAsync(AwsConnectionOptions options, PipelineReporter reporter, CancellationToken cancellationToken) =>
        AwsClientFactory.CreateAsync(options, new AwsClientFactoryOptions { Log = reporter.Verbose }, cancellationToken);

    /// <summary>
    /// The body of the Remove-*Role cmdlets: deletes <paramref name="roleName"/> with <paramref name="remove"/> (which gets
    /// the caller's clients and region), writing RoleNotFound when it did not exist and AWS failures as errors.
    /// </summary>
    public static async Task<bool> RemoveRoleAsync(
        Cmdlet cmdlet,
        PipelineDispatcher dispatcher,
        AwsConnectionOptions options,
        string roleName,
        int progressActivityId,
        Func<IAwsClients, string, CancellationToken, Task<bool>> remove,
        CancellationToken cancellationToken)
    {
        var reporter = new PipelineReporter(cmdlet, dispatcher, progressActivityId);
        try
        {
            using AwsClientFactory factory = await CreateFactoryAsync(options, reporter, cancellationToken).ConfigureAwait(false);
            IAwsClients clients = await factory.ForAccountAsync(null, cancellationToken).ConfigureAwait(false);
            if (!await remove(clients, factory.Connection.Region, cancellationToken).ConfigureAwait(false))
            {
                var record = new ErrorRecord(new ItemNotFoundException($"The role '{roleName}' does not exist."), ErrorIds.RoleNotFound, ErrorCategory.ObjectNotFound, roleName);
                dispatcher.Post(() => cmdlet.WriteError(record));
            }
        }
        catch (Exception ex) when (ToErrorRecord(ex, roleName) is { } record)
        {
            dispatcher.Post(() => cmdlet.WriteError(record));
        }

        return true;
    }

    private static bool Matches(string value, string pattern) =>
        WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant).IsMatch(value);
}
