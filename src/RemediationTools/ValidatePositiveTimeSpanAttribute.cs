using System.Management.Automation;

namespace RemediationTools;

/// <summary>Refuses a zero or negative <see cref="TimeSpan"/> at binding, naming the value.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ValidatePositiveTimeSpanAttribute : ValidateArgumentsAttribute
{
    /// <inheritdoc />
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        object? bare = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
        if (bare is TimeSpan value && value <= TimeSpan.Zero)
        {
            throw new ValidationMetadataException($"The time span '{value}' is not positive: give a time such as 00:10:00 (10 minutes).");
        }
    }
}
