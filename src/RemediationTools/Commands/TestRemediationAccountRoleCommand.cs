using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Roles;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Tests whether a cloud account's remediation role is ready: assumable only with the external ID, granting exactly the jobs' actions.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "RemediationAccountRole")]
[OutputType(typeof(RemediationAccountRoleReport))]
public sealed class TestRemediationAccountRoleCommand : AwsCmdletBase
{
    private const int ProgressActivityId = 0x5248;

    /// <summary>The account role's ARN.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? RoleArn { get; set; }

    /// <summary>The external ID (organization ID) the role requires.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ExternalId { get; set; }

    /// <summary>Job IDs (wildcards allowed) whose actions the role must grant; every job when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Jobs")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string[]? Job { get; set; }

    /// <summary>The role must also grant the jobs' undo actions (a role made with New-RemediationAccountRole -IncludeUndo); they are then not excess.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter IncludeUndo { get; set; }

    /// <summary>A profile whose credentials assume the role (for example the worker role's); the cmdlet's own credentials when no source is given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public string? SourceProfileName { get; set; }

    /// <summary>A credentials object that assumes the role (AWS Tools credentials, or an object with AccessKey, SecretKey and SessionToken).</summary>
    [Parameter]
    [ValidateNotNull]
    [AwsCredentialTransformation]
    public AwsCredential? SourceCredential { get; set; }

    /// <summary>The access key ID of the credentials that assume the role.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SourceAccessKey { get; set; }

    /// <summary>The secret access key of the credentials that assume the role.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SourceSecretKey { get; set; }

    /// <summary>The session token of the credentials that assume the role.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SourceSessionToken { get; set; }

    /// <summary>Runs the check for each role and writes the report; problems are in the report, not errors.</summary>
    protected override void ProcessRecord()
    {
        RunOnPipeline(async (dispatcher, cancellationToken) =>
        {
            var reporter = new PipelineReporter(this, dispatcher, ProgressActivityId);
            try
            {
                var request = new ReadinessRequest { RoleArn = RoleArn!, ExternalId = ExternalId!, Jobs = RoleCmdletSupport.SelectJobs(Job), IncludeUndo = IncludeUndo.IsPresent };
                AwsConnectionOptions readerOptions = GetConnectionOptions();
                using AwsClientFactory reader = await RoleCmdletSupport.CreateFactoryAsync(readerOptions, reporter, cancellationToken).ConfigureAwait(false);
                AwsClientFactory? sourceFactory = null;
                try
                {
                    if (SourceProfileName is not null || SourceCredential is not null || SourceAccessKey is not null)
                    {
                        var sourceOptions = new AwsConnectionOptions
                        {
                            ProfileName = SourceProfileName,
                            Credential = SourceCredential?.Value,
                            AccessKey = SourceAccessKey,
                            SecretKey = SourceSecretKey,
                            SessionToken = SourceSessionToken,
                            Region = reader.Connection.Region,
                            EndpointUrl = EndpointUrl,
                        };
                        sourceFactory = await RoleCmdletSupport.CreateFactoryAsync(sourceOptions, reporter, cancellationToken).ConfigureAwait(false);
                    }

                    var source = await (sourceFactory ?? reader).ForAccountAsync(null, cancellationToken).ConfigureAwait(false);
                    var check = new AccountRoleReadinessService(source, await reader.ForAccountAsync(null, cancellationToken).ConfigureAwait(false), reader.Connection.Region);
                    RemediationAccountRoleReport report = await check.CheckAsync(request, cancellationToken).ConfigureAwait(false);
                    dispatcher.Post(() => WriteObject(report));
                }
                finally
                {
                    sourceFactory?.Dispose();
                }
            }
            catch (Exception ex) when (RoleCmdletSupport.ToErrorRecord(ex, RoleArn) is { } record)
            {
                dispatcher.Post(() => WriteError(record));
            }

            return true;
        });
    }
}
