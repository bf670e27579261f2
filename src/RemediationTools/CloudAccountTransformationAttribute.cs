using System.Collections;
using System.Management.Automation;

namespace RemediationTools;

/// <summary>
/// Converts what is bound to <c>-CloudAccount</c> (New-RemediationAccountRole output, worker group accounts,
/// hashtables or any object with <c>RoleArn</c>, <c>ExternalId</c> and optional <c>AccountId</c>) into
/// <see cref="RemediationCloudAccount"/> objects by shape. The values are checked where they are used, so that the
/// error names the entry and the bad value.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class CloudAccountTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? bare = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (bare is null)
        {
            return null;
        }

        IEnumerable items = bare is IEnumerable sequence and not string and not IDictionary ? sequence : new[] { inputData };
        return items.Cast<object?>().Select(Convert).ToArray();
    }

    private static RemediationCloudAccount? Convert(object? item)
    {
        object? bare = item is PSObject wrapped ? wrapped.BaseObject : item;
        return bare switch
        {
            null => null,
            RemediationCloudAccount account => account,
            _ => new RemediationCloudAccount
            {
                AccountId = CloudAccountBinder.Read(item!, "AccountId") ?? string.Empty,
                RoleArn = CloudAccountBinder.Read(item!, "RoleArn") ?? string.Empty,
                ExternalId = CloudAccountBinder.Read(item!, "ExternalId") ?? string.Empty,
            },
        };
    }
}
