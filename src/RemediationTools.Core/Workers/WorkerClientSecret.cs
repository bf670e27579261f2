using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Workers;

/// <summary>Where a worker's client secret comes from: exactly one of the value, a file or an SSM SecureString.</summary>
internal enum ClientSecretOrigin
{
    /// <summary>The value itself (<c>REMEDIATION_CLIENT_SECRET</c>, kept for compatibility).</summary>
    Value,

    /// <summary>A file holding only the secret (<c>REMEDIATION_CLIENT_SECRET_FILE</c>, the container secrets convention).</summary>
    File,

    /// <summary>An SSM Parameter Store SecureString read with the worker's own AWS credentials (<c>REMEDIATION_CLIENT_SECRET_PARAMETER</c>).</summary>
    Parameter,
}

/// <summary>One source of the client secret and the name it was given by (a variable or a parameter), for error messages.</summary>
internal sealed class ClientSecretSource
{
    /// <summary>Creates the source.</summary>
    public ClientSecretSource(ClientSecretOrigin origin, string value, string givenAs)
    {
        Origin = origin;
        Value = value;
        GivenAs = givenAs;
    }

    /// <summary>Value, file or parameter.</summary>
    public ClientSecretOrigin Origin { get; }

    /// <summary>The secret itself, the file's path or the parameter's name or ARN.</summary>
    public string Value { get; }

    /// <summary>The environment variable or cmdlet parameter that gave it.</summary>
    public string GivenAs { get; }
}

/// <summary>
/// Reads a worker's client secret from the one source it is given: the value, a file (its content, trailing newline
/// trimmed) or an SSM SecureString (GetParameter WithDecryption with the worker's own AWS credentials). Errors name the
/// variable and the path or parameter, never the content.
/// </summary>
internal static class WorkerClientSecret
{
    /// <summary>The environment variable naming a file that holds the client secret.</summary>
    public const string FileVariable = "REMEDIATION_CLIENT_SECRET_FILE";

    /// <summary>The environment variable naming an SSM Parameter Store SecureString that holds the client secret.</summary>
    public const string ParameterVariable = "REMEDIATION_CLIENT_SECRET_PARAMETER";

    /// <summary>Where the secret file is mounted in a worker container (the Docker and Compose secrets convention).</summary>
    public const string ContainerSecretFile = "/run/secrets/remediation-client-secret";

    // A client secret is a few dozen characters; a large file is the wrong file.
    private const int MaximumFileBytes = 64 * 1024;

    /// <summary>
    /// The source given by the environment: exactly one of <see cref="FileVariable"/>, <see cref="ParameterVariable"/>
    /// and <c>REMEDIATION_CLIENT_SECRET</c>. None, or more than one, throws <see cref="ArgumentException"/> naming them.
    /// </summary>
    public static ClientSecretSource FromEnvironment(Func<string, string?> variable)
    {
        if (variable is null)
        {
            throw new ArgumentNullException(nameof(variable));
        }

        return Choose(
            (ClientSecretOrigin.Value, variable(WorkerGroupService.ClientSecretVariable), WorkerGroupService.ClientSecretVariable),
            (ClientSecretOrigin.File, variable(FileVariable), FileVariable),
            (ClientSecretOrigin.Parameter, variable(ParameterVariable), ParameterVariable));
    }

    /// <summary>Exactly one of the given candidates (blank ones are not given); throws <see cref="ArgumentException"/> naming them otherwise.</summary>
    public static ClientSecretSource Choose(params (ClientSecretOrigin Origin, string? Value, string GivenAs)[] candidates)
    {
        var given = candidates.Where(c => !string.IsNullOrWhiteSpace(c.Value)).ToList();
        if (given.Count == 0)
        {
            throw new ArgumentException("The worker needs its client secret from one of " + string.Join(", ", candidates.Select(c => c.GivenAs)) + "; none is set.");
        }

        if (given.Count > 1)
        {
            throw new ArgumentException("Give the client secret one way only: " + string.Join(" and ", given.Select(c => c.GivenAs)) + " are both set.");
        }

        var chosen = given[0];
        return new ClientSecretSource(chosen.Origin, chosen.Value!.Trim(), chosen.GivenAs);
    }

    /// <summary>
    /// The secret from <paramref name="source"/>. A file or parameter that cannot be read, or is empty, throws
    /// <see cref="ArgumentException"/> naming <see cref="ClientSecretSource.GivenAs"/> and the path or parameter;
    /// missing hosting credentials throw <see cref="AwsConfigurationException"/>.
    /// </summary>
    public static async Task<string> ReadAsync(ClientSecretSource source, AwsConnectionOptions connection, Func<HttpMessageHandler>? httpHandler, CancellationToken cancellationToken)
    {
        if (source is null)
        {
            throw new ArgumentNullException(nameof(source));
        }

        return source.Origin switch
        {
            ClientSecretOrigin.File => ReadFile(source.GivenAs, source.Value),
            ClientSecretOrigin.Parameter => await ReadParameterAsync(source.GivenAs, source.Value, connection, httpHandler, cancellationToken).ConfigureAwait(false),
            _ => source.Value,
        };
    }

    /// <summary>The content of <paramref name="path"/> without its trailing newline; errors name <paramref name="givenAs"/> and the path.</summary>
    public static string ReadFile(string givenAs, string path)
    {
        string content;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new ArgumentException(givenAs + " names '" + path + "', which does not exist (or is a folder); it must be a file that holds only the client secret.");
            }

            if (info.Length > MaximumFileBytes)
            {
                throw new ArgumentException(givenAs + " names '" + path + "', which is larger than 64 KiB; it must hold only the client secret.");
            }

            content = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            // What went wrong in words, not the exception's type name.
            string why = ex switch
            {
                FileNotFoundException => "it does not exist",
                DirectoryNotFoundException => "its folder does not exist",
                UnauthorizedAccessException or System.Security.SecurityException => "access to it is denied",
                _ => ex.Message.TrimEnd('.'),
            };
            throw new ArgumentException(givenAs + " names '" + path + "', which cannot be read: " + why + ".", ex);
        }

        var secret = content.TrimEnd('\r', '\n');
        return secret.Trim().Length == 0
            ? throw new ArgumentException(givenAs + " names '" + path + "', which is empty; it must hold the client secret.")
            : secret;
    }

    /// <summary>
    /// Writes <paramref name="secret"/> to <paramref name="path"/> for a worker to read, readable by its owner only: on Unix
    /// missing folders are created 0700 and the file 0600 (created so, then renamed over an older file, so a reader sees
    /// the old secret or the new one and no other local user ever can). On Windows the file inherits the folder's ACL,
    /// which under the user profile is the user's own.
    /// </summary>
    public static void WriteFile(string path, string secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            throw new ArgumentException("The client secret is empty.", nameof(secret));
        }

        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? throw new ArgumentException("'" + path + "' names no file.", nameof(path));
        UnixFileModes.CreateDirectory(folder, UnixFileModes.OwnerFolder);
        var temp = Path.Combine(folder, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = UnixFileModes.CreateNew(temp, UnixFileModes.OwnerFile))
            {
                var bytes = new System.Text.UTF8Encoding(false).GetBytes(secret + "\n");
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(flushToDisk: true);
            }

            AtomicFile.Rename(temp, full);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// The value of the SecureString <paramref name="name"/> (a name or ARN), read with GetParameter WithDecryption and
    /// the credentials of <paramref name="connection"/>; errors name <paramref name="givenAs"/> and the parameter.
    /// </summary>
    public static async Task<string> ReadParameterAsync(string givenAs, string name, AwsConnectionOptions connection, Func<HttpMessageHandler>? httpHandler, CancellationToken cancellationToken)
    {
        var resolved = await AwsConnectionResolver.CreateDefault().ResolveAsync(connection ?? new AwsConnectionOptions(), cancellationToken).ConfigureAwait(false);

        // An ARN names its own region (arn:aws:ssm:<region>:<account>:parameter/<name>).
        var arnParts = name.StartsWith("arn:", StringComparison.Ordinal) ? name.Split(':') : null;
        var region = arnParts is { Length: >= 6 } && arnParts[3].Length > 0 ? arnParts[3] : resolved.Region;
        var config = AwsClientFactory.Configure(new AmazonSimpleSystemsManagementConfig(), "SSM", region, resolved, httpHandler);
        using var client = new AmazonSimpleSystemsManagementClient(resolved.Credentials, config);
        GetParameterResponse response;
        try
        {
            response = await client.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (ParameterNotFoundException ex)
        {
            throw new ArgumentException(givenAs + " names the SSM parameter '" + name + "', which does not exist in " + region + ".", ex);
        }
        catch (AmazonServiceException ex)
        {
            throw new ArgumentException(
                givenAs + " names the SSM parameter '" + name + "', which cannot be read in " + region + " (" + ex.ErrorCode + ": " + AwsSecretRedactor.Redact(ex.Message) +
                "). The worker's AWS credentials need ssm:GetParameter on it, and kms:Decrypt on its key unless it is encrypted with the AWS managed key aws/ssm.",
                ex);
        }

        var parameter = response.Parameter;
        if (parameter is null || parameter.Type != ParameterType.SecureString)
        {
            throw new ArgumentException(givenAs + " names the SSM parameter '" + name + "', which is a " + (parameter?.Type?.Value ?? "parameter without a type") +
                ", not a SecureString: store the client secret encrypted (Type SecureString).");
        }

        return string.IsNullOrWhiteSpace(parameter.Value)
            ? throw new ArgumentException(givenAs + " names the SSM parameter '" + name + "', which is empty.")
            : parameter.Value;
    }
}
