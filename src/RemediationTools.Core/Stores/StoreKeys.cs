namespace RemediationTools.Core.Stores;

/// <summary>How every store names what it keeps: a group by its name in lower case, other IDs checked to be file- and key-safe.</summary>
internal static class StoreKeys
{
    /// <summary>The key of a group (a folder name, a DynamoDB partition, a queue-name part): its name in lower case (names compare without regard to case).</summary>
    public static string Group(string name)
    {
        WorkerGroupNames.Validate(name);
        return name.ToLowerInvariant();
    }

    /// <summary><paramref name="id"/> when it is letters, digits, '-' and '_' only (at most 100); else <see cref="StoreError.InvalidInput"/> naming it.</summary>
    public static string SafeId(string id, string what)
    {
        if (string.IsNullOrEmpty(id) || id.Any(c => !(char.IsLetterOrDigit(c) || c == '-' || c == '_')) || id.Length > 100)
        {
            throw new RemediationStoreException(StoreError.InvalidInput, "The " + what + " '" + id + "' is not valid: use letters, digits, '-' and '_' only.")
            {
                Target = id,
            };
        }

        return id;
    }
}
