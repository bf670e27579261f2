using System.Globalization;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Ec2;
using RemediationTools.AwsSandbox.Iam;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox;

/// <summary>One AWS account in the sandbox.</summary>
internal sealed class AccountState
{
    public AccountState(string accountId, bool hasDefaultVpc)
    {
        AccountId = accountId;
        HasDefaultVpc = hasDefaultVpc;
    }

    public string AccountId { get; }

    /// <summary>
    /// False for an account whose default VPCs were deleted (as many organisations do): each region then starts
    /// with one non-default VPC instead, and calls that fall back to the default VPC fail as they do in AWS.
    /// </summary>
    public bool HasDefaultVpc { get; }

    /// <summary>
    /// The AWS Organizations organization the account belongs to (<c>o-...</c>), or null for a standalone account:
    /// the value of <c>aws:PrincipalOrgID</c> for the account's principals, absent from the request context when null.
    /// </summary>
    public string? OrganizationId { get; set; }

    public IamAccountState Iam { get; } = new();

    public Dictionary<string, Ec2RegionState> Ec2Regions { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Ssm.SsmRegionState> SsmRegions { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// All in-memory state. Every read and write happens under <see cref="Gate"/>: the module calls
/// concurrently and the sandbox favours simple, obviously correct locking over throughput.
/// </summary>
internal sealed partial class SandboxState
{
    public object Gate { get; } = new();

    public Dictionary<string, AccountState> Accounts { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, IssuedCredential> Credentials { get; } = new(StringComparer.Ordinal);

    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>Read-after-write lag: how many describe reads of a changed resource still see it as before (0 = off).</summary>
    public int ReadLag { get; set; }

    /// <summary>At most this many items per page of a paged describe call (one that passes MaxResults); null = off.</summary>
    public int? MaxPageSize { get; set; }

    public DateTimeOffset Now => Clock();

    /// <summary>EC2's request-rate token buckets; null (the default) = off.</summary>
    public Ec2RequestRateLimiter? Ec2RateLimiter { get; set; }

    /// <summary>EC2 calls refused by <see cref="Ec2RateLimiter"/>, keyed "ec2:Action".</summary>
    public Dictionary<string, int> Ec2ThrottledCalls { get; } = new(StringComparer.Ordinal);

    public AccountState Account(string accountId) =>
        Accounts.TryGetValue(accountId, out var account) ? account : throw new ArgumentException($"Unknown sandbox account '{accountId}'.", nameof(accountId));

    /// <summary>
    /// The EC2 state of an account in a region, created on first use with its first VPC (the default VPC, or a
    /// non-default one for an account without default VPCs) and that VPC's default group.
    /// </summary>
    public Ec2RegionState Ec2(string accountId, string region)
    {
        var account = Account(accountId);
        if (account.Ec2Regions.TryGetValue(region, out var state))
        {
            return state;
        }

        var vpc = NewVpc(account.HasDefaultVpc, "172.31.0.0/16", region);
        state = new Ec2RegionState { AccountId = accountId, Region = region, FirstVpc = vpc, DefaultVpc = account.HasDefaultVpc ? vpc : null };
        state.Vpcs[vpc.VpcId] = vpc;
        AddDefaultGroup(state, vpc, ipv6Egress: true);
        account.Ec2Regions[region] = state;
        return state;
    }

    /// <summary>Adds a non-default VPC (with its default group) to an account's region.</summary>
    public Vpc AddVpc(string accountId, string region, string cidrBlock)
    {
        var state = Ec2(accountId, region);
        var vpc = NewVpc(isDefault: false, cidrBlock, region);
        state.Vpcs[vpc.VpcId] = vpc;
        AddDefaultGroup(state, vpc, ipv6Egress: true);
        return vpc;
    }

    public IssuedCredential IssueRootCredential(string accountId)
    {
        var principal = new CallerPrincipal(accountId, PrincipalKind.Root, $"arn:aws:iam::{accountId}:root", accountId, null, $"arn:aws:iam::{accountId}:root", null);
        var credential = new IssuedCredential(IdGenerator.IamId("AKIA", 16), IdGenerator.Secret(), null, null, principal);
        Credentials[credential.AccessKeyId] = credential;
        return credential;
    }

    /// <summary>
    /// A VPC with its subnets: a default VPC has one default subnet per Availability Zone (a, b, c of the region, /20
    /// blocks, public IPs on launch), as AWS creates it; a non-default VPC has one subnet in zone a (a /24 at the start
    /// of its block) that is neither.
    /// </summary>
    private static Vpc NewVpc(bool isDefault, string cidrBlock, string region)
    {
        var subnets = new List<Subnet>();
        var network = cidrBlock.Split('/')[0];
        var octets = network.Split('.');
        if (isDefault)
        {
            for (var index = 0; index < 3; index++)
            {
                subnets.Add(new Subnet
                {
                    SubnetId = IdGenerator.Ec2("subnet"),
                    AvailabilityZone = region + (char)('a' + index),
                    CidrBlock = string.Create(CultureInfo.InvariantCulture, $"{octets[0]}.{octets[1]}.{index * 16}.0/20"),
                    DefaultForAz = true,
                    MapPublicIpOnLaunch = true,
                });
            }
        }
        else
        {
            var prefix = int.Parse(cidrBlock.Split('/')[1], NumberStyles.None, CultureInfo.InvariantCulture);
            subnets.Add(new Subnet
            {
                SubnetId = IdGenerator.Ec2("subnet"),
                AvailabilityZone = region + "a",
                CidrBlock = network + "/" + Math.Max(prefix, 24).ToString(CultureInfo.InvariantCulture),
                DefaultForAz = false,
                MapPublicIpOnLaunch = false,
            });
        }

        var vpc = new Vpc
        {
            VpcId = IdGenerator.Ec2("vpc"),
            CidrBlock = cidrBlock,
            Ipv6CidrBlock = Cidr.Canonical("2600:1f18:" + IdGenerator.Hex(4) + ":" + IdGenerator.Hex(2) + "00::/56", ipv6: true)!,
            IsDefault = isDefault,
            SubnetId = subnets[0].SubnetId,
            DefaultSecurityGroupId = string.Empty,
        };
        foreach (var subnet in subnets)
        {
            subnet.VpcId = vpc.VpcId;
        }

        vpc.Subnets.AddRange(subnets);
        return vpc;
    }

    private static void AddDefaultGroup(Ec2RegionState state, Vpc vpc, bool ipv6Egress)
    {
        var group = new SecurityGroup
        {
            GroupId = IdGenerator.Ec2("sg"),
            GroupName = "default",
            Description = "default VPC security group",
            VpcId = vpc.VpcId,
            OwnerId = state.AccountId,
        };
        group.Rules.Add(new SecurityGroupRule
        {
            RuleId = IdGenerator.Ec2("sgr"),
            GroupId = group.GroupId,
            IsEgress = false,
            Protocol = "-1",
            ReferencedGroupId = group.GroupId,
            ReferencedUserId = state.AccountId,
        });
        group.Rules.Add(new SecurityGroupRule { RuleId = IdGenerator.Ec2("sgr"), GroupId = group.GroupId, IsEgress = true, Protocol = "-1", CidrIpv4 = "0.0.0.0/0" });
        if (ipv6Egress)
        {
            group.Rules.Add(new SecurityGroupRule { RuleId = IdGenerator.Ec2("sgr"), GroupId = group.GroupId, IsEgress = true, Protocol = "-1", CidrIpv6 = "::/0" });
        }

        vpc.DefaultSecurityGroupId = group.GroupId;
        state.Groups.Add(group);
    }
}
