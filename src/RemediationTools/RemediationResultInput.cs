using System.Management.Automation;

namespace RemediationTools;

/// <summary>
/// What <c>Undo-Remediation -InputObject</c> takes: <see cref="RemediationResult"/> objects (Invoke-Remediation or
/// Import-RemediationResult output), the same after ConvertTo-Json / ConvertFrom-Json, hashtables, or JSON text (a
/// whole document, or one line of a file as <c>Get-Content</c> sends it). A file (<c>Get-ChildItem</c> output) does
/// not convert to it, so that it binds by its <c>PSPath</c> to <c>-LiteralPath</c> instead.
/// </summary>
public sealed class RemediationResultInput
{
    internal RemediationResultInput(object value) => Value = value;

    /// <summary>The input item as given.</summary>
    internal object Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value.ToString() ?? string.Empty;
}

/// <summary>Wraps what is bound to <c>-InputObject</c> in a <see cref="RemediationResultInput"/>; files are left for <c>-LiteralPath</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class RemediationResultInputTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? bare = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return bare switch
        {
            null => null,
            RemediationResultInput => bare,
            FileSystemInfo => inputData,
            _ => new RemediationResultInput(inputData!),
        };
    }
}
