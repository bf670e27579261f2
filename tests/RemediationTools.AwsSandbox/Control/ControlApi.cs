using System.Globalization;
using System.Text;
using System.Text.Json;
using RemediationTools.AwsSandbox.Http;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Control;

/// <summary>
/// The unsigned JSON API under <c>/_sandbox/</c> that mirrors the in-process API for tests that run
/// the sandbox as a separate process. Control calls are never counted or faulted.
/// </summary>
internal sealed partial class ControlApi
{
    public const string PathPrefix = "/_sandbox/";

    private readonly SandboxServer _server;
    private readonly AwsRequestRouter _router;

    public ControlApi(SandboxServer server, AwsRequestRouter router)
    {
        _server = server;
        _router = router;
    }

    public SandboxHttpResponse Handle(SandboxHttpRequest request)
    {
        try
        {
            var path = request.RawPath.TrimEnd('/');
            using var body = request.Body.Length == 0 ? JsonDocument.Parse("{}") : JsonDocument.Parse(request.Body);
            var json = body.RootElement;
            return (request.Method, path) switch
            {
                ("GET", "/_sandbox/health") => Ok(new Dictionary<string, object?> { ["status"] = "ok" }),
                ("POST", "/_sandbox/accounts") => CreateAccount(json),
                ("POST", "/_sandbox/users") => CreateUser(json),
                ("GET", "/_sandbox/calls") => Ok(_server.CallCounts.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal)),
                ("DELETE", "/_sandbox/calls") => ResetCalls(),
                ("PUT", "/_sandbox/faults") => SetFaults(json),
                ("PUT", "/_sandbox/clock") => SetClock(json),
                ("PUT", "/_sandbox/consistency") => SetConsistency(json),
                ("PUT", "/_sandbox/ec2-rate-limits") => SetEc2RateLimits(json),
                ("GET", "/_sandbox/ec2-rate-limits") => Ec2RateLimits(),
                ("POST", "/_sandbox/vpcs") => AddVpc(json),
                ("POST", "/_sandbox/instances") => AddInstance(json),
                ("POST", "/_sandbox/volumes") => AddVolume(json),
                ("POST", "/_sandbox/snapshots") => AddSnapshot(json),
                ("POST", "/_sandbox/parameters") => PutParameter(json),
                ("GET", "/_sandbox/sqs") => SandboxHttpResponse.Json(200, _server.DumpSqsState()),
                ("PUT", "/_sandbox/transitions") => SetTransitionDelay(json),
                ("POST", "/_sandbox/invoke") => Invoke(json),
                ("POST", "/_sandbox/instance-profile-credentials") => InstanceProfileCredentials(json),
                ("GET", "/_sandbox/dynamodb/items") => new SandboxHttpResponse(200, "application/json", Encoding.UTF8.GetBytes(_server.DumpDynamoDbItemsJson())),
                ("POST", "/_sandbox/dynamodb/expire") => Ok(new Dictionary<string, object?> { ["deleted"] = _server.ExpireDynamoDbItems() }),
                ("PUT", "/_sandbox/dynamodb") => SetDynamoDb(json),
                ("PUT", "/_sandbox/instance-launcher") => SetInstanceLauncher(json),
                ("GET", "/_sandbox/instance-launcher") => InstanceLauncher(),
                ("GET", "/_sandbox/instances") => SandboxHttpResponse.Json(200, JsonSerializer.Serialize(_server.DumpInstances())),
                ("GET", "/_sandbox/parameters") => SandboxHttpResponse.Json(200, JsonSerializer.Serialize(_server.DumpParameters())),
                ("POST", "/_sandbox/key-pairs") => AddKeyPair(json),
                ("POST", "/_sandbox/load-balancers") => AddLoadBalancer(json),
                ("POST", "/_sandbox/trails") => AddTrail(json),
                ("POST", "/_sandbox/kms/keys") => AddKmsKey(json),
                ("POST", "/_sandbox/rds/clusters") => AddDBCluster(json),
                ("POST", "/_sandbox/rds/instances") => AddDBInstance(json),
                ("POST", "/_sandbox/rds/snapshots") => AddDBSnapshot(json),
                ("GET", "/_sandbox/rds") => SandboxHttpResponse.Json(200, _server.DumpRds()),
                ("GET", "/_sandbox/kms/keys") => SandboxHttpResponse.Json(200, _server.DumpKmsKeys()),
                ("POST", "/_sandbox/sqs/queues") => AddQueue(json),
                ("POST", "/_sandbox/kinesis/streams") => AddKinesisStream(json),
                ("GET", "/_sandbox/kinesis/streams") => SandboxHttpResponse.Json(200, _server.DumpKinesisStreams()),
                ("POST", "/_sandbox/server-certificates") => AddServerCertificate(json),
                ("PUT", "/_sandbox/root-access-keys") => SetRootAccessKeys(json),
                ("POST", "/_sandbox/s3/buckets") => AddS3Bucket(json),
                ("GET", "/_sandbox/s3/buckets") => SandboxHttpResponse.Json(200, _server.DumpS3Buckets()),
                ("GET", _) when LauncherPath(path) is { } instanceId => SandboxHttpResponse.Json(200, JsonSerializer.Serialize(_server.GetInstanceLauncher(instanceId))),
                _ => Error(404, $"No control endpoint {request.Method} {path}."),
            };
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return Error(400, ex.Message);
        }
    }

    private SandboxHttpResponse CreateAccount(JsonElement json)
    {
        var account = _server.CreateAccount(OptionalString(json, "accountId"), OptionalBool(json, "defaultVpc") ?? true, OptionalString(json, "organizationId"));
        return Ok(new Dictionary<string, object?>
        {
            ["accountId"] = account.AccountId,
            ["accessKeyId"] = account.AccessKeyId,
            ["secretAccessKey"] = account.SecretAccessKey,
        });
    }

    private SandboxHttpResponse CreateUser(JsonElement json)
    {
        var account = _server.CreateUser(RequiredString(json, "accountId"), RequiredString(json, "userName"), OptionalString(json, "policyDocument"));
        return Ok(new Dictionary<string, object?>
        {
            ["accountId"] = account.AccountId,
            ["accessKeyId"] = account.AccessKeyId,
            ["secretAccessKey"] = account.SecretAccessKey,
        });
    }

    /// <summary><c>{"accountId","instanceProfileName"}</c>: the role session an instance with the profile would get from EC2.</summary>
    private SandboxHttpResponse InstanceProfileCredentials(JsonElement json)
    {
        var credentials = _server.IssueInstanceProfileCredentials(RequiredString(json, "accountId"), RequiredString(json, "instanceProfileName"));
        return Ok(new Dictionary<string, object?>
        {
            ["accessKeyId"] = credentials.AccessKeyId,
            ["secretAccessKey"] = credentials.SecretAccessKey,
            ["sessionToken"] = credentials.SessionToken,
            ["expiration"] = credentials.Expiration.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
            ["arn"] = credentials.Arn,
        });
    }

    private SandboxHttpResponse ResetCalls()
    {
        _server.ResetCallCounts();
        return new SandboxHttpResponse(204, "application/json", []);
    }

    private SandboxHttpResponse SetFaults(JsonElement json)
    {
        var faults = _server.Faults;
        if (json.TryGetProperty("throttleRate", out var throttle))
        {
            faults.ThrottleRate = throttle.GetDouble();
        }

        if (json.TryGetProperty("serverErrorRate", out var serverError))
        {
            faults.ServerErrorRate = serverError.GetDouble();
        }

        if (json.TryGetProperty("latencyMs", out var latency))
        {
            faults.Latency = TimeSpan.FromMilliseconds(latency.GetDouble());
        }

        if (json.TryGetProperty("seed", out var seed))
        {
            faults.Seed = seed.GetInt32();
        }

        return Ok(new Dictionary<string, object?>
        {
            ["throttleRate"] = faults.ThrottleRate,
            ["serverErrorRate"] = faults.ServerErrorRate,
            ["latencyMs"] = faults.Latency.TotalMilliseconds,
            ["seed"] = faults.Seed,
        });
    }

    /// <summary>
    /// <c>{"readLag": N, "maxPageSize": M|null, "settle": true}</c>: read-after-write lag in reads, the page size cap of
    /// paged describe calls, and whether to end the current lag windows now. Absent properties keep their value.
    /// </summary>
    private SandboxHttpResponse SetConsistency(JsonElement json)
    {
        if (json.TryGetProperty("readLag", out var lag))
        {
            _server.ReadLag = lag.GetInt32();
        }

        if (json.TryGetProperty("maxPageSize", out var pageSize))
        {
            _server.MaxPageSize = pageSize.ValueKind == JsonValueKind.Null ? null : pageSize.GetInt32();
        }

        if (OptionalBool(json, "settle") == true)
        {
            _server.Settle();
        }

        return Ok(new Dictionary<string, object?> { ["readLag"] = _server.ReadLag, ["maxPageSize"] = _server.MaxPageSize });
    }

    /// <summary>
    /// <c>{"enabled": true, "nonMutating": {"capacity": 100, "refillPerSecond": 20}, "unfilteredUnpaginatedNonMutating": {...},
    /// "mutating": {...}, "resourceIntensive": {...}, "actions": {"CreateTags": {...}}, "resourceBuckets": {"RunInstances": {...}}}</c>:
    /// EC2's token buckets with AWS's defaults except the limits given (<c>actions</c> and <c>resourceBuckets</c> entries
    /// replace or add to the defaults'); <c>{"enabled": false}</c> turns them off. Every bucket starts full.
    /// </summary>
    private SandboxHttpResponse SetEc2RateLimits(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The EC2 rate limits are a JSON object.");
        }

        foreach (var property in json.EnumerateObject())
        {
            if (property.Name is not ("enabled" or "nonMutating" or "unfilteredUnpaginatedNonMutating" or "mutating" or "resourceIntensive" or "actions" or "resourceBuckets"))
            {
                throw new ArgumentException($"Unknown EC2 rate limit setting '{property.Name}'.");
            }
        }

        if (json.TryGetProperty("enabled", out var enabled) && enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new ArgumentException($"'enabled' is true or false, not {enabled.GetRawText()}.");
        }

        if (OptionalBool(json, "enabled") == false)
        {
            _server.Ec2RateLimits = null;
            return Ec2RateLimits();
        }

        var defaults = Ec2.Ec2RateLimits.AwsDefaults;
        _server.Ec2RateLimits = defaults with
        {
            NonMutating = OptionalBucket(json, "nonMutating") ?? defaults.NonMutating,
            UnfilteredUnpaginatedNonMutating = OptionalBucket(json, "unfilteredUnpaginatedNonMutating") ?? defaults.UnfilteredUnpaginatedNonMutating,
            Mutating = OptionalBucket(json, "mutating") ?? defaults.Mutating,
            ResourceIntensive = OptionalBucket(json, "resourceIntensive") ?? defaults.ResourceIntensive,
            Actions = MergeBuckets(json, "actions", defaults.Actions, SandboxServer.EmulatedEc2Actions),
            ResourceBuckets = MergeBuckets(json, "resourceBuckets", defaults.ResourceBuckets, Ec2.Ec2ThrottlingCategories.ResourceRateLimitedActions),
        };
        return Ec2RateLimits();
    }

    /// <summary>The current limits (<c>enabled</c> false when off) and the calls they refused since the last reset of the call counts.</summary>
    private SandboxHttpResponse Ec2RateLimits()
    {
        static Dictionary<string, object?> Bucket(Ec2.Ec2TokenBucketLimit limit) =>
            new() { ["capacity"] = limit.Capacity, ["refillPerSecond"] = limit.RefillPerSecond };

        var limits = _server.Ec2RateLimits;
        var body = new Dictionary<string, object?> { ["enabled"] = limits is not null };
        if (limits is not null)
        {
            body["nonMutating"] = Bucket(limits.NonMutating);
            body["unfilteredUnpaginatedNonMutating"] = Bucket(limits.UnfilteredUnpaginatedNonMutating);
            body["mutating"] = Bucket(limits.Mutating);
            body["resourceIntensive"] = Bucket(limits.ResourceIntensive);
            body["actions"] = limits.Actions.ToDictionary(p => p.Key, p => (object?)Bucket(p.Value), StringComparer.Ordinal);
            body["resourceBuckets"] = limits.ResourceBuckets.ToDictionary(p => p.Key, p => (object?)Bucket(p.Value), StringComparer.Ordinal);
        }

        body["throttledCalls"] = _server.Ec2ThrottledCalls.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal);
        return Ok(body);
    }

    private static Ec2.Ec2TokenBucketLimit? OptionalBucket(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) ? Bucket(value, name) : null;

    private static Ec2.Ec2TokenBucketLimit Bucket(JsonElement json, string name)
    {
        if (json.ValueKind != JsonValueKind.Object
            || !json.TryGetProperty("capacity", out var capacity) || capacity.ValueKind != JsonValueKind.Number
            || !json.TryGetProperty("refillPerSecond", out var refill) || refill.ValueKind != JsonValueKind.Number
            || json.EnumerateObject().Count() != 2)
        {
            throw new ArgumentException($"'{name}' is {{\"capacity\": N, \"refillPerSecond\": R}}, not {json.GetRawText()}.");
        }

        try
        {
            return new Ec2.Ec2TokenBucketLimit(capacity.GetDouble(), refill.GetDouble());
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new ArgumentException($"'{name}': {ex.Message.Split(Environment.NewLine)[0]}", ex);
        }
    }

    private static Dictionary<string, Ec2.Ec2TokenBucketLimit> MergeBuckets(JsonElement json, string name, IReadOnlyDictionary<string, Ec2.Ec2TokenBucketLimit> defaults, IReadOnlyCollection<string> allowed)
    {
        var merged = new Dictionary<string, Ec2.Ec2TokenBucketLimit>(defaults, StringComparer.Ordinal);
        if (!json.TryGetProperty(name, out var entries))
        {
            return merged;
        }

        if (entries.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"'{name}' is an object of action names, not {entries.GetRawText()}.");
        }

        foreach (var entry in entries.EnumerateObject())
        {
            if (!allowed.Contains(entry.Name))
            {
                throw new ArgumentException($"'{name}' names '{entry.Name}', which is not one of: {string.Join(", ", allowed.Order(StringComparer.Ordinal))}.");
            }

            merged[entry.Name] = Bucket(entry.Value, name + "." + entry.Name);
        }

        return merged;
    }

    /// <summary><c>{"offsetSeconds": N}</c>: the sandbox clock runs N seconds ahead of real time.</summary>
    private SandboxHttpResponse SetClock(JsonElement json)
    {
        var offset = TimeSpan.FromSeconds(json.TryGetProperty("offsetSeconds", out var value) ? value.GetDouble() : 0);
        _server.Clock = () => DateTimeOffset.UtcNow + offset;
        return Ok(new Dictionary<string, object?> { ["offsetSeconds"] = offset.TotalSeconds });
    }

    private SandboxHttpResponse AddVpc(JsonElement json)
    {
        var vpcId = _server.AddVpc(RequiredString(json, "accountId"), RequiredString(json, "region"), OptionalString(json, "cidrBlock") ?? "10.0.0.0/16");
        return Ok(new Dictionary<string, object?> { ["vpcId"] = vpcId });
    }

    private SandboxHttpResponse AddInstance(JsonElement json)
    {
        var interfaces = json.TryGetProperty("networkInterfaces", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => (IReadOnlyList<string>)e.EnumerateArray().Select(g => g.GetString() ?? string.Empty).ToList()).ToList()
            : throw new ArgumentException("networkInterfaces must be an array of arrays of security group ids.");
        Dictionary<string, string>? tags = null;
        if (json.TryGetProperty("tags", out var tagObject) && tagObject.ValueKind == JsonValueKind.Object)
        {
            tags = tagObject.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);
        }

        var instanceId = _server.AddInstance(RequiredString(json, "accountId"), RequiredString(json, "region"), interfaces, tags);
        return Ok(new Dictionary<string, object?> { ["instanceId"] = instanceId });
    }

    /// <summary>
    /// <c>{"accountId","region","sizeGiB","volumeType","iops","throughput","encrypted","tags":{},"instanceId","device","deleteOnTermination"}</c>.
    /// </summary>
    private SandboxHttpResponse AddVolume(JsonElement json)
    {
        var spec = new SandboxVolumeSpec(
            OptionalInt(json, "sizeGiB") ?? 8,
            OptionalString(json, "volumeType") ?? "gp3",
            OptionalInt(json, "iops"),
            OptionalInt(json, "throughput"),
            OptionalBool(json, "encrypted") ?? false)
        {
            Tags = OptionalTags(json) ?? new Dictionary<string, string>(StringComparer.Ordinal),
        };
        var volumeId = _server.AddVolume(
            RequiredString(json, "accountId"),
            RequiredString(json, "region"),
            spec,
            OptionalString(json, "instanceId"),
            OptionalString(json, "device") ?? "/dev/sdf",
            OptionalBool(json, "deleteOnTermination") ?? false);
        return Ok(new Dictionary<string, object?> { ["volumeId"] = volumeId });
    }

    /// <summary><c>{"accountId","region","volumeId","public","sharedWith":["123456789012"],"tags":{}}</c>.</summary>
    private SandboxHttpResponse AddSnapshot(JsonElement json)
    {
        var shared = json.TryGetProperty("sharedWith", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToList()
            : null;
        var snapshotId = _server.AddSnapshot(
            RequiredString(json, "accountId"),
            RequiredString(json, "region"),
            RequiredString(json, "volumeId"),
            OptionalBool(json, "public") ?? false,
            shared,
            OptionalTags(json));
        return Ok(new Dictionary<string, object?> { ["snapshotId"] = snapshotId });
    }

    /// <summary><c>{"accountId","region","name","value","type"?,"keyId"?}</c>: puts a Parameter Store parameter (SecureString by default).</summary>
    private SandboxHttpResponse PutParameter(JsonElement json)
    {
        var arn = _server.PutParameter(
            RequiredString(json, "accountId"),
            RequiredString(json, "region"),
            RequiredString(json, "name"),
            RequiredString(json, "value"),
            OptionalString(json, "type") ?? "SecureString",
            OptionalString(json, "keyId"));
        return Ok(new Dictionary<string, object?> { ["arn"] = arn });
    }

    /// <summary><c>{"creatingDescribeCalls": N}</c>: new DynamoDB tables answer CREATING to the first N DescribeTable calls.</summary>
    private SandboxHttpResponse SetDynamoDb(JsonElement json)
    {
        if (OptionalInt(json, "creatingDescribeCalls") is { } calls)
        {
            _server.DynamoDbCreatingDescribeCalls = calls;
        }

        return Ok(new Dictionary<string, object?> { ["creatingDescribeCalls"] = _server.DynamoDbCreatingDescribeCalls });
    }

    /// <summary><c>{"delayMs": N}</c>: EC2 transitions (stop, start, attach, detach, snapshot, create volume) take N ms.</summary>
    private SandboxHttpResponse SetTransitionDelay(JsonElement json)
    {
        _server.TransitionDelay = TimeSpan.FromMilliseconds(json.TryGetProperty("delayMs", out var value) ? value.GetDouble() : 0);
        return Ok(new Dictionary<string, object?> { ["delayMs"] = _server.TransitionDelay.TotalMilliseconds });
    }

    /// <summary>The instance id of <c>/_sandbox/instances/&lt;id&gt;/launcher</c>, else null.</summary>
    private static string? LauncherPath(string path)
    {
        const string prefix = "/_sandbox/instances/";
        const string suffix = "/launcher";
        return path.StartsWith(prefix, StringComparison.Ordinal) && path.EndsWith(suffix, StringComparison.Ordinal) && path.Length > prefix.Length + suffix.Length
            ? path[prefix.Length..^suffix.Length]
            : null;
    }

    /// <summary><c>{"command": "executable", "arguments": ["..."]}</c>; a null or absent command turns the launcher off.</summary>
    private SandboxHttpResponse SetInstanceLauncher(JsonElement json)
    {
        var command = OptionalString(json, "command");
        var arguments = json.TryGetProperty("arguments", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => e.GetString() ?? throw new ArgumentException("'arguments' must be an array of strings.")).ToList()
            : [];
        _server.InstanceLauncher = command is null ? null : new SandboxInstanceLauncher(command, arguments);
        return InstanceLauncher();
    }

    private SandboxHttpResponse InstanceLauncher()
    {
        var launcher = _server.InstanceLauncher;
        return Ok(new Dictionary<string, object?> { ["command"] = launcher?.Command, ["arguments"] = launcher?.Arguments ?? [] });
    }

    /// <summary><c>{"accountId","region","keyName"}</c>: a key pair RunInstances' KeyName may name.</summary>
    private SandboxHttpResponse AddKeyPair(JsonElement json)
    {
        var keyName = RequiredString(json, "keyName");
        _server.AddKeyPair(RequiredString(json, "accountId"), RequiredString(json, "region"), keyName);
        return Ok(new Dictionary<string, object?> { ["keyName"] = keyName });
    }

    /// <summary>
    /// <c>{"accountId","region","name","type"?,"tags"?}</c>: a load balancer; type classic (the default), application,
    /// network or gateway. Returns its name, and its ARN for a v2 load balancer.
    /// </summary>
    private SandboxHttpResponse AddLoadBalancer(JsonElement json)
    {
        var type = OptionalString(json, "type") ?? "classic";
        var (accountId, region, name) = (RequiredString(json, "accountId"), RequiredString(json, "region"), RequiredString(json, "name"));
        if (type == "classic")
        {
            var dnsName = _server.AddClassicLoadBalancer(accountId, region, name, OptionalTags(json));
            return Ok(new Dictionary<string, object?> { ["name"] = name, ["dnsName"] = dnsName });
        }

        var arn = _server.AddLoadBalancerV2(accountId, region, name, type, OptionalTags(json));
        return Ok(new Dictionary<string, object?> { ["name"] = name, ["arn"] = arn });
    }

    /// <summary><c>{"accountId","region","name","kmsKeyId"?,"tags"?:{}}</c>: a Kinesis data stream (ACTIVE).</summary>
    private SandboxHttpResponse AddKinesisStream(JsonElement json)
    {
        var arn = _server.AddKinesisStream(RequiredString(json, "accountId"), RequiredString(json, "region"), RequiredString(json, "name"), OptionalString(json, "kmsKeyId"), OptionalTags(json));
        return Ok(new Dictionary<string, object?> { ["streamArn"] = arn });
    }

    /// <summary><c>{"accountId","region","name","policy"?: string|object,"tags"?:{}}</c>: an SQS queue with a queue policy.</summary>
    private SandboxHttpResponse AddQueue(JsonElement json)
    {
        string? policy = null;
        if (json.TryGetProperty("policy", out var value))
        {
            policy = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Object => value.GetRawText(),
                JsonValueKind.Null => null,
                _ => throw new ArgumentException("policy is a JSON string or object: " + value.GetRawText(), nameof(json)),
            };
        }

        var url = _server.AddQueue(RequiredString(json, "accountId"), RequiredString(json, "region"), RequiredString(json, "name"), policy, OptionalTags(json));
        return Ok(new Dictionary<string, object?> { ["queueUrl"] = url });
    }

    /// <summary><c>{"accountId","name","expiration","path"?,"tags"?}</c>: a server certificate expiring at <c>expiration</c> (ISO 8601); returns its ARN.</summary>
    private SandboxHttpResponse AddServerCertificate(JsonElement json)
    {
        var expiration = DateTimeOffset.Parse(RequiredString(json, "expiration"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var arn = _server.AddServerCertificate(RequiredString(json, "accountId"), RequiredString(json, "name"), expiration, OptionalString(json, "path") ?? "/", OptionalTags(json));
        return Ok(new Dictionary<string, object?> { ["arn"] = arn });
    }

    /// <summary><c>{"accountId","count"}</c>: how many access keys the account's root user has (0 to 2).</summary>
    private SandboxHttpResponse SetRootAccessKeys(JsonElement json)
    {
        var count = json.TryGetProperty("count", out var value) ? value.GetInt32() : throw new ArgumentException("count is required.");
        _server.SetRootAccessKeys(RequiredString(json, "accountId"), count);
        return Ok(new Dictionary<string, object?> { ["count"] = count });
    }

    /// <summary><c>{"accountId","homeRegion","name","s3BucketName","isMultiRegionTrail"?,"isOrganizationTrail"?,"kmsKeyId"?,"tags"?}</c>: a CloudTrail trail.</summary>
    private SandboxHttpResponse AddTrail(JsonElement json)
    {
        var arn = _server.AddTrail(
            RequiredString(json, "accountId"),
            RequiredString(json, "homeRegion"),
            RequiredString(json, "name"),
            RequiredString(json, "s3BucketName"),
            OptionalBool(json, "isMultiRegionTrail") ?? false,
            OptionalBool(json, "isOrganizationTrail") ?? false,
            OptionalString(json, "kmsKeyId"),
            OptionalTags(json));
        return Ok(new Dictionary<string, object?> { ["trailArn"] = arn });
    }

    /// <summary>
    /// <c>{"accountId","region","name","legacy":bool,"objectOwnership":string|null,"acl":canned,"grants":[{"accountId"|"id"|"uri"|"group"|"email","permission"}],
    /// "publicAccessBlock":{"blockPublicAcls",...}|null,"encryption":{"algorithm","kmsMasterKeyId","bucketKeyEnabled"}|null,"policy":string|object,
    /// "tags":{},"logging":{"targetBucket","targetPrefix"}}</c>: seeds a bucket. Absent settings are as S3 creates buckets today
    /// (or, with <c>legacy</c>, as older buckets are); an explicit null means none.
    /// </summary>
    private SandboxHttpResponse AddS3Bucket(JsonElement json)
    {
        var spec = OptionalBool(json, "legacy") == true ? SandboxS3BucketSpec.Legacy : new SandboxS3BucketSpec();
        foreach (var property in json.EnumerateObject())
        {
            var value = property.Value;
            var isNull = value.ValueKind == JsonValueKind.Null;
            spec = property.Name switch
            {
                "accountId" or "region" or "name" or "legacy" => spec,
                "objectOwnership" => spec with { ObjectOwnership = isNull ? null : value.GetString() },
                "acl" => spec with { CannedAcl = isNull ? null : value.GetString() },
                "grants" => spec with { Grants = isNull ? null : value.EnumerateArray().Select(S3Grant).ToList() },
                "publicAccessBlock" => spec with
                {
                    PublicAccessBlock = isNull ? null : new SandboxS3PublicAccessBlock(
                        OptionalBool(value, "blockPublicAcls") ?? false,
                        OptionalBool(value, "ignorePublicAcls") ?? false,
                        OptionalBool(value, "blockPublicPolicy") ?? false,
                        OptionalBool(value, "restrictPublicBuckets") ?? false),
                },
                "encryption" => spec with
                {
                    Encryption = isNull ? null : new SandboxS3Encryption(RequiredString(value, "algorithm"), OptionalString(value, "kmsMasterKeyId"), OptionalBool(value, "bucketKeyEnabled") ?? false),
                },
                "policy" => spec with { Policy = isNull ? null : value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText() },
                "tags" => spec with { Tags = isNull ? null : OptionalTags(json) },
                "logging" => spec with { Logging = isNull ? null : new SandboxS3Logging(RequiredString(value, "targetBucket"), OptionalString(value, "targetPrefix") ?? string.Empty) },
                _ => throw new ArgumentException($"Unknown bucket setting '{property.Name}'."),
            };
        }

        var name = RequiredString(json, "name");
        _server.AddS3Bucket(RequiredString(json, "accountId"), OptionalString(json, "region") ?? "us-east-1", name, spec);
        return Ok(new Dictionary<string, object?> { ["name"] = name });
    }

    private static SandboxS3Grant S3Grant(JsonElement grant)
    {
        var permission = RequiredString(grant, "permission");
        if (OptionalString(grant, "accountId") is { } account)
        {
            return SandboxS3Grant.Account(account, permission);
        }

        if (OptionalString(grant, "id") is { } id)
        {
            return new SandboxS3Grant("CanonicalUser", id, permission);
        }

        if (OptionalString(grant, "group") is { } group)
        {
            return group switch
            {
                "AllUsers" => SandboxS3Grant.AllUsers(permission),
                "AuthenticatedUsers" => SandboxS3Grant.AuthenticatedUsers(permission),
                "LogDelivery" => SandboxS3Grant.LogDelivery(permission),
                _ => throw new ArgumentException($"'{group}' is not a group (AllUsers, AuthenticatedUsers, LogDelivery)."),
            };
        }

        if (OptionalString(grant, "uri") is { } uri)
        {
            return new SandboxS3Grant("Group", uri, permission);
        }

        return OptionalString(grant, "email") is { } email
            ? new SandboxS3Grant("AmazonCustomerByEmail", email, permission)
            : throw new ArgumentException("A grant names its grantee with 'accountId', 'id', 'group', 'uri' or 'email'.");
    }

    private static int? OptionalInt(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static bool? OptionalBool(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static Dictionary<string, string>? OptionalTags(JsonElement json) =>
        json.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Object
            ? tags.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal)
            : null;

    /// <summary>
    /// <c>{"accountId","region","service","action","parameters":{wire name: value}}</c>: runs the action as
    /// the account's root without a signature and returns AWS's XML response and status.
    /// </summary>
    private SandboxHttpResponse Invoke(JsonElement json)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (json.TryGetProperty("parameters", out var values) && values.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in values.EnumerateObject())
            {
                parameters[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        return _router.InvokeAsRoot(
            RequiredString(json, "accountId"),
            OptionalString(json, "region") ?? "us-east-1",
            RequiredString(json, "service"),
            RequiredString(json, "action"),
            parameters);
    }

    private static string? OptionalString(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string RequiredString(JsonElement json, string name) =>
        OptionalString(json, name) ?? throw new ArgumentException($"'{name}' is required.");

    private static SandboxHttpResponse Ok(Dictionary<string, object?> body) =>
        new(200, "application/json", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)));

    private static SandboxHttpResponse Error(int status, string message) =>
        new(status, "application/json", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = message })));
}
