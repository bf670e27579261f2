using System.Globalization;
using System.Net;
using System.Text.Json;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>
/// Bucket policies: what PutBucketPolicy accepts (MalformedPolicy with S3's messages otherwise) and whether a policy
/// is public as the S3 user guide's "The meaning of public" defines it: an Allow to <c>"*"</c> (or <c>{"AWS":"*"}</c>,
/// or a NotPrincipal) is public unless a condition fixes it to known values: <c>aws:SourceIp</c> limited to
/// non-public CIDR blocks (IPv4 /8 or longer, IPv6 /32 or longer), or a fixed <c>aws:SourceArn</c>, <c>aws:SourceVpc</c>,
/// <c>aws:SourceVpce</c>, <c>aws:SourceOwner</c>, <c>aws:SourceAccount</c>, <c>s3:x-amz-server-side-encryption-aws-kms-key-id</c>,
/// <c>aws:userid</c> (not of the pattern "AROLEID:*"), <c>aws:PrincipalOrgID</c>, <c>aws:PrincipalAccount</c>,
/// <c>aws:PrincipalArn</c> (fixed: an equality operator, or a Like operator without wildcards).
/// </summary>
internal static class S3BucketPolicy
{
    public const int MaxSize = 20 * 1024;

    private static readonly HashSet<string> FixingKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceOwner", "aws:SourceAccount",
        "s3:x-amz-server-side-encryption-aws-kms-key-id", "aws:userid", "aws:PrincipalOrgID", "aws:PrincipalAccount", "aws:PrincipalArn",
    };

    private static readonly HashSet<string> FixedOperators = new(StringComparer.OrdinalIgnoreCase)
    {
        "StringEquals", "StringEqualsIgnoreCase", "ArnEquals", "StringLike", "ArnLike",
    };

    /// <summary>Throws MalformedPolicy unless S3 would store <paramref name="text"/> as the policy of <paramref name="bucket"/>.</summary>
    public static void Validate(string text, string bucket)
    {
        if (text.Length > MaxSize)
        {
            throw Malformed("Policies cannot exceed 20 KB in size");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw Malformed("Policies must be valid JSON and the first byte must be '{'");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("Policies must be valid JSON and the first byte must be '{'");
            }

            if (root.TryGetProperty("Version", out var version) && version.GetString() is not ("2012-10-17" or "2008-10-17"))
            {
                throw Malformed("The policy must contain a valid version string");
            }

            if (!root.TryGetProperty("Statement", out var statements))
            {
                throw Malformed("Missing required field Statement");
            }

            var list = statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray().ToList() : [statements];
            if (list.Count == 0 || list.Any(s => s.ValueKind != JsonValueKind.Object))
            {
                throw Malformed("Missing required field Statement");
            }

            foreach (var statement in list)
            {
                ValidateStatement(statement, bucket);
            }
        }
    }

    /// <summary>True when <paramref name="text"/> (a valid policy) is public.</summary>
    public static bool IsPublic(string text)
    {
        using var document = JsonDocument.Parse(text);
        var statements = document.RootElement.GetProperty("Statement");
        var list = statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray().ToList() : [statements];
        return list.Any(IsPublicStatement);
    }

    /// <summary>An Allow to everyone that no condition fixes.</summary>
    public static bool IsPublicStatement(JsonElement statement)
    {
        if (!statement.TryGetProperty("Effect", out var effect) || effect.GetString() != "Allow")
        {
            return false;
        }

        var toEveryone = statement.TryGetProperty("NotPrincipal", out _)
            || (statement.TryGetProperty("Principal", out var principal) && NamesEveryone(principal));
        if (!toEveryone)
        {
            return false;
        }

        return !(statement.TryGetProperty("Condition", out var condition) && condition.ValueKind == JsonValueKind.Object && Fixes(condition));
    }

    private static bool NamesEveryone(JsonElement principal)
    {
        if (principal.ValueKind == JsonValueKind.String)
        {
            return principal.GetString() == "*";
        }

        if (principal.ValueKind != JsonValueKind.Object || !principal.TryGetProperty("AWS", out var aws))
        {
            return false;
        }

        return aws.ValueKind == JsonValueKind.Array ? aws.EnumerateArray().Any(a => a.GetString() == "*") : aws.GetString() == "*";
    }

    private static bool Fixes(JsonElement condition)
    {
        foreach (var block in condition.EnumerateObject())
        {
            if (block.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var op = block.Name;
            foreach (var entry in block.Value.EnumerateObject())
            {
                var values = Values(entry.Value);
                if (values.Count == 0)
                {
                    continue;
                }

                if (string.Equals(entry.Name, "aws:SourceIp", StringComparison.OrdinalIgnoreCase))
                {
                    if (string.Equals(op, "IpAddress", StringComparison.OrdinalIgnoreCase) && values.All(IsNonPublicCidr))
                    {
                        return true;
                    }

                    continue;
                }

                if (!FixingKeys.Contains(entry.Name) || !FixedOperators.Contains(op) || values.Any(v => v.Contains('*', StringComparison.Ordinal) || v.Contains('?', StringComparison.Ordinal)))
                {
                    continue;
                }

                if (string.Equals(entry.Name, "aws:userid", StringComparison.OrdinalIgnoreCase) && values.Any(v => v.EndsWith(":*", StringComparison.Ordinal)))
                {
                    continue;
                }

                return true;
            }
        }

        return false;
    }

    private static List<string> Values(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()).ToList(),
        JsonValueKind.String => [value.GetString()!],
        _ => [value.GetRawText()],
    };

    private static bool IsNonPublicCidr(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? cidr : cidr[..slash];
        if (!IPAddress.TryParse(address, out var ip))
        {
            return false;
        }

        var ipv6 = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var prefix = slash < 0 ? (ipv6 ? 128 : 32) : int.Parse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
        return ipv6 ? prefix >= 32 : prefix >= 8;
    }

    private static void ValidateStatement(JsonElement statement, string bucket)
    {
        var effect = statement.TryGetProperty("Effect", out var e) ? e.GetString() : null;
        if (effect is null)
        {
            throw Malformed("Missing required field Effect");
        }

        if (effect is not ("Allow" or "Deny"))
        {
            throw Malformed("Invalid effect: " + effect);
        }

        var hasPrincipal = statement.TryGetProperty("Principal", out var principal);
        if (!hasPrincipal && !statement.TryGetProperty("NotPrincipal", out principal))
        {
            throw Malformed("Missing required field Principal");
        }

        ValidatePrincipal(principal);
        var hasAction = statement.TryGetProperty("Action", out var actions);
        if (!hasAction && !statement.TryGetProperty("NotAction", out actions))
        {
            throw Malformed("Missing required field Action");
        }

        foreach (var action in Values(actions))
        {
            if (action != "*" && !action.StartsWith("s3:", StringComparison.OrdinalIgnoreCase) && !action.StartsWith("s3express:", StringComparison.OrdinalIgnoreCase))
            {
                throw Malformed("Policy has invalid action");
            }
        }

        var hasResource = statement.TryGetProperty("Resource", out var resources);
        if (!hasResource && !statement.TryGetProperty("NotResource", out resources))
        {
            throw Malformed("Missing required field Resource");
        }

        foreach (var resource in Values(resources))
        {
            if (!IsResourceOf(resource, bucket))
            {
                throw Malformed("Policy has invalid resource");
            }
        }

        if (statement.TryGetProperty("Condition", out var condition)
            && (condition.ValueKind != JsonValueKind.Object || condition.EnumerateObject().Any(b => b.Value.ValueKind != JsonValueKind.Object)))
        {
            throw Malformed("Invalid Condition");
        }
    }

    private static void ValidatePrincipal(JsonElement principal)
    {
        if (principal.ValueKind == JsonValueKind.String)
        {
            if (principal.GetString() != "*")
            {
                throw Malformed("Invalid principal in policy");
            }

            return;
        }

        if (principal.ValueKind != JsonValueKind.Object || !principal.EnumerateObject().Any())
        {
            throw Malformed("Invalid principal in policy");
        }

        foreach (var kind in principal.EnumerateObject())
        {
            if (kind.Name is not ("AWS" or "Service" or "CanonicalUser" or "Federated"))
            {
                throw Malformed("Invalid principal in policy");
            }

            foreach (var value in Values(kind.Value))
            {
                var valid = kind.Name switch
                {
                    "AWS" => value == "*" || (value.Length == 12 && value.All(char.IsAsciiDigit)) || IsIamPrincipalArn(value),
                    "Service" => value.Contains('.', StringComparison.Ordinal),
                    "CanonicalUser" => value.Length == 64 && value.All(Uri.IsHexDigit),
                    _ => value.Length > 0,
                };
                if (!valid)
                {
                    throw Malformed("Invalid principal in policy");
                }
            }
        }
    }

    private static bool IsIamPrincipalArn(string value)
    {
        var parts = value.Split(':', 6);
        return parts.Length == 6 && parts[0] == "arn" && parts[1] is "aws" or "aws-cn" or "aws-us-gov" && parts[2] is "iam" or "sts"
            && parts[4].Length == 12 && parts[4].All(char.IsAsciiDigit) && parts[5].Length > 0;
    }

    /// <summary>True for <c>arn:&lt;partition&gt;:s3:::&lt;bucket&gt;</c> and <c>…:&lt;bucket&gt;/&lt;key pattern&gt;</c>.</summary>
    private static bool IsResourceOf(string resource, string bucket)
    {
        foreach (var partition in new[] { "aws", "aws-cn", "aws-us-gov" })
        {
            var prefix = "arn:" + partition + ":s3:::" + bucket;
            if (resource == prefix || resource.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static S3Error Malformed(string message) => new(400, "MalformedPolicy", message);
}
