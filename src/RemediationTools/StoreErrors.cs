using System.Management.Automation;
using RemediationTools.Core.Stores;

namespace RemediationTools;

/// <summary>Turns the store's typed failures into error records with a stable error ID and a real category.</summary>
internal static class StoreErrors
{
    public static ErrorRecord ToErrorRecord(RemediationStoreException exception)
    {
        (string id, ErrorCategory category) = exception.Error switch
        {
            StoreError.InvalidInput => (ErrorIds.WorkerGroupInvalid, ErrorCategory.InvalidArgument),
            StoreError.StoreNotAvailable => (ErrorIds.StoreUnavailable, ErrorCategory.ResourceUnavailable),
            StoreError.GroupNotFound => (ErrorIds.WorkerGroupNotFound, ErrorCategory.ObjectNotFound),
            StoreError.GroupExists => (ErrorIds.WorkerGroupExists, ErrorCategory.ResourceExists),
            StoreError.ConcurrencyConflict => (ErrorIds.WorkerGroupConflict, ErrorCategory.ResourceBusy),
            StoreError.AccountNotInGroup => (ErrorIds.CloudAccountNotInGroup, ErrorCategory.ObjectNotFound),
            StoreError.CredentialsRefused => (ErrorIds.WorkerCredentialsRefused, ErrorCategory.AuthenticationError),
            _ => (ErrorIds.StoreFailed, ErrorCategory.WriteError),
        };
        return new ErrorRecord(exception, id, category, exception.Target);
    }
}
