using RemediationTools.Core.Aws;
using RemediationTools.Core.Stores.Aws;

namespace RemediationTools.Core.Stores;

/// <summary>What <see cref="StoreFactory"/> needs to open the AWS store; the local store needs none of it.</summary>
internal sealed class StoreAwsSettings
{
    /// <summary>The AWS parameters (profile, region, keys, endpoint); what is missing comes from the SDK chain.</summary>
    public AwsConnectionOptions Connection { get; set; } = new();

    /// <summary>HTTP handler for the SDK clients (tests); null for the default.</summary>
    public Func<HttpMessageHandler>? HttpHandler { get; set; }

    /// <summary>Tuning of the AWS store (tests); its <see cref="AwsStoreOptions.Name"/> is replaced by the selection's.</summary>
    public AwsStoreOptions? StoreOptions { get; set; }
}

/// <summary>
/// Chooses the store: an explicit value (<c>-Store</c>), else <c>$env:REMEDIATION_STORE</c>, else the local folder store.
/// Values: <c>local</c> (the folder <see cref="LocalFolderStore.DefaultRoot"/>), <c>local:&lt;folder&gt;</c>, <c>aws</c>
/// (the installation <see cref="AwsStoreOptions.DefaultName"/>) and <c>aws:&lt;name&gt;</c>: the DynamoDB table
/// <c>&lt;name&gt;</c> and the SQS queues <c>&lt;name&gt;-&lt;group&gt;</c>.
/// </summary>
internal static class StoreFactory
{
    /// <summary>The environment variable that selects the store.</summary>
    public const string StoreVariable = "REMEDIATION_STORE";

    /// <summary>The environment variable that names the local store's folder.</summary>
    public const string HomeVariable = "REMEDIATION_HOME";

    /// <summary>Whether <paramref name="value"/> (or, when empty, the environment) selects the AWS store; a bad value throws.</summary>
    public static bool IsAws(string? value) => Parse(value).Aws;

    /// <summary>Opens the local store selected by <paramref name="value"/> or the environment; the AWS store needs <see cref="CreateAsync"/>.</summary>
    public static IRemediationStore Create(string? value = null)
    {
        var selection = Parse(value);
        if (selection.Aws)
        {
            throw new InvalidOperationException("The AWS store (" + selection.Text + ") is opened with StoreFactory.CreateAsync, which resolves its AWS connection.");
        }

        return new LocalFolderStore(selection.Argument);
    }

    /// <summary>
    /// Opens the store selected by <paramref name="value"/> or the environment; for the AWS store, resolves the AWS
    /// connection of <paramref name="aws"/> (explicit parameters, session values, then the SDK chain; endpoints from
    /// <c>-EndpointUrl</c>, <c>AWS_ENDPOINT_URL_SQS</c>, <c>AWS_ENDPOINT_URL_DYNAMODB</c>, <c>AWS_ENDPOINT_URL</c>).
    /// Throws <see cref="AwsConfigurationException"/> when credentials or region cannot be found.
    /// </summary>
    public static async Task<IRemediationStore> CreateAsync(string? value, StoreAwsSettings? aws, CancellationToken cancellationToken)
    {
        var selection = Parse(value);
        if (!selection.Aws)
        {
            return new LocalFolderStore(selection.Argument);
        }

        aws ??= new StoreAwsSettings();
        var connection = await AwsConnectionResolver.CreateDefault().ResolveAsync(aws.Connection ?? new AwsConnectionOptions(), cancellationToken).ConfigureAwait(false);
        var options = aws.StoreOptions ?? new AwsStoreOptions();
        options.Name = selection.Argument;
        return AwsStore.Create(connection, options, aws.HttpHandler);
    }

    private static (bool Aws, string Argument, string Text) Parse(string? value)
    {
        var fromEnvironment = string.IsNullOrWhiteSpace(value);
        var selection = (fromEnvironment ? Environment.GetEnvironmentVariable(StoreVariable) : value)?.Trim();
        var source = fromEnvironment ? StoreVariable : "-Store";
        if (string.IsNullOrEmpty(selection) || string.Equals(selection, "local", StringComparison.OrdinalIgnoreCase))
        {
            return (false, LocalFolderStore.DefaultRoot(), "local");
        }

        if (selection!.StartsWith("local:", StringComparison.OrdinalIgnoreCase))
        {
            var folder = selection.Substring("local:".Length).Trim();
            if (folder.Length == 0)
            {
                throw new RemediationStoreException(StoreError.StoreNotAvailable, source + " value '" + selection + "' names no folder: use local:<folder>.") { Target = selection };
            }

            return (false, folder, selection);
        }

        if (string.Equals(selection, "aws", StringComparison.OrdinalIgnoreCase))
        {
            return (true, AwsStoreOptions.DefaultName, selection);
        }

        if (selection.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
        {
            var name = selection.Substring("aws:".Length).Trim();
            AwsStoreOptions.ValidateName(name, source + " value '" + selection + "'");
            return (true, name, selection);
        }

        throw new RemediationStoreException(
            StoreError.StoreNotAvailable,
            source + " value '" + selection + "' is not a store: use 'local', 'local:<folder>', 'aws' or 'aws:<name>'.")
        {
            Target = selection,
        };
    }
}
