using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Kms;

/// <summary>
/// AWS KMS over AWS JSON 1.1 (<c>X-Amz-Target: TrentService.&lt;Op&gt;</c>), as the module calls it: CreateKey,
/// DescribeKey (key ID, key ARN, alias name or alias ARN), GetKeyRotationStatus, EnableKeyRotation, DisableKeyRotation
/// (key ID or ARN; asymmetric, HMAC, imported-material and custom-key-store keys: UnsupportedOperationException; AWS
/// managed keys: UnsupportedOperationException on a change, always true when read; a disabled key: DisabledException;
/// pending deletion or import: KMSInvalidStateException), CreateAlias, ListAliases, GetKeyPolicy, PutKeyPolicy and
/// ListResourceTags. Authorization: the key policy, which delegates to IAM through a statement naming the account
/// (the default policy); CreateKey and ListAliases by IAM on <c>*</c>; CreateAlias on the alias and the key.
/// </summary>
internal static partial class KmsService
{
    public const string TargetPrefix = "TrentService.";

    public static string? Handle(AwsRequestContext context, JsonElement body) => context.Action switch
    {
        "CreateKey" => CreateKey(context, body),
        "DescribeKey" => DescribeKey(context, body),
        "GetKeyRotationStatus" => GetKeyRotationStatus(context, body),
        "EnableKeyRotation" => SetRotation(context, body, enable: true),
        "DisableKeyRotation" => SetRotation(context, body, enable: false),
        "CreateAlias" => CreateAlias(context, body),
        "ListAliases" => ListAliases(context, body),
        "GetKeyPolicy" => GetKeyPolicy(context, body),
        "PutKeyPolicy" => PutKeyPolicy(context, body),
        "ListResourceTags" => ListResourceTags(context, body),
        _ => null,
    };

    /// <summary>
    /// The key <paramref name="keyId"/> names in <paramref name="region"/>: a key ID, a key ARN, or (with
    /// <paramref name="allowAlias"/>) an alias name or alias ARN. Throws NotFoundException as KMS does.
    /// </summary>
    public static SandboxKmsKey Resolve(SandboxState state, string accountId, string region, string keyId, bool allowAlias)
    {
        var owner = accountId;
        var name = keyId;
        if (keyId.StartsWith("arn:", StringComparison.Ordinal))
        {
            var match = ArnPattern().Match(keyId);
            if (!match.Success)
            {
                throw new AwsServiceError(400, "NotFoundException", $"Invalid arn {keyId}");
            }

            if (match.Groups["region"].Value != region)
            {
                throw new AwsServiceError(400, "NotFoundException", $"Invalid arn {keyId}: the key is not in {region}");
            }

            owner = match.Groups["account"].Value;
            name = match.Groups["resource"].Value;
        }

        if (name.StartsWith("alias/", StringComparison.Ordinal))
        {
            var aliasArn = $"arn:aws:kms:{region}:{owner}:{name}";
            if (!allowAlias)
            {
                throw new AwsServiceError(400, "NotFoundException", $"Invalid keyId {keyId}");
            }

            return state.KmsRegions.TryGetValue((owner, region), out var regional) && regional.Aliases.TryGetValue(name, out var alias)
                && regional.Keys.TryGetValue(alias.TargetKeyId, out var aliased)
                ? aliased
                : throw new AwsServiceError(400, "NotFoundException", $"Alias {aliasArn} is not found.");
        }

        var id = name.StartsWith("key/", StringComparison.Ordinal) ? name[4..] : name;
        if (!KeyIdPattern().IsMatch(id) || (name != id && !keyId.StartsWith("arn:", StringComparison.Ordinal)))
        {
            throw new AwsServiceError(400, "NotFoundException", $"Invalid keyId {keyId}");
        }

        return state.KmsRegions.TryGetValue((owner, region), out var keys) && keys.Keys.TryGetValue(id, out var key)
            ? key
            : throw new AwsServiceError(400, "NotFoundException", $"Key 'arn:aws:kms:{region}:{owner}:key/{id}' does not exist");
    }

    /// <summary>The DescribeKey KeyMetadata of <paramref name="key"/>.</summary>
    public static JsonObject Metadata(SandboxKmsKey key)
    {
        var metadata = new JsonObject
        {
            ["AWSAccountId"] = key.AccountId,
            ["KeyId"] = key.KeyId,
            ["Arn"] = key.Arn,
            ["CreationDate"] = key.CreationDate.ToUnixTimeMilliseconds() / 1000.0,
            ["Enabled"] = key.KeyState == "Enabled",
            ["Description"] = key.Description,
            ["KeyUsage"] = key.KeyUsage,
            ["KeyState"] = key.KeyState,
            ["Origin"] = key.Origin,
            ["KeyManager"] = key.KeyManager,
            ["CustomerMasterKeySpec"] = key.KeySpec,
            ["KeySpec"] = key.KeySpec,
            ["MultiRegion"] = false,
        };
        if (key.DeletionDate is { } deletion)
        {
            metadata["DeletionDate"] = deletion.ToUnixTimeMilliseconds() / 1000.0;
        }

        if (key.KeyUsage == "ENCRYPT_DECRYPT")
        {
            metadata["EncryptionAlgorithms"] = key.IsSymmetricEncryption ? new JsonArray("SYMMETRIC_DEFAULT") : new JsonArray("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256");
        }
        else if (key.KeyUsage == "SIGN_VERIFY")
        {
            metadata["SigningAlgorithms"] = key.KeySpec.StartsWith("RSA", StringComparison.Ordinal) ? new JsonArray("RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PSS_SHA_256") : new JsonArray("ECDSA_SHA_256");
        }
        else if (key.KeyUsage == "GENERATE_VERIFY_MAC")
        {
            metadata["MacAlgorithms"] = new JsonArray(key.KeySpec.Replace("HMAC_", "HMAC_SHA_", StringComparison.Ordinal));
        }

        return metadata;
    }

    /// <summary>Checks a new key's spec, usage and origin as CreateKey does; returns the usage (defaulted).</summary>
    public static string ValidateSpec(string keySpec, string? keyUsage, string origin)
    {
        if (!SandboxKmsKey.KeySpecs.Contains(keySpec))
        {
            throw Validation($"1 validation error detected: Value '{keySpec}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", SandboxKmsKey.KeySpecs)}]");
        }

        if (origin is not ("AWS_KMS" or "EXTERNAL" or "AWS_CLOUDHSM" or "EXTERNAL_KEY_STORE"))
        {
            throw Validation($"1 validation error detected: Value '{origin}' at 'origin' failed to satisfy constraint: Member must satisfy enum value set: [AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE]");
        }

        var allowed = keySpec switch
        {
            "SYMMETRIC_DEFAULT" => new[] { "ENCRYPT_DECRYPT" },
            _ when keySpec.StartsWith("HMAC_", StringComparison.Ordinal) => ["GENERATE_VERIFY_MAC"],
            _ when keySpec.StartsWith("RSA_", StringComparison.Ordinal) => ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
            "SM2" => ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"],
            _ => ["SIGN_VERIFY", "KEY_AGREEMENT"],
        };
        var usage = keyUsage ?? (allowed.Length == 1 || keySpec == "SYMMETRIC_DEFAULT" ? allowed[0] : null)
            ?? throw Validation($"You must specify a KeyUsage value for an asymmetric KMS key with KeySpec {keySpec}.");
        if (!allowed.Contains(usage))
        {
            throw Validation($"KeyUsage {usage} is not compatible with KeySpec {keySpec}.");
        }

        if (origin != "AWS_KMS" && keySpec != "SYMMETRIC_DEFAULT" && origin != "EXTERNAL")
        {
            throw new AwsServiceError(400, "UnsupportedOperationException", $"KeySpec {keySpec} is not supported for Origin {origin}.");
        }

        return usage;
    }

    private static string CreateKey(AwsRequestContext context, JsonElement body)
    {
        if (!context.IsControl)
        {
            Authorizer.Require(context, "kms:CreateKey", "*");
        }

        var keySpec = String(body, "KeySpec") ?? String(body, "CustomerMasterKeySpec") ?? "SYMMETRIC_DEFAULT";
        var origin = String(body, "Origin") ?? "AWS_KMS";
        var usage = ValidateSpec(keySpec, String(body, "KeyUsage"), origin);
        if (origin is "AWS_CLOUDHSM" or "EXTERNAL_KEY_STORE" && String(body, "CustomKeyStoreId") is null)
        {
            throw new AwsServiceError(400, "CustomKeyStoreNotFoundException", $"A key with Origin {origin} needs a CustomKeyStoreId.");
        }

        var keyId = Guid.NewGuid().ToString();
        var arn = $"arn:aws:kms:{context.Region}:{context.Caller.AccountId}:key/{keyId}";
        var policy = String(body, "Policy") ?? SandboxKmsKey.DefaultPolicy(context.Caller.AccountId);
        if (policy.Length > 32768)
        {
            throw Validation("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 32768");
        }

        KmsKeyPolicy.Validate(policy);
        if (!(body.TryGetProperty("BypassPolicyLockoutSafetyCheck", out var bypass) && bypass.ValueKind == JsonValueKind.True))
        {
            KmsKeyPolicy.CheckLockout(policy, context.Caller, arn);
        }

        var tags = Tags(body);
        if (tags.Count > 0 && !context.IsControl)
        {
            Authorizer.Require(context, "kms:TagResource", arn);
        }

        var key = new SandboxKmsKey
        {
            KeyId = keyId,
            AccountId = context.Caller.AccountId,
            Region = context.Region,
            KeySpec = keySpec,
            KeyUsage = usage,
            Origin = origin,
            KeyState = origin == "EXTERNAL" ? "PendingImport" : "Enabled",
            Description = String(body, "Description") ?? string.Empty,
            CreationDate = context.Now,
            Policy = policy,
            Tags = tags,
        };
        context.State.Kms(key.AccountId, key.Region).Keys[keyId] = key;
        return new JsonObject { ["KeyMetadata"] = Metadata(key) }.ToJsonString();
    }

    private static string DescribeKey(AwsRequestContext context, JsonElement body)
    {
        var key = Find(context, body, allowAlias: true);
        KmsKeyPolicy.Require(context, key, "kms:DescribeKey");
        return new JsonObject { ["KeyMetadata"] = Metadata(key) }.ToJsonString();
    }

    private static string GetKeyRotationStatus(AwsRequestContext context, JsonElement body)
    {
        var key = Find(context, body, allowAlias: false);
        KmsKeyPolicy.Require(context, key, "kms:GetKeyRotationStatus");
        if (key.RotationUnsupportedReason is { } reason)
        {
            throw new AwsServiceError(400, "UnsupportedOperationException", reason);
        }

        if (key.KeyState is "PendingImport" or "Unavailable" or "Creating")
        {
            throw InvalidState(key);
        }

        var enabled = key.KeyManager == "AWS" || key.RotationEnabled;
        var result = new JsonObject { ["KeyRotationEnabled"] = enabled, ["KeyId"] = key.Arn };
        if (enabled)
        {
            result["RotationPeriodInDays"] = key.RotationPeriodInDays;
            if (key.NextRotationDate is { } next && key.KeyState == "Enabled")
            {
                result["NextRotationDate"] = next.ToUnixTimeMilliseconds() / 1000.0;
            }
        }

        return result.ToJsonString();
    }

    private static string SetRotation(AwsRequestContext context, JsonElement body, bool enable)
    {
        var key = Find(context, body, allowAlias: false);
        var action = enable ? "kms:EnableKeyRotation" : "kms:DisableKeyRotation";
        KmsKeyPolicy.Require(context, key, action);
        if (key.KeyManager == "AWS")
        {
            throw new AwsServiceError(400, "UnsupportedOperationException", $"{key.Arn} is an AWS managed key: its rotation is not configurable.");
        }

        if (key.RotationUnsupportedReason is { } reason)
        {
            throw new AwsServiceError(400, "UnsupportedOperationException", reason);
        }

        if (key.KeyState == "Disabled")
        {
            throw new AwsServiceError(400, "DisabledException", $"{key.Arn} is disabled.");
        }

        if (key.KeyState != "Enabled")
        {
            throw InvalidState(key);
        }

        if (enable)
        {
            var period = body.TryGetProperty("RotationPeriodInDays", out var days) && days.ValueKind == JsonValueKind.Number ? days.GetInt32() : key.RotationEnabled ? key.RotationPeriodInDays : 365;
            if (period is < 90 or > 2560)
            {
                throw Validation($"1 validation error detected: Value '{period}' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560");
            }

            key.RotationEnabled = true;
            key.RotationPeriodInDays = period;
            key.NextRotationDate = context.Now.AddDays(period);
        }
        else
        {
            key.RotationEnabled = false;
            key.NextRotationDate = null;
        }

        return "{}";
    }

    private static string CreateAlias(AwsRequestContext context, JsonElement body)
    {
        var aliasName = String(body, "AliasName") ?? throw Validation("1 validation error detected: Value null at 'aliasName' failed to satisfy constraint: Member must not be null");
        var aliasArn = $"arn:aws:kms:{context.Region}:{context.Caller.AccountId}:{aliasName}";
        if (!AliasPattern().IsMatch(aliasName) || aliasName.Length > 256)
        {
            throw Validation($"1 validation error detected: Value '{aliasName}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$");
        }

        if (aliasName.StartsWith("alias/aws/", StringComparison.Ordinal))
        {
            throw new AwsServiceError(400, "NotAuthorizedException", $"{aliasName} is a reserved alias name: alias/aws/ is for AWS managed keys.");
        }

        var target = String(body, "TargetKeyId") ?? throw Validation("1 validation error detected: Value null at 'targetKeyId' failed to satisfy constraint: Member must not be null");
        var key = Resolve(context.State, context.Caller.AccountId, context.Region, target, allowAlias: false);
        if (!context.IsControl)
        {
            Authorizer.Require(context, "kms:CreateAlias", aliasArn);
        }

        KmsKeyPolicy.Require(context, key, "kms:CreateAlias");
        if (key.KeyManager == "AWS")
        {
            throw new AwsServiceError(400, "NotAuthorizedException", $"{key.Arn} is an AWS managed key.");
        }

        if (key.KeyState == "PendingDeletion")
        {
            throw InvalidState(key);
        }

        var regional = context.State.Kms(context.Caller.AccountId, context.Region);
        if (regional.Aliases.ContainsKey(aliasName))
        {
            throw new AwsServiceError(400, "AlreadyExistsException", $"An alias with the name {aliasArn} already exists");
        }

        regional.Aliases[aliasName] = new SandboxKmsAlias { AliasName = aliasName, TargetKeyId = key.KeyId, CreationDate = context.Now };
        return "{}";
    }

    private static string ListAliases(AwsRequestContext context, JsonElement body)
    {
        var regional = context.State.Kms(context.Caller.AccountId, context.Region);
        IEnumerable<SandboxKmsAlias> aliases = regional.Aliases.Values;
        if (String(body, "KeyId") is { } keyId)
        {
            var key = Resolve(context.State, context.Caller.AccountId, context.Region, keyId, allowAlias: false);
            KmsKeyPolicy.Require(context, key, "kms:ListAliases");
            aliases = aliases.Where(a => a.TargetKeyId == key.KeyId);
        }
        else if (!context.IsControl)
        {
            Authorizer.Require(context, "kms:ListAliases", "*");
        }

        var (page, next) = Page(aliases.ToList(), body, a => a.AliasName);
        var result = new JsonObject
        {
            ["Aliases"] = new JsonArray(page.Select(a => (JsonNode)new JsonObject
            {
                ["AliasName"] = a.AliasName,
                ["AliasArn"] = $"arn:aws:kms:{context.Region}:{context.Caller.AccountId}:{a.AliasName}",
                ["TargetKeyId"] = a.TargetKeyId,
                ["CreationDate"] = a.CreationDate.ToUnixTimeMilliseconds() / 1000.0,
                ["LastUpdatedDate"] = a.CreationDate.ToUnixTimeMilliseconds() / 1000.0,
            }).ToArray()),
            ["Truncated"] = next is not null,
        };
        if (next is not null)
        {
            result["NextMarker"] = next;
        }

        return result.ToJsonString();
    }

    private static string GetKeyPolicy(AwsRequestContext context, JsonElement body)
    {
        var key = Find(context, body, allowAlias: false);
        KmsKeyPolicy.Require(context, key, "kms:GetKeyPolicy");
        var name = String(body, "PolicyName") ?? "default";
        if (name != "default")
        {
            throw new AwsServiceError(400, "NotFoundException", $"No such policy exists: {name}");
        }

        return new JsonObject { ["Policy"] = key.Policy, ["PolicyName"] = "default" }.ToJsonString();
    }

    private static string PutKeyPolicy(AwsRequestContext context, JsonElement body)
    {
        var key = Find(context, body, allowAlias: false);
        KmsKeyPolicy.Require(context, key, "kms:PutKeyPolicy");
        var name = String(body, "PolicyName") ?? "default";
        if (name != "default")
        {
            throw Validation($"1 validation error detected: Value '{name}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: default");
        }

        if (key.KeyManager == "AWS")
        {
            throw new AwsServiceError(400, "AccessDeniedException", $"The key policy of the AWS managed key {key.Arn} cannot be changed.");
        }

        if (key.KeyState == "PendingDeletion")
        {
            throw InvalidState(key);
        }

        var policy = String(body, "Policy") ?? throw Validation("1 validation error detected: Value null at 'policy' failed to satisfy constraint: Member must not be null");
        KmsKeyPolicy.Validate(policy);
        if (!(body.TryGetProperty("BypassPolicyLockoutSafetyCheck", out var bypass) && bypass.ValueKind == JsonValueKind.True))
        {
            KmsKeyPolicy.CheckLockout(policy, context.Caller, key.Arn);
        }

        key.Policy = policy;
        return "{}";
    }

    private static string ListResourceTags(AwsRequestContext context, JsonElement body)
    {
        var key = Find(context, body, allowAlias: false);
        KmsKeyPolicy.Require(context, key, "kms:ListResourceTags");
        var (page, next) = Page(key.Tags, body, t => t.Key);
        var result = new JsonObject
        {
            ["Tags"] = new JsonArray(page.Select(t => (JsonNode)new JsonObject { ["TagKey"] = t.Key, ["TagValue"] = t.Value }).ToArray()),
            ["Truncated"] = next is not null,
        };
        if (next is not null)
        {
            result["NextMarker"] = next;
        }

        return result.ToJsonString();
    }

    private static SandboxKmsKey Find(AwsRequestContext context, JsonElement body, bool allowAlias)
    {
        var keyId = String(body, "KeyId") is { Length: > 0 } id ? id : throw Validation("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
        return Resolve(context.State, context.Caller.AccountId, context.Region, keyId, allowAlias);
    }

    private static (List<T> Page, string? Next) Page<T>(IReadOnlyList<T> items, JsonElement body, Func<T, string> sortKey)
    {
        var limit = body.TryGetProperty("Limit", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt32() : 50;
        if (limit is < 1 or > 1000)
        {
            throw Validation($"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000");
        }

        limit = Math.Min(limit, 100);
        var start = 0;
        if (String(body, "Marker") is { } marker)
        {
            start = int.TryParse(marker, out var at) && at >= 0 && at <= items.Count ? at : throw new AwsServiceError(400, "InvalidMarkerException", "Invalid marker " + marker);
        }

        var ordered = items.OrderBy(sortKey, StringComparer.Ordinal).ToList();
        var page = ordered.Skip(start).Take(limit).ToList();
        return (page, start + page.Count < ordered.Count ? (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    private static List<KeyValuePair<string, string>> Tags(JsonElement body) =>
        body.TryGetProperty("Tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? tags.EnumerateArray().Select(t => new KeyValuePair<string, string>(String(t, "TagKey") ?? string.Empty, String(t, "TagValue") ?? string.Empty)).ToList()
            : [];

    private static AwsServiceError InvalidState(SandboxKmsKey key) => new(400, "KMSInvalidStateException", key.KeyState switch
    {
        "PendingDeletion" => $"{key.Arn} is pending deletion.",
        "PendingImport" => $"{key.Arn} is pending import.",
        _ => $"{key.Arn} is {key.KeyState}.",
    });

    private static AwsServiceError Validation(string message) => new(400, "ValidationException", message);

    private static string? String(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"^arn:aws[a-z-]*:kms:(?<region>[a-z0-9-]+):(?<account>\d{12}):(?<resource>(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+))$")]
    private static partial Regex ArnPattern();

    [GeneratedRegex(@"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^mrk-[0-9a-f]{32}$")]
    private static partial Regex KeyIdPattern();

    [GeneratedRegex(@"^alias/[a-zA-Z0-9/_-]+$")]
    private static partial Regex AliasPattern();
}
