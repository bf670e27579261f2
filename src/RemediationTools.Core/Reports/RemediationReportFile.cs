using System.Text;

namespace RemediationTools.Core.Reports;

/// <summary>Writes a report file atomically (a temporary file beside the target, then a rename), so a reader never sees half a page.</summary>
internal static class RemediationReportFile
{
    /// <summary>The format a path implies: CSV for a <c>.csv</c> file, else HTML.</summary>
    public static RemediationReportFormat FormatOf(string path)
        => string.Equals(Path.GetExtension(path ?? throw new ArgumentNullException(nameof(path))), ".csv", StringComparison.OrdinalIgnoreCase)
            ? RemediationReportFormat.Csv
            : RemediationReportFormat.Html;

    /// <summary>The report in <paramref name="format"/>.</summary>
    public static string Render(RemediationReport report, RemediationReportFormat format) => format switch
    {
        RemediationReportFormat.Html => HtmlReportRenderer.Render(report),
        RemediationReportFormat.Csv => CsvReportRenderer.Render(report),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "The report format '" + format + "' is not Html or Csv."),
    };

    /// <summary>
    /// Writes <paramref name="report"/> to <paramref name="path"/> in <paramref name="format"/> (UTF-8 without a byte
    /// order mark), replacing an existing file. The folder must exist.
    /// </summary>
    public static void Write(string path, RemediationReport report, RemediationReportFormat format)
    {
        var full = Path.GetFullPath(path ?? throw new ArgumentNullException(nameof(path)));
        var content = Render(report, format);
        var temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
        File.WriteAllText(temporary, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        try
        {
            if (File.Exists(full))
            {
                File.Replace(temporary, full, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temporary, full);
            }
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
