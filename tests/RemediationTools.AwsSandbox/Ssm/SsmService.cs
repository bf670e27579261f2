using System.Globalization;
using System.Text;
using System.Text.Json;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Ssm;

/// <summary>
/// AWS Systems Manager over AWS JSON 1.1 (<c>X-Amz-Target: AmazonSSM.&lt;Action&gt;</c>), as the module calls it:
/// GetParameter. IAM: <c>ssm:GetParameter</c> on <c>arn:aws:ssm:&lt;region&gt;:&lt;account&gt;:parameter/&lt;name&gt;</c>
/// (checked before the parameter is looked up); a SecureString is decrypted only with <c>WithDecryption</c> true, and
/// then needs <c>kms:Decrypt</c> on its key, except the AWS managed key <c>aws/ssm</c>, whose key policy grants Decrypt
/// to every IAM principal of the account. Without decryption the value is the ciphertext.
/// </summary>
internal sealed class SsmService
{
    /// <summary>The X-Amz-Target prefix of the service.</summary>
    public const string TargetPrefix = "AmazonSSM.";

    /// <summary>Handles the call or throws <see cref="AwsServiceError"/>; null when the action is unknown.</summary>
    public static string? Handle(AwsRequestContext context, JsonElement body) => context.Action switch
    {
        "GetParameter" => GetParameter(context, body),
        _ => null,
    };

    /// <summary>The ARN of parameter <paramref name="name"/>: a leading slash is not repeated after <c>parameter</c>.</summary>
    public static string ParameterArn(string region, string accountId, string name) =>
        "arn:aws:ssm:" + region + ":" + accountId + ":parameter" + (name.StartsWith('/') ? name : "/" + name);

    /// <summary>What GetParameter returns for a SecureString read without decryption (stands in for the KMS ciphertext).</summary>
    public static string Ciphertext(SsmParameter parameter) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("sandbox-kms:" + parameter.KeyId + ":").Concat(Encoding.UTF8.GetBytes(parameter.Value).Reverse()).ToArray());

    private static string GetParameter(AwsRequestContext context, JsonElement body)
    {
        var requested = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("Name", out var nameValue) && nameValue.ValueKind == JsonValueKind.String
            ? nameValue.GetString() ?? string.Empty
            : string.Empty;
        if (requested.Length == 0 || requested.Length > 2048)
        {
            throw new AwsServiceError(400, "ValidationException", "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length between 1 and 2048");
        }

        var withDecryption = body.TryGetProperty("WithDecryption", out var decrypt) && decrypt.ValueKind == JsonValueKind.True;
        var name = requested;
        if (requested.StartsWith("arn:", StringComparison.Ordinal))
        {
            // arn:aws:ssm:<region>:<account>:parameter/<name>; a name with a slash keeps it.
            var parts = requested.Split(':', 6);
            var marker = parts.Length == 6 ? parts[5].IndexOf("parameter/", StringComparison.Ordinal) : -1;
            if (marker != 0 || parts[3] != context.Region || parts[4] != context.Caller.AccountId)
            {
                throw new AwsServiceError(400, "ValidationException", "Parameter ARN " + requested + " is not valid for this account and region.");
            }

            var rest = parts[5].Substring("parameter/".Length);
            name = rest.Contains('/') ? "/" + rest : rest;
        }

        var arn = ParameterArn(context.Region, context.Caller.AccountId, name);
        Require(context, "ssm:GetParameter", arn);
        var regionState = context.Account.SsmRegions.TryGetValue(context.Region, out var state) ? state : null;
        if (regionState is null || !regionState.Parameters.TryGetValue(name, out var parameter))
        {
            throw new AwsServiceError(400, "ParameterNotFound", string.Empty);
        }

        var value = parameter.Value;
        if (parameter.Type == "SecureString")
        {
            if (withDecryption)
            {
                if (!string.Equals(parameter.KeyId, SsmParameter.DefaultKeyId, StringComparison.Ordinal))
                {
                    var keyArn = parameter.KeyId!.StartsWith("arn:", StringComparison.Ordinal)
                        ? parameter.KeyId
                        : "arn:aws:kms:" + context.Region + ":" + context.Caller.AccountId + ":key/" + parameter.KeyId;
                    Require(context, "kms:Decrypt", keyArn);
                }
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
                ["DataType"] = "text",
                ["LastModifiedDate"] = parameter.LastModified.ToUnixTimeMilliseconds() / 1000.0,
                ["Name"] = parameter.Name,
                ["Type"] = parameter.Type,
                ["Value"] = value,
                ["Version"] = parameter.Version,
            },
        });
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
