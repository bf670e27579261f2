using RemediationTools.AwsSandbox.S3;

namespace RemediationTools.AwsSandbox;

internal sealed partial class SandboxState
{
    /// <summary>S3's buckets (one global namespace).</summary>
    public S3State S3 { get; } = new();
}
