using System.Globalization;

namespace RemediationTools.Core.Aws;

/// <summary>The request throttling categories of the EC2 API reference ("Request throttling for the Amazon EC2 API").</summary>
internal enum Ec2ThrottlingCategory
{
    /// <summary>Describe*, List*, Search* and Get* actions not in another category: 100 tokens, 20 a second.</summary>
    NonMutating,

    /// <summary>Some non-mutating actions when called with neither a filter nor pagination: 50 tokens, 10 a second.</summary>
    UnfilteredNonMutating,

    /// <summary>Every other mutating action: 50 tokens, 5 a second.</summary>
    Mutating,

    /// <summary>The costliest mutating actions (the security group rule changes among them): 50 tokens, 5 a second.</summary>
    ResourceIntensive,

    /// <summary>Actions with their own bucket size and refill rate.</summary>
    Uncategorized,
}

/// <summary>The size and refill rate of one EC2 token bucket.</summary>
internal readonly struct Ec2BucketLimit : IEquatable<Ec2BucketLimit>
{
    /// <summary>A bucket of <paramref name="capacity"/> tokens refilled by <paramref name="refillPerSecond"/> tokens a second.</summary>
    public Ec2BucketLimit(double capacity, double refillPerSecond)
    {
        if (!(capacity >= 1) || double.IsInfinity(capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A bucket holds at least one token (capacity " + capacity.ToString(CultureInfo.InvariantCulture) + ").");
        }

        if (!(refillPerSecond > 0) || double.IsInfinity(refillPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(refillPerSecond), refillPerSecond, "A bucket refills at a positive, finite rate (refill rate " + refillPerSecond.ToString(CultureInfo.InvariantCulture) + ").");
        }

        Capacity = capacity;
        RefillPerSecond = refillPerSecond;
    }

    /// <summary>Bucket maximum capacity: the burst.</summary>
    public double Capacity { get; }

    /// <summary>Bucket refill rate in tokens a second: the sustained rate.</summary>
    public double RefillPerSecond { get; }

    public bool Equals(Ec2BucketLimit other) => Capacity.Equals(other.Capacity) && RefillPerSecond.Equals(other.RefillPerSecond);

    public override bool Equals(object? obj) => obj is Ec2BucketLimit other && Equals(other);

    public override int GetHashCode() => (Capacity, RefillPerSecond).GetHashCode();

    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} tokens, {1}/s", Capacity, RefillPerSecond);

    public static bool operator ==(Ec2BucketLimit left, Ec2BucketLimit right) => left.Equals(right);

    public static bool operator !=(Ec2BucketLimit left, Ec2BucketLimit right) => !left.Equals(right);
}

/// <summary>
/// The EC2 API reference's throttling table, in one place so it can be compared with the sandbox's: which category an
/// action belongs to and the default size and refill rate of its bucket. EC2 evaluates "each API individually": every
/// action has its own request bucket, of its category's size (limit increases are granted per action, not per category);
/// the listed non-mutating actions called with neither a filter nor pagination take from a second, smaller bucket of
/// their own. RunInstances, StartInstances, StopInstances and TerminateInstances also take one resource token per
/// instance.
/// </summary>
internal static class Ec2ActionCategories
{
    /// <summary>Default bucket of each category (for <see cref="Ec2ThrottlingCategory.Uncategorized"/>, see <see cref="UncategorizedLimits"/>).</summary>
    public static readonly IReadOnlyDictionary<Ec2ThrottlingCategory, Ec2BucketLimit> CategoryLimits = new Dictionary<Ec2ThrottlingCategory, Ec2BucketLimit>
    {
        [Ec2ThrottlingCategory.NonMutating] = new(100, 20),
        [Ec2ThrottlingCategory.UnfilteredNonMutating] = new(50, 10),
        [Ec2ThrottlingCategory.Mutating] = new(50, 5),
        [Ec2ThrottlingCategory.ResourceIntensive] = new(50, 5),
    };

    /// <summary>The non-mutating actions that use the smaller bucket when called without a filter and without pagination.</summary>
    public static readonly IReadOnlyCollection<string> UnfilteredUnpaginatedActions = new HashSet<string>(StringComparer.Ordinal)
    {
        "DescribeInstances",
        "DescribeInstanceStatus",
        "DescribeNetworkInterfaces",
        "DescribeSecurityGroups",
        "DescribeSnapshots",
        "DescribeSpotInstanceRequests",
        "DescribeVolumes",
    };

    /// <summary>The resource-intensive actions.</summary>
    public static readonly IReadOnlyCollection<string> ResourceIntensiveActions = new HashSet<string>(StringComparer.Ordinal)
    {
        "AcceptVpcPeeringConnection",
        "AuthorizeSecurityGroupIngress",
        "CancelSpotInstanceRequests",
        "CreateKeyPair",
        "CreateVpcPeeringConnection",
        "DeleteVpcPeeringConnection",
        "RejectVpcPeeringConnection",
        "RevokeSecurityGroupIngress",
        "RequestSpotInstances",
    };

    /// <summary>The uncategorized actions and their own request buckets.</summary>
    public static readonly IReadOnlyDictionary<string, Ec2BucketLimit> UncategorizedLimits = new Dictionary<string, Ec2BucketLimit>(StringComparer.Ordinal)
    {
        ["AcceptVpcEndpointConnections"] = new(10, 1),
        ["AdvertiseByoipCidr"] = new(1, 0.1),
        ["AssignIpv6Addresses"] = new(100, 5),
        ["AssignPrivateIpAddresses"] = new(100, 5),
        ["AssignPrivateNatGatewayAddress"] = new(10, 1),
        ["AssociateCapacityReservationBillingOwner"] = new(1, 0.5),
        ["AssociateEnclaveCertificateIamRole"] = new(10, 1),
        ["AssociateIamInstanceProfile"] = new(100, 5),
        ["AssociateNatGatewayAddress"] = new(10, 1),
        ["AttachVerifiedAccessTrustProvider"] = new(10, 2),
        ["AuthorizeClientVpnIngress"] = new(5, 2),
        ["CancelDeclarativePoliciesReport"] = new(1, 1),
        ["CopyImage"] = new(100, 1),
        ["CreateClientVpnRoute"] = new(5, 2),
        ["CreateCoipCidr"] = new(5, 1),
        ["CreateCoipPool"] = new(5, 1),
        ["CreateDefaultSubnet"] = new(1, 1),
        ["CreateDefaultVpc"] = new(1, 1),
        ["CreateLaunchTemplateVersion"] = new(100, 5),
        ["CreateNatGateway"] = new(10, 1),
        ["CreateNetworkInterface"] = new(100, 5),
        ["CreateRestoreImageTask"] = new(50, 0.1),
        ["CreateSnapshot"] = new(100, 5),
        ["CreateSnapshots"] = new(100, 5),
        ["CreateSpotDatafeedSubscription"] = new(50, 3),
        ["CreateStoreImageTask"] = new(50, 0.1),
        ["CreateSubnetCidrReservation"] = new(5, 1),
        ["CreateTags"] = new(100, 10),
        ["CreateVerifiedAccessEndpoint"] = new(20, 4),
        ["CreateVerifiedAccessGroup"] = new(10, 2),
        ["CreateVerifiedAccessInstance"] = new(10, 2),
        ["CreateVerifiedAccessTrustProvider"] = new(10, 2),
        ["CreateVolume"] = new(100, 5),
        ["CreateVpcEndpoint"] = new(4, 0.3),
        ["CreateVpcEndpointServiceConfiguration"] = new(10, 1),
        ["DeleteClientVpnRoute"] = new(5, 2),
        ["DeleteCoipCidr"] = new(5, 1),
        ["DeleteCoipPool"] = new(5, 1),
        ["DeleteCoipPoolPermission"] = new(5, 1),
        ["DeleteNatGateway"] = new(10, 1),
        ["DeleteNetworkInterface"] = new(100, 5),
        ["DeleteSnapshot"] = new(100, 5),
        ["DeleteSpotDatafeedSubscription"] = new(50, 3),
        ["DeleteSubnetCidrReservation"] = new(5, 1),
        ["DeleteQueuedReservedInstances"] = new(5, 5),
        ["DeleteTags"] = new(100, 10),
        ["DeleteVerifiedAccessEndpoint"] = new(20, 4),
        ["DeleteVerifiedAccessGroup"] = new(10, 2),
        ["DeleteVerifiedAccessInstance"] = new(10, 2),
        ["DeleteVerifiedAccessTrustProvider"] = new(10, 2),
        ["DeleteVolume"] = new(100, 5),
        ["DeleteVpcEndpoints"] = new(4, 0.3),
        ["DeleteVpcEndpointServiceConfigurations"] = new(10, 1),
        ["DeprovisionByoipCidr"] = new(1, 0.1),
        ["DeregisterImage"] = new(100, 5),
        ["DescribeAggregateIdFormat"] = new(10, 10),
        ["DescribeByoipCidrs"] = new(1, 0.5),
        ["DescribeCapacityBlockExtensionOfferings"] = new(10, 0.15),
        ["DescribeCapacityBlockOfferings"] = new(10, 0.15),
        ["DescribeDeclarativePoliciesReports"] = new(5, 5),
        ["DescribeHostReservations"] = new(5, 2),
        ["DescribeHostReservationOfferings"] = new(5, 2),
        ["DescribeIdentityIdFormat"] = new(10, 10),
        ["DescribeIdFormat"] = new(10, 10),
        ["DescribeInstanceTopology"] = new(1, 1),
        ["DescribeMovingAddresses"] = new(1, 1),
        ["DescribePrincipalIdFormat"] = new(10, 10),
        ["DescribeReservedInstancesOfferings"] = new(10, 10),
        ["DescribeSecurityGroupReferences"] = new(20, 5),
        ["DescribeSpotDatafeedSubscription"] = new(100, 13),
        ["DescribeSpotFleetInstances"] = new(100, 5),
        ["DescribeSpotFleetRequestHistory"] = new(100, 5),
        ["DescribeSpotFleetRequests"] = new(50, 3),
        ["DescribeStaleSecurityGroups"] = new(20, 5),
        ["DescribeStoreImageTasks"] = new(50, 0.5),
        ["DescribeVerifiedAccessInstanceLoggingConfigurations"] = new(10, 2),
        ["DetachVerifiedAccessTrustProvider"] = new(10, 2),
        ["DisableFastLaunch"] = new(5, 2),
        ["DisableImageBlockPublicAccess"] = new(1, 0.1),
        ["DisableSnapshotBlockPublicAccess"] = new(1, 0.1),
        ["DisassociateCapacityReservationBillingOwner"] = new(1, 0.5),
        ["DisassociateEnclaveCertificateIamRole"] = new(10, 1),
        ["DisassociateIamInstanceProfile"] = new(100, 5),
        ["DisassociateNatGatewayAddress"] = new(10, 1),
        ["EnableFastLaunch"] = new(5, 2),
        ["EnableImageBlockPublicAccess"] = new(1, 0.1),
        ["EnableSnapshotBlockPublicAccess"] = new(1, 0.1),
        ["GetAssociatedEnclaveCertificateIamRoles"] = new(10, 1),
        ["GetDeclarativePoliciesReportSummary"] = new(5, 5),
        ["GetHostReservationPurchasePreview"] = new(5, 2),
        ["ModifyImageAttribute"] = new(100, 5),
        ["ModifyInstanceMetadataDefaults"] = new(2, 2),
        ["ModifyInstanceMetadataOptions"] = new(100, 5),
        ["ModifyLaunchTemplate"] = new(100, 5),
        ["ModifyNetworkInterfaceAttribute"] = new(100, 5),
        ["ModifySnapshotAttribute"] = new(100, 5),
        ["ModifyVerifiedAccessEndpoint"] = new(20, 4),
        ["ModifyVerifiedAccessEndpointPolicy"] = new(20, 4),
        ["ModifyVerifiedAccessGroup"] = new(10, 2),
        ["ModifyVerifiedAccessGroupPolicy"] = new(20, 4),
        ["ModifyVerifiedAccessInstance"] = new(10, 2),
        ["ModifyVerifiedAccessInstanceLoggingConfiguration"] = new(10, 2),
        ["ModifyVerifiedAccessTrustProvider"] = new(10, 2),
        ["ModifyVpcEndpoint"] = new(4, 0.3),
        ["ModifyVpcEndpointServiceConfiguration"] = new(10, 1),
        ["MoveAddressToVpc"] = new(1, 1),
        ["ProvisionByoipCidr"] = new(1, 0.1),
        ["PurchaseCapacityBlock"] = new(10, 0.15),
        ["PurchaseCapacityBlockExtension"] = new(10, 0.15),
        ["PurchaseHostReservation"] = new(5, 2),
        ["PurchaseReservedInstancesOffering"] = new(5, 5),
        ["RejectVpcEndpointConnections"] = new(10, 1),
        ["RestoreAddressToClassic"] = new(1, 1),
        ["RevokeClientVpnIngress"] = new(5, 2),
        ["RunInstances"] = new(5, 2),
        ["StartDeclarativePoliciesReport"] = new(1, 1),
        ["StartInstances"] = new(5, 2),
        ["TerminateInstances"] = new(100, 5),
        ["UnassignPrivateIpAddresses"] = new(100, 5),
        ["UnassignPrivateNatGatewayAddress"] = new(10, 1),
        ["WithdrawByoipCidr"] = new(1, 0.1),
    };

    /// <summary>The resource token buckets (one token per instance the request names).</summary>
    public static readonly IReadOnlyDictionary<string, Ec2BucketLimit> ResourceLimits = new Dictionary<string, Ec2BucketLimit>(StringComparer.Ordinal)
    {
        ["RunInstances"] = new(1000, 2),
        ["TerminateInstances"] = new(1000, 20),
        ["StartInstances"] = new(1000, 2),
        ["StopInstances"] = new(1000, 20),
    };

    private static readonly string[] NonMutatingPrefixes = { "Describe", "List", "Search", "Get" };

    /// <summary>
    /// The category of <paramref name="action"/> (an EC2 Query action name such as <c>DescribeSecurityGroups</c>);
    /// <paramref name="filteredOrPaginated"/> says whether the request has a filter or pagination parameter.
    /// </summary>
    public static Ec2ThrottlingCategory CategoryOf(string action, bool filteredOrPaginated)
    {
        if (string.IsNullOrEmpty(action))
        {
            throw new ArgumentException("An EC2 action name is required.", nameof(action));
        }

        if (UncategorizedLimits.ContainsKey(action))
        {
            return Ec2ThrottlingCategory.Uncategorized;
        }

        if (ResourceIntensiveActions.Contains(action))
        {
            return Ec2ThrottlingCategory.ResourceIntensive;
        }

        if (!filteredOrPaginated && UnfilteredUnpaginatedActions.Contains(action))
        {
            return Ec2ThrottlingCategory.UnfilteredNonMutating;
        }

        return Array.Exists(NonMutatingPrefixes, p => action.StartsWith(p, StringComparison.Ordinal) && action.Length > p.Length && char.IsUpper(action[p.Length]))
            ? Ec2ThrottlingCategory.NonMutating
            : Ec2ThrottlingCategory.Mutating;
    }
}
