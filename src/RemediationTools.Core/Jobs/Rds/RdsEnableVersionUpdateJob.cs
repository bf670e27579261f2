using RemediationTools.Core.Aws.Signed.Rds;

namespace RemediationTools.Core.Jobs.Rds;

/// <summary>
/// <c>rds-enable-version-update</c>: the finding's ObjectId is a DB instance identifier or ARN. Turns
/// <c>AutoMinorVersionUpgrade</c> on, applied immediately; reads first, compliant when it is on. Undo turns it off.
/// </summary>
internal sealed class RdsEnableVersionUpdateJob : RdsInstanceFlagJob
{
    /// <summary>The job's ID.</summary>
    public const string JobId = "rds-enable-version-update";

    /// <summary>Creates the job with the waits of the shipped catalog.</summary>
    public RdsEnableVersionUpdateJob()
        : this(RdsWaiter.Default)
    {
    }

    /// <summary>Creates the job with its own wait for the instance to be available (tests).</summary>
    public RdsEnableVersionUpdateJob(RdsWaiter waiter)
        : base(waiter)
    {
        Info = new RemediationJobInfo
        {
            Id = JobId,
            RuleIds = new[] { "5c8c264a7a550e1fb6560c4c" },
            Title = "Turn on automatic minor version upgrades of an RDS DB instance",
            Service = "RDS",
            ResourceType = "DBInstance",
            Impact = "RDS upgrades the engine's minor version in the instance's maintenance window from then on (each upgrade restarts the database then). The change itself causes no outage.",
            IamActions = new[] { RdsActions.DescribeDBInstances, RdsActions.ModifyDBInstance },
            Disruptive = false,
        };
    }

    /// <inheritdoc />
    public override RemediationJobInfo Info { get; }

    /// <inheritdoc />
    protected override string SettingName => "AutoMinorVersionUpgrade";

    /// <inheritdoc />
    protected override bool CompliantValue => true;

    /// <inheritdoc />
    protected override bool Read(DBInstance instance) => instance.AutoMinorVersionUpgrade ?? false;

    /// <inheritdoc />
    protected override void Set(ModifyDBInstanceRequest request, bool value) => request.AutoMinorVersionUpgrade = value;

    /// <inheritdoc />
    protected override string Describe(bool value) => value
        ? "Turn on automatic minor version upgrades (AutoMinorVersionUpgrade true): minor upgrades then happen in the maintenance window; the change causes no outage."
        : "Turn automatic minor version upgrades back off (AutoMinorVersionUpgrade false); no outage.";
}
