namespace RemediationTools;

/// <summary>
/// How to start workers for a group, returned once when the group is created or its secret is reset. The client secret
/// is never part of <see cref="DockerRunCommand"/>, <see cref="ProcessCommand"/> or <see cref="Environment"/>: they
/// read it from <see cref="ClientSecretFile"/> (named by the variable <see cref="ClientSecretVariable"/>).
/// </summary>
public sealed class WorkerGroupDeployment
{
    /// <summary>The worker group.</summary>
    public string GroupName { get; set; } = string.Empty;

    /// <summary>The group's client ID.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The environment variable that names the client secret file when a worker starts (<c>REMEDIATION_CLIENT_SECRET_FILE</c>).</summary>
    public string ClientSecretVariable { get; set; } = string.Empty;

    /// <summary>
    /// The file the commands read the client secret from: written owner-only by <c>-ClientSecretPath</c>, or by you (see
    /// about_RemediationTools) before the first worker starts.
    /// </summary>
    public string ClientSecretFile { get; set; } = string.Empty;

    /// <summary>A <c>docker run</c> command that starts a worker container for the group (the secret file is mounted read-only).</summary>
    public string DockerRunCommand { get; set; } = string.Empty;

    /// <summary>The command that starts a worker process on this machine; it names the secret file, not the secret.</summary>
    public string ProcessCommand { get; set; } = string.Empty;

    /// <summary>The environment variables a worker needs, except the client secret.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The client secret, shown once, as a SecureString (<c>ConvertFrom-SecureString -AsPlainText</c> reveals it).
    /// Set by the cmdlets from <see cref="PlainClientSecret"/>.
    /// </summary>
    public System.Security.SecureString? ClientSecret { get; set; }

    /// <summary>
    /// The client secret in plain text. Internal so that it is never written by accident: the cmdlets turn it into
    /// <see cref="ClientSecret"/>.
    /// </summary>
    internal string PlainClientSecret { get; set; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => GroupName;
}
