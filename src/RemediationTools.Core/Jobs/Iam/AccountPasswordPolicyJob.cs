using System.Globalization;
using System.Text.Json;
using RemediationTools.Core.Aws.Signed;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Iam;

/// <summary>
/// <c>aws-iam-password-policy-min-length</c> and <c>aws-iam-password-reuse-prevention</c>: raise one setting of the
/// account password policy (never lower it) and write the policy back whole, every other setting kept (IAM resets
/// what it is not sent). With no policy, the policy created is never weaker than AWS's implicit one: the job's
/// setting, all four character types, at least 8 characters, the rest at the API's defaults. Both jobs touch one
/// document, so their plans name the same account-wide key and the engine serialises them, in any order and region.
/// Undo puts this job's setting back (or deletes the policy the job created, when nothing else changed it since).
/// The account password policy has no tags: only a finding's own tags can carry <c>remediation:skip</c>.
/// </summary>
internal sealed class AccountPasswordPolicyJob : IRemediationJob
{
    private readonly PasswordPolicySetting setting;

    private AccountPasswordPolicyJob(PasswordPolicySetting setting, RemediationJobInfo info)
    {
        this.setting = setting;
        Info = info;
    }

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <summary><c>aws-iam-password-policy-min-length</c>.</summary>
    public static AccountPasswordPolicyJob MinimumLength() => new(PasswordPolicySetting.MinimumLength, NewInfo(
        "aws-iam-password-policy-min-length",
        "5c8c260b7a550e1fb6560bf4",
        "Require IAM user passwords of at least 14 characters (-MinimumLength)"));

    /// <summary><c>aws-iam-password-reuse-prevention</c>.</summary>
    public static AccountPasswordPolicyJob ReusePrevention() => new(PasswordPolicySetting.ReusePrevention, NewInfo(
        "aws-iam-password-reuse-prevention",
        "5c8c26107a550e1fb6560bfc",
        "Prevent IAM users from reusing their last 24 passwords (-ReusePrevention)"));

    private static RemediationJobInfo NewInfo(string id, string ruleId, string title) => new()
    {
        Id = id,
        RuleIds = new[] { ruleId },
        Title = title,
        Service = "IAM",
        ResourceType = "AccountPasswordPolicy",
        Impact = "Applies to IAM user passwords set from now on; existing passwords keep working until they are changed. Every other setting of the policy is kept.",
        IamActions = new[] { IamActions.GetAccountPasswordPolicy, IamActions.UpdateAccountPasswordPolicy },
        UndoIamActions = new[] { IamActions.DeleteAccountPasswordPolicy },
    };

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var accountId = IamAccountTarget.Resolve(context.Finding);
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var key = ResourceKeys.AccountPasswordPolicy(accountId);
        var before = await context.Cache.GetOrReadAsync(key, () => ReadAsync(context, accountId, cancellationToken)).ConfigureAwait(false);
        var target = setting.Target(context.Options);
        if (before.Exists && setting.Get(before) >= target)
        {
            return JobPlan.Compliant();
        }

        var after = before.Exists ? before.Copy() : PasswordPolicyState.FirstPolicy();
        setting.Set(after, Math.Max(setting.Get(after) ?? 0, target));
        var notes = new List<string>();
        string description;
        if (before.Exists)
        {
            description = "Raise " + setting.Name + " of the account password policy from " + Value(setting.Get(before)) + " to " + Value(setting.Get(after)) +
                          ", writing the policy back with every other setting as it was.";
        }
        else
        {
            description = "Create the account password policy with " + setting.Name + " " + Value(setting.Get(after)) + ".";
            var length = "at least " + after.MinimumPasswordLength.ToString(CultureInfo.InvariantCulture) + " characters";
            var own = ReferenceEquals(setting, PasswordPolicySetting.MinimumLength) ? string.Empty : ", " + setting.Name + " " + Value(setting.Get(after));
            notes.Add("Account " + accountId + " had no password policy, so AWS applied its implicit one (at least 8 characters, three of the four character types). " +
                      "The policy created replaces it and is never weaker: all four character types required (the API cannot require three of four), " +
                      length + own + ", the other settings at IAM's defaults.");
        }

        var action = new RemediationAction
        {
            Operation = IamActions.UpdateAccountPasswordPolicy,
            Target = accountId,
            Description = description,
            Before = before.Describe(),
            After = after.Describe(),
        };
        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = accountId,
            Region = context.Region,
            ResourceId = accountId,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(new PasswordPolicyUndoData { Setting = setting.Name, Previous = before, Written = after }),
        };
        return JobPlan.Change(new[] { action }, notes, undo, new Change(accountId, after), new[] { key });
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var iam = context.Clients.Iam();
        if (!change.Target.Exists)
        {
            await AwsCall.RunAsync(context.Reporter, IamActions.DeleteAccountPasswordPolicy, change.AccountId, () =>
                iam.DeleteAccountPasswordPolicyAsync(new DeleteAccountPasswordPolicyRequest(), cancellationToken)).ConfigureAwait(false);
            return;
        }

        await AwsCall.RunAsync(context.Reporter, IamActions.UpdateAccountPasswordPolicy, change.AccountId, () =>
            iam.UpdateAccountPasswordPolicyAsync(change.Target.ToRequest(), cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var now = await ReadAsync(context, change.AccountId, cancellationToken).ConfigureAwait(false);
        context.Cache.Set(ResourceKeys.AccountPasswordPolicy(change.AccountId), now);
        return now.SameAs(change.Target)
            ? JobVerification.Success()
            : JobVerification.Failure("The password policy of account " + change.AccountId + " is " + now.Describe() + ", not " + change.Target.Describe() + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        PasswordPolicyUndoData data;
        try
        {
            data = RemediationJson.Deserialize<PasswordPolicyUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var previous = data.Previous ?? throw new FindingFormatException("The undo record's Data has no Previous policy.", "Data");
        var accountId = IamAccountTarget.Resolve(context.Finding);
        var now = await ReadAsync(context, accountId, cancellationToken).ConfigureAwait(false);
        PasswordPolicyState target;
        var notes = new List<string>();
        string description;
        if (!previous.Exists && (!now.Exists || (data.Written is { } written && now.SameAs(written))))
        {
            target = PasswordPolicyState.None;
            description = "Delete the account password policy this job created (the account had none).";
        }
        else
        {
            // Only this job's setting goes back: a setting another job or person changed since stays as it is now.
            target = now.Exists ? now.Copy() : previous.Copy();
            var restored = previous.Exists ? setting.Get(previous) : setting.Get(PasswordPolicyState.FirstPolicy());
            setting.Set(target, restored);
            description = "Put " + setting.Name + " of the account password policy back to " + Value(setting.Get(target)) + ", keeping every other setting as it is now.";
            if (!previous.Exists)
            {
                notes.Add("The policy this job created was changed since, so it stays; only " + setting.Name + " goes back to the first policy's baseline.");
            }
        }

        if (now.SameAs(target))
        {
            return JobPlan.Compliant();
        }

        var action = new RemediationAction
        {
            Operation = target.Exists ? IamActions.UpdateAccountPasswordPolicy : IamActions.DeleteAccountPasswordPolicy,
            Target = accountId,
            Description = description,
            Before = now.Describe(),
            After = target.Describe(),
        };
        return JobPlan.Change(new[] { action }, notes, null, new Change(accountId, target), new[] { ResourceKeys.AccountPasswordPolicy(accountId) });
    }

    /// <summary>The account password policy now; <see cref="PasswordPolicyState.None"/> when IAM says NoSuchEntity.</summary>
    internal static async Task<PasswordPolicyState> ReadAsync(JobContext context, string accountId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await AwsCall.RunAsync(context.Reporter, IamActions.GetAccountPasswordPolicy, accountId, () =>
                context.Clients.Iam().GetAccountPasswordPolicyAsync(new GetAccountPasswordPolicyRequest(), cancellationToken)).ConfigureAwait(false);
            return PasswordPolicyState.From(response.PasswordPolicy);
        }
        catch (AwsCallException ex) when (ex.ErrorCode == "NoSuchEntity")
        {
            return PasswordPolicyState.None;
        }
    }

    private static string Value(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "none";

    private static Change ChangeOf(JobPlan plan)
        => plan.Changes as Change ?? throw new ArgumentException("The plan was not made by " + nameof(AccountPasswordPolicyJob) + ".", nameof(plan));

    private sealed class Change
    {
        public Change(string accountId, PasswordPolicyState target)
        {
            AccountId = accountId;
            Target = target;
        }

        public string AccountId { get; }

        /// <summary>The policy to write whole; <see cref="PasswordPolicyState.Exists"/> false: delete it.</summary>
        public PasswordPolicyState Target { get; }
    }
}

/// <summary>The undo data of the password policy jobs.</summary>
internal sealed class PasswordPolicyUndoData
{
    /// <summary>The setting the job raised.</summary>
    public string Setting { get; set; } = string.Empty;

    /// <summary>The policy before (<see cref="PasswordPolicyState.Exists"/> false: none).</summary>
    public PasswordPolicyState? Previous { get; set; }

    /// <summary>The policy the job wrote.</summary>
    public PasswordPolicyState? Written { get; set; }
}
