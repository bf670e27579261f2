using System.Globalization;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// <c>ebs-encrypt-volume</c> (disruptive): replaces an unencrypted EBS volume by an encrypted copy. The instance is
/// stopped first when it runs (so the copy holds every write), the volume is snapshotted, the snapshot copied
/// encrypted (default EBS key), a volume with the same size, type, IOPS, throughput and tags made from it and attached
/// at the same device with the same DeleteOnTermination; then the instance is started again if it was running. The
/// original stays, detached and tagged <c>remediation:replaced-by</c>, for undo; the two interim snapshots are deleted.
/// </summary>
internal sealed class EbsEncryptVolumeJob : IRemediationJob
{
    /// <summary>The tag on a kept original volume naming the encrypted volume that replaced it.</summary>
    public const string ReplacedByTag = "remediation:replaced-by";

    private const string DescribeVolumesAction = "ec2:DescribeVolumes";
    private const string DescribeInstancesAction = "ec2:DescribeInstances";
    private const string DescribeSnapshotsAction = "ec2:DescribeSnapshots";
    private const string CreateSnapshotAction = "ec2:CreateSnapshot";
    private const string CopySnapshotAction = "ec2:CopySnapshot";
    private const string DeleteSnapshotAction = "ec2:DeleteSnapshot";
    private const string CreateVolumeAction = "ec2:CreateVolume";
    private const string AttachVolumeAction = "ec2:AttachVolume";
    private const string DetachVolumeAction = "ec2:DetachVolume";
    private const string ModifyInstanceAttributeAction = "ec2:ModifyInstanceAttribute";
    private const string StopInstancesAction = "ec2:StopInstances";
    private const string StartInstancesAction = "ec2:StartInstances";
    private const string CreateTagsAction = "ec2:CreateTags";
    private const string DeleteTagsAction = "ec2:DeleteTags";

    private readonly Ec2StateWaiter waiter;

    /// <summary>Creates the job; <paramref name="waiter"/> polls state transitions (default: <see cref="Ec2StateWaiter.Default"/>).</summary>
    public EbsEncryptVolumeJob(Ec2StateWaiter? waiter = null)
    {
        this.waiter = waiter ?? Ec2StateWaiter.Default;
        Info = new RemediationJobInfo
        {
            Id = "ebs-encrypt-volume",
            RuleIds = Array.Empty<string>(),
            Title = "Replace an unencrypted EBS volume by an encrypted copy",
            Service = "EC2",
            ResourceType = "Volume",
            Impact = "The instance the volume is attached to is stopped while the volume is copied and swapped, then started again; the volume ID changes. " +
                     "Undo attaches the original volume again, without what was written to the encrypted one since.",
            IamActions = new[]
            {
                AttachVolumeAction, CopySnapshotAction, CreateSnapshotAction, CreateTagsAction, CreateVolumeAction, DeleteSnapshotAction,
                DescribeInstancesAction, DescribeSnapshotsAction, DescribeVolumesAction, DetachVolumeAction, ModifyInstanceAttributeAction,
                StartInstancesAction, StopInstancesAction,
            },
            UndoIamActions = new[] { DeleteTagsAction },
            Disruptive = true,
            Irreversible = true,
            UndoIrreversible = true,
        };
    }

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var volumeId = RequireVolumeId(context.ResourceId);
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var ec2 = context.Clients.Ec2(context.Region);
        var volume = await ReadVolumeAsync(ec2, volumeId, context.Reporter, cancellationToken).ConfigureAwait(false);
        if (SkipTag.IsSet(Ec2Tags.ToPairs(volume.Tags)))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        if (volume.Encrypted == true)
        {
            return JobPlan.Compliant(new[] { volumeId + " is encrypted." });
        }

        if (Ec2Tags.Value(volume.Tags, ReplacedByTag) is { Length: > 0 } replacementId && (volume.Attachments?.Count ?? 0) == 0)
        {
            var replacement = await TryReadVolumeAsync(ec2, replacementId, context.Reporter, cancellationToken).ConfigureAwait(false);
            if (replacement?.Encrypted == true)
            {
                return JobPlan.Compliant(new[] { volumeId + " was replaced by the encrypted volume " + replacementId + " and is kept, detached, for undo." });
            }
        }

        if (volume.State?.Value != "available" && volume.State?.Value != "in-use")
        {
            return JobPlan.Skip(volumeId + " is '" + volume.State?.Value + "'; it can be copied only when it is available or in use.");
        }

        var attachments = volume.Attachments ?? new List<VolumeAttachment>();
        if (attachments.Count > 1)
        {
            return JobPlan.Skip(volumeId + " is attached to " + attachments.Count.ToString(CultureInfo.InvariantCulture) + " instances (Multi-Attach); it is not swapped automatically.");
        }

        var swap = new VolumeSwap
        {
            OriginalVolumeId = volumeId,
            AvailabilityZone = volume.AvailabilityZone,
            SizeGiB = volume.Size ?? 0,
            VolumeType = volume.VolumeType?.Value ?? "gp2",
            Iops = volume.VolumeType?.Value is "gp3" or "io1" or "io2" ? volume.Iops : null,
            Throughput = volume.VolumeType?.Value == "gp3" ? volume.Throughput : null,
            Tags = Ec2Tags.ToPairs(volume.Tags).Where(t => t.Key != ReplacedByTag).ToList(),
        };
        var notes = new List<string>();
        if (attachments.Count == 1)
        {
            var attachment = attachments[0];
            if (attachment.State?.Value != "attached")
            {
                return JobPlan.Skip(volumeId + " is '" + attachment.State?.Value + "' on " + attachment.InstanceId + "; try again when the attachment has settled.");
            }

            swap.InstanceId = attachment.InstanceId;
            swap.Device = attachment.Device;
            swap.DeleteOnTermination = attachment.DeleteOnTermination == true;
            var state = await ReadInstanceStateAsync(ec2, attachment.InstanceId, context.Reporter, cancellationToken).ConfigureAwait(false);
            if (state is not ("running" or "stopped"))
            {
                return JobPlan.Skip(attachment.InstanceId + " is '" + state + "'; the volume is swapped only while its instance is running or stopped.");
            }

            swap.WasRunning = state == "running";
            notes.Add(swap.WasRunning
                ? attachment.InstanceId + " is stopped for the copy and the swap, then started again: it is down for the whole time."
                : attachment.InstanceId + " is stopped and stays stopped.");
        }

        notes.Add("The original " + volumeId + " is kept, detached and tagged " + ReplacedByTag + "; delete it yourself when the undo is no longer needed.");
        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = context.Finding.AccountId,
            Region = context.Region,
            ResourceId = volumeId,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(swap),
        };
        return JobPlan.Change(Actions(swap), notes, undo, new SwapChange(swap, isUndo: false, undo), SwapKeys(swap.OriginalVolumeId, swap.InstanceId));
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var swap = change.Swap;
        var ec2 = context.Clients.Ec2(context.Region);
        var reporter = context.Reporter;
        if (swap.InstanceId is not null && swap.WasRunning)
        {
            await StopAsync(ec2, swap.InstanceId, reporter, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (change.IsUndo)
            {
                await SwapAsync(ec2, swap, detach: swap.NewVolumeId!, attach: swap.OriginalVolumeId, reporter, cancellationToken).ConfigureAwait(false);
                await TagAsync(ec2, swap.NewVolumeId!, ReplacedByTag, swap.OriginalVolumeId, reporter, cancellationToken).ConfigureAwait(false);
                await AwsCall.RunAsync(reporter, DeleteTagsAction, swap.OriginalVolumeId, () => ec2.DeleteTagsAsync(
                    new DeleteTagsRequest { Resources = new List<string> { swap.OriginalVolumeId }, Tags = new List<Tag> { new() { Key = ReplacedByTag } } },
                    cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                var newVolumeId = await CopyEncryptedAsync(ec2, swap, reporter, cancellationToken).ConfigureAwait(false);
                swap.NewVolumeId = newVolumeId;
                change.UndoRecord!.Data = RemediationJson.Serialize(swap);
                foreach (var action in plan.Actions.Where(a => a.Operation == CreateVolumeAction))
                {
                    action.After = newVolumeId + " (" + Describe(swap) + ", encrypted)";
                }

                if (swap.InstanceId is not null)
                {
                    await SwapAsync(ec2, swap, detach: swap.OriginalVolumeId, attach: newVolumeId, reporter, cancellationToken).ConfigureAwait(false);
                }

                await TagAsync(ec2, swap.OriginalVolumeId, ReplacedByTag, newVolumeId, reporter, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Whatever happened, an instance that ran before runs again (with whichever volume is attached).
            if (swap.InstanceId is not null && swap.WasRunning)
            {
                await AwsCall.RunAsync(reporter, StartInstancesAction, swap.InstanceId, () => ec2.StartInstancesAsync(
                    new StartInstancesRequest { InstanceIds = new List<string> { swap.InstanceId } }, CancellationToken.None)).ConfigureAwait(false);
                await waiter.WaitAsync(swap.InstanceId, "running", () => ReadInstanceStateAsync(ec2, swap.InstanceId, reporter, CancellationToken.None), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var swap = change.Swap;
        var ec2 = context.Clients.Ec2(context.Region);
        var attachedId = change.IsUndo ? swap.OriginalVolumeId : swap.NewVolumeId!;
        var keptId = change.IsUndo ? swap.NewVolumeId! : swap.OriginalVolumeId;
        var attached = await ReadVolumeAsync(ec2, attachedId, context.Reporter, cancellationToken).ConfigureAwait(false);
        var kept = await ReadVolumeAsync(ec2, keptId, context.Reporter, cancellationToken).ConfigureAwait(false);
        var problems = new List<string>();
        if (!change.IsUndo && attached.Encrypted != true)
        {
            problems.Add(attachedId + " is not encrypted");
        }

        if (swap.InstanceId is not null)
        {
            var attachment = attached.Attachments?.FirstOrDefault();
            if (attachment is null || attachment.InstanceId != swap.InstanceId || attachment.Device != swap.Device || attachment.State?.Value != "attached")
            {
                problems.Add(attachedId + " is not attached to " + swap.InstanceId + " at " + swap.Device);
            }
            else if ((attachment.DeleteOnTermination == true) != swap.DeleteOnTermination)
            {
                problems.Add(attachedId + " has DeleteOnTermination " + (attachment.DeleteOnTermination == true ? "true" : "false"));
            }

            var state = await ReadInstanceStateAsync(ec2, swap.InstanceId, context.Reporter, cancellationToken).ConfigureAwait(false);
            if (swap.WasRunning && state != "running")
            {
                problems.Add(swap.InstanceId + " is '" + state + "', not running");
            }
        }

        if ((kept.Attachments?.Count ?? 0) > 0)
        {
            problems.Add(keptId + " is still attached");
        }

        return problems.Count == 0
            ? JobVerification.Success()
            : JobVerification.Failure("After the swap, " + string.Join("; ", problems) + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        VolumeSwap swap;
        try
        {
            swap = RemediationJson.Deserialize<VolumeSwap>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        RequireVolumeId(swap.OriginalVolumeId);
        if (string.IsNullOrEmpty(swap.NewVolumeId))
        {
            return JobPlan.Skip("The undo record names no encrypted volume: the remediation did not get as far as creating it.");
        }

        RequireVolumeId(swap.NewVolumeId!);
        if (swap.InstanceId is null)
        {
            return JobPlan.Compliant(new[] { swap.OriginalVolumeId + " was not attached; it is kept as it was, and " + swap.NewVolumeId + " stays." });
        }

        var ec2 = context.Clients.Ec2(context.Region);
        var original = await ReadVolumeAsync(ec2, swap.OriginalVolumeId, context.Reporter, cancellationToken).ConfigureAwait(false);
        if (original.Attachments?.FirstOrDefault() is { } back && back.InstanceId == swap.InstanceId && back.Device == swap.Device)
        {
            return JobPlan.Compliant(new[] { swap.OriginalVolumeId + " is attached to " + swap.InstanceId + " at " + swap.Device + " already." });
        }

        var replacement = await ReadVolumeAsync(ec2, swap.NewVolumeId!, context.Reporter, cancellationToken).ConfigureAwait(false);
        var current = replacement.Attachments?.FirstOrDefault();
        if (current is null || current.InstanceId != swap.InstanceId || current.Device != swap.Device)
        {
            return JobPlan.Skip(swap.NewVolumeId + " is no longer attached to " + swap.InstanceId + " at " + swap.Device + "; the swap is not reversed automatically.");
        }

        var state = await ReadInstanceStateAsync(ec2, swap.InstanceId, context.Reporter, cancellationToken).ConfigureAwait(false);
        if (state is not ("running" or "stopped"))
        {
            return JobPlan.Skip(swap.InstanceId + " is '" + state + "'; the volumes are swapped back only while it is running or stopped.");
        }

        var undo = new VolumeSwap
        {
            OriginalVolumeId = swap.OriginalVolumeId,
            NewVolumeId = swap.NewVolumeId,
            InstanceId = swap.InstanceId,
            Device = swap.Device,
            DeleteOnTermination = swap.DeleteOnTermination,
            WasRunning = state == "running",
        };
        var actions = new List<RemediationAction>();
        if (undo.WasRunning)
        {
            actions.Add(Action(StopInstancesAction, undo.InstanceId!, "Stop the instance for the swap.", "running", "stopped"));
        }

        actions.Add(Action(DetachVolumeAction, undo.NewVolumeId!, "Detach the encrypted volume.", undo.InstanceId + " " + undo.Device, "available (kept)"));
        actions.Add(Action(AttachVolumeAction, undo.OriginalVolumeId, "Attach the original volume at the same device.", "available", undo.InstanceId + " " + undo.Device));
        if (undo.DeleteOnTermination)
        {
            actions.Add(Action(ModifyInstanceAttributeAction, undo.InstanceId!, "Set DeleteOnTermination of " + undo.Device + " as it was.", "false", "true"));
        }

        actions.Add(Action(CreateTagsAction, undo.NewVolumeId!, "Tag the encrypted volume with what replaced it.", null, ReplacedByTag + "=" + undo.OriginalVolumeId));
        actions.Add(Action(DeleteTagsAction, undo.OriginalVolumeId, "Remove the replaced-by tag from the original.", ReplacedByTag + "=" + undo.NewVolumeId, null));
        if (undo.WasRunning)
        {
            actions.Add(Action(StartInstancesAction, undo.InstanceId!, "Start the instance again.", "stopped", "running"));
        }

        return JobPlan.Change(actions, new[] { undo.NewVolumeId + " is kept, detached; delete it yourself when it is no longer needed." }, null, new SwapChange(undo, isUndo: true, null), SwapKeys(undo.OriginalVolumeId, undo.InstanceId));
    }

    private static List<RemediationAction> Actions(VolumeSwap swap)
    {
        var actions = new List<RemediationAction>();
        if (swap.InstanceId is not null && swap.WasRunning)
        {
            actions.Add(Action(StopInstancesAction, swap.InstanceId, "Stop the instance so that the copy holds every write.", "running", "stopped"));
        }

        actions.Add(Action(CreateSnapshotAction, swap.OriginalVolumeId, "Snapshot the unencrypted volume (deleted again at the end).", null, "snapshot"));
        actions.Add(Action(CopySnapshotAction, swap.OriginalVolumeId, "Copy the snapshot encrypted with the default EBS key (deleted again at the end).", "unencrypted", "encrypted"));
        actions.Add(Action(CreateVolumeAction, swap.OriginalVolumeId, "Create an encrypted volume from the copy with the same size, type, IOPS, throughput and tags.", null, Describe(swap) + ", encrypted"));
        if (swap.InstanceId is not null)
        {
            actions.Add(Action(DetachVolumeAction, swap.OriginalVolumeId, "Detach the unencrypted volume (kept).", swap.InstanceId + " " + swap.Device, "available"));
            actions.Add(Action(AttachVolumeAction, swap.OriginalVolumeId, "Attach the encrypted volume at the same device.", null, swap.InstanceId + " " + swap.Device));
            if (swap.DeleteOnTermination)
            {
                actions.Add(Action(ModifyInstanceAttributeAction, swap.InstanceId, "Set DeleteOnTermination of " + swap.Device + " as it was.", "false", "true"));
            }
        }

        actions.Add(Action(CreateTagsAction, swap.OriginalVolumeId, "Tag the kept original with the volume that replaced it.", null, ReplacedByTag + "=<new volume>"));
        actions.Add(Action(DeleteSnapshotAction, swap.OriginalVolumeId, "Delete the two interim snapshots.", "2 snapshots", null));
        if (swap.InstanceId is not null && swap.WasRunning)
        {
            actions.Add(Action(StartInstancesAction, swap.InstanceId, "Start the instance again.", "stopped", "running"));
        }

        return actions;
    }

    private static RemediationAction Action(string operation, string target, string description, string? before, string? after)
        => new() { Operation = operation, Target = target, Description = description, Before = before, After = after };

    private static string Describe(VolumeSwap swap)
    {
        var text = string.Format(CultureInfo.InvariantCulture, "{0} GiB {1}", swap.SizeGiB, swap.VolumeType);
        if (swap.Iops is { } iops)
        {
            text += string.Format(CultureInfo.InvariantCulture, ", {0} IOPS", iops);
        }

        if (swap.Throughput is { } throughput)
        {
            text += string.Format(CultureInfo.InvariantCulture, ", {0} MiB/s", throughput);
        }

        return text;
    }

    private async Task<string> CopyEncryptedAsync(IAmazonEC2 ec2, VolumeSwap swap, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var source = swap.OriginalVolumeId;
        var snapshot = await AwsCall.RunAsync(reporter, CreateSnapshotAction, source, () => ec2.CreateSnapshotAsync(
            new CreateSnapshotRequest { VolumeId = source, Description = "Interim snapshot of " + source + " for its encrypted copy (remediation)" },
            cancellationToken)).ConfigureAwait(false);
        var plainId = snapshot.Snapshot?.SnapshotId ?? throw new InvalidOperationException(CreateSnapshotAction + " returned no snapshot ID.");
        string? encryptedId = null;
        try
        {
            await WaitSnapshotAsync(ec2, plainId, reporter, cancellationToken).ConfigureAwait(false);
            var copy = await AwsCall.RunAsync(reporter, CopySnapshotAction, plainId, () => ec2.CopySnapshotAsync(
                new CopySnapshotRequest
                {
                    SourceSnapshotId = plainId,
                    SourceRegion = ec2.Config.RegionEndpoint?.SystemName ?? ec2.Config.AuthenticationRegion,
                    Encrypted = true,
                    Description = "Encrypted copy of " + source + " (remediation)",
                },
                cancellationToken)).ConfigureAwait(false);
            encryptedId = copy.SnapshotId;
            await WaitSnapshotAsync(ec2, encryptedId, reporter, cancellationToken).ConfigureAwait(false);

            var request = new CreateVolumeRequest
            {
                AvailabilityZone = swap.AvailabilityZone,
                SnapshotId = encryptedId,
                Size = swap.SizeGiB,
                VolumeType = VolumeType.FindValue(swap.VolumeType),
                Iops = swap.Iops,
                Throughput = swap.Throughput,
                Encrypted = true,
            };
            if (swap.Tags.Count > 0)
            {
                request.TagSpecifications = new List<TagSpecification>
                {
                    new() { ResourceType = ResourceType.Volume, Tags = swap.Tags.Select(t => new Tag(t.Key, t.Value)).ToList() },
                };
            }

            var created = await AwsCall.RunAsync(reporter, CreateVolumeAction, source, () => ec2.CreateVolumeAsync(request, cancellationToken)).ConfigureAwait(false);
            var newId = created.Volume?.VolumeId ?? throw new InvalidOperationException(CreateVolumeAction + " returned no volume ID.");
            await waiter.WaitAsync(newId, "available", async () => (await TryReadVolumeAsync(ec2, newId, reporter, cancellationToken).ConfigureAwait(false))?.State?.Value, cancellationToken).ConfigureAwait(false);
            return newId;
        }
        finally
        {
            // The interim snapshots are not needed once the volume exists (or the copy failed); an unencrypted one must not linger.
            foreach (var id in new[] { encryptedId, plainId }.OfType<string>())
            {
                await AwsCall.RunAsync(reporter, DeleteSnapshotAction, id, () => ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = id }, CancellationToken.None)).ConfigureAwait(false);
            }
        }
    }

    private Task WaitSnapshotAsync(IAmazonEC2 ec2, string snapshotId, IRemediationReporter reporter, CancellationToken cancellationToken)
        => waiter.WaitAsync(snapshotId, "completed", async () =>
        {
            var response = await AwsCall.RunAsync(reporter, DescribeSnapshotsAction, snapshotId, () =>
                ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = new List<string> { snapshotId } }, cancellationToken)).ConfigureAwait(false);
            var state = response.Snapshots?.FirstOrDefault()?.State?.Value;
            if (state == "error")
            {
                throw new InvalidOperationException("The snapshot " + snapshotId + " failed (state 'error').");
            }

            return state;
        }, cancellationToken);

    private async Task StopAsync(IAmazonEC2 ec2, string instanceId, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        await AwsCall.RunAsync(reporter, StopInstancesAction, instanceId, () =>
            ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = new List<string> { instanceId } }, cancellationToken)).ConfigureAwait(false);
        await waiter.WaitAsync(instanceId, "stopped", () => ReadInstanceStateAsync(ec2, instanceId, reporter, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Detaches <paramref name="detach"/> and attaches <paramref name="attach"/> at the swap's device; reattaches the first if the second fails.</summary>
    private async Task SwapAsync(IAmazonEC2 ec2, VolumeSwap swap, string detach, string attach, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var instanceId = swap.InstanceId!;
        var device = swap.Device!;
        await AwsCall.RunAsync(reporter, DetachVolumeAction, detach, () =>
            ec2.DetachVolumeAsync(new DetachVolumeRequest { VolumeId = detach, InstanceId = instanceId }, cancellationToken)).ConfigureAwait(false);
        await WaitVolumeAsync(ec2, detach, "available", reporter, cancellationToken).ConfigureAwait(false);
        try
        {
            await AttachAsync(ec2, attach, instanceId, device, reporter, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AwsCallException or Ec2WaitTimeoutException)
        {
            // Leave the instance with the volume it had rather than with none.
            reporter.Warning("Attaching " + attach + " failed; attaching " + detach + " back at " + device + ".");
            await AttachAsync(ec2, detach, instanceId, device, reporter, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (swap.DeleteOnTermination)
        {
            var request = new ModifyInstanceAttributeRequest
            {
                InstanceId = instanceId,
                BlockDeviceMappings = new List<InstanceBlockDeviceMappingSpecification>
                {
                    new() { DeviceName = device, Ebs = new EbsInstanceBlockDeviceSpecification { VolumeId = attach, DeleteOnTermination = true } },
                },
            };
            await AwsCall.RunAsync(reporter, ModifyInstanceAttributeAction, instanceId, () => ec2.ModifyInstanceAttributeAsync(request, cancellationToken)).ConfigureAwait(false);
        }
    }

    private async Task AttachAsync(IAmazonEC2 ec2, string volumeId, string instanceId, string device, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        await AwsCall.RunAsync(reporter, AttachVolumeAction, volumeId, () =>
            ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = volumeId, InstanceId = instanceId, Device = device }, cancellationToken)).ConfigureAwait(false);
        await waiter.WaitAsync(volumeId + " attachment", "attached", async () =>
            (await TryReadVolumeAsync(ec2, volumeId, reporter, cancellationToken).ConfigureAwait(false))?.Attachments?.FirstOrDefault()?.State?.Value, cancellationToken).ConfigureAwait(false);
    }

    private Task WaitVolumeAsync(IAmazonEC2 ec2, string volumeId, string wanted, IRemediationReporter reporter, CancellationToken cancellationToken)
        => waiter.WaitAsync(volumeId, wanted, async () => (await TryReadVolumeAsync(ec2, volumeId, reporter, cancellationToken).ConfigureAwait(false))?.State?.Value, cancellationToken);

    private static Task<CreateTagsResponse> TagAsync(IAmazonEC2 ec2, string resourceId, string key, string value, IRemediationReporter reporter, CancellationToken cancellationToken)
        => AwsCall.RunAsync(reporter, CreateTagsAction, resourceId, () => ec2.CreateTagsAsync(
            new CreateTagsRequest { Resources = new List<string> { resourceId }, Tags = new List<Tag> { new(key, value) } }, cancellationToken));

    private static async Task<Volume> ReadVolumeAsync(IAmazonEC2 ec2, string volumeId, IRemediationReporter reporter, CancellationToken cancellationToken)
        => await TryReadVolumeAsync(ec2, volumeId, reporter, cancellationToken).ConfigureAwait(false)
           ?? throw new InvalidOperationException(DescribeVolumesAction + " did not return the volume " + volumeId + ".");

    private static async Task<Volume?> TryReadVolumeAsync(IAmazonEC2 ec2, string volumeId, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(reporter, DescribeVolumesAction, volumeId, () =>
            ec2.DescribeVolumesAsync(new DescribeVolumesRequest { VolumeIds = new List<string> { volumeId } }, cancellationToken)).ConfigureAwait(false);
        return response.Volumes?.FirstOrDefault(v => v.VolumeId == volumeId);
    }

    private static async Task<string?> ReadInstanceStateAsync(IAmazonEC2 ec2, string instanceId, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(reporter, DescribeInstancesAction, instanceId, () =>
            ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = new List<string> { instanceId } }, cancellationToken)).ConfigureAwait(false);
        return response.Reservations?.SelectMany(r => r.Instances ?? new List<Instance>()).FirstOrDefault(i => i.InstanceId == instanceId)?.State?.Name?.Value;
    }

    private static SwapChange ChangeOf(JobPlan plan)
        => plan.Changes as SwapChange ?? throw new ArgumentException("The plan was not made by " + nameof(EbsEncryptVolumeJob) + ".", nameof(plan));

    // The swap changes the volume and, when it is attached, the instance it is attached to (stop, detach, attach, start).
    private static string[] SwapKeys(string volumeId, string? instanceId)
        => instanceId is null
            ? new[] { ResourceKeys.Volume(volumeId) }
            : new[] { ResourceKeys.Volume(volumeId), ResourceKeys.Instance(instanceId) };

    private static string RequireVolumeId(string resourceId) => Ec2ResourceIds.Require(resourceId, "vol-", "an EBS volume ID");

    private sealed class SwapChange
    {
        public SwapChange(VolumeSwap swap, bool isUndo, RemediationUndoRecord? undoRecord)
        {
            Swap = swap;
            IsUndo = isUndo;
            UndoRecord = undoRecord;
        }

        public VolumeSwap Swap { get; }

        public bool IsUndo { get; }

        public RemediationUndoRecord? UndoRecord { get; }
    }
}

/// <summary>The undo data of <c>ebs-encrypt-volume</c>: the two volumes, where they are attached, and the copied attributes.</summary>
internal sealed class VolumeSwap
{
    /// <summary>The unencrypted original (kept).</summary>
    public string OriginalVolumeId { get; set; } = string.Empty;

    /// <summary>The encrypted copy; null until it was created.</summary>
    public string? NewVolumeId { get; set; }

    /// <summary>The instance the original was attached to; null when it was not attached.</summary>
    public string? InstanceId { get; set; }

    /// <summary>The device name of the attachment.</summary>
    public string? Device { get; set; }

    /// <summary>The attachment's DeleteOnTermination.</summary>
    public bool DeleteOnTermination { get; set; }

    /// <summary>True when the instance was running (it is stopped for the swap and started again).</summary>
    public bool WasRunning { get; set; }

    /// <summary>The availability zone.</summary>
    public string AvailabilityZone { get; set; } = string.Empty;

    /// <summary>Size in GiB.</summary>
    public int SizeGiB { get; set; }

    /// <summary>Volume type.</summary>
    public string VolumeType { get; set; } = string.Empty;

    /// <summary>Provisioned IOPS (gp3, io1, io2).</summary>
    public int? Iops { get; set; }

    /// <summary>Throughput in MiB/s (gp3).</summary>
    public int? Throughput { get; set; }

    /// <summary>The tags copied to the encrypted volume.</summary>
    public List<KeyValuePair<string, string>> Tags { get; set; } = new();
}
