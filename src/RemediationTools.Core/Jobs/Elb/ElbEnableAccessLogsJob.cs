using System.Globalization;
using System.Text.Json;
using RemediationTools.Core.Jobs.S3;
using RemediationTools.Core.Results;
using Classic = RemediationTools.Core.Aws.Signed.ElasticLoadBalancing;
using Elbv2 = RemediationTools.Core.Aws.Signed.ElasticLoadBalancingV2;

namespace RemediationTools.Core.Jobs.Elb;

/// <summary>
/// <c>elb-enable-access-logs</c>: the finding's ObjectId is a load balancer: a classic one by name, an application or
/// network one by name or ARN (<see cref="ElbLoadBalancerTarget"/>). Access logs already on are compliant, whatever
/// their bucket. Otherwise the load balancer logs to the account's logging bucket of its region
/// (<see cref="LoggingTargetBucket"/>, created once per batch when missing) under <c>elb/&lt;name&gt;</c>, with the bucket
/// policy statement the region and type require (<see cref="ElbLogDelivery"/>). Only the access-log attributes change:
/// a classic load balancer's AccessLog attribute is replaced as a whole, so its EmitInterval is sent as it was (60
/// unless set). A gateway load balancer has no access logs and is skipped. Undo puts the access-log attributes back as
/// they were; the shared logging bucket stays.
/// </summary>
internal sealed class ElbEnableAccessLogsJob : IRemediationJob, IBatchPrefetchingJob
{
    /// <summary>The job's ID.</summary>
    public const string JobId = "elb-enable-access-logs";

    /// <summary>IAM action: DescribeLoadBalancerAttributes (both APIs).</summary>
    public const string DescribeAttributesAction = "elasticloadbalancing:DescribeLoadBalancerAttributes";

    /// <summary>IAM action: ModifyLoadBalancerAttributes (both APIs).</summary>
    public const string ModifyAttributesAction = "elasticloadbalancing:ModifyLoadBalancerAttributes";

    /// <summary>IAM action: DescribeTags (both APIs).</summary>
    public const string DescribeTagsAction = "elasticloadbalancing:DescribeTags";

    /// <summary>The EmitInterval a classic load balancer's access log gets when none was set (ELB's default, minutes).</summary>
    public const int DefaultEmitInterval = 60;

    private const string EnabledKey = "access_logs.s3.enabled";
    private const string BucketKey = "access_logs.s3.bucket";
    private const string PrefixKey = "access_logs.s3.prefix";

    /// <summary>Creates the job.</summary>
    public ElbEnableAccessLogsJob() => Info = new RemediationJobInfo
    {
        Id = JobId,
        RuleIds = new[] { "657c46b7-1cd0-4cce-80bb-9d195f49c987" },
        Title = "Turn on load balancer access logs to the account's logging bucket",
        Service = "ELB",
        ResourceType = "LoadBalancer",
        Impact = "The load balancer's access logs go to <prefix>-<account>-<region> (created once, encrypted, private) under elb/<name>; log objects are billed as storage. No other attribute of the load balancer changes.",
        IamActions = LoggingTargetBucket.IamActions
            .Concat(new[] { ElbLoadBalancerTarget.DescribeLoadBalancersAction, DescribeAttributesAction, ModifyAttributesAction, DescribeTagsAction })
            .OrderBy(a => a, StringComparer.Ordinal)
            .ToArray(),
        Disruptive = false,
    };

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var lb = await ElbLoadBalancerTarget.ResolveAsync(context, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(lb.Region, context.Region, StringComparison.Ordinal))
        {
            context.ResourceRegion = lb.Region;
        }

        if (SkipTag.IsSet(context.Finding.Tags) || SkipTag.IsSet(await ReadTagsAsync(context, lb, cancellationToken).ConfigureAwait(false)))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        if (lb.Type == "gateway")
        {
            return JobPlan.Skip("Gateway Load Balancers have no access logs; " + lb.Name + " has nothing to turn on.");
        }

        var state = await ReadAsync(context, lb, cancellationToken).ConfigureAwait(false);
        if (state.Enabled)
        {
            return JobPlan.Compliant(new[] { Describe(lb) + " already logs to " + state.Describe() + "; it is not re-pointed." });
        }

        var accountId = context.Finding.AccountId!;
        var targetName = LoggingTargetBucket.NameFor(context.Options.LoggingBucketPrefix, accountId, lb.Region);
        var statements = ElbLogDelivery.StatementsFor(lb.IsClassic ? "classic" : lb.Type, targetName, accountId, lb.Region);
        var target = await LoggingTargetBucket.PlanAsync(context, lb.Region, statements, cancellationToken).ConfigureAwait(false);
        var desired = new AccessLogState
        {
            Enabled = true,
            Bucket = targetName,
            Prefix = ElbLogDelivery.KeyPrefixFor(lb.Name),
            EmitInterval = lb.IsClassic ? state.EmitInterval ?? DefaultEmitInterval : null,
        };
        var actions = target.Actions.ToList();
        actions.Add(new RemediationAction
        {
            Operation = ModifyAttributesAction,
            Target = lb.ResourceId,
            Description = "Turn on access logs of " + Describe(lb) + " to " + targetName + " under " + desired.Prefix + "/"
                + (lb.IsClassic ? string.Format(CultureInfo.InvariantCulture, " every {0} minutes", desired.EmitInterval) : string.Empty)
                + "; every other attribute stays.",
            Before = state.Describe(),
            After = desired.Describe(),
        });
        var notes = target.Exists ? new[] { "The logging bucket " + targetName + " exists and is used as it is." } : Array.Empty<string>();
        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = accountId,
            Region = lb.Region,
            ResourceId = lb.ResourceId,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(new ElbAccessLogsUndoData { Type = lb.Type, Name = lb.Name, Arn = lb.Arn, Before = state, After = desired }),
        };
        var touches = target.Touches.Concat(new[] { lb.ResourceKey }).ToList();
        return JobPlan.Change(actions, notes, undo, new AccessLogChange(lb, target, desired), touches);
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        if (change.Target is { } target)
        {
            // The bucket and its statement first: ELB refuses logs to a bucket it may not write to.
            await LoggingTargetBucket.ApplyAsync(context, target, cancellationToken).ConfigureAwait(false);
        }

        await WriteAsync(context, change.LoadBalancer, change.Desired, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var state = await ReadAsync(context, change.LoadBalancer, cancellationToken).ConfigureAwait(false);
        return state.SameAs(change.Desired)
            ? JobVerification.Success()
            : JobVerification.Failure(Describe(change.LoadBalancer) + " has access logs " + state.Describe() + ", not " + change.Desired.Describe() + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        ElbAccessLogsUndoData data;
        try
        {
            data = RemediationJson.Deserialize<ElbAccessLogsUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        if (data.Before is null || data.After is null || string.IsNullOrEmpty(data.Name))
        {
            throw new FindingFormatException("The undo record's Data lacks the load balancer or its access-log states; it was not made by " + Info.Id + ".");
        }

        var lb = data.Arn is { Length: > 0 } arn ? ElbLoadBalancerTarget.V2(arn, data.Type) : ElbLoadBalancerTarget.Classic(data.Name, record.Region);
        var state = await ReadAsync(context, lb, cancellationToken).ConfigureAwait(false);
        if (state.SameAs(data.Before))
        {
            return JobPlan.Compliant(new[] { Describe(lb) + " has its access logs as before (" + state.Describe() + ")." });
        }

        if (!state.SameAs(data.After))
        {
            throw new JobFailureException(
                "UndoConflict",
                Describe(lb) + " now has access logs " + state.Describe() + ", not " + data.After.Describe() + " as this run set them; they were left as they are.");
        }

        var action = new RemediationAction
        {
            Operation = ModifyAttributesAction,
            Target = lb.ResourceId,
            Description = "Put the access logs of " + Describe(lb) + " back as they were (the logging bucket and its logs stay).",
            Before = state.Describe(),
            After = data.Before.Describe(),
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), null, new AccessLogChange(lb, null, data.Before), new[] { lb.ResourceKey });
    }

    private static string Describe(ElbLoadBalancerTarget lb) => (lb.IsClassic ? "the Classic Load Balancer " : "the " + lb.Type + " load balancer ") + lb.Name;

    /// <summary>
    /// Reads the batch's load balancers in DescribeLoadBalancers calls of up to 20 (<see cref="ElbLoadBalancerTarget.PrefetchAsync"/>)
    /// and their tags in DescribeTags calls of up to 20, into the batch's cache.
    /// </summary>
    public async Task PrefetchAsync(IReadOnlyList<JobContext> contexts, CancellationToken cancellationToken)
    {
        var live = (contexts ?? throw new ArgumentNullException(nameof(contexts))).Where(c => !SkipTag.IsSet(c.Finding.Tags)).ToList();
        if (live.Count < 2)
        {
            return;
        }

        var first = live[0];
        var found = await ElbLoadBalancerTarget.PrefetchAsync(live, cancellationToken).ConfigureAwait(false);
        foreach (var chunk in Chunks(found.Where(lb => lb.IsClassic).Select(lb => lb.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToList()))
        {
            var response = await AwsCall.RunAsync(first.Reporter, DescribeTagsAction, string.Join(",", chunk), () =>
                first.Clients.ElasticLoadBalancing(first.Region).DescribeTagsAsync(new Classic.DescribeTagsRequest { LoadBalancerNames = chunk.ToList() }, cancellationToken)).ConfigureAwait(false);
            foreach (var description in response.TagDescriptions)
            {
                first.Cache.Set(TagsKey(ElbLoadBalancerTarget.Classic(description.LoadBalancerName, first.Region)), Tags(description.Tags.Select(t => (t.Key, t.Value))));
            }
        }

        foreach (var chunk in Chunks(found.Where(lb => !lb.IsClassic).Select(lb => lb.Arn!).Distinct(StringComparer.Ordinal).ToList()))
        {
            var response = await AwsCall.RunAsync(first.Reporter, DescribeTagsAction, string.Join(",", chunk), () =>
                first.Clients.ElasticLoadBalancingV2(first.Region).DescribeTagsAsync(new Elbv2.DescribeTagsRequest { ResourceArns = chunk.ToList() }, cancellationToken)).ConfigureAwait(false);
            foreach (var description in response.TagDescriptions)
            {
                first.Cache.Set("elb:tags:" + description.ResourceArn, Tags(description.Tags.Select(t => (t.Key, t.Value))));
            }
        }
    }

    private static string TagsKey(ElbLoadBalancerTarget lb) => "elb:tags:" + (lb.Arn ?? "classic/" + lb.Name.ToLowerInvariant());

    private static List<KeyValuePair<string, string>> Tags(IEnumerable<(string Key, string? Value)> tags) =>
        tags.Select(t => new KeyValuePair<string, string>(t.Key, t.Value ?? string.Empty)).ToList();

    private static IEnumerable<IReadOnlyList<string>> Chunks(List<string> values)
    {
        for (var i = 0; i < values.Count; i += 20)
        {
            yield return values.Skip(i).Take(20).ToList();
        }
    }

    private static Task<List<KeyValuePair<string, string>>> ReadTagsAsync(JobContext context, ElbLoadBalancerTarget lb, CancellationToken cancellationToken) =>
        context.Cache.GetOrReadAsync(TagsKey(lb), async () =>
        {
            if (lb.IsClassic)
            {
                var response = await AwsCall.RunAsync(context.Reporter, DescribeTagsAction, lb.Name, () =>
                    context.Clients.ElasticLoadBalancing(lb.Region).DescribeTagsAsync(new Classic.DescribeTagsRequest { LoadBalancerNames = { lb.Name } }, cancellationToken)).ConfigureAwait(false);
                return Tags(response.TagDescriptions.SelectMany(d => d.Tags).Select(t => (t.Key, t.Value)));
            }

            var v2 = await AwsCall.RunAsync(context.Reporter, DescribeTagsAction, lb.Arn!, () =>
                context.Clients.ElasticLoadBalancingV2(lb.Region).DescribeTagsAsync(new Elbv2.DescribeTagsRequest { ResourceArns = { lb.Arn! } }, cancellationToken)).ConfigureAwait(false);
            return Tags(v2.TagDescriptions.SelectMany(d => d.Tags).Select(t => (t.Key, t.Value)));
        });

    private static async Task<AccessLogState> ReadAsync(JobContext context, ElbLoadBalancerTarget lb, CancellationToken cancellationToken)
    {
        if (lb.IsClassic)
        {
            var response = await AwsCall.RunAsync(context.Reporter, DescribeAttributesAction, lb.Name, () =>
                context.Clients.ElasticLoadBalancing(lb.Region).DescribeLoadBalancerAttributesAsync(
                    new Classic.DescribeLoadBalancerAttributesRequest { LoadBalancerName = lb.Name }, cancellationToken)).ConfigureAwait(false);
            var log = response.LoadBalancerAttributes.AccessLog ?? new Classic.AccessLog();
            return new AccessLogState
            {
                Enabled = log.Enabled == true,
                Bucket = EmptyAsNull(log.S3BucketName),
                Prefix = EmptyAsNull(log.S3BucketPrefix),
                EmitInterval = log.EmitInterval,
            };
        }

        var attributes = (await AwsCall.RunAsync(context.Reporter, DescribeAttributesAction, lb.Arn!, () =>
            context.Clients.ElasticLoadBalancingV2(lb.Region).DescribeLoadBalancerAttributesAsync(
                new Elbv2.DescribeLoadBalancerAttributesRequest { LoadBalancerArn = lb.Arn! }, cancellationToken)).ConfigureAwait(false)).Attributes;
        string? Value(string key) => EmptyAsNull(attributes.FirstOrDefault(a => a.Key == key)?.Value);
        return new AccessLogState
        {
            Enabled = string.Equals(Value(EnabledKey), "true", StringComparison.OrdinalIgnoreCase),
            Bucket = Value(BucketKey),
            Prefix = Value(PrefixKey),
        };
    }

    private static Task WriteAsync(JobContext context, ElbLoadBalancerTarget lb, AccessLogState state, CancellationToken cancellationToken)
    {
        if (lb.IsClassic)
        {
            // The AccessLog attribute is replaced as a whole: EmitInterval goes with it, as it was (60 unless set).
            var log = new Classic.AccessLog { Enabled = state.Enabled, S3BucketName = state.Bucket, S3BucketPrefix = state.Prefix, EmitInterval = state.EmitInterval };
            return AwsCall.RunAsync(context.Reporter, ModifyAttributesAction, lb.Name, () =>
                context.Clients.ElasticLoadBalancing(lb.Region).ModifyLoadBalancerAttributesAsync(new Classic.ModifyLoadBalancerAttributesRequest
                {
                    LoadBalancerName = lb.Name,
                    LoadBalancerAttributes = new Classic.LoadBalancerAttributes { AccessLog = log },
                }, cancellationToken));
        }

        var request = new Elbv2.ModifyLoadBalancerAttributesRequest
        {
            LoadBalancerArn = lb.Arn!,
            Attributes =
            {
                new(EnabledKey, state.Enabled ? "true" : "false"),
                new(BucketKey, state.Bucket ?? string.Empty),
                new(PrefixKey, state.Prefix ?? string.Empty),
            },
        };
        return AwsCall.RunAsync(context.Reporter, ModifyAttributesAction, lb.Arn!, () =>
            context.Clients.ElasticLoadBalancingV2(lb.Region).ModifyLoadBalancerAttributesAsync(request, cancellationToken));
    }

    private static string? EmptyAsNull(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static AccessLogChange ChangeOf(JobPlan plan)
        => plan.Changes as AccessLogChange ?? throw new ArgumentException("The plan was not made by " + nameof(ElbEnableAccessLogsJob) + ".", nameof(plan));

    private sealed class AccessLogChange
    {
        public AccessLogChange(ElbLoadBalancerTarget loadBalancer, LoggingTargetPlan? target, AccessLogState desired)
        {
            LoadBalancer = loadBalancer;
            Target = target;
            Desired = desired;
        }

        public ElbLoadBalancerTarget LoadBalancer { get; }

        public LoggingTargetPlan? Target { get; }

        public AccessLogState Desired { get; }
    }
}

/// <summary>The access-log settings of a load balancer: on or off, bucket, key prefix, and a classic one's EmitInterval.</summary>
internal sealed class AccessLogState
{
    /// <summary>True when access logs are on.</summary>
    public bool Enabled { get; set; }

    /// <summary>The bucket (null when none is set).</summary>
    public string? Bucket { get; set; }

    /// <summary>The key prefix (null when none is set).</summary>
    public string? Prefix { get; set; }

    /// <summary>A classic load balancer's EmitInterval in minutes (null when not set, and for v2 load balancers).</summary>
    public int? EmitInterval { get; set; }

    /// <summary>True when <paramref name="other"/> has the same settings.</summary>
    public bool SameAs(AccessLogState other) =>
        other is not null && Enabled == other.Enabled && Bucket == other.Bucket && Prefix == other.Prefix && EmitInterval == other.EmitInterval;

    /// <summary>The settings in one line, for plans and messages.</summary>
    public string Describe()
    {
        var where = Bucket is null ? "no bucket" : Bucket + "/" + (Prefix is null ? string.Empty : Prefix + "/");
        var interval = EmitInterval is { } minutes ? string.Format(CultureInfo.InvariantCulture, ", every {0} minutes", minutes) : string.Empty;
        return (Enabled ? "on, " : "off, ") + where + interval;
    }
}

/// <summary>The undo data of <c>elb-enable-access-logs</c>: the load balancer and its access-log settings before and after.</summary>
internal sealed class ElbAccessLogsUndoData
{
    /// <summary>classic, application or network.</summary>
    public string Type { get; set; } = string.Empty;

    /// <summary>The load balancer's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The v2 load balancer's ARN; null for a classic one.</summary>
    public string? Arn { get; set; }

    /// <summary>The settings before this run.</summary>
    public AccessLogState? Before { get; set; }

    /// <summary>The settings this run set.</summary>
    public AccessLogState? After { get; set; }
}
