using System.Management.Automation;
using RemediationTools.Core.Results;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Saves remediation results to a JSON file, for audit and for a later Undo-Remediation.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "RemediationResult", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportRemediationResultCommand : PSCmdlet
{
    private readonly List<RemediationResult> _results = new();

    /// <summary>The file to write (a JSON array of results).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>The results to save: Invoke-Remediation or Undo-Remediation output, or the same read back from JSON.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    [RemediationResultInputTransformation]
    public RemediationResultInput? InputObject { get; set; }

    /// <summary>Add the results to those already in the file.</summary>
    [Parameter]
    public SwitchParameter Append { get; set; }

    /// <summary>Overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Write the file's FileInfo to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Collects the results; an object that is not a result is an error and the others go on.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            _results.AddRange(ResultBinder.Convert(InputObject?.Value));
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.ResultInvalid, ErrorCategory.InvalidData, InputObject?.Value));
        }
    }

    /// <summary>Writes the file once, atomically.</summary>
    protected override void EndProcessing()
    {
        string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (File.Exists(file) && !Force && !Append)
        {
            ThrowTerminatingError(new ErrorRecord(
                new IOException($"The file '{file}' already exists. Use -Force to overwrite it or -Append to add to it."),
                ErrorIds.FileExists, ErrorCategory.ResourceExists, file));
        }

        if (!ShouldProcess(file, $"Write {_results.Count} remediation result(s)" + (Append ? " (append)" : string.Empty)))
        {
            return;
        }

        try
        {
            RemediationResultFile.Write(file, _results, Append);
        }
        catch (InvalidDataException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.ResultInvalid, ErrorCategory.InvalidData, file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.FileWriteFailed, ErrorCategory.WriteError, file));
        }

        if (PassThru)
        {
            WriteObject(new FileInfo(file));
        }
    }
}
