using System.Globalization;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>Everything needed to recreate a security group: name, description, VPC, rules of both directions and tags.</summary>
internal sealed class SecurityGroupRecord
{
    /// <summary>The group's ID when it was recorded.</summary>
    public string GroupId { get; set; } = string.Empty;

    /// <summary>The group name.</summary>
    public string GroupName { get; set; } = string.Empty;

    /// <summary>The group description.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>The VPC.</summary>
    public string VpcId { get; set; } = string.Empty;

    private List<SecurityGroupRule> ingress = new();
    private List<SecurityGroupRule> egress = new();

    /// <summary>Inbound rules, one source each.</summary>
    public List<SecurityGroupRule> Ingress
    {
        get => ingress;
        set => ingress = Directed(value, isEgress: false);
    }

    /// <summary>Outbound rules, one destination each (records written before rules had a direction read as outbound here).</summary>
    public List<SecurityGroupRule> Egress
    {
        get => egress;
        set => egress = Directed(value, isEgress: true);
    }

    /// <summary>The tags.</summary>
    public List<KeyValuePair<string, string>> Tags { get; set; } = new();

    /// <summary>Records a group as <see cref="SecurityGroupReader"/> read it.</summary>
    public static SecurityGroupRecord From(SecurityGroupSnapshot group) => new()
    {
        GroupId = group.GroupId,
        GroupName = group.GroupName ?? string.Empty,
        Description = group.Description ?? string.Empty,
        VpcId = group.VpcId ?? string.Empty,
        Ingress = group.Ingress.ToList(),
        Egress = group.Egress.ToList(),
        Tags = group.Tags.ToList(),
    };

    /// <summary>The group in one line, for a plan's before or after.</summary>
    public string Summary() => string.Format(
        CultureInfo.InvariantCulture,
        "{0} '{1}' in {2}: {3} inbound rule(s), {4} outbound rule(s), {5} tag(s)",
        GroupId,
        GroupName,
        VpcId,
        Ingress.Count,
        Egress.Count,
        Tags.Count);

    private static List<SecurityGroupRule> Directed(List<SecurityGroupRule>? rules, bool isEgress)
    {
        rules ??= new List<SecurityGroupRule>();
        rules.ForEach(r => r.Egress = isEgress);
        return rules;
    }
}
