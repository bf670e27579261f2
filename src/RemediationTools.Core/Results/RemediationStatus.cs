namespace RemediationTools;

/// <summary>The outcome of one remediation.</summary>
// Based on long, not int, on purpose: ConvertTo-Json (Windows PowerShell 5.1 and PowerShell 7) writes a long-based enum
// by name ("Status": "Remediated") without -EnumsAsStrings; System.Text.Json and comparisons with strings are unaffected.
public enum RemediationStatus : long
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
