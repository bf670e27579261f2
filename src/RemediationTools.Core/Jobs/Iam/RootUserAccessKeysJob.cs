using RemediationTools.Core.Aws.Signed;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Iam;

/// <summary>
/// <c>aws-iam-root-user-disable-access-keys</c>: no API can deactivate or delete the root user's access keys (only the
/// root user, signed in, can), so the job reads the account summary and, when root keys are present, is
/// <c>Failed</c> with <see cref="ManualActionRequired"/> and the steps; compliant otherwise. It changes nothing. The
/// account has no tags: only a finding's own tags can carry <c>remediation:skip</c>.
/// </summary>
internal sealed class RootUserAccessKeysJob : IRemediationJob
{
    /// <summary>The error code of a finding only a person can fix.</summary>
    public const string ManualActionRequired = "ManualActionRequired";

    /// <summary>Creates the job.</summary>
    public RootUserAccessKeysJob() => Info = new RemediationJobInfo
    {
        Id = "aws-iam-root-user-disable-access-keys",
        RuleIds = new[] { "5c8c26137a550e1fb6560c01" },
        Title = "Report root user access keys for removal by the root user",
        Service = "IAM",
        ResourceType = "Account",
        Impact = "None: the job only reads the account summary. Removing root keys stops whatever still signs with them.",
        IamActions = new[] { IamActions.GetAccountSummary },
    };

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var accountId = IamAccountTarget.Resolve(context.Finding);
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var summary = await AwsCall.RunAsync(context.Reporter, IamActions.GetAccountSummary, accountId, () =>
            context.Clients.Iam().GetAccountSummaryAsync(new GetAccountSummaryRequest(), cancellationToken)).ConfigureAwait(false);
        if (!summary.SummaryMap.TryGetValue("AccountAccessKeysPresent", out var present) || present == 0)
        {
            return JobPlan.Compliant();
        }

        throw new JobFailureException(
            ManualActionRequired,
            "The root user of account " + accountId + " has access keys, and no API can remove them: sign in to the AWS Management Console as the root user, " +
            "open Security credentials, make a note of what still uses each access key and move it to an IAM role, then deactivate and delete every access key " +
            "of the root user (and never create one again). Nothing was changed.");
    }

    /// <inheritdoc />
    public Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
        => throw new InvalidOperationException(Info.Id + " changes nothing: its plans never have changes.");

    /// <inheritdoc />
    public Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
        => throw new InvalidOperationException(Info.Id + " changes nothing: its plans never have changes.");

    /// <inheritdoc />
    public Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
        => Task.FromResult(JobPlan.Compliant(new[] { Info.Id + " changed nothing, so there is nothing to undo." }));
}
