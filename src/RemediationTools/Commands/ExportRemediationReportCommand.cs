using System.Collections;
using System.Management.Automation;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Reports;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Writes a self-contained HTML page (or a CSV file) of remediation results or worker-group runs: totals, failures and changes.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "RemediationReport", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportRemediationReportCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string DefaultTitle = "Remediation report";

    private readonly List<RemediationReportEntry> _entries = new();

    /// <summary>The file to write; a wildcard pattern must match exactly one existing file.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The file to write, used exactly as written.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>The results (Invoke-Remediation, Undo-Remediation, Import-RemediationResult) or runs (Get-RemediationRun) to report.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    [RemediationReportInputTransformation]
    public RemediationReportInput? InputObject { get; set; }

    /// <summary>Html or Csv; by default Csv for a .csv file, else Html.</summary>
    [Parameter]
    public RemediationReportFormat Format { get; set; }

    /// <summary>The page title and heading.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Title { get; set; } = DefaultTitle;

    /// <summary>Overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Write the file's FileInfo to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Collects the results and runs; an object that is neither is an error and the others go on.</summary>
    protected override void ProcessRecord()
    {
        object? input = InputObject?.Value;
        object? bare = input is PSObject wrapped ? wrapped.BaseObject : input;
        IEnumerable items = bare is IEnumerable sequence and not string and not IDictionary ? sequence : new[] { input };
        foreach (object? item in items)
        {
            try
            {
                Collect(item);
            }
            catch (Exception ex) when (ex is InvalidDataException or ArgumentException)
            {
                string reason = UserMessages.Of(ex);
                WriteError(new ErrorRecord(
                    new InvalidDataException("Export-RemediationReport takes remediation results and runs: " + reason, ex),
                    ErrorIds.ResultInvalid,
                    ErrorCategory.InvalidData,
                    item));
            }
        }
    }

    /// <summary>Writes the report once, atomically, after the last input.</summary>
    protected override void EndProcessing()
    {
        string? file = ResolveFile();
        if (file is null)
        {
            return;
        }

        if (File.Exists(file) && !Force)
        {
            ThrowTerminatingError(new ErrorRecord(
                new IOException($"The file '{file}' already exists. Use -Force to overwrite it."),
                ErrorIds.FileExists, ErrorCategory.ResourceExists, file));
        }

        string? folder = System.IO.Path.GetDirectoryName(file);
        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
        {
            ThrowTerminatingError(new ErrorRecord(
                new DirectoryNotFoundException($"The folder '{folder}' of the report file '{file}' does not exist."),
                ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound, file));
        }

        RemediationReportFormat format = MyInvocation.BoundParameters.ContainsKey(nameof(Format)) ? Format : RemediationReportFile.FormatOf(file);
        if (!ShouldProcess(file, $"Write the {format.ToString().ToUpperInvariant()} report of {_entries.Count} result(s)"))
        {
            return;
        }

        try
        {
            RemediationReportFile.Write(file, RemediationReport.Create(Title, DateTimeOffset.UtcNow, _entries), format);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(
                new IOException($"The report file '{file}' could not be written: {ex.Message}", ex),
                ErrorIds.FileWriteFailed, ErrorCategory.WriteError, file));
        }

        if (PassThru)
        {
            WriteObject(new FileInfo(file));
        }
    }

    private void Collect(object? item)
    {
        object? bare = item is PSObject wrapped ? wrapped.BaseObject : item;
        if (bare is RemediationRun run)
        {
            _entries.Add(RemediationReportEntry.FromRun(run));
            return;
        }

        if (bare is not RemediationResult and not string && PlainObjectConverter.ToPlain(item) is Dictionary<string, object?> fields && RunBinder.IsRun(fields))
        {
            _entries.Add(RemediationReportEntry.FromRun(RunBinder.Convert(fields)));
            return;
        }

        foreach (RemediationResult result in ResultBinder.Convert(item))
        {
            _entries.Add(RemediationReportEntry.FromResult(result));
        }
    }

    // -Path: a pattern with wildcards must name exactly one existing file (as Out-File does); a plain path may name a
    // new file. -LiteralPath: as written.
    private string? ResolveFile()
    {
        if (ParameterSetName == LiteralPathSet || !WildcardPattern.ContainsWildcardCharacters(Path))
        {
            string given = ParameterSetName == LiteralPathSet ? LiteralPath : Path;
            try
            {
                string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(given, out ProviderInfo provider, out _);
                if (provider.ImplementingType == typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
                {
                    return file;
                }

                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"The report path '{given}' is not a file system path (its provider is {provider.Name})."),
                    ErrorIds.PathNotFound, ErrorCategory.InvalidArgument, given));
                return null;
            }
            catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ItemNotFoundException($"The report path '{given}' is not a file system path: {ex.Message}", ex),
                    ErrorIds.PathNotFound, ErrorCategory.InvalidArgument, given));
                return null;
            }
        }

        List<string> matches;
        try
        {
            matches = SessionState.Path.GetResolvedProviderPathFromPSPath(Path, out _).ToList();
        }
        catch (ItemNotFoundException)
        {
            matches = new List<string>();
        }

        if (matches.Count != 1)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ItemNotFoundException(matches.Count == 0
                    ? $"The report path '{Path}' has wildcard characters and matches no file. Use -LiteralPath for a file name with [, ], * or ?."
                    : $"The report path '{Path}' matches {matches.Count} files: {string.Join(", ", matches)}. Name one file."),
                ErrorIds.PathNotFound, ErrorCategory.InvalidArgument, Path));
            return null;
        }

        return matches[0];
    }
}
