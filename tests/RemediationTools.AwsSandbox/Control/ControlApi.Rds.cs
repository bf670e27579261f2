using System.Text.Json;
using RemediationTools.AwsSandbox.Http;

namespace RemediationTools.AwsSandbox.Control;

internal sealed partial class ControlApi
{
    /// <summary><c>{"accountId","region","identifier","engine"?,"backupRetentionPeriod"?,"tags"?}</c>: a DB cluster; returns its ARN.</summary>
    private SandboxHttpResponse AddDBCluster(JsonElement json)
    {
        var arn = _server.AddDBCluster(
            RequiredString(json, "accountId"),
            RequiredString(json, "region"),
            RequiredString(json, "identifier"),
            OptionalString(json, "engine") ?? "aurora-mysql",
            OptionalInt(json, "backupRetentionPeriod") ?? 1,
            OptionalTags(json));
        return Ok(new Dictionary<string, object?> { ["arn"] = arn });
    }

    /// <summary>
    /// <c>{"accountId","region","identifier","engine"?,"clusterIdentifier"?,"publiclyAccessible"?,"autoMinorVersionUpgrade"?,
    /// "backupRetentionPeriod"?,"tags"?}</c>: an available DB instance; returns its ARN.
    /// </summary>
    private SandboxHttpResponse AddDBInstance(JsonElement json)
    {
        var arn = _server.AddDBInstance(
            RequiredString(json, "accountId"),
            RequiredString(json, "region"),
            RequiredString(json, "identifier"),
            OptionalString(json, "engine") ?? "mysql",
            OptionalString(json, "clusterIdentifier"),
            OptionalBool(json, "publiclyAccessible") ?? false,
            OptionalBool(json, "autoMinorVersionUpgrade") ?? true,
            OptionalInt(json, "backupRetentionPeriod") ?? 1,
            OptionalTags(json));
        return Ok(new Dictionary<string, object?> { ["arn"] = arn });
    }

    /// <summary><c>{"accountId","region","identifier","sourceIdentifier","cluster"?,"restore"?:[...],"encrypted"?,"tags"?}</c>: a manual snapshot; returns its ARN.</summary>
    private SandboxHttpResponse AddDBSnapshot(JsonElement json)
    {
        var restore = json.TryGetProperty("restore", out var values) && values.ValueKind == JsonValueKind.Array
            ? values.EnumerateArray().Select(v => v.GetString() ?? throw new ArgumentException("restore holds strings only (account IDs or \"all\").")).ToList()
            : new List<string>();
        var arn = _server.AddDBSnapshot(
            RequiredString(json, "accountId"),
            RequiredString(json, "region"),
            RequiredString(json, "identifier"),
            RequiredString(json, "sourceIdentifier"),
            OptionalBool(json, "cluster") ?? false,
            restore,
            OptionalBool(json, "encrypted") ?? false,
            OptionalTags(json));
        return Ok(new Dictionary<string, object?> { ["arn"] = arn });
    }
}
