using RemediationTools.AwsSandbox.Protocol;
using static RemediationTools.AwsSandbox.Ec2.Ec2Xml;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>DescribeInstances and DescribeNetworkInterfaces over instances seeded by the test API.</summary>
internal sealed partial class Ec2Service
{
    private static string DescribeInstances(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        Require(context, "*");
        IEnumerable<Instance> instances = state.Instances;
        var ids = args.Strings("InstanceId");
        if (ids.Count > 0)
        {
            RefuseMaxResultsWithIds(args, "instancesSet");

            foreach (var id in ids.Where(id => !IsEc2Id(id, "i")))
            {
                throw new AwsServiceError(400, "InvalidInstanceID.Malformed", $"Invalid id: \"{id}\"");
            }

            var missing = ids.Where(id => !state.Instances.Exists(i => i.InstanceId == id)).ToList();
            if (missing.Count == 1)
            {
                throw new AwsServiceError(400, "InvalidInstanceID.NotFound", $"The instance ID '{missing[0]}' does not exist");
            }

            if (missing.Count > 1)
            {
                throw new AwsServiceError(400, "InvalidInstanceID.NotFound", $"The instance IDs '{string.Join(", ", missing)}' do not exist");
            }

            instances = instances.Where(i => ids.Contains(i.InstanceId));
        }

        foreach (var filter in Filters(args))
        {
            instances = filter.Name switch
            {
                "instance-id" => instances.Where(i => filter.Matches(i.InstanceId)),
                "instance-state-name" => instances.Where(i => filter.Matches(i.RunState.Current(context.State.Now))),
                "instance-state-code" => instances.Where(i => filter.Matches(InstanceStateContent(i.RunState.Current(context.State.Now))[0] is System.Xml.Linq.XElement code ? code.Value : null)),
                "vpc-id" => instances.Where(i => filter.Matches(i.VpcId)),
                "subnet-id" => instances.Where(i => filter.Matches(i.SubnetId)),
                "image-id" => instances.Where(i => filter.Matches(i.ImageId)),
                "instance-type" => instances.Where(i => filter.Matches(i.InstanceType)),
                "key-name" => instances.Where(i => filter.Matches(i.KeyName)),
                "availability-zone" => instances.Where(i => filter.Matches(i.AvailabilityZone)),
                "reservation-id" => instances.Where(i => filter.Matches(i.ReservationId)),
                "client-token" => instances.Where(i => filter.Matches(i.ClientToken)),
                "iam-instance-profile.arn" => instances.Where(i => filter.Matches(i.IamInstanceProfileArn)),
                "iam-instance-profile.id" => instances.Where(i => filter.Matches(i.IamInstanceProfileId)),
                "metadata-options.http-tokens" => instances.Where(i => filter.Matches(i.MetadataOptions.HttpTokens)),
                "instance.group-id" or "network-interface.group-id" => instances.Where(i => filter.MatchesAny(i.NetworkInterfaces.SelectMany(n => n.GroupIds))),
                "network-interface.network-interface-id" => instances.Where(i => filter.MatchesAny(i.NetworkInterfaces.Select(n => n.NetworkInterfaceId))),
                _ when filter.Name.StartsWith("tag:", StringComparison.Ordinal) || filter.Name == "tag-key" => instances.Where(i => filter.MatchesTags(i.Tags) == true),
                _ => throw InvalidFilter(filter.Name),
            };
        }

        // Instances launched together share their reservation, as in AWS; paging counts instances.
        var (page, next) = Page(context, instances.ToList());
        return Ok(
            context,
            E("reservationSet", page.GroupBy(i => i.ReservationId).Select(r => Item(
                E("reservationId", r.Key),
                E("ownerId", r.First().OwnerId),
                E("groupSet"),
                E("instancesSet", r.Select(i => Instance(state, i, context.State.Now)))))),
            next);
    }

    private static string DescribeNetworkInterfaces(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        Require(context, "*");
        var all = state.Instances.SelectMany(i => i.NetworkInterfaces.Select(n => (Instance: i, Eni: n))).ToList();
        IEnumerable<(Instance Instance, NetworkInterface Eni)> enis = all;
        var ids = args.Strings("NetworkInterfaceId");
        if (ids.Count > 0)
        {
            RefuseMaxResultsWithIds(args, "networkInterfaceIdSet");
            foreach (var id in ids)
            {
                if (!IsEc2Id(id, "eni"))
                {
                    throw new AwsServiceError(400, "InvalidNetworkInterfaceId.Malformed", $"Invalid id: \"{id}\" (expecting \"eni-...\")");
                }

                if (!all.Exists(e => e.Eni.NetworkInterfaceId == id))
                {
                    throw new AwsServiceError(400, "InvalidNetworkInterfaceID.NotFound", $"The networkInterface ID '{id}' does not exist");
                }
            }

            enis = enis.Where(e => ids.Contains(e.Eni.NetworkInterfaceId));
        }

        foreach (var filter in Filters(args))
        {
            enis = filter.Name switch
            {
                "network-interface-id" => enis.Where(e => filter.Matches(e.Eni.NetworkInterfaceId)),
                "group-id" => enis.Where(e => filter.MatchesAny(e.Eni.GroupIds)),
                "attachment.instance-id" => enis.Where(e => filter.Matches(e.Eni.InstanceId)),
                "vpc-id" => enis.Where(e => filter.Matches(e.Eni.VpcId)),
                "subnet-id" => enis.Where(e => filter.Matches(e.Eni.SubnetId)),
                "status" => enis.Where(_ => filter.Matches("in-use")),
                _ => throw InvalidFilter(filter.Name),
            };
        }

        var (page, next) = Page(context, enis.ToList());
        return Ok(
            context,
            E("networkInterfaceSet", page.Select(e => NetworkInterface(state, e.Eni, e.Instance.AvailabilityZone, forInstance: false))),
            next);
    }
}
