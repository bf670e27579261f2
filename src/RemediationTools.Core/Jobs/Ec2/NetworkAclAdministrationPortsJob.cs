using System.Globalization;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// <c>aws-ec2-administration-ports-ingress-allowed</c>: a network ACL must not let tcp 22 or 3389 in from the
/// internet (<c>0.0.0.0/0</c>, <c>::/0</c>). Entries are evaluated in rule number order, so what the internet gets on
/// a port is decided by the first internet entry that covers it. Allow entries for exactly the port are deleted. A
/// broader allow entry is never deleted (that would cut all traffic to the subnets); instead a deny for the port is
/// inserted just below it, preceded by allow entries for the port from the VPC's own CIDR blocks and from every
/// narrower allow entry for the port, so that only the internet loses access. The new entries take the free rule
/// numbers between the broad entry and the entry of the same address family before it, so every older entry keeps
/// its place in the evaluation order; when there are not enough, the job fails and changes nothing.
/// </summary>
internal sealed class NetworkAclAdministrationPortsJob : IRemediationJob
{
    /// <summary>The job ID.</summary>
    public const string JobId = "aws-ec2-administration-ports-ingress-allowed";

    /// <summary>IAM action: read the ACL.</summary>
    public const string DescribeNetworkAclsAction = "ec2:DescribeNetworkAcls";

    /// <summary>IAM action: read the VPC's CIDR blocks.</summary>
    public const string DescribeVpcsAction = "ec2:DescribeVpcs";

    /// <summary>IAM action: insert an entry.</summary>
    public const string CreateEntryAction = "ec2:CreateNetworkAclEntry";

    /// <summary>IAM action: delete an entry.</summary>
    public const string DeleteEntryAction = "ec2:DeleteNetworkAclEntry";

    /// <summary>The highest rule number a caller may use.</summary>
    public const int MaxRuleNumber = 32766;

    /// <summary>The administration ports: SSH and RDP.</summary>
    public static readonly IReadOnlyList<int> Ports = new[] { 22, 3389 };

    private static readonly string[] InternetCidrs = { NetworkAclRule.InternetIpv4, NetworkAclRule.InternetIpv6 };

    /// <summary>Creates the job.</summary>
    public NetworkAclAdministrationPortsJob()
    {
        Info = new RemediationJobInfo
        {
            Id = JobId,
            RuleIds = new[] { "1ec4a1f2-3e08-11eb-b378-0242ac130002" },
            Title = "Stop a network ACL letting tcp 22 and 3389 in from the internet",
            Service = "EC2",
            ResourceType = "NetworkAcl",
            Impact = "The internet (0.0.0.0/0, ::/0) loses tcp 22 and 3389 to the ACL's subnets; the VPC's own networks and " +
                     "networks the ACL allows explicitly keep them, and all other traffic stays.",
            IamActions = new[] { CreateEntryAction, DeleteEntryAction, DescribeNetworkAclsAction, DescribeVpcsAction },
            Disruptive = false,
        };
    }

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var aclId = RequireAclId(context.ResourceId);
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var ec2 = context.Clients.Ec2(context.Region);
        var acl = await ReadAclAsync(ec2, aclId, context.Reporter, cancellationToken).ConfigureAwait(false);
        if (SkipTag.IsSet((acl.Tags ?? new List<Tag>()).Where(t => t.Key is not null).Select(t => new KeyValuePair<string, string>(t.Key, t.Value ?? string.Empty))))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var ingress = Ingress(acl);
        var changes = new NetworkAclChangeSet(aclId, isUndo: false);
        var blocks = new List<(string Internet, int Port, NetworkAclRule Broad)>();
        foreach (var internet in InternetCidrs)
        {
            foreach (var port in Ports)
            {
                foreach (var entry in ingress.Where(e => string.Equals(e.Cidr, internet, StringComparison.OrdinalIgnoreCase) && e.CoversTcpPort(port)))
                {
                    if (!entry.IsAllow)
                    {
                        // The internet is denied here; later entries for the port never apply to it.
                        break;
                    }

                    if (entry.IsExactlyTcpPort(port))
                    {
                        changes.Delete.Add(new PlannedAclChange(entry, "Delete '" + entry + "': it lets tcp " + Text(port) + " in from the internet."));
                    }
                    else if (!blocks.Exists(b => b.Internet == internet && b.Port == port))
                    {
                        blocks.Add((internet, port, entry));
                    }
                }
            }
        }

        if (changes.Delete.Count == 0 && blocks.Count == 0)
        {
            return JobPlan.Compliant();
        }

        var notes = new List<string>();
        if (blocks.Count > 0)
        {
            var vpcCidrs = await ReadVpcCidrsAsync(ec2, acl.VpcId, context.Reporter, cancellationToken).ConfigureAwait(false);
            PlanDenies(changes, ingress, blocks, vpcCidrs);
            foreach (var broad in blocks.Select(b => b.Broad).Distinct())
            {
                notes.Add("'" + broad + "' stays: deleting it would cut all traffic it allows to the ACL's subnets; deny entries ahead of it close the administration ports instead.");
            }
        }

        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = context.Finding.AccountId,
            Region = context.Region,
            ResourceId = aclId,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(new NetworkAclUndoData
            {
                NetworkAclId = aclId,
                Created = changes.Create.Select(c => c.Entry).ToList(),
                Deleted = changes.Delete.Select(c => c.Entry).ToList(),
            }),
        };
        return JobPlan.Change(ToActions(changes), notes, undo, changes, new[] { ResourceKeys.NetworkAcl(aclId) });
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var changes = ChangesOf(plan);
        var ec2 = context.Clients.Ec2(context.Region);
        var created = new List<NetworkAclRule>();
        try
        {
            foreach (var change in changes.Create)
            {
                await AwsCall.RunAsync(context.Reporter, CreateEntryAction, changes.NetworkAclId, () =>
                    ec2.CreateNetworkAclEntryAsync(change.Entry.ToCreateRequest(changes.NetworkAclId), cancellationToken)).ConfigureAwait(false);
                created.Add(change.Entry);
            }
        }
        catch (AwsCallException) when (!changes.IsUndo && created.Count > 0)
        {
            // Nothing has been deleted yet: take the inserted entries out again so that a failure changes nothing.
            await RollBackAsync(ec2, changes.NetworkAclId, created, context.Reporter).ConfigureAwait(false);
            throw;
        }

        foreach (var change in changes.Delete)
        {
            await AwsCall.RunAsync(context.Reporter, DeleteEntryAction, changes.NetworkAclId, () =>
                ec2.DeleteNetworkAclEntryAsync(Delete(changes.NetworkAclId, change.Entry), cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var changes = ChangesOf(plan);
        var acl = await ReadAclAsync(context.Clients.Ec2(context.Region), changes.NetworkAclId, context.Reporter, cancellationToken).ConfigureAwait(false);
        var entries = (acl.Entries ?? new List<NetworkAclEntry>()).Select(NetworkAclRule.FromEntry).ToList();
        var problems = new List<string>();
        problems.AddRange(changes.Create.Where(c => !entries.Exists(e => e.SameAs(c.Entry))).Select(c => "missing '" + c.Entry + "'"));
        problems.AddRange(changes.Delete.Where(c => entries.Exists(e => e.SameAs(c.Entry))).Select(c => "still present '" + c.Entry + "'"));
        if (!changes.IsUndo)
        {
            var ingress = entries.Where(e => !e.Egress).OrderBy(e => e.RuleNumber).ToList();
            foreach (var internet in InternetCidrs)
            {
                foreach (var port in Ports)
                {
                    var first = ingress.Find(e => string.Equals(e.Cidr, internet, StringComparison.OrdinalIgnoreCase) && e.CoversTcpPort(port));
                    if (first is { IsAllow: true })
                    {
                        problems.Add("'" + first + "' still lets tcp " + Text(port) + " in from the internet");
                    }
                }
            }
        }

        return problems.Count == 0
            ? JobVerification.Success()
            : JobVerification.Failure("After the change, " + changes.NetworkAclId + " does not look as planned: " + string.Join("; ", problems) + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        NetworkAclUndoData data;
        try
        {
            data = RemediationJson.Deserialize<NetworkAclUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var aclId = RequireAclId(string.IsNullOrEmpty(data.NetworkAclId) ? record.ResourceId : data.NetworkAclId);
        var acl = await ReadAclAsync(context.Clients.Ec2(context.Region), aclId, context.Reporter, cancellationToken).ConfigureAwait(false);
        var entries = (acl.Entries ?? new List<NetworkAclEntry>()).Select(NetworkAclRule.FromEntry).ToList();
        var changes = new NetworkAclChangeSet(aclId, isUndo: true);
        foreach (var deleted in data.Deleted ?? new List<NetworkAclRule>())
        {
            var occupant = entries.Find(e => e.RuleNumber == deleted.RuleNumber && e.Egress == deleted.Egress);
            if (occupant is null)
            {
                changes.Create.Add(new PlannedAclChange(deleted, "Restore the deleted entry '" + deleted + "'."));
            }
            else if (!occupant.SameAs(deleted))
            {
                throw new JobFailureException(
                    "UndoConflict",
                    "Cannot restore '" + deleted + "' in " + aclId + ": its rule number now holds '" + occupant + "'. Nothing was changed.");
            }
        }

        // Denies go first, so the allows ahead of them never go while the deny still applies.
        foreach (var inserted in (data.Created ?? new List<NetworkAclRule>()).OrderBy(e => e.IsAllow))
        {
            if (entries.Exists(e => e.SameAs(inserted)))
            {
                changes.Delete.Add(new PlannedAclChange(inserted, "Remove the entry '" + inserted + "' that the remediation inserted."));
            }
        }

        return changes.Create.Count + changes.Delete.Count == 0
            ? JobPlan.Compliant(new[] { aclId + " already has the recorded entries back." })
            : JobPlan.Change(ToActions(changes), Array.Empty<string>(), null, changes, new[] { ResourceKeys.NetworkAcl(aclId) });
    }

    /// <summary>
    /// Plans, for each (internet CIDR, port) whose first internet entry is a broad allow, a deny for the port just
    /// below it and, ahead of the deny, allows for the port from the VPC's blocks and the narrower allow entries.
    /// </summary>
    private static void PlanDenies(NetworkAclChangeSet changes, List<NetworkAclRule> ingress, List<(string Internet, int Port, NetworkAclRule Broad)> blocks, VpcCidrs vpcCidrs)
    {
        var used = new HashSet<int>(ingress.Select(e => e.RuleNumber));
        var allows = new List<PlannedAclChange>();
        var denies = new List<PlannedAclChange>();
        foreach (var (internet, port, broad) in blocks)
        {
            var ipv6 = broad.IsIpv6;

            // Only entries of the same address family can match the same packets, so only they fix the order.
            var lower = ingress.Where(e => e.IsIpv6 == ipv6 && e.RuleNumber < broad.RuleNumber).Select(e => e.RuleNumber).DefaultIfEmpty(0).Max();
            var sources = new List<(string Cidr, string Why)>();
            foreach (var cidr in ipv6 ? vpcCidrs.Ipv6 : vpcCidrs.Ipv4)
            {
                sources.Add((cidr, "the VPC's own block"));
            }

            foreach (var narrower in ingress.Where(e => e.IsIpv6 == ipv6 && e.IsAllow && !e.IsInternet && e.CoversTcpPort(port)))
            {
                sources.Add((narrower.Cidr, "allowed by '" + narrower + "'"));
            }

            sources = sources.GroupBy(s => NetworkAclRule.CanonicalCidr(s.Cidr), StringComparer.Ordinal).Select(g => g.First()).ToList();
            var numbers = new List<int>();
            for (var number = Math.Min(broad.RuleNumber - 1, MaxRuleNumber); number > lower && numbers.Count <= sources.Count; number--)
            {
                if (!used.Contains(number))
                {
                    numbers.Add(number);
                }
            }

            if (numbers.Count < sources.Count + 1)
            {
                throw new NetworkAclRuleNumbersExhaustedException(string.Format(
                    CultureInfo.InvariantCulture,
                    "{0} has {1} free rule number(s) between #{2} and '{3}', but closing tcp {4} to {5} there needs {6} (a deny and {7} allow(s) for {8}). Nothing was changed; renumber the entries to make room.",
                    changes.NetworkAclId,
                    numbers.Count,
                    lower,
                    broad,
                    Text(port),
                    internet,
                    sources.Count + 1,
                    sources.Count,
                    sources.Count == 0 ? "no other network" : string.Join(", ", sources.Select(s => s.Cidr))));
            }

            used.UnionWith(numbers);
            denies.Add(new PlannedAclChange(
                NetworkAclRule.ForTcpPort(numbers[0], "deny", port, internet),
                "Deny tcp " + Text(port) + " from " + internet + " ahead of '" + broad + "', which stays because it allows other traffic too."));
            for (var i = 0; i < sources.Count; i++)
            {
                allows.Add(new PlannedAclChange(
                    NetworkAclRule.ForTcpPort(numbers[i + 1], "allow", port, sources[i].Cidr),
                    "Keep tcp " + Text(port) + " from " + sources[i].Cidr + " (" + sources[i].Why + ") ahead of the new deny."));
            }
        }

        // Allows are inserted before any deny, so traffic that must keep flowing is never cut, even for a moment.
        changes.Create.AddRange(allows.OrderBy(a => a.Entry.RuleNumber));
        changes.Create.AddRange(denies.OrderBy(d => d.Entry.RuleNumber));
    }

    private static async Task RollBackAsync(IAmazonEC2 ec2, string aclId, List<NetworkAclRule> created, IRemediationReporter reporter)
    {
        foreach (var entry in Enumerable.Reverse(created))
        {
            try
            {
                await AwsCall.RunAsync(reporter, DeleteEntryAction, aclId, () => ec2.DeleteNetworkAclEntryAsync(Delete(aclId, entry), CancellationToken.None)).ConfigureAwait(false);
            }
            catch (AwsCallException ex)
            {
                reporter.Warning("Could not take the inserted entry '" + entry + "' out of " + aclId + " again (" + ex.ErrorCode + "); the undo record lists it.");
            }
        }
    }

    private static DeleteNetworkAclEntryRequest Delete(string aclId, NetworkAclRule entry)
        => new() { NetworkAclId = aclId, RuleNumber = entry.RuleNumber, Egress = entry.Egress };

    private static List<NetworkAclRule> Ingress(NetworkAcl acl)
        => (acl.Entries ?? new List<NetworkAclEntry>()).Select(NetworkAclRule.FromEntry).Where(e => !e.Egress).OrderBy(e => e.RuleNumber).ToList();

    private static async Task<NetworkAcl> ReadAclAsync(IAmazonEC2 ec2, string aclId, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(reporter, DescribeNetworkAclsAction, aclId, () =>
            ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest { NetworkAclIds = new List<string> { aclId } }, cancellationToken)).ConfigureAwait(false);
        return response.NetworkAcls?.FirstOrDefault(a => string.Equals(a.NetworkAclId, aclId, StringComparison.Ordinal))
            ?? throw new InvalidOperationException("ec2:DescribeNetworkAcls did not return the network ACL " + aclId + ".");
    }

    private static async Task<VpcCidrs> ReadVpcCidrsAsync(IAmazonEC2 ec2, string vpcId, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(reporter, DescribeVpcsAction, vpcId, () =>
            ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = new List<string> { vpcId } }, cancellationToken)).ConfigureAwait(false);
        var vpc = response.Vpcs?.FirstOrDefault(v => string.Equals(v.VpcId, vpcId, StringComparison.Ordinal))
            ?? throw new InvalidOperationException("ec2:DescribeVpcs did not return the VPC " + vpcId + ".");
        var ipv4 = (vpc.CidrBlockAssociationSet ?? new List<VpcCidrBlockAssociation>())
            .Where(a => a.CidrBlockState?.State is null || a.CidrBlockState.State == VpcCidrBlockStateCode.Associated)
            .Select(a => a.CidrBlock)
            .Where(c => !string.IsNullOrEmpty(c))
            .ToList();
        if (ipv4.Count == 0 && !string.IsNullOrEmpty(vpc.CidrBlock))
        {
            ipv4.Add(vpc.CidrBlock);
        }

        var ipv6 = (vpc.Ipv6CidrBlockAssociationSet ?? new List<VpcIpv6CidrBlockAssociation>())
            .Where(a => a.Ipv6CidrBlockState?.State is null || a.Ipv6CidrBlockState.State == VpcCidrBlockStateCode.Associated)
            .Select(a => a.Ipv6CidrBlock)
            .Where(c => !string.IsNullOrEmpty(c))
            .ToList();
        return new VpcCidrs(ipv4, ipv6);
    }

    private static List<RemediationAction> ToActions(NetworkAclChangeSet changes)
    {
        var actions = new List<RemediationAction>();
        actions.AddRange(changes.Create.Select(c => new RemediationAction
        {
            Operation = CreateEntryAction,
            Target = changes.NetworkAclId,
            Description = c.Reason,
            Before = null,
            After = c.Entry.ToString(),
        }));
        actions.AddRange(changes.Delete.Select(c => new RemediationAction
        {
            Operation = DeleteEntryAction,
            Target = changes.NetworkAclId,
            Description = c.Reason,
            Before = c.Entry.ToString(),
            After = null,
        }));
        return actions;
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static NetworkAclChangeSet ChangesOf(JobPlan plan)
        => plan.Changes as NetworkAclChangeSet ?? throw new ArgumentException("The plan was not made by " + JobId + ".", nameof(plan));

    private static string RequireAclId(string resourceId) => Ec2ResourceIds.Require(resourceId, "acl-", "a network ACL ID");

    private sealed class VpcCidrs
    {
        public VpcCidrs(IReadOnlyList<string> ipv4, IReadOnlyList<string> ipv6)
        {
            Ipv4 = ipv4;
            Ipv6 = ipv6;
        }

        public IReadOnlyList<string> Ipv4 { get; }

        public IReadOnlyList<string> Ipv6 { get; }
    }
}

/// <summary>The entry changes of <see cref="NetworkAclAdministrationPortsJob"/> on one ACL: inserts first, then deletes.</summary>
internal sealed class NetworkAclChangeSet
{
    /// <summary>Creates an empty change set.</summary>
    public NetworkAclChangeSet(string networkAclId, bool isUndo)
    {
        NetworkAclId = networkAclId;
        IsUndo = isUndo;
    }

    /// <summary>The ACL.</summary>
    public string NetworkAclId { get; }

    /// <summary>True when the change set restores the recorded entries.</summary>
    public bool IsUndo { get; }

    /// <summary>Entries to create, in order.</summary>
    public List<PlannedAclChange> Create { get; } = new();

    /// <summary>Entries to delete, in order.</summary>
    public List<PlannedAclChange> Delete { get; } = new();
}

/// <summary>One ACL entry to create or delete, with the reason.</summary>
internal sealed class PlannedAclChange
{
    /// <summary>Creates the change.</summary>
    public PlannedAclChange(NetworkAclRule entry, string reason)
    {
        Entry = entry;
        Reason = reason;
    }

    /// <summary>The entry.</summary>
    public NetworkAclRule Entry { get; }

    /// <summary>Why it changes.</summary>
    public string Reason { get; }
}

/// <summary>The undo data of <see cref="NetworkAclAdministrationPortsJob"/>: the entries it inserted and the exact entries it deleted.</summary>
internal sealed class NetworkAclUndoData
{
    /// <summary>The ACL.</summary>
    public string NetworkAclId { get; set; } = string.Empty;

    /// <summary>The entries the remediation inserted (undo deletes them).</summary>
    public List<NetworkAclRule> Created { get; set; } = new();

    /// <summary>The entries the remediation deleted (undo creates them again).</summary>
    public List<NetworkAclRule> Deleted { get; set; } = new();
}

/// <summary>The ACL has too few free rule numbers where the new entries must go; nothing was changed.</summary>
[Serializable]
internal sealed class NetworkAclRuleNumbersExhaustedException : JobFailureException
{
    /// <summary>Creates the exception.</summary>
    public NetworkAclRuleNumbersExhaustedException(string message)
        : base(message)
    {
    }
}
