using System.Globalization;
using RemediationTools.AwsSandbox.Protocol;
using static RemediationTools.AwsSandbox.Ec2.Ec2Xml;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>DescribeImages (the public Amazon Linux 2023 AMIs), DescribeInstanceTypes and DescribeSubnets.</summary>
internal sealed partial class Ec2Service
{
    private static string DescribeImages(AwsRequestContext context)
    {
        var args = context.Args;
        Require(context, "*");
        IEnumerable<MachineImage> images = Ec2Catalog.Images(context.Region);
        var ids = args.Strings("ImageId");
        if (ids.Count > 0)
        {
            foreach (var id in ids.Where(id => !IsEc2Id(id, "ami")))
            {
                throw new AwsServiceError(400, "InvalidAMIID.Malformed", $"Invalid id: \"{id}\" (expecting \"ami-...\")");
            }

            var missing = ids.Where(id => Ec2Catalog.FindImage(context.Region, id) is null).ToList();
            if (missing.Count > 0)
            {
                throw new AwsServiceError(400, "InvalidAMIID.NotFound", $"The image id '[{string.Join(", ", missing)}]' does not exist");
            }

            images = images.Where(i => ids.Contains(i.ImageId));
        }

        var owners = args.Strings("Owner");
        if (owners.Count > 0)
        {
            // Every catalog image is Amazon's; "self" and other account ids own none of them.
            images = images.Where(_ => owners.Any(o => o is "amazon" or MachineImage.AmazonOwnerId));
        }

        foreach (var filter in Filters(args))
        {
            images = filter.Name switch
            {
                "name" => images.Where(i => filter.Matches(i.Name)),
                "architecture" => images.Where(i => filter.Matches(i.Architecture)),
                "owner-alias" => images.Where(_ => filter.Matches("amazon")),
                "owner-id" => images.Where(_ => filter.Matches(MachineImage.AmazonOwnerId)),
                "image-id" => images.Where(i => filter.Matches(i.ImageId)),
                "state" => images.Where(_ => filter.Matches("available")),
                "is-public" => images.Where(_ => filter.Matches("true")),
                "root-device-type" => images.Where(_ => filter.Matches("ebs")),
                "virtualization-type" => images.Where(_ => filter.Matches("hvm")),
                "image-type" => images.Where(_ => filter.Matches("machine")),
                "platform-details" => images.Where(_ => filter.Matches("Linux/UNIX")),
                _ => throw InvalidFilter(filter.Name),
            };
        }

        var (page, next) = Page(context, images.ToList());
        return Ok(
            context,
            E("imagesSet", page.Select(i => Item(
                E("imageId", i.ImageId),
                E("imageLocation", "amazon/" + i.Name),
                E("imageState", "available"),
                E("imageOwnerId", MachineImage.AmazonOwnerId),
                E("creationDate", i.CreationDate),
                E("isPublic", "true"),
                E("architecture", i.Architecture),
                E("imageType", "machine"),
                E("sriovNetSupport", "simple"),
                E("name", i.Name),
                E("description", i.Description),
                E("rootDeviceType", "ebs"),
                E("rootDeviceName", MachineImage.RootDeviceName),
                E("blockDeviceMapping", Item(
                    E("deviceName", MachineImage.RootDeviceName),
                    E(
                        "ebs",
                        E("snapshotId", i.SnapshotId),
                        E("volumeSize", AwsXml.Int(MachineImage.RootVolumeSizeGiB)),
                        E("deleteOnTermination", "true"),
                        E("volumeType", "gp3"),
                        E("iops", "3000"),
                        E("throughput", "125"),
                        E("encrypted", "false")))),
                E("virtualizationType", "hvm"),
                E("hypervisor", "xen"),
                E("imageOwnerAlias", "amazon"),
                E("enaSupport", "true"),
                E("bootMode", "uefi-preferred"),
                E("platformDetails", "Linux/UNIX"),
                E("usageOperation", "RunInstances"),
                E("imdsSupport", "v2.0")))),
            next);
    }

    private static string DescribeInstanceTypes(AwsRequestContext context)
    {
        var args = context.Args;
        Require(context, "*");
        IEnumerable<InstanceTypeInfo> types = Ec2Catalog.InstanceTypes;
        var names = args.Strings("InstanceType");
        if (names.Count > 0)
        {
            var unknown = names.Where(n => Ec2Catalog.FindInstanceType(n) is null).ToList();
            if (unknown.Count > 0)
            {
                throw new AwsServiceError(400, "InvalidInstanceType", $"The following supplied instance types do not exist: [{string.Join(", ", unknown)}]");
            }

            types = types.Where(t => names.Contains(t.Name));
        }

        foreach (var filter in Filters(args))
        {
            types = filter.Name switch
            {
                "instance-type" => types.Where(t => filter.Matches(t.Name)),
                "processor-info.supported-architecture" => types.Where(t => filter.Matches(t.Architecture)),
                "burstable-performance-supported" => types.Where(t => filter.Matches(AwsXml.Bool(t.Burstable))),
                "current-generation" => types.Where(_ => filter.Matches("true")),
                _ => throw InvalidFilter(filter.Name),
            };
        }

        var (page, next) = Page(context, types.ToList());
        return Ok(
            context,
            E("instanceTypeSet", page.Select(t => Item(
                E("instanceType", t.Name),
                E("currentGeneration", "true"),
                E("freeTierEligible", AwsXml.Bool(t.Name is "t3.micro" or "t4g.micro")),
                E("supportedUsageClasses", E("item", "on-demand"), E("item", "spot")),
                E("supportedRootDeviceTypes", E("item", "ebs")),
                E("supportedVirtualizationTypes", E("item", "hvm")),
                E("bareMetal", "false"),
                E("hypervisor", "nitro"),
                E("processorInfo", E("supportedArchitectures", E("item", t.Architecture)), E("sustainedClockSpeedInGhz", t.Architecture == "arm64" ? "2.5" : "3.1")),
                E("vCpuInfo", E("defaultVCpus", AwsXml.Int(t.DefaultVCpus)), E("defaultCores", AwsXml.Int(t.Architecture == "arm64" ? t.DefaultVCpus : 1)), E("defaultThreadsPerCore", AwsXml.Int(t.Architecture == "arm64" ? 1 : 2))),
                E("memoryInfo", E("sizeInMiB", t.MemoryMiB.ToString(CultureInfo.InvariantCulture))),
                E("instanceStorageSupported", "false"),
                E("ebsInfo", E("ebsOptimizedSupport", "default"), E("encryptionSupport", "supported"), E("nvmeSupport", "required")),
                E("networkInfo", E("networkPerformance", "Up to 5 Gigabit"), E("maximumNetworkInterfaces", "2"), E("ipv6Supported", "true"), E("enaSupport", "required")),
                E("placementGroupInfo", E("supportedStrategies", E("item", "partition"), E("item", "spread"))),
                E("hibernationSupported", "false"),
                E("burstablePerformanceSupported", AwsXml.Bool(t.Burstable)),
                E("dedicatedHostsSupported", "false"),
                E("autoRecoverySupported", "true"),
                E("supportedBootModes", E("item", "uefi"), t.Architecture == "arm64" ? null : E("item", "legacy-bios"))))),
            next);
    }

    private static string DescribeSubnets(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        Require(context, "*");
        IEnumerable<Subnet> subnets = state.Vpcs.Values.SelectMany(v => v.Subnets).ToList();
        var ids = args.Strings("SubnetId");
        if (ids.Count > 0)
        {
            foreach (var id in ids)
            {
                if (state.FindSubnet(id) is null)
                {
                    throw new AwsServiceError(400, "InvalidSubnetID.NotFound", $"The subnet ID '{id}' does not exist");
                }
            }

            subnets = subnets.Where(s => ids.Contains(s.SubnetId));
        }

        foreach (var filter in Filters(args))
        {
            subnets = filter.Name switch
            {
                "subnet-id" => subnets.Where(s => filter.Matches(s.SubnetId)),
                "vpc-id" => subnets.Where(s => filter.Matches(s.VpcId)),
                "default-for-az" or "defaultForAz" => subnets.Where(s => filter.Matches(AwsXml.Bool(s.DefaultForAz))),
                "availability-zone" or "availabilityZone" => subnets.Where(s => filter.Matches(s.AvailabilityZone)),
                "cidr-block" or "cidr" or "cidrBlock" => subnets.Where(s => filter.Matches(s.CidrBlock)),
                "map-public-ip-on-launch" => subnets.Where(s => filter.Matches(AwsXml.Bool(s.MapPublicIpOnLaunch))),
                "state" => subnets.Where(_ => filter.Matches("available")),
                "owner-id" => subnets.Where(_ => filter.Matches(state.AccountId)),
                _ when filter.Name.StartsWith("tag:", StringComparison.Ordinal) || filter.Name == "tag-key" => subnets.Where(_ => false),
                _ => throw InvalidFilter(filter.Name),
            };
        }

        var (page, next) = Page(context, subnets.ToList());
        return Ok(
            context,
            E("subnetSet", page.Select(s => Item(
                E("subnetId", s.SubnetId),
                E("subnetArn", $"arn:aws:ec2:{context.Region}:{state.AccountId}:subnet/{s.SubnetId}"),
                E("state", "available"),
                E("ownerId", state.AccountId),
                E("vpcId", s.VpcId),
                E("cidrBlock", s.CidrBlock),
                E("ipv6CidrBlockAssociationSet"),
                E("availableIpAddressCount", AwsXml.Int(s.DefaultForAz ? 4091 : 251)),
                E("availabilityZone", s.AvailabilityZone),
                E("availabilityZoneId", "use1-az" + AwsXml.Int(s.AvailabilityZone[^1] - 'a' + 1)),
                E("defaultForAz", AwsXml.Bool(s.DefaultForAz)),
                E("mapPublicIpOnLaunch", AwsXml.Bool(s.MapPublicIpOnLaunch)),
                E("assignIpv6AddressOnCreation", "false"),
                E("mapCustomerOwnedIpOnLaunch", "false"),
                E("enableDns64", "false"),
                E("ipv6Native", "false"),
                E("privateDnsNameOptionsOnLaunch", E("hostnameType", "ip-name"), E("enableResourceNameDnsARecord", "false"), E("enableResourceNameDnsAAAARecord", "false"))))),
            next);
    }
}
