using System.Management.Automation;

namespace RemediationTools;

/// <summary>
/// What <c>Invoke-Remediation -Finding</c> takes: a finding as JSON text (a whole document, or one line of a file as
/// <c>Get-Content</c> sends it), an object of the payload format (<c>ConvertFrom-Json</c> output, a hashtable), or an
/// array of them. Any such value converts to it; a file (<c>Get-ChildItem</c> output) does not, so that it binds by
/// its <c>PSPath</c> to <c>-LiteralPath</c> instead.
/// </summary>
public sealed class FindingInput
{
    internal FindingInput(object? value, object? original)
    {
        Value = value;
        Original = original;
    }

    /// <summary>The input as text or plain dictionaries and lists, as Core reads it.</summary>
    internal object? Value { get; }

    /// <summary>The item as it was given, the target object of its errors.</summary>
    internal object? Original { get; }

    /// <inheritdoc />
    public override string ToString() => Value as string ?? "finding object";
}

/// <summary>Converts what is bound to <c>-Finding</c> into a <see cref="FindingInput"/>; files are left for <c>-LiteralPath</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class FindingInputTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? bare = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return bare switch
        {
            null => null,
            FindingInput => bare,
            FileSystemInfo => inputData,
            string text => new FindingInput(text, text),
            _ => new FindingInput(PlainObjectConverter.ToPlain(inputData), inputData),
        };
    }
}
