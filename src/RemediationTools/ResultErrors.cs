using System.Management.Automation;
using RemediationTools.Core.Engine;

namespace RemediationTools;

/// <summary>The error ID and category of a Failed result, the same for Invoke-Remediation and Undo-Remediation.</summary>
internal static class ResultErrors
{
    /// <summary>AssumeRoleDenied and AccountMismatch have their own IDs; every other failure is RemediationFailed.</summary>
    public static (string ErrorId, ErrorCategory Category) For(RemediationResult result) => result?.ErrorCode switch
    {
        FailureTranslator.AssumeRoleDenied => (ErrorIds.AssumeRoleDenied, ErrorCategory.PermissionDenied),
        FailureTranslator.AccountMismatch => (ErrorIds.AccountMismatch, ErrorCategory.SecurityError),
        _ => (ErrorIds.RemediationFailed, ErrorCategory.InvalidResult),
    };

    /// <summary>
    /// The message of a Failed result's error: the finding (its FindingId when it has one), the job, the resource, the
    /// account and region, then the reason, for example
    /// <c>Finding 'f-1': security-group-close-port-22 on sg-1 (account 111111111111, us-east-1) failed: ...</c>.
    /// <paramref name="what"/> is <c>"Undo of "</c> for Undo-Remediation.
    /// </summary>
    public static string Message(RemediationResult result, string what = "")
    {
        if (result is null)
        {
            throw new ArgumentNullException(nameof(result));
        }

        return Name(result, what) + " failed: " + result.Reason;
    }

    /// <summary>
    /// What a result is about, as error messages name it: <c>Finding 'f-1': security-group-close-port-22 on sg-1 (account
    /// 111111111111, us-east-1)</c>, with <paramref name="what"/> (<c>"Undo of "</c>) before the job.
    /// </summary>
    public static string Name(RemediationResult result, string what = "")
    {
        if (result is null)
        {
            throw new ArgumentNullException(nameof(result));
        }

        string finding = string.IsNullOrEmpty(result.FindingId) ? string.Empty : "Finding '" + result.FindingId + "': ";
        string region = string.IsNullOrEmpty(result.Region) ? string.Empty : ", " + result.Region;
        return $"{finding}{what}{result.JobId} on {result.ResourceId} (account {result.AccountId}{region})";
    }
}
