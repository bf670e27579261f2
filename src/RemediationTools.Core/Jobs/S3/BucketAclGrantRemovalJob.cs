using System.Text.Json;
using Amazon.S3.Model;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// The ACL jobs (<c>s3-remove-public-admin-acl</c>, <c>aws-s3-remove-fullaccess-authenticatedusers</c>): read the
/// bucket ACL, remove only the grants the job is about, and write the ACL back with every other grant exactly as it was
/// (the owner's, other accounts', the log delivery group's). A bucket whose ACLs are disabled (object ownership
/// <c>BucketOwnerEnforced</c>) is compliant. The write is guarded (<see cref="WholeDocumentGuard"/>). Undo puts back
/// the removed grants only.
/// </summary>
internal sealed class BucketAclGrantRemovalJob : IRemediationJob
{
    /// <summary>The object ownership setting that disables ACLs.</summary>
    public const string BucketOwnerEnforced = "BucketOwnerEnforced";

    private const string OwnershipNotFoundCode = "OwnershipControlsNotFoundError";

    private static readonly string[] PublicGroups = { S3AclGrant.AllUsersUri, S3AclGrant.AuthenticatedUsersUri };
    private static readonly string[] AdminPermissions = { "FULL_CONTROL", "WRITE_ACP" };
    private static readonly string[] AuthenticatedUsersGroup = { S3AclGrant.AuthenticatedUsersUri };
    private static readonly string[] FullControl = { "FULL_CONTROL" };

    private readonly IReadOnlyList<string> groupUris;
    private readonly IReadOnlyList<string> permissions;

    private BucketAclGrantRemovalJob(RemediationJobInfo info, IReadOnlyList<string> groupUris, IReadOnlyList<string> permissions)
    {
        Info = info;
        this.groupUris = groupUris;
        this.permissions = permissions;
    }

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <summary><c>s3-remove-public-admin-acl</c>: FULL_CONTROL and WRITE_ACP of AllUsers and AuthenticatedUsers.</summary>
    public static BucketAclGrantRemovalJob PublicAdmin() => new(
        Describe("s3-remove-public-admin-acl", "5c8c26617a550e1fb6560c69", "Remove public FULL_CONTROL and WRITE_ACP grants from an S3 bucket ACL",
            "Everyone and every AWS account lose full control of the bucket and the right to change its ACL; all other grants stay."),
        PublicGroups,
        AdminPermissions);

    /// <summary><c>aws-s3-remove-fullaccess-authenticatedusers</c>: FULL_CONTROL of AuthenticatedUsers.</summary>
    public static BucketAclGrantRemovalJob AuthenticatedUsersFullControl() => new(
        Describe("aws-s3-remove-fullaccess-authenticatedusers", "5c8c26567a550e1fb6560c5d", "Remove the FULL_CONTROL grant to all AWS accounts from an S3 bucket ACL",
            "Every AWS account loses full control of the bucket; the log delivery group's and all other grants stay."),
        AuthenticatedUsersGroup,
        FullControl);

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var bucket = await S3Bucket.OpenAsync(context, cancellationToken).ConfigureAwait(false);
        if (await bucket.SkipReasonAsync(cancellationToken).ConfigureAwait(false) is { } skip)
        {
            return JobPlan.Skip(skip);
        }

        var key = ResourceKeys.BucketAcl(bucket.Name);
        var before = await context.Cache.GetOrReadAsync(key, () => ReadAclAsync(bucket, cancellationToken)).ConfigureAwait(false);
        var removed = before.Grants.Where(IsOffending).ToList();
        if (removed.Count == 0)
        {
            return JobPlan.Compliant();
        }

        // Only when there is something to remove: with ACLs disabled S3 ignores the ACL (and refuses to change it).
        if (await IsOwnerEnforcedAsync(bucket, cancellationToken).ConfigureAwait(false))
        {
            return JobPlan.Compliant(new[] { "Bucket " + bucket.Name + " has ACLs disabled (object ownership " + BucketOwnerEnforced + "): its ACL grants no access." });
        }

        var after = before.Without(IsOffending);
        var action = new RemediationAction
        {
            Operation = S3Actions.PutBucketAcl,
            Target = bucket.Name,
            Description = "Remove the grant(s) " + string.Join(", ", removed.Select(g => g.Describe(before.OwnerId))) + " from the bucket ACL; every other grant stays.",
            Before = before.Describe(),
            After = after.Describe(),
        };
        var undo = bucket.UndoRecord(Info.Id, new AclUndoData { RemovedGrants = removed.ToList() });
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), undo, new Change(bucket, before, after, removed, restore: false), new[] { key });
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var current = await ReadAclAsync(change.Bucket, cancellationToken).ConfigureAwait(false);
        WholeDocumentGuard.EnsureUnchanged("ACL", change.Bucket.Name, change.Before.Fingerprint(), current.Fingerprint());
        try
        {
            await change.Bucket.RunAsync(S3Actions.PutBucketAcl, s3 => s3.PutBucketAclAsync(change.After.ToPutRequest(change.Bucket.Name), cancellationToken)).ConfigureAwait(false);
        }
        catch (AwsCallException ex) when (ex.ErrorCode == "AccessDenied" && change.After.Grants.FirstOrDefault(IsPublic) is { } stillPublic && ex.InnerException is Amazon.Runtime.AmazonServiceException inner)
        {
            // S3 refuses to write an ACL that is still public while the bucket's BlockPublicAcls is on, with the same
            // AccessDenied as a missing permission: say so, since the grant that stays is not this job's to remove.
            throw new AwsCallException(ex.IamAction, ex.Target, inner,
                "The ACL written back still grants " + stillPublic.Describe(change.After.OwnerId) + " (not this job's to remove): when the bucket's BlockPublicAcls setting is on, S3 refuses such an ACL with AccessDenied; s3-remove-public-access blocks public access as a whole.");
        }
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var now = await ReadAclAsync(change.Bucket, cancellationToken).ConfigureAwait(false);
        var present = now.Missing(change.Grants).Count < change.Grants.Count;
        var allBack = now.Missing(change.Grants).Count == 0;
        if (change.Restore ? allBack : !present)
        {
            return JobVerification.Success();
        }

        return JobVerification.Failure("Bucket " + change.Bucket.Name + "'s ACL is " + now.Describe() + (change.Restore ? "; the removed grants are not all back." : "; it still has a grant the job removes."));
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        AclUndoData data;
        try
        {
            data = RemediationJson.Deserialize<AclUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var bucket = await S3Bucket.OpenAsync(context, cancellationToken).ConfigureAwait(false);
        var now = await ReadAclAsync(bucket, cancellationToken).ConfigureAwait(false);
        var missing = now.Missing(data.RemovedGrants);
        if (missing.Count == 0)
        {
            return JobPlan.Compliant(new[] { "Bucket " + bucket.Name + "'s ACL has the removed grants already." });
        }

        var after = now.With(missing);
        var action = new RemediationAction
        {
            Operation = S3Actions.PutBucketAcl,
            Target = bucket.Name,
            Description = "Put the removed grant(s) " + string.Join(", ", missing.Select(g => g.Describe(now.OwnerId))) + " back into the bucket ACL; every other grant stays.",
            Before = now.Describe(),
            After = after.Describe(),
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), null, new Change(bucket, now, after, missing, restore: true), new[] { ResourceKeys.BucketAcl(bucket.Name) });
    }

    private static RemediationJobInfo Describe(string id, string ruleId, string title, string impact) => new()
    {
        Id = id,
        RuleIds = new[] { ruleId },
        Title = title,
        Service = "S3",
        ResourceType = "Bucket",
        Impact = impact,
        IamActions = new[] { S3Actions.GetBucketAcl, S3Actions.GetBucketOwnershipControls, S3Actions.GetBucketTagging, S3Actions.PutBucketAcl },
    };

    private static async Task<S3Acl> ReadAclAsync(S3Bucket bucket, CancellationToken cancellationToken)
    {
        var response = await bucket.RunAsync(S3Actions.GetBucketAcl, s3 => s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket.Name }, cancellationToken)).ConfigureAwait(false);
        return S3Acl.From(response);
    }

    private static async Task<bool> IsOwnerEnforcedAsync(S3Bucket bucket, CancellationToken cancellationToken)
    {
        try
        {
            var response = await bucket.RunAsync(S3Actions.GetBucketOwnershipControls, s3 =>
                s3.GetBucketOwnershipControlsAsync(new GetBucketOwnershipControlsRequest { BucketName = bucket.Name }, cancellationToken)).ConfigureAwait(false);
            return response.OwnershipControls?.Rules?.Any(r => string.Equals(r.ObjectOwnership?.Value, BucketOwnerEnforced, StringComparison.Ordinal)) == true;
        }
        catch (AwsCallException ex) when (ex.ErrorCode == OwnershipNotFoundCode)
        {
            return false;
        }
    }

    private static bool IsPublic(S3AclGrant grant) => grant.IsGroup(S3AclGrant.AllUsersUri) || grant.IsGroup(S3AclGrant.AuthenticatedUsersUri);

    private bool IsOffending(S3AclGrant grant)
        => grant.Uri is not null && groupUris.Any(grant.IsGroup) && permissions.Contains(grant.Permission, StringComparer.Ordinal);

    private static Change ChangeOf(JobPlan plan)
        => plan.Changes as Change ?? throw new ArgumentException("The plan was not made by " + nameof(BucketAclGrantRemovalJob) + ".", nameof(plan));

    private sealed class Change
    {
        public Change(S3Bucket bucket, S3Acl before, S3Acl after, IReadOnlyList<S3AclGrant> grants, bool restore)
        {
            Bucket = bucket;
            Before = before;
            After = after;
            Grants = grants;
            Restore = restore;
        }

        public S3Bucket Bucket { get; }

        public S3Acl Before { get; }

        public S3Acl After { get; }

        // The grants removed (or, for an undo, put back).
        public IReadOnlyList<S3AclGrant> Grants { get; }

        public bool Restore { get; }
    }
}

/// <summary>The undo data of the ACL jobs: exactly the grants removed.</summary>
internal sealed class AclUndoData
{
    /// <summary>The removed grants.</summary>
    public List<S3AclGrant> RemovedGrants { get; set; } = new();
}
