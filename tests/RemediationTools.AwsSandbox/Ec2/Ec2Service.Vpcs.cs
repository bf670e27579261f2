using RemediationTools.AwsSandbox.Protocol;
using static RemediationTools.AwsSandbox.Ec2.Ec2Xml;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>DescribeVpcs (the default VPC and VPCs added through the test API).</summary>
internal sealed partial class Ec2Service
{
    private static string DescribeVpcs(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        Require(context, "*");
        IEnumerable<Vpc> vpcs = state.Vpcs.Values;
        var ids = args.Strings("VpcId");
        foreach (var id in ids)
        {
            if (!state.Vpcs.ContainsKey(id))
            {
                throw new AwsServiceError(400, "InvalidVpcID.NotFound", $"The vpc ID '{id}' does not exist");
            }
        }

        if (ids.Count > 0)
        {
            vpcs = vpcs.Where(v => ids.Contains(v.VpcId));
        }

        foreach (var filter in Filters(args))
        {
            vpcs = filter.Name switch
            {
                "vpc-id" => vpcs.Where(v => filter.Matches(v.VpcId)),
                "is-default" or "isDefault" => vpcs.Where(v => filter.Matches(AwsXml.Bool(v.IsDefault))),
                "cidr" or "cidr-block-association.cidr-block" => vpcs.Where(v => filter.Matches(v.CidrBlock)),
                "state" => vpcs.Where(_ => filter.Matches("available")),
                _ => throw InvalidFilter(filter.Name),
            };
        }

        var (page, next) = Page(context, vpcs.ToList());
        return Ok(
            context,
            E("vpcSet", page.Select(v => Item(
                E("vpcId", v.VpcId),
                E("ownerId", state.AccountId),
                E("state", "available"),
                E("cidrBlock", v.CidrBlock),
                E("cidrBlockAssociationSet", Item(E("cidrBlock", v.CidrBlock), E("associationId", "vpc-cidr-assoc-" + v.VpcId[4..]), E("cidrBlockState", E("state", "associated")))),
                E("ipv6CidrBlockAssociationSet", Item(E("ipv6CidrBlock", v.Ipv6CidrBlock), E("associationId", "vpc-cidr-assoc-6" + v.VpcId[5..]), E("ipv6CidrBlockState", E("state", "associated")), E("networkBorderGroup", context.Region), E("ipv6Pool", "Amazon"))),
                E("dhcpOptionsId", "dopt-" + v.VpcId[4..12]),
                E("instanceTenancy", "default"),
                E("isDefault", AwsXml.Bool(v.IsDefault))))),
            next);
    }
}
