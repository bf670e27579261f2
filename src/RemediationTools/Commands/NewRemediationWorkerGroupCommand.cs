using System.Management.Automation;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Creates a worker group: named cloud accounts plus deployment credentials shown once.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "RemediationWorkerGroup", SupportsShouldProcess = true, DefaultParameterSetName = CloudAccountSet)]
[OutputType(typeof(WorkerGroupDeployment))]
public sealed class NewRemediationWorkerGroupCommand : StoreCmdletBase
{
    private const string CloudAccountSet = "CloudAccount";
    private const string RoleArnSet = "RoleArn";
    private readonly List<RemediationCloudAccount> _accounts = new();
    private bool _hasInvalidAccount;

    /// <summary>The group's name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>What the group is for.</summary>
    [Parameter]
    public string? Description { get; set; }

    /// <summary>The organization ID every account role's external ID must equal.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string OrganizationId { get; set; } = string.Empty;

    /// <summary>Cloud accounts: New-RemediationAccountRole output, or objects with RoleArn and ExternalId.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = CloudAccountSet)]
    [ValidateNotNull]
    [CloudAccountTransformation]
    public RemediationCloudAccount[]? CloudAccount { get; set; }

    /// <summary>Account role ARNs, with -ExternalId.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RoleArnSet)]
    [ValidateNotNullOrEmpty]
    public string[]? RoleArn { get; set; }

    /// <summary>The external ID of the roles given by -RoleArn.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RoleArnSet)]
    [ValidateNotNullOrEmpty]
    public string? ExternalId { get; set; }

    /// <summary>Lets the group's workers run disruptive jobs.</summary>
    [Parameter]
    public SwitchParameter AllowDisruptive { get; set; }

    /// <summary>Writes the client secret to this file, readable by you only (0600 on Unix); the printed commands read it from there.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ClientSecretPath { get; set; }

    /// <summary>Collects the cloud accounts from parameters and the pipeline.</summary>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == RoleArnSet)
        {
            foreach (string arn in RoleArn!)
            {
                AddAccount(CloudAccounts.FromRoleArn(arn, ExternalId!), arn);
            }

            return;
        }

        foreach (RemediationCloudAccount item in CloudAccount!)
        {
            AddAccount(CloudAccounts.FromObject(item), item);
        }
    }

    /// <summary>Creates the group once every account is known, and writes its deployment information.</summary>
    protected override void EndProcessing()
    {
        // One bad account refuses the whole group: a group created without an account the caller listed would look complete.
        if (_accounts.Count == 0 || _hasInvalidAccount || !ShouldProcess(Name, $"Create worker group with {_accounts.Count} cloud account(s)"))
        {
            return;
        }

        try
        {
            WorkerGroupCreated created = RunOnStore((store, cancellationToken) =>
                new WorkerGroupService(store).CreateAsync(Name, Description, OrganizationId, _accounts, AllowDisruptive.IsPresent, cancellationToken, SecretFilePath()));
            if (ClientSecretPath is not null && created.Deployment.TryWriteClientSecretFile() is { } fileError)
            {
                WriteError(fileError);
            }

            WriteWarning($"The client secret of worker group '{Name}' is shown only now, in the ClientSecret property of this output. Store it in a secret store; it cannot be shown again (Reset-RemediationWorkerGroupSecret makes a new one).");
            WriteObject(created.Deployment.WithSecureSecret());
        }
        catch (RemediationStoreException ex)
        {
            ThrowTerminatingError(StoreErrors.ToErrorRecord(ex));
        }
    }

    private void AddAccount(RemediationCloudAccount? account, object source)
    {
        if (account is null)
        {
            _hasInvalidAccount = true;
            WriteError(new ErrorRecord(
                new ArgumentException($"'{Describe(source)}' is not a cloud account: it needs a RoleArn (arn:aws:iam::<account>:role/<name>), an ExternalId and, when given, the AccountId of the role ARN. No worker group was created."),
                ErrorIds.CloudAccountInvalid, ErrorCategory.InvalidArgument, source));
            return;
        }

        _accounts.Add(account);
    }

    // The bad value as the user wrote it: the RoleArn of an object or hashtable, else the value itself.
    private static string Describe(object source)
    {
        object bare = source is PSObject wrapped ? wrapped.BaseObject : source;
        if (bare is System.Collections.IDictionary dictionary)
        {
            foreach (System.Collections.DictionaryEntry entry in dictionary)
            {
                if (string.Equals(entry.Key?.ToString(), "RoleArn", StringComparison.OrdinalIgnoreCase))
                {
                    return entry.Value?.ToString() ?? string.Empty;
                }
            }

            return "@{" + string.Join("; ", dictionary.Keys.Cast<object>()) + "}";
        }

        return bare is string ? bare.ToString() : PSObject.AsPSObject(source).Properties["RoleArn"]?.Value?.ToString() ?? source.ToString();
    }

    private string? SecretFilePath() => ClientSecretPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ClientSecretPath);
}
