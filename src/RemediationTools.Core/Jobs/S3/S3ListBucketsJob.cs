using System.Text.RegularExpressions;
using Amazon.S3.Model;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// <c>s3-list-buckets</c> (no rule; a read-only inventory): lists the account's buckets, with their regions as
/// ListBuckets gives them, as the result's <see cref="RemediationResult.Data"/>. It changes nothing, so its result is
/// <c>AlreadyCompliant</c> like any empty plan. The finding's ObjectId is the account ID (an account-wide finding).
/// </summary>
internal sealed class S3ListBucketsJob : IRemediationJob
{
    private static readonly Regex AccountIdPattern = new("^[0-9]{12}$", RegexOptions.CultureInvariant);

    /// <summary>Creates the job.</summary>
    public S3ListBucketsJob() => Info = new RemediationJobInfo
    {
        Id = "s3-list-buckets",
        RuleIds = Array.Empty<string>(),
        Title = "List the S3 buckets of an account (read-only)",
        Service = "S3",
        ResourceType = "Account",
        Impact = "None: it only reads the list of buckets.",
        IamActions = new[] { S3Actions.ListAllMyBuckets },
    };

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var accountId = context.ResourceId.Trim();
        if (!AccountIdPattern.IsMatch(accountId) || (context.Finding.AccountId is { } account && account != accountId))
        {
            throw new FindingFormatException(
                "The finding's ObjectId '" + context.ResourceId + "' is not the account ID " + (context.Finding.AccountId ?? "(12 digits)") + ", which " + Info.Id + " needs (an account-wide finding).",
                "ObjectId");
        }

        var s3 = context.Clients.S3(context.Region);
        var buckets = new List<RemediationBucketInfo>();
        string? token = null;
        do
        {
            var request = new ListBucketsRequest { ContinuationToken = token };
            var response = await AwsCall.RunAsync(context.Reporter, S3Actions.ListAllMyBuckets, accountId, () => s3.ListBucketsAsync(request, cancellationToken)).ConfigureAwait(false);
            buckets.AddRange((response.Buckets ?? new List<Amazon.S3.Model.S3Bucket>()).Select(b => new RemediationBucketInfo
            {
                Name = b.BucketName,
                Region = string.IsNullOrEmpty(b.BucketRegion) ? null : b.BucketRegion,
                CreationDate = b.CreationDate is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null,
            }));
            token = string.IsNullOrEmpty(response.ContinuationToken) ? null : response.ContinuationToken;
        }
        while (token is not null);

        var sorted = buckets.OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
        return JobPlan.ReadOnly(new RemediationResultData { Buckets = sorted }, new[] { "Account " + accountId + " has " + sorted.Count + " bucket(s)." });
    }

    /// <inheritdoc />
    public Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
        => throw new InvalidOperationException(Info.Id + " is read-only: its plans change nothing.");

    /// <inheritdoc />
    public Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
        => Task.FromResult(JobVerification.Success());

    /// <inheritdoc />
    public Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
        => Task.FromResult(JobPlan.Compliant(new[] { Info.Id + " changes nothing, so there is nothing to undo." }));
}
