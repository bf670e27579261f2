using System.Management.Automation;

namespace RemediationTools;

/// <summary>
/// What <c>Export-RemediationReport -InputObject</c> takes: <see cref="RemediationResult"/> objects (Invoke-Remediation,
/// Undo-Remediation or Import-RemediationResult output, or the same after ConvertTo-Json / ConvertFrom-Json, hashtables
/// or JSON text) and <see cref="RemediationRun"/> objects (Get-RemediationRun output). A named type, so the syntax says
/// what goes in rather than <c>&lt;Object&gt;</c>; the cmdlet reads the item it wraps.
/// </summary>
public sealed class RemediationReportInput
{
    internal RemediationReportInput(object value) => Value = value;

    /// <summary>The input item as given.</summary>
    internal object Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value.ToString() ?? string.Empty;
}

/// <summary>Wraps whatever is bound to <c>-InputObject</c> in a <see cref="RemediationReportInput"/>; the cmdlet judges it.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class RemediationReportInputTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? bare = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return bare switch
        {
            null => null,
            RemediationReportInput => bare,
            _ => new RemediationReportInput(inputData!),
        };
    }
}
