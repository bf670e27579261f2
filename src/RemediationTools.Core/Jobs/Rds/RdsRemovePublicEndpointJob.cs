using RemediationTools.Core.Aws.Signed.Rds;

namespace RemediationTools.Core.Jobs.Rds;

/// <summary>
/// <c>rds-remove-public-endpoint</c>: the finding's ObjectId is a DB instance identifier or ARN. Turns
/// <c>PubliclyAccessible</c> off, applied immediately; an instance that is not publicly accessible is compliant. Undo
/// turns it back on.
/// </summary>
internal sealed class RdsRemovePublicEndpointJob : RdsInstanceFlagJob
{
    /// <summary>The job's ID.</summary>
    public const string JobId = "rds-remove-public-endpoint";

    /// <summary>Creates the job with the waits of the shipped catalog.</summary>
    public RdsRemovePublicEndpointJob()
        : this(RdsWaiter.Default)
    {
    }

    /// <summary>Creates the job with its own wait for the instance to be available (tests).</summary>
    public RdsRemovePublicEndpointJob(RdsWaiter waiter)
        : base(waiter)
    {
        Info = new RemediationJobInfo
        {
            Id = JobId,
            RuleIds = new[] { "5c8c26467a550e1fb6560c48" },
            Title = "Turn off the public endpoint of an RDS DB instance (PubliclyAccessible false)",
            Service = "RDS",
            ResourceType = "DBInstance",
            Impact = "The instance's DNS name resolves to its private IP address only: clients outside the VPC (and its peered networks) can no longer connect. No outage: the instance stays available while modifying.",
            IamActions = new[] { RdsActions.DescribeDBInstances, RdsActions.ModifyDBInstance },
            Disruptive = false,
        };
    }

    /// <inheritdoc />
    public override RemediationJobInfo Info { get; }

    /// <inheritdoc />
    protected override string SettingName => "PubliclyAccessible";

    /// <inheritdoc />
    protected override bool CompliantValue => false;

    /// <inheritdoc />
    protected override bool Read(DBInstance instance) => instance.PubliclyAccessible ?? false;

    /// <inheritdoc />
    protected override void Set(ModifyDBInstanceRequest request, bool value) => request.PubliclyAccessible = value;

    /// <inheritdoc />
    protected override string Describe(bool value) => value
        ? "Turn the public endpoint back on (PubliclyAccessible true): the DNS name resolves to a public IP address again; no outage."
        : "Turn off the public endpoint (PubliclyAccessible false): the DNS name resolves to the private IP address only, clients outside the VPC lose access; no outage.";
}
