using System.Text.Json;
using RemediationTools.Core.Aws.Signed.Rds;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Rds;

/// <summary>
/// A job that sets one boolean setting of a DB instance (PubliclyAccessible, AutoMinorVersionUpgrade) with
/// ModifyDBInstance, applied immediately: the plan reads the instance (its TagList carries <c>remediation:skip</c>),
/// waits, bounded, while it is in a transient state such as <c>modifying</c>, and is compliant when the setting already
/// has the job's value. An instance with pending modifications of other settings is skipped, since ApplyImmediately
/// would apply them now too. Apply waits until the instance is <c>available</c> with the new value; verify re-reads it.
/// Undo sets the previous value back.
/// </summary>
internal abstract class RdsInstanceFlagJob : IRemediationJob
{
    private readonly RdsWaiter waiter;

    /// <summary>Creates the job with its wait for the instance to be available.</summary>
    protected RdsInstanceFlagJob(RdsWaiter waiter)
    {
        this.waiter = waiter ?? throw new ArgumentNullException(nameof(waiter));
    }

    /// <inheritdoc />
    public abstract RemediationJobInfo Info { get; }

    /// <summary>The ModifyDBInstance parameter, for example <c>PubliclyAccessible</c>.</summary>
    protected abstract string SettingName { get; }

    /// <summary>The compliant value.</summary>
    protected abstract bool CompliantValue { get; }

    /// <summary>The setting's value on <paramref name="instance"/> (RDS's default when the response omits it).</summary>
    protected abstract bool Read(DBInstance instance);

    /// <summary>Sets the setting on the request.</summary>
    protected abstract void Set(ModifyDBInstanceRequest request, bool value);

    /// <summary>What the change does to the instance, for the plan (whether it causes an outage).</summary>
    protected abstract string Describe(bool value);

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var target = RdsInstanceTarget.Of(context, Info.Id);
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var instance = await ReadSettledAsync(context, target, cancellationToken).ConfigureAwait(false);
        if (SkipTag.IsSet(RdsActions.Pairs(instance.TagList)))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var current = Read(instance);
        if (current == CompliantValue)
        {
            return JobPlan.Compliant(new[] { "The DB instance " + target.Identifier + " has " + SettingName + " " + Text(current) + " already." });
        }

        if (PendingElsewhere(instance.PendingModifiedValues, null) is { } pending)
        {
            return JobPlan.Skip("The DB instance " + target.Identifier + " has pending modifications (" + pending + ") that ApplyImmediately would apply now as well; apply or cancel them first, then run the job again.");
        }

        return Change(target, instance, CompliantValue, RemediationUndo(context, current));
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var rds = context.Clients.Rds(context.Region);
        var request = new ModifyDBInstanceRequest { DBInstanceIdentifier = change.Target.Identifier, ApplyImmediately = true };
        Set(request, change.Value);
        await AwsCall.RunAsync(context.Reporter, RdsActions.ModifyDBInstance, change.Target.Identifier, () => rds.ModifyDBInstanceAsync(request, cancellationToken)).ConfigureAwait(false);

        // The change is in place once the instance is available again and shows it; verify reads it then.
        await waiter.InstanceAsync(context, change.Target, i => Read(i) == change.Value, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var instance = await change.Target.DescribeAsync(context, cancellationToken).ConfigureAwait(false);
        return Read(instance) == change.Value
            ? JobVerification.Success()
            : JobVerification.Failure("The DB instance " + change.Target.Identifier + " has " + SettingName + " " + Text(Read(instance)) + " (status " + instance.DBInstanceStatus + ").");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        RdsFlagUndoData data;
        try
        {
            data = RemediationJson.Deserialize<RdsFlagUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var target = RdsInstanceTarget.Of(context, Info.Id);
        var instance = await ReadSettledAsync(context, target, cancellationToken).ConfigureAwait(false);
        if (Read(instance) == data.Value)
        {
            return JobPlan.Compliant(new[] { "The DB instance " + target.Identifier + " has " + SettingName + " " + Text(data.Value) + " already." });
        }

        if (PendingElsewhere(instance.PendingModifiedValues, null) is { } pending)
        {
            return JobPlan.Skip("The DB instance " + target.Identifier + " has pending modifications (" + pending + ") that ApplyImmediately would apply now as well; apply or cancel them first.");
        }

        return Change(target, instance, data.Value, null);
    }

    /// <summary>The pending modifications other than <paramref name="own"/>'s setting, as text; null when there are none.</summary>
    internal static string? PendingElsewhere(PendingModifiedValues? pending, string? own)
    {
        if (pending is null)
        {
            return null;
        }

        var parts = new List<string>();
        if (pending.BackupRetentionPeriod is { } days && own != "BackupRetentionPeriod")
        {
            parts.Add("BackupRetentionPeriod " + days.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (pending.EngineVersion is { Length: > 0 } version)
        {
            parts.Add("EngineVersion " + version);
        }

        if (pending.DBInstanceClass is { Length: > 0 } instanceClass)
        {
            parts.Add("DBInstanceClass " + instanceClass);
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    // A change in progress may be someone else's: plan from the settled state (the wait returns at once when available).
    private Task<DBInstance> ReadSettledAsync(JobContext context, RdsInstanceTarget target, CancellationToken cancellationToken)
        => waiter.InstanceAsync(context, target, null, cancellationToken);

    private static string Text(bool value) => value ? "true" : "false";

    private RemediationUndoRecord RemediationUndo(JobContext context, bool previous) => new()
    {
        JobId = Info.Id,
        AccountId = context.Finding.AccountId,
        Region = context.Region,
        ResourceId = context.ResourceId,
        RecordedAt = DateTimeOffset.UtcNow,
        Data = RemediationJson.Serialize(new RdsFlagUndoData { Setting = SettingName, Value = previous }),
    };

    private JobPlan Change(RdsInstanceTarget target, DBInstance instance, bool value, RemediationUndoRecord? undo)
    {
        var action = new RemediationAction
        {
            Operation = RdsActions.ModifyDBInstance,
            Target = instance.DBInstanceArn ?? target.Identifier,
            Description = Describe(value) + " Applied immediately (ApplyImmediately): the instance is modifying for a few minutes.",
            Before = SettingName + " " + Text(Read(instance)),
            After = SettingName + " " + Text(value),
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), undo, new FlagChange(target, value), new[] { target.Key });
    }

    private static FlagChange ChangeOf(JobPlan plan)
        => plan.Changes as FlagChange ?? throw new ArgumentException("The plan was not made by " + nameof(RdsInstanceFlagJob) + ".", nameof(plan));

    private sealed class FlagChange
    {
        public FlagChange(RdsInstanceTarget target, bool value)
        {
            Target = target;
            Value = value;
        }

        public RdsInstanceTarget Target { get; }

        public bool Value { get; }
    }
}

/// <summary>The undo data of the RDS boolean setting jobs: the setting and its value before the remediation.</summary>
internal sealed class RdsFlagUndoData
{
    /// <summary>The setting, for example PubliclyAccessible.</summary>
    public string Setting { get; set; } = string.Empty;

    /// <summary>Its value before the remediation.</summary>
    public bool Value { get; set; }
}
