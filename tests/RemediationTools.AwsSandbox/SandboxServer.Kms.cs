using System.Text.Json.Nodes;
using RemediationTools.AwsSandbox.Kms;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox;

public sealed partial class SandboxServer
{
    /// <summary>
    /// Seeds a KMS key as it would exist in the account (not counted, never faulted): any key spec, usage, origin
    /// (AWS_KMS, EXTERNAL, AWS_CLOUDHSM), manager (AWS for an AWS managed key, CUSTOMER) and state (Enabled, Disabled,
    /// PendingDeletion, PendingImport, ...), rotation on or off, an alias, a key policy (KMS's default when null) and tags.
    /// Returns the key ID.
    /// </summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The key's region.</param>
    /// <param name="keySpec">SYMMETRIC_DEFAULT, RSA_*, ECC_*, HMAC_* or SM2.</param>
    /// <param name="keyUsage">The usage; defaulted from the spec when null where KMS defaults it (RSA and ECC: SIGN_VERIFY).</param>
    /// <param name="origin">AWS_KMS, EXTERNAL (imported material) or AWS_CLOUDHSM.</param>
    /// <param name="keyManager">CUSTOMER or AWS.</param>
    /// <param name="keyState">The key state.</param>
    /// <param name="rotationEnabled">Whether automatic rotation is on.</param>
    /// <param name="alias">An alias (<c>alias/...</c>; <c>alias/aws/...</c> for an AWS managed key), or null.</param>
    /// <param name="policy">The key policy, or null for KMS's default.</param>
    /// <param name="tags">Tags, or null.</param>
    public string AddKmsKey(
        string accountId,
        string region,
        string keySpec = "SYMMETRIC_DEFAULT",
        string? keyUsage = null,
        string origin = "AWS_KMS",
        string keyManager = "CUSTOMER",
        string keyState = "Enabled",
        bool rotationEnabled = false,
        string? alias = null,
        string? policy = null,
        IReadOnlyDictionary<string, string>? tags = null)
    {
        if (keyManager is not ("CUSTOMER" or "AWS"))
        {
            throw new ArgumentException($"A key manager is CUSTOMER or AWS, not '{keyManager}'.", nameof(keyManager));
        }

        if (keyState is not ("Enabled" or "Disabled" or "PendingDeletion" or "PendingImport" or "PendingReplicaDeletion" or "Unavailable" or "Updating" or "Creating"))
        {
            throw new ArgumentException($"'{keyState}' is not a KMS key state.", nameof(keyState));
        }

        if (alias is not null && !alias.StartsWith("alias/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"An alias name starts with alias/: '{alias}'.", nameof(alias));
        }

        if (alias is not null && alias.StartsWith("alias/aws/", StringComparison.Ordinal) != (keyManager == "AWS"))
        {
            throw new ArgumentException($"Aliases alias/aws/* name AWS managed keys only, and AWS managed keys have no other alias: '{alias}'.", nameof(alias));
        }

        string usage;
        try
        {
            var defaultUsage = keyUsage ?? (keySpec.StartsWith("RSA_", StringComparison.Ordinal) || keySpec.StartsWith("ECC_", StringComparison.Ordinal) || keySpec == "SM2" ? "SIGN_VERIFY" : null);
            usage = KmsService.ValidateSpec(keySpec, defaultUsage, origin);
            if (policy is not null)
            {
                KmsKeyPolicy.Validate(policy);
            }
        }
        catch (AwsServiceError error)
        {
            throw new ArgumentException(error.Message, nameof(keySpec), error);
        }

        lock (_state.Gate)
        {
            var regional = _state.Kms(accountId, region);
            if (alias is not null && regional.Aliases.ContainsKey(alias))
            {
                throw new ArgumentException($"The alias {alias} exists already in {accountId}/{region}.", nameof(alias));
            }

            var key = new SandboxKmsKey
            {
                KeyId = Guid.NewGuid().ToString(),
                AccountId = accountId,
                Region = region,
                KeySpec = keySpec,
                KeyUsage = usage,
                Origin = origin,
                KeyManager = keyManager,
                KeyState = keyState,
                CreationDate = _state.Now,
                DeletionDate = keyState == "PendingDeletion" ? _state.Now.AddDays(30) : null,
                RotationEnabled = rotationEnabled || keyManager == "AWS",
                NextRotationDate = rotationEnabled || keyManager == "AWS" ? _state.Now.AddDays(365) : null,
                Description = keyManager == "AWS" && alias is not null ? "Default key that protects my " + alias["alias/aws/".Length..] + " data when no other key is defined" : string.Empty,
                Policy = policy ?? SandboxKmsKey.DefaultPolicy(accountId),
                Tags = tags?.Select(t => new KeyValuePair<string, string>(t.Key, t.Value)).ToList() ?? [],
            };
            regional.Keys[key.KeyId] = key;
            if (alias is not null)
            {
                regional.Aliases[alias] = new SandboxKmsAlias { AliasName = alias, TargetKeyId = key.KeyId, CreationDate = _state.Now };
            }

            return key.KeyId;
        }
    }

    /// <summary>The keys of an account in a region as DescribeKey shows them, with rotation, policy, aliases and tags (for assertions).</summary>
    public IReadOnlyList<SandboxKmsKeyView> KmsKeys(string accountId, string region)
    {
        lock (_state.Gate)
        {
            if (!_state.KmsRegions.TryGetValue((accountId, region), out var regional))
            {
                return [];
            }

            return regional.Keys.Values.OrderBy(k => k.CreationDate).ThenBy(k => k.KeyId, StringComparer.Ordinal).Select(k => new SandboxKmsKeyView(
                k.KeyId,
                k.Arn,
                k.KeySpec,
                k.KeyManager,
                k.KeyState,
                k.RotationEnabled,
                k.Policy,
                regional.Aliases.Values.Where(a => a.TargetKeyId == k.KeyId).Select(a => a.AliasName).ToList(),
                k.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal))).ToList();
        }
    }

    /// <summary>The keys of every account and region as JSON, for the control API.</summary>
    internal string DumpKmsKeys()
    {
        lock (_state.Gate)
        {
            var all = new JsonArray();
            foreach (var ((accountId, region), regional) in _state.KmsRegions.OrderBy(p => p.Key.AccountId, StringComparer.Ordinal).ThenBy(p => p.Key.Region, StringComparer.Ordinal))
            {
                foreach (var key in regional.Keys.Values.OrderBy(k => k.CreationDate))
                {
                    var json = KmsService.Metadata(key);
                    json["Region"] = region;
                    json["KeyRotationEnabled"] = key.RotationEnabled;
                    json["Policy"] = key.Policy;
                    json["Aliases"] = new JsonArray(regional.Aliases.Values.Where(a => a.TargetKeyId == key.KeyId).Select(a => (JsonNode)a.AliasName).ToArray());
                    all.Add(json);
                }
            }

            return all.ToJsonString();
        }
    }
}

/// <summary>A KMS key of the sandbox, for assertions.</summary>
/// <param name="KeyId">The key ID.</param>
/// <param name="Arn">The key ARN.</param>
/// <param name="KeySpec">The key spec.</param>
/// <param name="KeyManager">AWS or CUSTOMER.</param>
/// <param name="KeyState">The key state.</param>
/// <param name="RotationEnabled">Whether automatic rotation is on.</param>
/// <param name="Policy">The key policy.</param>
/// <param name="Aliases">The aliases that name the key.</param>
/// <param name="Tags">The key's tags.</param>
public sealed record SandboxKmsKeyView(string KeyId, string Arn, string KeySpec, string KeyManager, string KeyState, bool RotationEnabled, string Policy, IReadOnlyList<string> Aliases, IReadOnlyDictionary<string, string> Tags);
