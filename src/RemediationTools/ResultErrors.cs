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
}
