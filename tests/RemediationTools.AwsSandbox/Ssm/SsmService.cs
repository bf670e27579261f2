using System.Globalization;
using System.Text;
using System.Text.Json;
using RemediationTools.AwsSandbox.Ec2;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Ssm;

/// <summary>
/// AWS Systems Manager over AWS JSON 1.1 (<c>X-Amz-Target: AmazonSSM.&lt;Action&gt;</c>), as the module calls it:
/// PutParameter, GetParameter, DeleteParameter, AddTagsToResource and ListTagsForResource. IAM: <c>ssm:&lt;Action&gt;</c> on
/// <c>arn:aws:ssm:&lt;region&gt;:&lt;account&gt;:parameter/&lt;name&gt;</c> (checked before the parameter is looked up); a
/// SecureString is decrypted only with <c>WithDecryption</c> true, and then needs <c>kms:Decrypt</c> on its key (and
/// PutParameter <c>kms:Encrypt</c>), except the AWS managed key <c>aws/ssm</c>, whose key policy grants both to every IAM
/// principal of the account. Without decryption the value is the ciphertext. The public parameters
/// <c>/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64</c> and <c>-arm64</c> exist in every region for
/// every account, with the ARN <c>arn:aws:ssm:&lt;region&gt;::parameter/aws/service/...</c>.
/// </summary>
internal sealed class SsmService
{
    /// <summary>The X-Amz-Target prefix of the service.</summary>
    public const string TargetPrefix = "AmazonSSM.";

    /// <summary>Parameter Store's standard tier limit on a value.</summary>
    public const int MaxStandardValueLength = 4096;

    /// <summary>Handles the call or throws <see cref="AwsServiceError"/>; null when the action is unknown.</summary>
    public static string? Handle(AwsRequestContext context, JsonElement body) => context.Action switch
    {
        "GetParameter" => GetParameter(context, body),
        "PutParameter" => PutParameter(context, body),
        "DeleteParameter" => DeleteParameter(context, body),
        "AddTagsToResource" => AddTagsToResource(context, body),
        "ListTagsForResource" => ListTagsForResource(context, body),
        _ => null,
    };

    /// <summary>The ARN of parameter <paramref name="name"/>: a leading slash is not repeated after <c>parameter</c>.</summary>
    public static string ParameterArn(string region, string accountId, string name) =>
        "arn:aws:ssm:" + region + ":" + accountId + ":parameter" + (name.StartsWith('/') ? name : "/" + name);

    /// <summary>What GetParameter returns for a SecureString read without decryption (stands in for the KMS ciphertext).</summary>
    public static string Ciphertext(SsmParameter parameter) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("sandbox-kms:" + parameter.KeyId + ":").Concat(Encoding.UTF8.GetBytes(parameter.Value).Reverse()).ToArray());

    /// <summary>True for names under <c>/aws/service/</c>, the public parameters AWS publishes.</summary>
    public static bool IsPublic(string name) => name.StartsWith("/aws/service/", StringComparison.Ordinal);

    /// <summary>The public parameters of a region: the current Amazon Linux 2023 AMI per architecture.</summary>
    public static IReadOnlyList<SsmParameter> PublicParameters(string region) => Ec2Catalog.Architectures.Select(a => new SsmParameter
    {
        Name = Ec2Catalog.Al2023ParameterPrefix + a,
        Type = "String",
        Value = Ec2Catalog.Image(region, a).ImageId,
        Version = 94,
        LastModified = new DateTimeOffset(2024, 11, 22, 0, 41, 22, TimeSpan.Zero),
    }).ToList();

    private static string GetParameter(AwsRequestContext context, JsonElement body)
    {
        var name = ResolveName(context, RequiredName(body));
        var withDecryption = body.TryGetProperty("WithDecryption", out var decrypt) && decrypt.ValueKind == JsonValueKind.True;
        var isPublic = IsPublic(name);
        var arn = isPublic ? ParameterArn(context.Region, string.Empty, name) : ParameterArn(context.Region, context.Caller.AccountId, name);
        Require(context, "ssm:GetParameter", arn);
        var parameter = isPublic
            ? PublicParameters(context.Region).FirstOrDefault(p => p.Name == name)
            : Find(context, name);
        if (parameter is null)
        {
            throw new AwsServiceError(400, "ParameterNotFound", string.Empty);
        }

        var value = parameter.Value;
        if (parameter.Type == "SecureString")
        {
            if (withDecryption)
            {
                RequireKey(context, "kms:Decrypt", parameter.KeyId!);
            }
            else
            {
                value = Ciphertext(parameter);
            }
        }

        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["Parameter"] = new Dictionary<string, object?>
            {
                ["ARN"] = arn,
                ["DataType"] = isPublic ? "aws:ec2:image" : "text",
                ["LastModifiedDate"] = parameter.LastModified.ToUnixTimeMilliseconds() / 1000.0,
                ["Name"] = parameter.Name,
                ["Type"] = parameter.Type,
                ["Value"] = value,
                ["Version"] = parameter.Version,
            },
        });
    }

    private static string PutParameter(AwsRequestContext context, JsonElement body)
    {
        var name = RequiredName(body);
        CheckWritableName(name);
        var value = OptionalString(body, "Value") ?? throw Validation("1 validation error detected: Value null at 'value' failed to satisfy constraint: Member must not be null");
        if (value.Length == 0)
        {
            throw Validation("1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1");
        }

        if (value.Length > MaxStandardValueLength)
        {
            throw Validation("Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html");
        }

        var type = OptionalString(body, "Type");
        if (type is not (null or "String" or "StringList" or "SecureString"))
        {
            throw Validation($"1 validation error detected: Value '{type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]");
        }

        var tier = OptionalString(body, "Tier") ?? "Standard";
        if (tier is not ("Standard" or "Intelligent-Tiering"))
        {
            throw Validation("The sandbox emulates the Standard tier only, not '" + tier + "'.");
        }

        var overwrite = body.TryGetProperty("Overwrite", out var overwriteValue) && overwriteValue.ValueKind == JsonValueKind.True;
        var tags = Tags(body);
        if (overwrite && tags is not null)
        {
            throw Validation("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");
        }

        var arn = ParameterArn(context.Region, context.Caller.AccountId, name);
        Require(context, "ssm:PutParameter", arn);
        if (tags is not null)
        {
            Require(context, "ssm:AddTagsToResource", arn);
        }

        var regionState = RegionState(context);
        regionState.Parameters.TryGetValue(name, out var existing);
        if (existing is not null && !overwrite)
        {
            throw new AwsServiceError(400, "ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
        }

        type ??= existing?.Type ?? throw Validation("A parameter type is required when you create a parameter.");
        var keyId = OptionalString(body, "KeyId");
        if (keyId is not null && type != "SecureString")
        {
            throw Validation("KeyId is required for SecureString type parameter only.");
        }

        if (type == "SecureString")
        {
            keyId ??= existing?.Type == "SecureString" ? existing.KeyId : SsmParameter.DefaultKeyId;
            RequireKey(context, "kms:Encrypt", keyId!);
        }

        var version = (existing?.Version ?? 0) + 1;
        regionState.Parameters[name] = new SsmParameter
        {
            Name = name,
            Type = type,
            Value = value,
            KeyId = type == "SecureString" ? keyId : null,
            Version = version,
            LastModified = context.Now,
            Description = OptionalString(body, "Description") ?? existing?.Description,
            Tags = tags ?? existing?.Tags ?? [],
        };
        return JsonSerializer.Serialize(new Dictionary<string, object?> { ["Tier"] = "Standard", ["Version"] = version });
    }

    private static string DeleteParameter(AwsRequestContext context, JsonElement body)
    {
        var name = ResolveName(context, RequiredName(body));
        Require(context, "ssm:DeleteParameter", ParameterArn(context.Region, context.Caller.AccountId, name));
        if (Find(context, name) is null)
        {
            throw new AwsServiceError(400, "ParameterNotFound", string.Empty);
        }

        RegionState(context).Parameters.Remove(name);
        return "{}";
    }

    private static string AddTagsToResource(AwsRequestContext context, JsonElement body)
    {
        var parameter = TaggedParameter(context, body, "ssm:AddTagsToResource");
        var tags = Tags(body) ?? throw Validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
        foreach (var tag in tags)
        {
            parameter.Tags.RemoveAll(t => t.Key == tag.Key);
            parameter.Tags.Add(tag);
        }

        if (parameter.Tags.Count > 50)
        {
            throw new AwsServiceError(400, "TooManyTagsError", "The Tags parameter contains too many entries.");
        }

        return "{}";
    }

    private static string ListTagsForResource(AwsRequestContext context, JsonElement body)
    {
        var parameter = TaggedParameter(context, body, "ssm:ListTagsForResource");
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["TagList"] = parameter.Tags.Select(t => new Dictionary<string, string> { ["Key"] = t.Key, ["Value"] = t.Value }).ToList(),
        });
    }

    private static SsmParameter TaggedParameter(AwsRequestContext context, JsonElement body, string action)
    {
        if (OptionalString(body, "ResourceType") != "Parameter")
        {
            throw new AwsServiceError(400, "InvalidResourceType", "The resource type is not valid; the sandbox tags parameters only.");
        }

        var name = ResolveName(context, OptionalString(body, "ResourceId") ?? throw Validation("1 validation error detected: Value null at 'resourceId' failed to satisfy constraint: Member must not be null"));
        Require(context, action, ParameterArn(context.Region, context.Caller.AccountId, name));
        return Find(context, name) ?? throw new AwsServiceError(400, "InvalidResourceId", "The resource ID is not valid. Verify that you entered the correct ID and try again.");
    }

    private static string RequiredName(JsonElement body)
    {
        var name = OptionalString(body, "Name") ?? string.Empty;
        if (name.Length == 0 || name.Length > 2048)
        {
            throw Validation("1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length between 1 and 2048");
        }

        return name;
    }

    /// <summary>A name, or an ARN <c>arn:aws:ssm:&lt;region&gt;:&lt;account&gt;:parameter/&lt;name&gt;</c> (a name with a slash keeps it).</summary>
    private static string ResolveName(AwsRequestContext context, string requested)
    {
        if (!requested.StartsWith("arn:", StringComparison.Ordinal))
        {
            return requested;
        }

        var parts = requested.Split(':', 6);
        var marker = parts.Length == 6 ? parts[5].IndexOf("parameter/", StringComparison.Ordinal) : -1;
        if (marker != 0 || parts[3] != context.Region)
        {
            throw Validation("Parameter ARN " + requested + " is not valid for this account and region.");
        }

        var rest = parts[5].Substring("parameter/".Length);
        var name = rest.Contains('/') ? "/" + rest : rest;
        if (parts[4] != context.Caller.AccountId && !(parts[4].Length == 0 && IsPublic(name)))
        {
            throw Validation("Parameter ARN " + requested + " is not valid for this account and region.");
        }

        return name;
    }

    /// <summary>Names that begin with aws or ssm (in any case) are reserved, as Parameter Store documents.</summary>
    private static void CheckWritableName(string name)
    {
        var trimmed = name.TrimStart('/');
        if (trimmed.StartsWith("aws", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("ssm", StringComparison.OrdinalIgnoreCase))
        {
            throw Validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_");
        }

        if (name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '/')) || name.Contains("//", StringComparison.Ordinal) || (name.Contains('/') && !name.StartsWith('/')))
        {
            throw Validation($"Parameter name: '{name}' is not valid. If formed as a path, it must begin with a slash and consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_");
        }
    }

    private static List<KeyValuePair<string, string>>? Tags(JsonElement body)
    {
        if (!body.TryGetProperty("Tags", out var tags) || tags.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        return tags.EnumerateArray()
            .Select(t => new KeyValuePair<string, string>(OptionalString(t, "Key") ?? string.Empty, OptionalString(t, "Value") ?? string.Empty))
            .ToList();
    }

    private static SsmParameter? Find(AwsRequestContext context, string name) =>
        context.Account.SsmRegions.TryGetValue(context.Region, out var state) && state.Parameters.TryGetValue(name, out var parameter) ? parameter : null;

    private static SsmRegionState RegionState(AwsRequestContext context)
    {
        if (!context.Account.SsmRegions.TryGetValue(context.Region, out var state))
        {
            state = new SsmRegionState();
            context.Account.SsmRegions[context.Region] = state;
        }

        return state;
    }

    private static string? OptionalString(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static AwsServiceError Validation(string message) => new(400, "ValidationException", message);

    /// <summary>kms:Encrypt / kms:Decrypt on a customer key; the AWS managed key aws/ssm needs no permission of its own.</summary>
    private static void RequireKey(AwsRequestContext context, string action, string keyId)
    {
        if (string.Equals(keyId, SsmParameter.DefaultKeyId, StringComparison.Ordinal))
        {
            return;
        }

        var keyArn = keyId.StartsWith("arn:", StringComparison.Ordinal)
            ? keyId
            : "arn:aws:kms:" + context.Region + ":" + context.Caller.AccountId + ":" + (keyId.StartsWith("alias/", StringComparison.Ordinal) ? keyId : "key/" + keyId);
        Require(context, action, keyArn);
    }

    private static void Require(AwsRequestContext context, string action, string resource)
    {
        var decision = Authorizer.Decide(context.State, context.Caller, action, resource);
        if (decision != PolicyDecision.Allow)
        {
            var reason = decision == PolicyDecision.ExplicitDeny
                ? "with an explicit deny in an identity-based policy"
                : "because no identity-based policy allows the " + action + " action";
            throw new AwsServiceError(400, "AccessDeniedException", string.Format(CultureInfo.InvariantCulture,
                "User: {0} is not authorized to perform: {1} on resource: {2} {3}", context.Caller.Arn, action, resource, reason));
        }
    }
}
