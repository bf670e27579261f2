using System.Globalization;
using System.Xml.Linq;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;
using static RemediationTools.AwsSandbox.Ec2.Ec2Xml;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>RunInstances, TerminateInstances and DescribeInstanceAttribute, as the EC2 API reference describes them.</summary>
internal sealed partial class Ec2Service
{
    /// <summary>EC2's limit on user data: 16 KB before base64 encoding.</summary>
    public const int MaxUserDataBytes = 16 * 1024;

    private static readonly string[] FingerprintIgnored = ["Action", "Version", "ClientToken", "DryRun"];

    private static string RunInstances(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        var now = context.State.Now;
        var minCount = args.GetInt("MinCount") ?? throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter MinCount");
        var maxCount = args.GetInt("MaxCount") ?? throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter MaxCount");
        if (minCount < 1 || maxCount < 1)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({Math.Min(minCount, maxCount)}) for parameter {(minCount < 1 ? "minCount" : "maxCount")} is invalid. Expected a positive integer.");
        }

        if (minCount > maxCount)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({minCount}) for parameter minCount is invalid. The minimum count must be less than or equal to the maximum count ({maxCount}).");
        }

        Require(context, $"arn:aws:ec2:{context.Region}:{context.Caller.AccountId}:instance/*");

        var clientToken = args.Get("ClientToken");
        var fingerprint = string.Join("&", args.Values.Where(p => !FingerprintIgnored.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));
        if (clientToken is not null && state.ClientTokens.TryGetValue(clientToken, out var previous))
        {
            if (previous.Fingerprint != fingerprint)
            {
                throw new AwsServiceError(400, "IdempotentParameterMismatch", "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).");
            }

            return Reservation(context, state, previous.ReservationId, now, launching: false);
        }

        var imageId = args.Get("ImageId") ?? throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter ImageId");
        if (!IsEc2Id(imageId, "ami"))
        {
            throw new AwsServiceError(400, "InvalidAMIID.Malformed", $"Invalid id: \"{imageId}\" (expecting \"ami-...\")");
        }

        var image = Ec2Catalog.FindImage(context.Region, imageId) ?? throw new AwsServiceError(400, "InvalidAMIID.NotFound", $"The image id '[{imageId}]' does not exist");
        var typeName = args.Get("InstanceType") ?? "m1.small";
        var type = Ec2Catalog.FindInstanceType(typeName) ?? throw new AwsServiceError(400, "InvalidParameterValue", $"Invalid value '{typeName}' for InstanceType.");
        if (type.Architecture != image.Architecture)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"The architecture '{type.Architecture}' of the specified instance type does not match the architecture '{image.Architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.");
        }

        var (vpc, subnet) = LaunchSubnet(state, args.Get("SubnetId"));
        var groups = LaunchGroups(state, vpc, subnet, args.Strings("SecurityGroupId"));
        var profile = LaunchInstanceProfile(context, args.Get("IamInstanceProfile.Name"), args.Get("IamInstanceProfile.Arn"));
        var userData = LaunchUserData(args.Get("UserData"));
        var keyName = args.Get("KeyName");
        if (keyName is not null && !state.KeyPairs.Contains(keyName))
        {
            throw new AwsServiceError(400, "InvalidKeyPair.NotFound", $"The key pair '{keyName}' does not exist");
        }

        var metadata = LaunchMetadataOptions(args);
        var mappings = LaunchBlockDevices(context, state, image, args.List("BlockDeviceMapping"));
        var (instanceTags, volumeTags) = LaunchTags(args);

        var reservationId = IdGenerator.Ec2("r");
        for (var index = 0; index < maxCount; index++)
        {
            var instance = new Instance
            {
                InstanceId = IdGenerator.Ec2("i"),
                ReservationId = reservationId,
                OwnerId = state.AccountId,
                VpcId = vpc.VpcId,
                SubnetId = subnet.SubnetId,
                AvailabilityZone = subnet.AvailabilityZone,
                LaunchTime = now,
                ImageId = image.ImageId,
                InstanceType = type.Name,
                Architecture = image.Architecture,
                KeyName = keyName,
                UserData = userData,
                MetadataOptions = metadata,
                IamInstanceProfileName = profile?.Name,
                IamInstanceProfileArn = profile?.Arn,
                IamInstanceProfileId = profile?.InstanceProfileId,
                ClientToken = clientToken,
                AmiLaunchIndex = index,
                Launched = true,
                RunState = context.State.Transition("pending", "running"),
            };
            instance.Tags.AddRange(instanceTags);
            instance.NetworkInterfaces.Add(LaunchNetworkInterface(state, subnet, instance, groups, now));
            foreach (var mapping in mappings)
            {
                var volume = new Volume
                {
                    VolumeId = IdGenerator.Ec2("vol"),
                    SizeGiB = mapping.SizeGiB,
                    VolumeType = mapping.VolumeType,
                    Iops = mapping.VolumeType == "gp3" ? 3000 : null,
                    Throughput = mapping.VolumeType == "gp3" ? 125 : null,
                    Encrypted = mapping.Encrypted,
                    KmsKeyId = mapping.Encrypted ? mapping.KmsKeyId ?? state.DefaultEbsKeyArn : null,
                    SnapshotId = mapping.SnapshotId,
                    AvailabilityZone = subnet.AvailabilityZone,
                    CreateTime = now,
                    Creation = StateTransition.Settled("available"),
                    Attachment = new VolumeAttachment
                    {
                        InstanceId = instance.InstanceId,
                        Device = mapping.DeviceName,
                        AttachTime = now,
                        State = StateTransition.Settled("attached"),
                        DeleteOnTermination = mapping.DeleteOnTermination,
                    },
                };
                volume.Tags.AddRange(volumeTags);
                state.Volumes.Add(volume);
            }

            state.Instances.Add(instance);
            context.State.InstanceHost?.Launched(state, instance);
        }

        if (clientToken is not null)
        {
            state.ClientTokens[clientToken] = (fingerprint, reservationId);
        }

        return Reservation(context, state, reservationId, now, launching: true);
    }

    /// <summary>The RunInstances answer: new instances are pending (code 0) in it, whatever the transition delay.</summary>
    private static string Reservation(AwsRequestContext context, Ec2RegionState state, string reservationId, DateTimeOffset now, bool launching)
    {
        var instances = state.Instances.Where(i => i.ReservationId == reservationId).ToList();
        return Ok(
            context,
            E("reservationId", reservationId),
            E("ownerId", state.AccountId),
            E("groupSet"),
            E("instancesSet", instances.Select(i => Instance(state, i, now, launching ? "pending" : null))));
    }

    private static (Vpc Vpc, Subnet Subnet) LaunchSubnet(Ec2RegionState state, string? subnetId)
    {
        if (subnetId is null)
        {
            var defaultVpc = state.DefaultVpc ?? throw new AwsServiceError(400, "VPCIdNotSpecified", "No default VPC for this user");
            return (defaultVpc, defaultVpc.Subnets.First(s => s.DefaultForAz));
        }

        var subnet = state.FindSubnet(subnetId) ?? throw new AwsServiceError(400, "InvalidSubnetID.NotFound", $"The subnet ID '{subnetId}' does not exist");
        return (state.Vpcs[subnet.VpcId], subnet);
    }

    private static List<string> LaunchGroups(Ec2RegionState state, Vpc vpc, Subnet subnet, IReadOnlyList<string> groupIds)
    {
        if (groupIds.Count == 0)
        {
            return [vpc.DefaultSecurityGroupId];
        }

        foreach (var groupId in groupIds)
        {
            CheckGroupIdFormat(groupId);
            var group = state.FindGroup(groupId) ?? throw new AwsServiceError(400, "InvalidGroup.NotFound", $"The security group '{groupId}' does not exist in VPC '{vpc.VpcId}'");
            if (group.VpcId != vpc.VpcId)
            {
                throw new AwsServiceError(400, "InvalidParameter", $"Security group {groupId} and subnet {subnet.SubnetId} belong to different networks.");
            }
        }

        return groupIds.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The instance profile named by name or ARN; the caller must be allowed iam:PassRole on its role.</summary>
    private static Iam.IamInstanceProfile? LaunchInstanceProfile(AwsRequestContext context, string? name, string? arn)
    {
        if (name is null && arn is null)
        {
            return null;
        }

        var iam = context.Account.Iam;
        Iam.IamInstanceProfile? profile;
        if (arn is not null)
        {
            profile = iam.InstanceProfiles.Values.FirstOrDefault(p => p.Arn == arn);
            if (profile is null || (name is not null && !string.Equals(profile.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN");
            }
        }
        else
        {
            profile = iam.InstanceProfiles.TryGetValue(name!, out var found) ? found : null;
        }

        if (profile is null || profile.RoleName is null || !iam.Roles.TryGetValue(profile.RoleName, out var role))
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({name ?? arn}) for parameter iamInstanceProfile.{(name is null ? "arn" : "name")} is invalid. Invalid IAM Instance Profile {(name is null ? "ARN" : "name")}");
        }

        var decision = Authorizer.Decide(context.State, context.Caller, "iam:PassRole", role.Arn);
        if (decision != PolicyDecision.Allow)
        {
            throw Authorizer.Denied("ec2", context.Caller, "iam:PassRole", role.Arn, decision);
        }

        return profile;
    }

    private static string? LaunchUserData(string? userData)
    {
        if (userData is null)
        {
            return null;
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(userData);
        }
        catch (FormatException)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", "Invalid BASE64 encoding of user data.");
        }

        if (decoded.Length > MaxUserDataBytes)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"User data is limited to {MaxUserDataBytes} bytes");
        }

        return userData;
    }

    /// <summary>
    /// MetadataOptions with EC2's defaults for the catalog's AMIs, whose ImdsSupport is v2.0: HttpTokens required and a
    /// hop limit of 2 unless given; the endpoint enabled.
    /// </summary>
    private static InstanceMetadataOptions LaunchMetadataOptions(QueryArgs args)
    {
        var tokens = args.Get("MetadataOptions.HttpTokens") ?? "required";
        if (tokens is not ("optional" or "required"))
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({tokens}) for parameter HttpTokens is invalid. Valid values are 'optional' and 'required'.");
        }

        var hopLimit = args.GetInt("MetadataOptions.HttpPutResponseHopLimit") ?? 2;
        if (hopLimit is < 1 or > 64)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({hopLimit}) for parameter HttpPutResponseHopLimit is invalid. Valid values are integers from 1 to 64.");
        }

        var endpoint = args.Get("MetadataOptions.HttpEndpoint") ?? "enabled";
        if (endpoint is not ("enabled" or "disabled"))
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({endpoint}) for parameter HttpEndpoint is invalid. Valid values are 'enabled' and 'disabled'.");
        }

        var tags = args.Get("MetadataOptions.InstanceMetadataTags") ?? "disabled";
        if (tags is not ("enabled" or "disabled"))
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({tags}) for parameter InstanceMetadataTags is invalid. Valid values are 'enabled' and 'disabled'.");
        }

        return new InstanceMetadataOptions { HttpTokens = tokens, HttpPutResponseHopLimit = hopLimit, HttpEndpoint = endpoint, InstanceMetadataTags = tags };
    }

    private sealed record LaunchVolume(string DeviceName, int SizeGiB, string VolumeType, bool Encrypted, string? KmsKeyId, bool DeleteOnTermination, string? SnapshotId);

    /// <summary>The root volume (the AMI's, changed by a mapping of its device) and further EBS volumes of the mappings.</summary>
    private static List<LaunchVolume> LaunchBlockDevices(AwsRequestContext context, Ec2RegionState state, MachineImage image, IReadOnlyList<QueryArgs> mappings)
    {
        var volumes = new List<LaunchVolume>();
        var root = new LaunchVolume(MachineImage.RootDeviceName, MachineImage.RootVolumeSizeGiB, "gp3", false, null, true, image.SnapshotId);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mapping in mappings)
        {
            var device = mapping.Get("DeviceName") ?? throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter BlockDeviceMapping.DeviceName");
            if (!seen.Add(device))
            {
                throw new AwsServiceError(400, "InvalidBlockDeviceMapping", $"The device '{device}' is used in more than one block-device mapping");
            }

            if (mapping.Get("NoDevice") is not null || mapping.Get("VirtualName") is not null)
            {
                continue;
            }

            var isRoot = device == MachineImage.RootDeviceName;
            var size = mapping.GetInt("Ebs.VolumeSize") ?? (isRoot ? MachineImage.RootVolumeSizeGiB : throw new AwsServiceError(400, "InvalidBlockDeviceMapping", $"The device '{device}' needs a volume size or a snapshot"));
            if (isRoot && size < MachineImage.RootVolumeSizeGiB)
            {
                throw new AwsServiceError(400, "InvalidBlockDeviceMapping", $"Volume of size {size}GB is smaller than snapshot '{image.SnapshotId}', expect size >= {MachineImage.RootVolumeSizeGiB}GB");
            }

            if (size is < 1 or > 16384)
            {
                throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({size}) for parameter volumeSize is invalid. Expected a size between 1 and 16384 GiB.");
            }

            var type = mapping.Get("Ebs.VolumeType") ?? "gp3";
            if (!VolumeTypes.Contains(type))
            {
                throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({type}) for parameter volumeType is invalid. Valid values are {string.Join(", ", VolumeTypes)}.");
            }

            var encrypted = string.Equals(mapping.Get("Ebs.Encrypted"), "true", StringComparison.OrdinalIgnoreCase);
            var keyId = mapping.Get("Ebs.KmsKeyId");
            if (keyId is not null && !encrypted)
            {
                throw new AwsServiceError(400, "InvalidParameterDependency", "The parameter KmsKeyId requires the parameter Encrypted to be set.");
            }

            var deleteOnTermination = !string.Equals(mapping.Get("Ebs.DeleteOnTermination"), "false", StringComparison.OrdinalIgnoreCase);
            var volume = new LaunchVolume(device, size, type, encrypted, keyId is null ? null : KeyArn(context, keyId), deleteOnTermination, isRoot ? image.SnapshotId : null);
            if (isRoot)
            {
                root = volume;
            }
            else
            {
                volumes.Add(volume);
            }
        }

        _ = state;
        volumes.Insert(0, root);
        return volumes;
    }

    private static string KeyArn(AwsRequestContext context, string keyId) =>
        keyId.StartsWith("arn:", StringComparison.Ordinal) ? keyId : $"arn:aws:kms:{context.Region}:{context.Caller.AccountId}:{(keyId.StartsWith("alias/", StringComparison.Ordinal) ? keyId : "key/" + keyId)}";

    /// <summary>TagSpecification.N of RunInstances: resource types instance and volume.</summary>
    private static (List<KeyValuePair<string, string>> Instance, List<KeyValuePair<string, string>> Volume) LaunchTags(QueryArgs args)
    {
        var instance = new List<KeyValuePair<string, string>>();
        var volume = new List<KeyValuePair<string, string>>();
        foreach (var spec in args.List("TagSpecification"))
        {
            var target = spec.Get("ResourceType") switch
            {
                "instance" => instance,
                "volume" => volume,
                var other => throw new AwsServiceError(400, "InvalidParameterValue", $"'{other}' is not a valid taggable resource type for this operation."),
            };
            foreach (var tag in spec.List("Tag"))
            {
                AddTag(target, tag.Get("Key"), tag.Get("Value") ?? string.Empty);
            }
        }

        return (instance, volume);
    }

    private static NetworkInterface LaunchNetworkInterface(Ec2RegionState state, Subnet subnet, Instance instance, List<string> groups, DateTimeOffset now)
    {
        var octets = subnet.CidrBlock.Split('/')[0].Split('.');
        var host = ++state.LaunchedIpCounter;
        var eni = new NetworkInterface
        {
            NetworkInterfaceId = IdGenerator.Ec2("eni"),
            VpcId = subnet.VpcId,
            SubnetId = subnet.SubnetId,
            OwnerId = state.AccountId,
            PrivateIpAddress = string.Create(CultureInfo.InvariantCulture, $"{octets[0]}.{octets[1]}.{int.Parse(octets[2], CultureInfo.InvariantCulture) + (host / 250)}.{(host % 250) + 4}"),
            MacAddress = "0e:" + string.Join(':', Enumerable.Range(0, 5).Select(_ => IdGenerator.Hex(2))),
            InstanceId = instance.InstanceId,
            AttachmentId = IdGenerator.Ec2("eni-attach"),
            DeviceIndex = 0,
            AttachTime = now,
        };
        eni.GroupIds.AddRange(groups);
        return eni;
    }

    private static string TerminateInstances(AwsRequestContext context)
    {
        var state = RegionState(context);
        var now = context.State.Now;
        var ids = context.Args.Strings("InstanceId");
        if (ids.Count == 0)
        {
            throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter InstanceId");
        }

        foreach (var id in ids.Where(id => !IsEc2Id(id, "i")))
        {
            throw new AwsServiceError(400, "InvalidInstanceID.Malformed", $"Invalid id: \"{id}\"");
        }

        var missing = ids.Where(id => !state.Instances.Exists(i => i.InstanceId == id)).ToList();
        if (missing.Count > 0)
        {
            throw new AwsServiceError(400, "InvalidInstanceID.NotFound", missing.Count == 1
                ? $"The instance ID '{missing[0]}' does not exist"
                : $"The instance IDs '{string.Join(", ", missing)}' do not exist");
        }

        var instances = ids.Distinct(StringComparer.Ordinal).Select(id => state.Instances.First(i => i.InstanceId == id)).ToList();
        foreach (var instance in instances)
        {
            Require(context, InstanceArn(context, instance.InstanceId));
        }

        var items = new List<XElement>();
        foreach (var instance in instances)
        {
            var previous = instance.RunState.Current(now);
            if (previous is not ("shutting-down" or "terminated"))
            {
                instance.RunState = context.State.Transition("shutting-down", "terminated");
                instance.StateTransitionReason = "User initiated (" + now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'GMT'", CultureInfo.InvariantCulture) + ")";
                foreach (var volume in state.Volumes.Where(v => v.Attachment?.InstanceId == instance.InstanceId).ToList())
                {
                    if (volume.Attachment!.DeleteOnTermination)
                    {
                        state.Volumes.Remove(volume);
                    }
                    else
                    {
                        volume.Attachment = null;
                    }
                }

                instance.NetworkInterfaces.Clear();
                context.State.InstanceHost?.Terminated(state, instance);
            }

            items.Add(Item(
                E("instanceId", instance.InstanceId),
                E("currentState", InstanceStateContent(instance.RunState.Current(now))),
                E("previousState", InstanceStateContent(previous))));
        }

        return Ok(context, E("instancesSet", items));
    }

    private static string DescribeInstanceAttribute(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        var instance = FindInstance(state, args.Required("InstanceId", "InstanceId"));
        Require(context, InstanceArn(context, instance.InstanceId));
        var attribute = args.Required("Attribute", "Attribute");
        object content = attribute switch
        {
            "userData" => E("userData", instance.UserData is null ? null : E("value", instance.UserData)),
            "instanceType" => E("instanceType", E("value", instance.InstanceType)),
            "rootDeviceName" => E("rootDeviceName", E("value", instance.RootDeviceName)),
            "groupSet" => GroupSet(state, instance.NetworkInterfaces.SelectMany(n => n.GroupIds).Distinct()),
            "disableApiTermination" => E("disableApiTermination", E("value", "false")),
            "instanceInitiatedShutdownBehavior" => E("instanceInitiatedShutdownBehavior", E("value", "stop")),
            "blockDeviceMapping" => BlockDeviceMappings(state, instance, context.State.Now),
            _ => throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({attribute}) for parameter attribute is invalid. Unknown attribute."),
        };
        return Ok(context, E("instanceId", instance.InstanceId), content);
    }
}
