using System.Text.RegularExpressions;
using Amazon.Runtime;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Findings;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Core.Engine;

/// <summary>Turns an exception from a job or from the AWS client factory into the error fields of a result.</summary>
internal static class FailureTranslator
{
    /// <summary>The error code for a finding the engine cannot use.</summary>
    public const string InvalidFinding = "InvalidFinding";

    /// <summary>The error code when no job serves the finding's rule ID.</summary>
    public const string UnknownRule = "UnknownRule";

    /// <summary>The error code when the named job does not exist.</summary>
    public const string UnknownJob = "UnknownJob";

    /// <summary>The error code when the re-read shows the finding is still there.</summary>
    public const string VerificationFailed = "VerificationFailed";

    /// <summary>An unexpected exception: a defect or a condition the module does not know; the stack trace is in the verbose stream.</summary>
    public const string InternalError = "InternalError";

    /// <summary>The connection to AWS failed or timed out before an answer (transient).</summary>
    public const string NetworkError = "NetworkError";

    /// <summary>The resources of a finding kept changing while it waited for them (transient).</summary>
    public const string ResourceBusy = "ResourceBusy";

    /// <summary>STS refused to assume the account role: the trust policy or the external ID.</summary>
    public const string AssumeRoleDenied = "AssumeRoleDenied";

    /// <summary>The credentials (an assumed role's or the caller's) belong to another account than the finding's.</summary>
    public const string AccountMismatch = FindingParser.AccountMismatchErrorCode;

    private static readonly string[] AccessDeniedCodes =
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation", "UnauthorizedAccess",
    };

    // IAM/STS style: "User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ec2:RevokeSecurityGroupIngress on resource: ..."
    private static readonly Regex NotAuthorizedPattern = new(
        @"not authorized to perform:?\s+(?<action>[A-Za-z0-9-]+:[A-Za-z0-9*]+)",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>True when <paramref name="errorCode"/> means the credentials lack a permission.</summary>
    public static bool IsAccessDenied(string? errorCode)
        => errorCode is not null && AccessDeniedCodes.Contains(errorCode, StringComparer.OrdinalIgnoreCase);

    /// <summary>The IAM action named in an AWS "not authorized to perform: X" message; null when it names none.</summary>
    public static string? ActionFromMessage(string? message)
    {
        var match = message is null ? null : NotAuthorizedPattern.Match(message);
        return match is { Success: true } ? match.Groups["action"].Value : null;
    }

    /// <summary>Fills Status, Reason, ErrorCode and MissingIamActions of <paramref name="result"/> from <paramref name="exception"/>.</summary>
    /// <param name="result">The result to fill.</param>
    /// <param name="exception">What went wrong.</param>
    /// <param name="callAction">The IAM action being called when it happened (for example <c>sts:AssumeRole</c>), when known.</param>
    public static void Fill(RemediationResult result, Exception exception, string? callAction)
    {
        result.Status = RemediationStatus.Failed;
        switch (exception)
        {
            case AwsCallException call:
                result.ErrorCode = call.ErrorCode;
                result.Reason = call.Message;
                FillMissingAction(result, call.ErrorCode, call.InnerException?.Message, call.IamAction);
                break;
            case AmazonServiceException service:
                result.ErrorCode = service.ErrorCode;
                result.Reason = service.Message;
                FillMissingAction(result, service.ErrorCode, service.Message, callAction);
                break;
            case AssumeRoleDeniedException denied:
                result.ErrorCode = AssumeRoleDenied;
                result.Reason = denied.Message;
                result.MissingIamActions = new[] { "sts:AssumeRole" };
                break;
            case FindingFormatException format:
                result.ErrorCode = format.ErrorCode ?? InvalidFinding;
                result.Reason = format.Message;
                break;
            case HttpRequestException or IOException or TimeoutException or OperationCanceledException:
                // An HTTP timeout surfaces as a cancellation that nobody asked for: it fails this call, not the run.
                result.ErrorCode = NetworkError;
                result.Reason = "No answer from AWS" + (callAction is null ? string.Empty : " to " + callAction) + ": " + NetworkMessage(exception);
                break;
            case JobFailureException known:
                result.ErrorCode = known.ErrorCode;
                result.Reason = known.Message;
                break;
            default:
                // A defect or a condition the module does not know: the stack trace and the exception's type go to the
                // verbose stream (Unexpected), the user reads what went wrong, never a .NET type name or parameter suffix.
                result.ErrorCode = InternalError;
                result.Unexpected = true;
                result.Reason = "Unexpected error: " + UserMessages.Of(exception);
                break;
        }

        // AWS messages can quote the request (signatures, tokens, keys): nothing of that reaches a result or a run.
        result.Reason = AwsSecretRedactor.Redact(result.Reason);
    }

    // An HTTP failure's own message is generic ("An error occurred while sending the request."); the inner socket or TLS
    // error says what happened. A cancellation nobody asked for is the SDK's timeout.
    private static string NetworkMessage(Exception exception)
    {
        if (exception is OperationCanceledException or TimeoutException)
        {
            return "the request timed out.";
        }

        var inner = exception.InnerException;
        return inner is null || string.IsNullOrWhiteSpace(inner.Message) || inner.Message == exception.Message
            ? exception.Message
            : exception.Message.TrimEnd('.') + ": " + inner.Message;
    }

    private static void FillMissingAction(RemediationResult result, string? errorCode, string? message, string? callAction)
    {
        if (!IsAccessDenied(errorCode))
        {
            return;
        }

        var action = ActionFromMessage(message) ?? callAction;
        if (action is not null)
        {
            result.MissingIamActions = new[] { action };
            if (result.IsUndo)
            {
                // A role made from the jobs' policy lacks the actions only undo calls unless it was made with -IncludeUndo.
                result.Reason += " The role lacks " + action + " for the undo: grant the undo actions with New-RemediationAccountRole -IncludeUndo (or Get-RemediationPolicy -IncludeUndo).";
            }
        }
    }
}
