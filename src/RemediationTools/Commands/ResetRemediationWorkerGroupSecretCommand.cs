using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Replaces a worker group's client secret; workers using the old one are locked out.</para>
/// </summary>
[Cmdlet(VerbsCommon.Reset, "RemediationWorkerGroupSecret", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(WorkerGroupDeployment))]
public sealed class ResetRemediationWorkerGroupSecretCommand : StoreCmdletBase
{
    /// <summary>The group's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("WorkerGroup")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>Writes the new client secret to this file, readable by you only (0600 on Unix), replacing the old one atomically.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ClientSecretPath { get; set; }

    /// <summary>Makes and writes the new secret, once.</summary>
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name, "Replace the client secret (workers using the old secret stop)"))
        {
            return;
        }

        try
        {
            WorkerGroupDeployment deployment = RunOnStore((store, cancellationToken) =>
                new WorkerGroupService(store).ResetSecretAsync(Name, cancellationToken, SecretFilePath()));
            if (ClientSecretPath is not null && deployment.TryWriteClientSecretFile() is { } fileError)
            {
                WriteError(fileError);
            }

            WriteWarning($"The new client secret of worker group '{Name}' is shown only now, in the ClientSecret property of this output.");
            WriteObject(deployment.WithSecureSecret());
        }
        catch (RemediationStoreException ex)
        {
            WriteError(StoreErrors.ToErrorRecord(ex));
        }
    }

    private string? SecretFilePath() => ClientSecretPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ClientSecretPath);
}
