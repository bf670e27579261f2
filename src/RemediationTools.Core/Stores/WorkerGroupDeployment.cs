namespace RemediationTools;

/// <summary>
/// How to start workers for a group, returned once when the group is created or its secret is reset. The client secret
/// is never part of <see cref="DockerRunCommand"/>, <see cref="ProcessCommand"/> or <see cref="Environment"/>: they
/// take it from the variable named by <see cref="ClientSecretVariable"/>.
/// </summary>
public sealed class WorkerGroupDeployment
{
    /// <summary>The worker group.</summary>
    public string GroupName { get; set; } = string.Empty;

    /// <summary>The group's client ID.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The environment variable that must hold the client secret when a worker starts.</summary>
    public string ClientSecretVariable { get; set; } = string.Empty;

    /// <summary>A <c>docker run</c> command that starts a worker container for the group (the secret is passed from the environment).</summary>
    public string DockerRunCommand { get; set; } = string.Empty;

    /// <summary>The command that starts a worker process on this machine (after setting <see cref="Environment"/> and the secret variable).</summary>
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
