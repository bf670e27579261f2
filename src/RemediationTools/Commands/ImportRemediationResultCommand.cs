using System.Management.Automation;
using RemediationTools.Core.Results;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Reads remediation results saved by Export-RemediationResult, as typed objects that Undo-Remediation accepts.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "RemediationResult", DefaultParameterSetName = PathSet)]
[OutputType(typeof(RemediationResult))]
public sealed class ImportRemediationResultCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Files with saved results; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Files with saved results, used as written.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>Reads each file; a bad file is an error and the others go on.</summary>
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string file in ProviderPaths.ResolveFiles(this, (literal ? LiteralPath : Path)!, literal))
        {
            try
            {
                foreach (RemediationResult result in RemediationResultFile.Read(file))
                {
                    WriteObject(result);
                }
            }
            catch (InvalidDataException ex)
            {
                WriteError(new ErrorRecord(ex, ErrorIds.ResultInvalid, ErrorCategory.InvalidData, file));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(ex, ErrorIds.FileReadFailed, ErrorCategory.ReadError, file));
            }
        }
    }
}
