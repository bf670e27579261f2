using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs.Policies;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// The logging bucket scheme shared by <c>s3-enable-access-logging</c> and <c>elb-enable-access-logs</c>: one target
/// bucket <c>&lt;prefix&gt;-&lt;account&gt;-&lt;region&gt;</c> per account and region, created when missing with SSE-S3 default
/// encryption (the only kind log delivery accepts), all four public access block settings on, object ownership
/// <c>BucketOwnerEnforced</c>, and a bucket policy holding the statements the log deliverers need (a job passes its own:
/// <see cref="S3ServerAccessLogsStatement"/> for S3, the ELB statement of the region for load balancers).
/// <para>
/// Plan with <see cref="PlanAsync"/> (read-only: one GetBucketPolicy of the target, shared by the batch), list
/// <see cref="LoggingTargetPlan.Actions"/> in the job's plan and <see cref="LoggingTargetPlan.Touches"/> in its touches,
/// then call <see cref="ApplyAsync"/> before the job's own change. The touches make the engine run the findings that
/// need the same target one at a time, and plan the later ones again once the first created it: the bucket is
/// created once per batch, and each statement written once (a re-read right before the write keeps everyone else's).
/// </para>
/// </summary>
internal static class LoggingTargetBucket
{
    /// <summary>The replaced system's prefix, so its existing logging buckets are reused.</summary>
    public const string DefaultPrefix = "vss-logging-target";

    /// <summary>The S3 server access logging service principal.</summary>
    public const string S3LoggingServicePrincipal = "logging.s3.amazonaws.com";

    /// <summary>The Sid of the S3 server access logging statement (the S3 User Guide's).</summary>
    public const string S3ServerAccessLogsSid = "S3ServerAccessLogsPolicy";

    /// <summary>The key prefix under which S3 server access logs of every source bucket go (<c>s3bucket/&lt;source&gt;/</c>).</summary>
    public const string S3LogKeyPrefix = "s3bucket/";

    /// <summary>The error code of a prefix that makes no valid bucket name.</summary>
    public const string InvalidPrefixErrorCode = "InvalidLoggingBucketPrefix";

    /// <summary>The error code when the target's name is taken by a bucket of another account.</summary>
    public const string TakenErrorCode = "BucketAlreadyExists";

    /// <summary>IAM action: CreateBucket.</summary>
    public const string CreateBucketAction = "s3:CreateBucket";

    /// <summary>IAM action: PutBucketOwnershipControls.</summary>
    public const string PutBucketOwnershipControlsAction = "s3:PutBucketOwnershipControls";

    /// <summary>IAM action: GetBucketPolicy.</summary>
    public const string GetBucketPolicyAction = BucketPolicyStore.GetBucketPolicyAction;

    /// <summary>IAM action: PutBucketPolicy.</summary>
    public const string PutBucketPolicyAction = BucketPolicyStore.PutBucketPolicyAction;

    /// <summary>The IAM actions the scheme calls when it creates the target (a job declares them all).</summary>
    public static IReadOnlyList<string> IamActions { get; } = new[]
    {
        CreateBucketAction,
        GetBucketPolicyAction,
        PutBucketOwnershipControlsAction,
        S3Actions.PutBucketPublicAccessBlock,
        PutBucketPolicyAction,
        S3Actions.PutEncryptionConfiguration,
    };

    private static readonly Regex PrefixPattern = new("^[a-z0-9][a-z0-9.-]*$", RegexOptions.CultureInvariant);

    private static readonly Regex NewBucketNamePattern = new("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant);

    private static readonly string[] ReservedPrefixes = { "xn--", "sthree-", "amzn-s3-demo-" };

    private static readonly string[] ReservedSuffixes = { "-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3" };

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming <paramref name="prefix"/> when it cannot begin a bucket name
    /// (lowercase letters, digits, dots and hyphens, starting with a letter or digit, at most 35 characters so that
    /// <c>-&lt;account&gt;-&lt;region&gt;</c> fits in 63).
    /// </summary>
    public static void ValidatePrefix(string? prefix)
    {
        if (prefix is null || !PrefixPattern.IsMatch(prefix) || prefix.Length > 35 || prefix.Contains("..") || ReservedPrefixes.Any(r => prefix.StartsWith(r, StringComparison.Ordinal)))
        {
            throw new ArgumentException(
                "The logging bucket prefix '" + prefix + "' cannot begin an S3 bucket name: use 1 to 35 lowercase letters, digits, dots and hyphens, starting with a letter or digit " +
                "(not xn--, sthree- or amzn-s3-demo-), so that '<prefix>-<account>-<region>' is a valid bucket name (-LoggingBucketPrefix).");
        }
    }

    /// <summary>
    /// The target bucket of <paramref name="accountId"/> in <paramref name="region"/>: <c>&lt;prefix&gt;-&lt;account&gt;-&lt;region&gt;</c>.
    /// A name S3 would refuse fails with <see cref="InvalidPrefixErrorCode"/>, naming it, before any call.
    /// </summary>
    public static string NameFor(string prefix, string accountId, string region)
    {
        var name = (prefix ?? string.Empty) + "-" + accountId + "-" + region;
        if (!NewBucketNamePattern.IsMatch(name) || name.Contains("..") || ReservedPrefixes.Any(r => name.StartsWith(r, StringComparison.Ordinal)) ||
            ReservedSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal)))
        {
            throw new JobFailureException(
                InvalidPrefixErrorCode,
                "The logging bucket name '" + name + "' (from -LoggingBucketPrefix '" + prefix + "') is not a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens; nothing was changed.");
        }

        return name;
    }

    /// <summary>The ARN of a bucket in the partition of <paramref name="region"/>.</summary>
    public static string BucketArn(string bucketName, string region) => "arn:" + AwsPartition.Of(region) + ":s3:::" + bucketName;

    /// <summary>
    /// The statement that lets S3 server access logging deliver under <see cref="S3LogKeyPrefix"/> for the account's
    /// buckets (S3 User Guide, "Grant permissions to the logging service principal by using a bucket policy", with
    /// <c>aws:SourceAccount</c>; no <c>aws:SourceArn</c>, as every bucket of the account logs here).
    /// </summary>
    public static JsonObject S3ServerAccessLogsStatement(string targetBucket, string accountId, string region) => new()
    {
        ["Sid"] = S3ServerAccessLogsSid,
        ["Effect"] = "Allow",
        ["Principal"] = new JsonObject { ["Service"] = S3LoggingServicePrincipal },
        ["Action"] = new JsonArray("s3:PutObject"),
        ["Resource"] = BucketArn(targetBucket, region) + "/" + S3LogKeyPrefix + "*",
        ["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { ["aws:SourceAccount"] = accountId } },
    };

    /// <summary>
    /// Reads the target of the finding's account in <paramref name="region"/> (GetBucketPolicy: NoSuchBucket = to be
    /// created, NoSuchBucketPolicy = no policy yet) and plans what it lacks: the bucket, and the statements of
    /// <paramref name="statements"/> that its policy does not hold yet (a statement counts as present when one equal to
    /// it, Sid aside, is there). Read-only; the read is shared by the batch.
    /// </summary>
    public static async Task<LoggingTargetPlan> PlanAsync(JobContext context, string region, IReadOnlyList<JsonObject> statements, CancellationToken cancellationToken)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        if (statements is null)
        {
            throw new ArgumentNullException(nameof(statements));
        }

        var accountId = context.Finding.AccountId
            ?? throw new InvalidOperationException("The finding has no account: the engine binds every finding to its credentials' account before planning.");
        var name = NameFor(context.Options.LoggingBucketPrefix, accountId, region);
        var target = await S3Bucket.OpenNamedAsync(context, name, region, cancellationToken).ConfigureAwait(false);
        // Cached under the policy's key (the resource the plan touches), so a change by another finding invalidates it.
        var policy = await context.Cache.GetOrReadAsync(ResourceKeys.BucketPolicy(name), () => ReadAsync(target, cancellationToken)).ConfigureAwait(false);
        var exists = !policy.IsNoBucket && !policy.IsUnreadable;
        var missing = statements.Where(s => !policy.Statements.Any(present => SameStatement(present, s))).Select(s => (JsonObject)s.DeepClone()).ToList();
        return new LoggingTargetPlan(name, region, accountId, exists, policy, missing) { ReadRefused = policy.IsUnreadable };
    }

    /// <summary>
    /// Makes the target as <paramref name="plan"/> says: creates it when it was missing (CreateBucket; a bucket of this
    /// account by that name, created meanwhile, is used; one of another account fails with
    /// <see cref="TakenErrorCode"/>), sets ownership, public access block and encryption on a bucket it created, and
    /// adds the missing statements to the policy as it is right before the write.
    /// </summary>
    public static async Task ApplyAsync(JobContext context, LoggingTargetPlan plan, CancellationToken cancellationToken)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        if (plan is null)
        {
            throw new ArgumentNullException(nameof(plan));
        }

        var target = await S3Bucket.OpenNamedAsync(context, plan.Name, plan.Region, cancellationToken).ConfigureAwait(false);
        var created = !plan.Exists && await CreateAsync(context, target, plan, cancellationToken).ConfigureAwait(false);
        if (created)
        {
            await target.RunAsync(PutBucketOwnershipControlsAction, s3 => s3.PutBucketOwnershipControlsAsync(new PutBucketOwnershipControlsRequest
            {
                BucketName = target.Name,
                OwnershipControls = new OwnershipControls { Rules = new List<OwnershipControlsRule> { new() { ObjectOwnership = ObjectOwnership.BucketOwnerEnforced } } },
            }, cancellationToken)).ConfigureAwait(false);
            await target.RunAsync(S3Actions.PutBucketPublicAccessBlock, s3 => s3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
            {
                BucketName = target.Name,
                PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration { BlockPublicAcls = true, IgnorePublicAcls = true, BlockPublicPolicy = true, RestrictPublicBuckets = true },
            }, cancellationToken)).ConfigureAwait(false);
            await target.RunAsync(S3Actions.PutEncryptionConfiguration, s3 => s3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
            {
                BucketName = target.Name,
                ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
                {
                    ServerSideEncryptionRules = new List<ServerSideEncryptionRule>
                    {
                        new() { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 } },
                    },
                },
            }, cancellationToken)).ConfigureAwait(false);
        }

        if (plan.MissingStatements.Count == 0)
        {
            return;
        }

        // Read-modify-write: the statements are added to the policy as it is now, so nothing written meanwhile is lost,
        // and a statement someone else added meanwhile is not added twice.
        // A bucket this call just created has no policy yet: no read needed.
        var current = created ? PolicyDocument.None : await ReadAsync(target, cancellationToken).ConfigureAwait(false);
        if (current.IsUnreadable || current.IsNoBucket)
        {
            // Created meanwhile by this account yet unreadable (no s3:GetBucketPolicy), or gone again: read it once more
            // through the plain path, which fails with AWS's answer and names the missing action.
            current = await BucketPolicyStore.ReadAsync(target, cancellationToken).ConfigureAwait(false);
        }

        var policy = current;
        foreach (var statement in plan.MissingStatements.Where(s => !current.Statements.Any(present => SameStatement(present, s))))
        {
            var copy = (JsonObject)statement.DeepClone();
            if (PolicyStatements.Sid(copy) is { } sid)
            {
                copy["Sid"] = policy.UnusedSid(sid);
            }

            policy = policy.With(copy);
        }

        if (!ReferenceEquals(policy, current))
        {
            var text = policy.ToJson()!;
            await target.RunAsync(PutBucketPolicyAction, s3 => s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = target.Name, Policy = text }, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> grant the same, Sid aside (member order aside).</summary>
    public static bool SameStatement(JsonObject a, JsonObject b)
    {
        var left = (JsonObject)a.DeepClone();
        var right = (JsonObject)b.DeepClone();
        left.Remove("Sid");
        right.Remove("Sid");
        return PolicyDocument.Parse(new JsonObject { ["Statement"] = left }.ToJsonString(), "statement")
            .SameAs(PolicyDocument.Parse(new JsonObject { ["Statement"] = right }.ToJsonString(), "statement"));
    }

    private static async Task<bool> CreateAsync(JobContext context, S3Bucket target, LoggingTargetPlan plan, CancellationToken cancellationToken)
    {
        try
        {
            await target.RunAsync(CreateBucketAction, s3 => s3.PutBucketAsync(new PutBucketRequest { BucketName = target.Name, BucketRegionName = plan.Region }, cancellationToken)).ConfigureAwait(false);
            context.Reporter.Verbose("Created the logging bucket " + target.Name + " in " + plan.Region + ".");
            return true;
        }
        catch (AwsCallException ex) when (ex.ErrorCode == "BucketAlreadyOwnedByYou")
        {
            // Created since the plan by this account (another run, or a finding of another batch group): use it as it is.
            context.Reporter.Verbose("The logging bucket " + target.Name + " exists already in this account; it is used as it is.");
            return false;
        }
        catch (AwsCallException ex) when (ex.ErrorCode == TakenErrorCode)
        {
            throw new JobFailureException(
                TakenErrorCode,
                "The logging bucket name " + target.Name + " is taken by a bucket of another AWS account (CreateBucket: BucketAlreadyExists); nothing was changed. " +
                "Choose another -LoggingBucketPrefix.");
        }
    }

    private static async Task<PolicyDocument> ReadAsync(S3Bucket target, CancellationToken cancellationToken)
    {
        string? code;
        string? text;
        try
        {
            (code, text) = await BucketPolicyStore.ReadTextAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsCallException ex) when (ex.ErrorCode == "AccessDenied")
        {
            // A bucket of another account answers AccessDenied, as does one of this account the role may not read: the
            // plan says so, and CreateBucket tells them apart (BucketAlreadyExists, or BucketAlreadyOwnedByYou and the
            // read is refused again, naming the missing action).
            return PolicyDocument.Unreadable;
        }

        return code switch
        {
            null => PolicyDocument.Parse(text, "bucket " + target.Name),
            BucketPolicyStore.NoSuchBucketPolicyCode => PolicyDocument.None,
            "NoSuchBucket" => PolicyDocument.NoBucket,
            _ => throw new JobFailureException(code, GetBucketPolicyAction + " on the logging bucket " + target.Name + " failed: " + code + "."),
        };
    }
}

/// <summary>What the logging target of one account and region lacks, from <see cref="LoggingTargetBucket.PlanAsync"/>.</summary>
internal sealed class LoggingTargetPlan
{
    /// <summary>Creates the plan.</summary>
    public LoggingTargetPlan(string name, string region, string accountId, bool exists, PolicyDocument policy, IReadOnlyList<JsonObject> missingStatements)
    {
        Name = name;
        Region = region;
        AccountId = accountId;
        Exists = exists;
        Policy = policy;
        MissingStatements = missingStatements;
    }

    /// <summary>The target bucket's name.</summary>
    public string Name { get; }

    /// <summary>The target's region (the source's: log delivery needs both in one region).</summary>
    public string Region { get; }

    /// <summary>The account of the target and its sources.</summary>
    public string AccountId { get; }

    /// <summary>True when the target existed when planned (it is then used as it is, apart from missing statements).</summary>
    public bool Exists { get; }

    /// <summary>The target's policy when planned.</summary>
    public PolicyDocument Policy { get; }

    /// <summary>The statements its policy lacks.</summary>
    public IReadOnlyList<JsonObject> MissingStatements { get; }

    /// <summary>True when reading the target's policy was refused (another account's bucket, or no s3:GetBucketPolicy).</summary>
    public bool ReadRefused { get; set; }

    /// <summary>What the operator should know about the target.</summary>
    public IReadOnlyList<string> Notes => ReadRefused
        ? new[] { "Reading the logging bucket " + Name + " was refused (AccessDenied): it belongs to another account, or this role may not read its policy; creating it will tell." }
        : Exists ? new[] { "The logging bucket " + Name + " exists and is used as it is." } : Array.Empty<string>();

    /// <summary>True when the target needs nothing.</summary>
    public bool IsReady => Exists && MissingStatements.Count == 0;

    /// <summary>The resources the target's changes touch (empty when it is ready).</summary>
    public IReadOnlyList<string> Touches => IsReady ? Array.Empty<string>() : new[] { ResourceKeys.BucketPolicy(Name) };

    /// <summary>The target's changes as plan actions (before/after; added statements as JSON).</summary>
    public IReadOnlyList<RemediationAction> Actions
    {
        get
        {
            var actions = new List<RemediationAction>();
            if (!Exists)
            {
                actions.Add(new RemediationAction
                {
                    Operation = LoggingTargetBucket.CreateBucketAction,
                    Target = Name,
                    Description = string.Format(
                        CultureInfo.InvariantCulture,
                        "Create the logging bucket {0} in {1}: SSE-S3 default encryption, all public access blocked, object ownership BucketOwnerEnforced.",
                        Name,
                        Region),
                    Before = null,
                    After = "bucket " + Name + " (" + Region + "): SSE-S3, BlockPublicAcls IgnorePublicAcls BlockPublicPolicy RestrictPublicBuckets, BucketOwnerEnforced",
                });
            }

            if (MissingStatements.Count > 0)
            {
                actions.Add(new RemediationAction
                {
                    Operation = LoggingTargetBucket.PutBucketPolicyAction,
                    Target = Name,
                    Description = "Add the log delivery statement(s) to the logging bucket's policy; every other statement stays.",
                    Before = null,
                    After = PolicyDocument.Show(MissingStatements),
                });
            }

            return actions;
        }
    }
}
