namespace RemediationTools.AwsSandbox.Elbv2;

/// <summary>
/// The attribute keys of each ELBv2 load balancer type with the defaults a new load balancer has (the ELBv2 API
/// reference, LoadBalancerAttribute). Access logs exist for application and network load balancers only.
/// </summary>
internal static class Elbv2Attributes
{
    private static readonly (string Key, string Default)[] Application =
    [
        ("access_logs.s3.enabled", "false"),
        ("access_logs.s3.bucket", string.Empty),
        ("access_logs.s3.prefix", string.Empty),
        ("client_keep_alive.seconds", "3600"),
        ("connection_logs.s3.enabled", "false"),
        ("connection_logs.s3.bucket", string.Empty),
        ("connection_logs.s3.prefix", string.Empty),
        ("deletion_protection.enabled", "false"),
        ("idle_timeout.timeout_seconds", "60"),
        ("load_balancing.cross_zone.enabled", "true"),
        ("routing.http.desync_mitigation_mode", "defensive"),
        ("routing.http.drop_invalid_header_fields.enabled", "false"),
        ("routing.http.preserve_host_header.enabled", "false"),
        ("routing.http.x_amzn_tls_version_and_cipher_suite.enabled", "false"),
        ("routing.http.xff_client_port.enabled", "false"),
        ("routing.http.xff_header_processing.mode", "append"),
        ("routing.http2.enabled", "true"),
        ("waf.fail_open.enabled", "false"),
        ("zonal_shift.config.enabled", "false"),
    ];

    private static readonly (string Key, string Default)[] Network =
    [
        ("access_logs.s3.enabled", "false"),
        ("access_logs.s3.bucket", string.Empty),
        ("access_logs.s3.prefix", string.Empty),
        ("deletion_protection.enabled", "false"),
        ("dns_record.client_routing_policy", "any_availability_zone"),
        ("load_balancing.cross_zone.enabled", "false"),
        ("zonal_shift.config.enabled", "false"),
    ];

    private static readonly (string Key, string Default)[] Gateway =
    [
        ("deletion_protection.enabled", "false"),
        ("load_balancing.cross_zone.enabled", "false"),
    ];

    public static readonly IReadOnlyList<string> Types = ["application", "network", "gateway"];

    public static IReadOnlyList<(string Key, string Default)> For(string type) => type switch
    {
        "application" => Application,
        "network" => Network,
        "gateway" => Gateway,
        _ => throw new ArgumentException($"A load balancer's type is application, network or gateway, not '{type}'.", nameof(type)),
    };

    /// <summary>Null when <paramref name="value"/> suits <paramref name="key"/>, else why not.</summary>
    public static string? Invalid(string key, string value)
    {
        if (key.EndsWith(".enabled", StringComparison.Ordinal))
        {
            return value is "true" or "false" ? null : $"'{value}' is not a valid value for {key}: true or false";
        }

        return key switch
        {
            "idle_timeout.timeout_seconds" => Number(value, 1, 4000, key),
            "client_keep_alive.seconds" => Number(value, 60, 604800, key),
            "routing.http.desync_mitigation_mode" => value is "monitor" or "defensive" or "strictest" ? null : $"'{value}' is not a valid value for {key}",
            "routing.http.xff_header_processing.mode" => value is "append" or "preserve" or "remove" ? null : $"'{value}' is not a valid value for {key}",
            "dns_record.client_routing_policy" => value is "availability_zone_affinity" or "partial_availability_zone_affinity" or "any_availability_zone" ? null : $"'{value}' is not a valid value for {key}",
            "access_logs.s3.prefix" or "connection_logs.s3.prefix" => value.Contains("AWSLogs", StringComparison.Ordinal) || value.StartsWith('/') || value.EndsWith('/')
                ? $"The prefix '{value}' for {key} must not contain 'AWSLogs' nor start or end with '/'"
                : null,
            _ => null,
        };
    }

    private static string? Number(string value, int min, int max, string key) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? null
            : $"'{value}' is not a valid value for {key}: a number from {min} to {max}";
}
