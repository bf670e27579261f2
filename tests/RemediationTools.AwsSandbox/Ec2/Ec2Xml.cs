using System.Xml.Linq;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>XML shapes of EC2 resources (EC2 query protocol, API version 2016-11-15).</summary>
internal static class Ec2Xml
{
    public static readonly XNamespace Ns = AwsXml.Ec2;

    public static XElement E(string name, params object?[] content) => new(Ns + name, content);

    public static XElement Items(string name, IEnumerable<XElement> items) => E(name, items.Select(i => i.Name.LocalName == "item" ? i : E("item", i.Elements())));

    public static XElement Item(params object?[] content) => E("item", content);

    public static XElement TagSet(IEnumerable<KeyValuePair<string, string>> tags) =>
        E("tagSet", tags.Select(t => Item(E("key", t.Key), E("value", t.Value))));

    public static string GroupArn(Ec2RegionState state, string groupId) => $"arn:aws:ec2:{state.Region}:{state.AccountId}:security-group/{groupId}";

    public static string RuleArn(Ec2RegionState state, string ruleId) => $"arn:aws:ec2:{state.Region}:{state.AccountId}:security-group-rule/{ruleId}";

    public static XElement SecurityGroup(Ec2RegionState state, SecurityGroup group) => Item(
        E("ownerId", group.OwnerId),
        E("groupId", group.GroupId),
        E("groupName", group.GroupName),
        E("groupDescription", group.Description),
        E("vpcId", group.VpcId),
        E("securityGroupArn", GroupArn(state, group.GroupId)),
        E("ipPermissions", Permissions(state, group.Rules.Where(r => !r.IsEgress))),
        E("ipPermissionsEgress", Permissions(state, group.Rules.Where(r => r.IsEgress))),
        group.Tags.Count > 0 ? TagSet(group.Tags) : null);

    /// <summary>Groups single-source rules back into IpPermission items by protocol and ports, as DescribeSecurityGroups does.</summary>
    private static IEnumerable<XElement> Permissions(Ec2RegionState state, IEnumerable<SecurityGroupRule> rules) =>
        rules.GroupBy(r => (r.Protocol, r.FromPort, r.ToPort)).Select(g => Item(
            E("ipProtocol", g.Key.Protocol),
            g.Key.FromPort is { } from ? E("fromPort", AwsXml.Int(from)) : null,
            g.Key.ToPort is { } to ? E("toPort", AwsXml.Int(to)) : null,
            E("groups", g.Where(r => r.ReferencedGroupId is not null).Select(r => Item(
                r.Description is null ? null : E("description", r.Description),
                E("userId", r.ReferencedUserId ?? state.AccountId),
                E("groupId", r.ReferencedGroupId)))),
            E("ipRanges", g.Where(r => r.CidrIpv4 is not null).Select(r => Item(
                E("cidrIp", r.CidrIpv4),
                r.Description is null ? null : E("description", r.Description)))),
            E("ipv6Ranges", g.Where(r => r.CidrIpv6 is not null).Select(r => Item(
                E("cidrIpv6", r.CidrIpv6),
                r.Description is null ? null : E("description", r.Description)))),
            E("prefixListIds", g.Where(r => r.PrefixListId is not null).Select(r => Item(
                E("prefixListId", r.PrefixListId),
                r.Description is null ? null : E("description", r.Description))))));

    /// <summary>A SecurityGroupRule item (DescribeSecurityGroupRules, Authorize* responses).</summary>
    public static XElement Rule(Ec2RegionState state, SecurityGroupRule rule) => Item(
        E("securityGroupRuleId", rule.RuleId),
        E("groupId", rule.GroupId),
        E("groupOwnerId", state.AccountId),
        E("isEgress", AwsXml.Bool(rule.IsEgress)),
        E("ipProtocol", rule.Protocol),
        E("fromPort", AwsXml.Int(rule.FromPort ?? -1)),
        E("toPort", AwsXml.Int(rule.ToPort ?? -1)),
        rule.CidrIpv4 is null ? null : E("cidrIpv4", rule.CidrIpv4),
        rule.CidrIpv6 is null ? null : E("cidrIpv6", rule.CidrIpv6),
        rule.PrefixListId is null ? null : E("prefixListId", rule.PrefixListId),
        rule.ReferencedGroupId is null ? null : E("referencedGroupInfo", E("groupId", rule.ReferencedGroupId), E("userId", rule.ReferencedUserId ?? state.AccountId)),
        rule.Description is null ? null : E("description", rule.Description),
        TagSet(rule.Tags),
        E("securityGroupRuleArn", RuleArn(state, rule.RuleId)));

    /// <summary>A RevokedSecurityGroupRule item.</summary>
    public static XElement RevokedRule(SecurityGroupRule rule) => Item(
        E("securityGroupRuleId", rule.RuleId),
        E("groupId", rule.GroupId),
        E("isEgress", AwsXml.Bool(rule.IsEgress)),
        E("ipProtocol", rule.Protocol),
        E("fromPort", AwsXml.Int(rule.FromPort ?? -1)),
        E("toPort", AwsXml.Int(rule.ToPort ?? -1)),
        rule.CidrIpv4 is null ? null : E("cidrIpv4", rule.CidrIpv4),
        rule.CidrIpv6 is null ? null : E("cidrIpv6", rule.CidrIpv6),
        rule.PrefixListId is null ? null : E("prefixListId", rule.PrefixListId),
        rule.ReferencedGroupId is null ? null : E("referencedGroupId", rule.ReferencedGroupId),
        rule.Description is null ? null : E("description", rule.Description));

    /// <summary>Echoes a request IpPermission back (unknownIpPermissionSet).</summary>
    public static XElement RequestedPermission(QueryArgs permission) => Item(
        E("ipProtocol", permission.Get("IpProtocol")),
        permission.Get("FromPort") is { } from ? E("fromPort", from) : null,
        permission.Get("ToPort") is { } to ? E("toPort", to) : null,
        E("groups", permission.List("Groups").Select(g => Item(E("groupId", g.Get("GroupId"))))),
        E("ipRanges", permission.List("IpRanges").Select(r => Item(E("cidrIp", r.Get("CidrIp"))))),
        E("ipv6Ranges", permission.List("Ipv6Ranges").Select(r => Item(E("cidrIpv6", r.Get("CidrIpv6"))))),
        E("prefixListIds", permission.List("PrefixListIds").Select(p => Item(E("prefixListId", p.Get("PrefixListId"))))));

    public static XElement GroupSet(Ec2RegionState state, IEnumerable<string> groupIds) =>
        E("groupSet", groupIds.Select(id => Item(E("groupId", id), E("groupName", state.FindGroup(id)?.GroupName))));

    public static XElement NetworkInterface(Ec2RegionState state, NetworkInterface eni, string availabilityZone, bool forInstance) => Item(
        E("networkInterfaceId", eni.NetworkInterfaceId),
        E("subnetId", eni.SubnetId),
        E("vpcId", eni.VpcId),
        forInstance ? null : E("availabilityZone", availabilityZone),
        E("description"),
        E("ownerId", eni.OwnerId),
        forInstance ? null : E("requesterManaged", "false"),
        E("status", "in-use"),
        E("macAddress", eni.MacAddress),
        E("privateIpAddress", eni.PrivateIpAddress),
        E("sourceDestCheck", "true"),
        GroupSet(state, eni.GroupIds),
        E(
            "attachment",
            E("attachmentId", eni.AttachmentId),
            forInstance ? null : E("instanceId", eni.InstanceId),
            forInstance ? null : E("instanceOwnerId", eni.OwnerId),
            E("deviceIndex", AwsXml.Int(eni.DeviceIndex)),
            E("status", "attached"),
            E("attachTime", AwsXml.TimestampMillis(eni.AttachTime)),
            E("deleteOnTermination", AwsXml.Bool(eni.DeviceIndex == 0))),
        forInstance ? null : E("tagSet"),
        E("privateIpAddressesSet", Item(E("privateIpAddress", eni.PrivateIpAddress), E("primary", "true"))),
        E("ipv6AddressesSet"),
        E("interfaceType", "interface"));

    /// <summary>An instance item; <paramref name="stateOverride"/> shows another state (RunInstances always answers pending).</summary>
    public static XElement Instance(Ec2RegionState state, Instance instance, DateTimeOffset now, string? stateOverride = null)
    {
        var runState = stateOverride ?? instance.RunState.Current(now);
        var primary = instance.NetworkInterfaces.Count > 0 ? instance.NetworkInterfaces[0] : null;
        var profile = instance.IamInstanceProfileArn is null ? null : E("iamInstanceProfile", E("arn", instance.IamInstanceProfileArn), E("id", instance.IamInstanceProfileId));
        return Item(
            E("instanceId", instance.InstanceId),
            E("imageId", instance.ImageId),
            E("instanceState", Ec2Service.InstanceStateContent(runState)),
            E("privateDnsName", primary is null ? null : $"ip-{primary.PrivateIpAddress.Replace('.', '-')}.ec2.internal"),
            E("dnsName"),
            E("reason", instance.StateTransitionReason),
            instance.KeyName is null ? null : E("keyName", instance.KeyName),
            E("amiLaunchIndex", AwsXml.Int(instance.AmiLaunchIndex)),
            E("productCodes"),
            E("instanceType", instance.InstanceType),
            E("launchTime", AwsXml.TimestampMillis(instance.LaunchTime)),
            E("placement", E("availabilityZone", instance.AvailabilityZone), E("groupName"), E("tenancy", "default")),
            E("monitoring", E("state", "disabled")),
            primary is null ? null : E("subnetId", instance.SubnetId),
            primary is null ? null : E("vpcId", instance.VpcId),
            primary is null ? null : E("privateIpAddress", primary.PrivateIpAddress),
            E("sourceDestCheck", "true"),
            GroupSet(state, instance.NetworkInterfaces.SelectMany(n => n.GroupIds).Distinct()),
            runState == "terminated" ? E("stateReason", E("code", "Client.UserInitiatedShutdown"), E("message", "Client.UserInitiatedShutdown: User initiated shutdown")) : null,
            E("architecture", instance.Architecture),
            E("rootDeviceType", "ebs"),
            E("rootDeviceName", instance.RootDeviceName),
            Ec2Service.BlockDeviceMappings(state, instance, now),
            E("virtualizationType", "hvm"),
            instance.ClientToken is null ? null : E("clientToken", instance.ClientToken),
            instance.Tags.Count > 0 ? TagSet(instance.Tags) : null,
            E("hypervisor", "xen"),
            profile,
            E("networkInterfaceSet", instance.NetworkInterfaces.Select(n => NetworkInterface(state, n, instance.AvailabilityZone, forInstance: true))),
            E(
                "metadataOptions",
                E("state", runState == "pending" ? "pending" : "applied"),
                E("httpTokens", instance.MetadataOptions.HttpTokens),
                E("httpPutResponseHopLimit", AwsXml.Int(instance.MetadataOptions.HttpPutResponseHopLimit)),
                E("httpEndpoint", instance.MetadataOptions.HttpEndpoint),
                E("httpProtocolIpv6", "disabled"),
                E("instanceMetadataTags", instance.MetadataOptions.InstanceMetadataTags)));
    }
}
