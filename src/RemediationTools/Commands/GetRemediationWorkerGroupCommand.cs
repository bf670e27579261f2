using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Gets worker groups from the store.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RemediationWorkerGroup")]
[OutputType(typeof(RemediationWorkerGroup))]
public sealed class GetRemediationWorkerGroupCommand : StoreCmdletBase
{
    /// <summary>Group names; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("WorkerGroup")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Writes the matching groups.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            IReadOnlyList<RemediationWorkerGroup> groups = RunOnStore((store, cancellationToken) =>
                new WorkerGroupService(store).ListAsync(cancellationToken));
            if (Name is null)
            {
                WriteObject(groups, enumerateCollection: true);
                return;
            }

            foreach (string name in Name)
            {
                var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                var matches = groups.Where(g => pattern.IsMatch(g.Name)).ToList();
                if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                {
                    WriteError(StoreErrors.ToErrorRecord(new RemediationStoreException(
                        StoreError.GroupNotFound, $"There is no worker group named '{name}'.") { Target = name }));
                }

                WriteObject(matches, enumerateCollection: true);
            }
        }
        catch (RemediationStoreException ex)
        {
            ThrowTerminatingError(StoreErrors.ToErrorRecord(ex));
        }
    }
}
