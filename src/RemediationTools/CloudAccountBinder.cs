using System.Collections;
using System.Globalization;
using System.Management.Automation;
using RemediationTools.Core.Engine;

namespace RemediationTools;

/// <summary>
/// Reads -CloudAccount values (our account role objects, PSCustomObjects, hashtables) into the run's account roles.
/// A bad entry makes the invocation unusable: a terminating error naming it.
/// </summary>
internal static class CloudAccountBinder
{
    public static void AddAll(PSCmdlet cmdlet, RemediationOptions options, IEnumerable<RemediationCloudAccount?>? accounts)
    {
        if (accounts is null)
        {
            return;
        }

        foreach (RemediationCloudAccount? entry in accounts)
        {
            try
            {
                CloudAccountRoles.Add(options, Blank(entry?.AccountId), Blank(entry?.RoleArn), Blank(entry?.ExternalId));
            }
            catch (ArgumentException ex)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(UserMessages.ForUser(ex), ErrorIds.CloudAccountInvalid, ErrorCategory.InvalidArgument, entry));
            }
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();

    /// <summary>A property of a hashtable or any object, case-insensitively, trimmed; null when absent or blank.</summary>
    internal static string? Read(object entry, string name)
    {
        object? bare = entry is PSObject wrapped ? wrapped.BaseObject : entry;
        object? value = null;
        if (bare is IDictionary dictionary)
        {
            foreach (DictionaryEntry item in dictionary)
            {
                if (string.Equals(Convert.ToString(item.Key, CultureInfo.InvariantCulture), name, StringComparison.OrdinalIgnoreCase))
                {
                    value = item.Value;
                    break;
                }
            }
        }
        else
        {
            value = PSObject.AsPSObject(entry).Properties[name]?.Value;
        }

        value = value is PSObject inner ? inner.BaseObject : value;
        string? text = Convert.ToString(value, CultureInfo.InvariantCulture);
        return string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
    }
}
