namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// The guard for APIs that replace a whole document (a bucket ACL, a bucket policy): apply re-reads the document right
/// before it writes, and when it is no longer the one the plan was made from (another writer, outside this run,
/// changed it in between), nothing is written and the finding fails with <see cref="StalePlanErrorCode"/>, on which
/// the engine plans again from a fresh read (and a worker puts the request back), so the other writer's change is kept.
/// </summary>
internal static class WholeDocumentGuard
{
    /// <summary>The error code of a plan whose document changed before it was written; the engine plans again on it.</summary>
    public const string StalePlanErrorCode = "DocumentChangedSincePlan";

    /// <summary>
    /// Throws a <see cref="JobFailureException"/> with <see cref="StalePlanErrorCode"/> when <paramref name="current"/>
    /// is not <paramref name="planned"/> (both in one canonical form of the document).
    /// </summary>
    public static void EnsureUnchanged(string document, string bucketName, string planned, string current)
    {
        if (!string.Equals(planned, current, StringComparison.Ordinal))
        {
            throw new JobFailureException(
                StalePlanErrorCode,
                "The " + document + " of bucket " + bucketName + " changed after it was planned; nothing was written. Planned from: " + planned + "; now: " + current + ".");
        }
    }
}
