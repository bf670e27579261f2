using System.Net;
using System.Reflection;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.Ec2;
using SecurityGroupRule = RemediationTools.Core.Jobs.Ec2.SecurityGroupRule;

namespace RemediationTools.Core.Tests.Engine;

/// <summary>
/// An in-memory IAmazonEC2 for the four security group calls the port closer makes, with AWS's duplicate and
/// not-found errors, call counting and denied actions. Every other EC2 call throws, so an undeclared call is seen.
/// </summary>
internal sealed class FakeEc2
{
    public FakeEc2()
    {
        Client = DispatchProxy.Create<IAmazonEC2, Ec2Proxy>();
        ((Ec2Proxy)(object)Client).Owner = this;
    }

    public IAmazonEC2 Client { get; }

    public Dictionary<string, FakeGroup> Groups { get; } = new(StringComparer.Ordinal);

    public List<(string InterfaceId, string? InstanceId, string GroupId)> Interfaces { get; } = new();

    public List<string> Calls { get; } = new();

    public HashSet<string> DeniedActions { get; } = new(StringComparer.Ordinal);

    public FakeGroup AddGroup(string groupId, params SecurityGroupRule[] rules)
    {
        var group = new FakeGroup(groupId);
        group.Rules.AddRange(rules);
        Groups[groupId] = group;
        return group;
    }

    private void Record(string action)
    {
        lock (Calls)
        {
            Calls.Add(action);
        }

        if (DeniedActions.Contains(action))
        {
            throw new AmazonEC2Exception("You are not authorized to perform this operation.", ErrorType.Sender, "UnauthorizedOperation", "req-1", HttpStatusCode.Forbidden);
        }
    }

    private FakeGroup Group(string? groupId)
        => groupId is not null && Groups.TryGetValue(groupId, out var group)
            ? group
            : throw new AmazonEC2Exception("The security group '" + groupId + "' does not exist", ErrorType.Sender, "InvalidGroup.NotFound", "req-1", HttpStatusCode.BadRequest);

    private DescribeSecurityGroupsResponse DescribeSecurityGroups(DescribeSecurityGroupsRequest request)
    {
        Record("ec2:DescribeSecurityGroups");
        var groups = request.GroupIds.Select(Group).Select(g => new SecurityGroup
        {
            GroupId = g.GroupId,
            GroupName = "group-" + g.GroupId,
            Tags = g.Tags.Select(t => new Tag(t.Key, t.Value)).ToList(),
            IpPermissions = g.Rules.Select(r => r.ToPermission(withDescription: true)).Concat(g.OtherPermissions).ToList(),
            IpPermissionsEgress = g.Egress,
        }).ToList();
        return new DescribeSecurityGroupsResponse { SecurityGroups = groups };
    }

    private DescribeNetworkInterfacesResponse DescribeNetworkInterfaces(DescribeNetworkInterfacesRequest request)
    {
        Record("ec2:DescribeNetworkInterfaces");
        var groupIds = request.Filters.Single(f => f.Name == "group-id").Values;
        return new DescribeNetworkInterfacesResponse
        {
            NetworkInterfaces = Interfaces.Where(i => groupIds.Contains(i.GroupId)).Select(i => new NetworkInterface
            {
                NetworkInterfaceId = i.InterfaceId,
                Attachment = i.InstanceId is null ? null : new NetworkInterfaceAttachment { InstanceId = i.InstanceId },
                Groups = new List<GroupIdentifier> { new() { GroupId = i.GroupId } },
            }).ToList(),
        };
    }

    private AuthorizeSecurityGroupIngressResponse Authorize(AuthorizeSecurityGroupIngressRequest request)
    {
        Record("ec2:AuthorizeSecurityGroupIngress");
        var group = Group(request.GroupId);
        var adding = SecurityGroupRule.FromPermissions(request.IpPermissions, egress: false);
        if (adding.Any(a => group.Rules.Any(r => r.SameRuleAs(a))))
        {
            throw new AmazonEC2Exception("the specified rule already exists", ErrorType.Sender, "InvalidPermission.Duplicate", "req-1", HttpStatusCode.BadRequest);
        }

        group.Rules.AddRange(adding);
        return new AuthorizeSecurityGroupIngressResponse { Return = true };
    }

    private RevokeSecurityGroupIngressResponse Revoke(RevokeSecurityGroupIngressRequest request)
    {
        Record("ec2:RevokeSecurityGroupIngress");
        var group = Group(request.GroupId);
        var removing = SecurityGroupRule.FromPermissions(request.IpPermissions, egress: false);
        if (removing.Any(a => !group.Rules.Any(r => r.SameRuleAs(a))))
        {
            throw new AmazonEC2Exception("The specified rule does not exist in this security group.", ErrorType.Sender, "InvalidPermission.NotFound", "req-1", HttpStatusCode.BadRequest);
        }

        group.Rules.RemoveAll(r => removing.Any(a => a.SameRuleAs(r)));
        return new RevokeSecurityGroupIngressResponse { Return = true };
    }

    internal sealed class FakeGroup
    {
        public FakeGroup(string groupId) => GroupId = groupId;

        public string GroupId { get; }

        public List<SecurityGroupRule> Rules { get; } = new();

        public List<IpPermission> OtherPermissions { get; } = new();

        public List<IpPermission> Egress { get; } = new();

        public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

        public string[] RuleTexts => Rules.Select(r => r.ToString()).OrderBy(t => t, StringComparer.Ordinal).ToArray();
    }

    // DispatchProxy needs an unsealed proxy type.
#pragma warning disable CA1852
    public class Ec2Proxy : DispatchProxy
    {
        internal FakeEc2 Owner { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var request = args is { Length: > 0 } ? args[0] : null;
            return targetMethod?.Name switch
            {
                "DescribeSecurityGroupsAsync" => Run(() => Owner.DescribeSecurityGroups((DescribeSecurityGroupsRequest)request!)),
                "DescribeNetworkInterfacesAsync" => Run(() => Owner.DescribeNetworkInterfaces((DescribeNetworkInterfacesRequest)request!)),
                "AuthorizeSecurityGroupIngressAsync" => Run(() => Owner.Authorize((AuthorizeSecurityGroupIngressRequest)request!)),
                "RevokeSecurityGroupIngressAsync" => Run(() => Owner.Revoke((RevokeSecurityGroupIngressRequest)request!)),
                "Dispose" => null,
                _ => throw new NotSupportedException("FakeEc2 does not implement " + targetMethod?.Name + "."),
            };
        }

        private static Task<T> Run<T>(Func<T> call)
        {
            try
            {
                return Task.FromResult(call());
            }
            catch (AmazonServiceException ex)
            {
                return Task.FromException<T>(ex);
            }
        }
    }
}

/// <summary>
/// An IAwsClientFactory that hands out one fake EC2 client and records the roles asked for. The clients object is a
/// proxy too, so that services added to IAwsClients later need no change here (they throw when called). Like STS, it
/// says the credentials of a role belong to the account in the role's ARN and the caller's own to
/// <see cref="CallerAccountId"/>; <see cref="RoleAccountIds"/> makes a role's credentials belong elsewhere.
/// </summary>
internal sealed class FakeClientFactory : IAwsClientFactory
{
    /// <summary>The caller's account unless a test gives another.</summary>
    public const string DefaultCallerAccountId = "123456789012";

    private readonly IAmazonEC2 ec2;

    public FakeClientFactory(IAmazonEC2 ec2, string callerAccountId = DefaultCallerAccountId)
    {
        this.ec2 = ec2;
        CallerAccountId = callerAccountId;
    }

    public string CallerAccountId { get; set; }

    /// <summary>Role ARN to the account its (faked) credentials belong to, when not the ARN's own.</summary>
    public Dictionary<string, string> RoleAccountIds { get; } = new(StringComparer.Ordinal);

    public List<AccountRole?> RolesRequested { get; } = new();

    public Exception? Failure { get; set; }

    public Task<IAwsClients> ForAccountAsync(AccountRole? role, CancellationToken cancellationToken)
    {
        lock (RolesRequested)
        {
            RolesRequested.Add(role);
        }

        if (Failure is not null)
        {
            return Task.FromException<IAwsClients>(Failure);
        }

        var clients = DispatchProxy.Create<IAwsClients, ClientsProxy>();
        var proxy = (ClientsProxy)(object)clients;
        proxy.Ec2 = ec2;
        proxy.AccountId = role is null ? CallerAccountId
            : RoleAccountIds.TryGetValue(role.RoleArn, out var other) ? other
            : CloudAccountRoles.AccountOf(role.RoleArn);
        return Task.FromResult(clients);
    }

    public class ClientsProxy : DispatchProxy
    {
        internal IAmazonEC2 Ec2 { get; set; } = null!;

        internal string AccountId { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            "Ec2" => Ec2,
            "AccountIdAsync" => Task.FromResult(AccountId),
            _ => throw new NotSupportedException("The fake clients have no " + targetMethod?.Name + " client."),
        };
    }
}
#pragma warning restore CA1852
