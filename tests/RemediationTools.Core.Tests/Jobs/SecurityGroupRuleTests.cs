using Amazon.EC2.Model;
using RemediationTools.Core.Jobs.Ec2;
using RemediationTools.Core.Results;
using SecurityGroupRule = RemediationTools.Core.Jobs.Ec2.SecurityGroupRule;

namespace RemediationTools.Core.Tests.Jobs;

/// <summary>The one model of a security group rule: identity, text, and undo records of every earlier shape.</summary>
public sealed class SecurityGroupRuleTests
{
    [Fact]
    public void Deserialize_PortCloserUndoDataWithCidr_ReadsBothFamiliesAndWritesNoCidr()
    {
        const string old = "{\"GroupId\":\"sg-1\",\"Authorized\":[{\"Protocol\":\"tcp\",\"FromPort\":0,\"ToPort\":21,\"Cidr\":\"0.0.0.0/0\",\"Description\":\"ops\"}]," +
                           "\"Revoked\":[{\"Protocol\":\"tcp\",\"FromPort\":0,\"ToPort\":65535,\"Cidr\":\"::/0\",\"Description\":null}]}";

        var data = RemediationJson.Deserialize<SecurityGroupUndoData>(old);

        Assert.Equal("0.0.0.0/0", data.Authorized[0].CidrIpv4);
        Assert.Null(data.Authorized[0].CidrIpv6);
        Assert.Equal("::/0", data.Revoked[0].CidrIpv6);
        Assert.Equal("tcp 0-21 from 0.0.0.0/0 (\"ops\")", data.Authorized[0].ToString());
        var written = RemediationJson.Serialize(data);
        Assert.DoesNotContain("\"Cidr\"", written, StringComparison.Ordinal);
        Assert.Equal(written, RemediationJson.Serialize(RemediationJson.Deserialize<SecurityGroupUndoData>(written)));
    }

    [Fact]
    public void Deserialize_GroupRecordWithoutDirections_EgressListIsOutbound()
    {
        const string old = "{\"GroupId\":\"sg-1\",\"GroupName\":\"g\",\"Description\":\"d\",\"VpcId\":\"vpc-1\",\"Ingress\":[{\"Protocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"CidrIpv4\":\"10.0.0.0/8\"}]," +
                           "\"Egress\":[{\"Protocol\":\"-1\",\"CidrIpv4\":\"0.0.0.0/0\"}],\"Tags\":[]}";

        var record = RemediationJson.Deserialize<SecurityGroupRecord>(old);

        Assert.False(record.Ingress[0].Egress);
        Assert.True(record.Egress[0].Egress);
        Assert.True(record.Egress[0].SameRuleAs(new SecurityGroupRule { Egress = true, Protocol = "-1", CidrIpv4 = "0.0.0.0/0" }));
        Assert.Equal("outbound all traffic to 0.0.0.0/0", record.Egress[0].ToString());
    }

    [Fact]
    public void FromPermissions_EverySourceKind_OneRuleEachSameDirectionAndIdentity()
    {
        var permission = new IpPermission
        {
            IpProtocol = "6",
            FromPort = 443,
            ToPort = 443,
            Ipv4Ranges = new List<IpRange> { new() { CidrIp = "0.0.0.0/0", Description = "web" } },
            Ipv6Ranges = new List<Ipv6Range> { new() { CidrIpv6 = "::/0" } },
            PrefixListIds = new List<PrefixListId> { new() { Id = "pl-1" } },
            UserIdGroupPairs = new List<UserIdGroupPair> { new() { GroupId = "sg-2", UserId = "111111111111" } },
        };

        var inbound = SecurityGroupRule.FromPermissions(new[] { permission }, egress: false);
        var outbound = SecurityGroupRule.FromPermissions(new[] { permission }, egress: true);

        Assert.Equal(4, inbound.Count);
        Assert.Equal(new[] { "tcp 443 from 0.0.0.0/0 (\"web\")", "tcp 443 from ::/0", "tcp 443 from pl-1", "tcp 443 from sg-2" }, inbound.Select(r => r.ToString()));
        Assert.All(inbound.Zip(outbound), pair => Assert.False(pair.First.SameRuleAs(pair.Second)));

        // The protocol number and its name, and descriptions, do not make another rule.
        Assert.True(inbound[0].SameRuleAs(SecurityGroupRule.ForPorts("tcp", new RemediationTools.Core.Jobs.Ec2.PortRange(443, 443), "0.0.0.0/0", null)));
        Assert.Equal("sg-2", inbound[3].ToPermission(withDescription: true).UserIdGroupPairs[0].GroupId);
        Assert.Null(inbound[0].ToPermission(withDescription: false).Ipv4Ranges[0].Description);
    }
}
