namespace RemediationTools;

/// <summary>The outcome of one remediation.</summary>
public enum RemediationStatus
{
    /// <summary>The changes were applied and a re-read shows the finding is gone.</summary>
    Remediated,

    /// <summary>Nothing needed to change: the resource already complies.</summary>
    AlreadyCompliant,

    /// <summary>The changes were planned but not applied (dry run, -WhatIf, or declined confirmation).</summary>
    Planned,

    /// <summary>The job deliberately left the resource alone; <see cref="RemediationResult.Reason"/> says why.</summary>
    Skipped,

    /// <summary>The remediation failed or could not be verified; see <see cref="RemediationResult.Reason"/> and <see cref="RemediationResult.ErrorCode"/>.</summary>
    Failed,
}
