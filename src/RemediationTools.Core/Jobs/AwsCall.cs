using Amazon.Runtime;
using RemediationTools.Core.Engine;

namespace RemediationTools.Core.Jobs;

/// <summary>
/// Runs one AWS call on behalf of a job: says which IAM action it uses (verbose), and wraps an AWS error in an
/// <see cref="AwsCallException"/> that carries the action, so an AccessDenied can name what was missing.
/// </summary>
internal static class AwsCall
{
    /// <summary>Runs <paramref name="call"/>, which needs <paramref name="iamAction"/>, against <paramref name="target"/>.</summary>
    public static async Task<T> RunAsync<T>(IRemediationReporter reporter, string iamAction, string target, Func<Task<T>> call)
    {
        reporter.Verbose(iamAction + " " + target);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AmazonServiceException ex)
        {
            throw new AwsCallException(iamAction, target, ex);
        }
    }
}

/// <summary>An AWS call failed; carries the IAM action of the call and the AWS error code.</summary>
[Serializable]
internal sealed class AwsCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AwsCallException(string iamAction, string target, AmazonServiceException inner)
        : this(iamAction, target, inner, null)
    {
    }

    /// <summary>Creates the exception, with <paramref name="hint"/> (what else can cause this error here) after AWS's message.</summary>
    public AwsCallException(string iamAction, string target, AmazonServiceException inner, string? hint)
        : base(iamAction + " on " + target + " failed: " + inner.Message + (hint is null ? string.Empty : " " + hint), inner)
    {
        IamAction = iamAction;
        Target = target;
        ErrorCode = inner.ErrorCode;
    }

    /// <summary>The IAM action of the failed call, for example <c>ec2:RevokeSecurityGroupIngress</c>.</summary>
    public string IamAction { get; }

    /// <summary>The resource the call was about.</summary>
    public string Target { get; }

    /// <summary>The AWS error code, for example <c>UnauthorizedOperation</c>.</summary>
    public string? ErrorCode { get; }
}
