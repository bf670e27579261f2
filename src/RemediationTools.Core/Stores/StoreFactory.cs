namespace RemediationTools.Core.Stores;

/// <summary>
/// Chooses the store: an explicit value (<c>-Store</c>), else <c>$env:REMEDIATION_STORE</c>, else the local folder store.
/// Values: <c>local</c> (the folder <see cref="LocalFolderStore.DefaultRoot"/>), <c>local:&lt;folder&gt;</c>; <c>aws</c> is
/// reserved for the SQS/DynamoDB store, which is not available yet.
/// </summary>
internal static class StoreFactory
{
    /// <summary>The environment variable that selects the store.</summary>
    public const string StoreVariable = "REMEDIATION_STORE";

    /// <summary>The environment variable that names the local store's folder.</summary>
    public const string HomeVariable = "REMEDIATION_HOME";

    /// <summary>Opens the store selected by <paramref name="value"/> or the environment.</summary>
    public static IRemediationStore Create(string? value = null)
    {
        var fromEnvironment = string.IsNullOrWhiteSpace(value);
        var selection = (fromEnvironment ? Environment.GetEnvironmentVariable(StoreVariable) : value)?.Trim();
        var source = fromEnvironment ? StoreVariable : "-Store";
        if (string.IsNullOrEmpty(selection) || string.Equals(selection, "local", StringComparison.OrdinalIgnoreCase))
        {
            return new LocalFolderStore(LocalFolderStore.DefaultRoot());
        }

        if (selection!.StartsWith("local:", StringComparison.OrdinalIgnoreCase))
        {
            var folder = selection.Substring("local:".Length).Trim();
            if (folder.Length == 0)
            {
                throw new RemediationStoreException(StoreError.StoreNotAvailable, source + " value '" + selection + "' names no folder: use local:<folder>.") { Target = selection };
            }

            return new LocalFolderStore(folder);
        }

        if (string.Equals(selection, "aws", StringComparison.OrdinalIgnoreCase) || selection.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
        {
            throw new RemediationStoreException(
                StoreError.StoreNotAvailable,
                "The AWS store (" + source + " '" + selection + "': SQS queues and a DynamoDB table) is not available yet; use 'local' or 'local:<folder>'.")
            {
                Target = selection,
            };
        }

        throw new RemediationStoreException(
            StoreError.StoreNotAvailable,
            source + " value '" + selection + "' is not a store: use 'local' or 'local:<folder>'.")
        {
            Target = selection,
        };
    }
}
