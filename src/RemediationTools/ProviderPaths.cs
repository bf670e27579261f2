using System.Collections.ObjectModel;
using System.Management.Automation;

namespace RemediationTools;

/// <summary>
/// Resolves <c>-Path</c> (wildcards) and <c>-LiteralPath</c> (as written; also what <c>Get-ChildItem</c> output binds
/// by its <c>PSPath</c>) to files, for every cmdlet that reads files. A path that matches no file is a
/// <c>PathNotFound</c> error naming it, and the other paths go on.
/// </summary>
internal static class ProviderPaths
{
    public static IReadOnlyList<string> ResolveFiles(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal)
    {
        var files = new List<string>();
        foreach (string path in paths)
        {
            try
            {
                if (literal)
                {
                    string file = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                    files.Add(File.Exists(file) ? file : throw new ItemNotFoundException($"Cannot find the file '{path}'."));
                    continue;
                }

                Collection<string> resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out ProviderInfo _);
                files.AddRange(resolved.Where(File.Exists));
            }
            catch (ItemNotFoundException ex)
            {
                cmdlet.WriteError(new ErrorRecord(ex, ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound, path));
            }
        }

        return files;
    }
}
