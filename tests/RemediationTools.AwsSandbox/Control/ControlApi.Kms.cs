using System.Text.Json;
using RemediationTools.AwsSandbox.Http;

namespace RemediationTools.AwsSandbox.Control;

internal sealed partial class ControlApi
{
    /// <summary>
    /// <c>{"accountId","region","keySpec"?,"keyUsage"?,"origin"?,"keyManager"?,"keyState"?,"rotationEnabled"?,"alias"?,"policy"?,"tags"?}</c>:
    /// a KMS key (<see cref="SandboxServer.AddKmsKey"/>); returns its key ID and ARN.
    /// </summary>
    private SandboxHttpResponse AddKmsKey(JsonElement json)
    {
        var (accountId, region) = (RequiredString(json, "accountId"), RequiredString(json, "region"));
        var keyId = _server.AddKmsKey(
            accountId,
            region,
            OptionalString(json, "keySpec") ?? "SYMMETRIC_DEFAULT",
            OptionalString(json, "keyUsage"),
            OptionalString(json, "origin") ?? "AWS_KMS",
            OptionalString(json, "keyManager") ?? "CUSTOMER",
            OptionalString(json, "keyState") ?? "Enabled",
            OptionalBool(json, "rotationEnabled") ?? false,
            OptionalString(json, "alias"),
            OptionalString(json, "policy"),
            OptionalTags(json));
        return Ok(new Dictionary<string, object?> { ["keyId"] = keyId, ["arn"] = $"arn:aws:kms:{region}:{accountId}:key/{keyId}" });
    }
}
