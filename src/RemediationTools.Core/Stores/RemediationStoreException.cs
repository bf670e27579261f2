namespace RemediationTools.Core.Stores;

/// <summary>What went wrong in a store or worker group operation; the cmdlets map each to an error ID and category.</summary>
internal enum StoreError
{
    /// <summary>A value given is not valid (the message names it).</summary>
    InvalidInput,

    /// <summary>The store selection is not valid or names a store that is not available.</summary>
    StoreNotAvailable,

    /// <summary>There is no worker group of that name.</summary>
    GroupNotFound,

    /// <summary>A worker group of that name already exists.</summary>
    GroupExists,

    /// <summary>The group changed since it was read; read it again and retry.</summary>
    ConcurrencyConflict,

    /// <summary>A finding's account is not one of the group's cloud accounts.</summary>
    AccountNotInGroup,

    /// <summary>The client ID or client secret is wrong.</summary>
    CredentialsRefused,

    /// <summary>The store's folder or file could not be read or written.</summary>
    StorageFailed,
}

/// <summary>A store or worker group operation that could not be done; nothing was changed unless the message says so.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Every instance carries a StoreError.")]
internal sealed class RemediationStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemediationStoreException(StoreError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>What went wrong.</summary>
    public StoreError Error { get; }

    /// <summary>The offending value, when there is one (a group name, an account ID, ...).</summary>
    public object? Target { get; set; }
}
