using System.Management.Automation;
using System.Management.Automation.Host;
using RemediationTools.Core.Engine;

namespace RemediationTools;

/// <summary>
/// Asks for confirmation of the changes of irreversible jobs as High-impact changes, per target, on top of the
/// ShouldProcess of a cmdlet declared <see cref="ConfirmImpact.Medium"/> (its other changes stay Medium). PowerShell
/// decides with the cmdlet's declared impact only, so the High rule is applied here the way PowerShell applies it:
/// <c>-Confirm</c> (either way) and <c>$ConfirmPreference = 'None'</c> decide without a second question; the default
/// <c>High</c> asks; <c>Low</c> and <c>Medium</c> made ShouldProcess ask already. <c>-Force</c> skips the question but
/// never <c>-WhatIf</c>, which ShouldProcess answers first. A host that cannot prompt (a non-interactive session)
/// fails the question, as it fails any confirmation: the change is then not made, and <see cref="Unconfirmed"/> says why.
/// </summary>
internal sealed class HighImpactConfirmation
{
    private readonly PSCmdlet cmdlet;
    private readonly bool force;
    private readonly HashSet<Finding> unconfirmed = new();
    private bool yesToAll;
    private bool noToAll;

    /// <summary>Creates the confirmation of one cmdlet invocation.</summary>
    public HighImpactConfirmation(PSCmdlet cmdlet, bool force)
    {
        this.cmdlet = cmdlet;
        this.force = force;
    }

    /// <summary>
    /// ShouldProcess, then for a High-impact change the second question when PowerShell's rules ask for it. Runs on the
    /// pipeline thread. False leaves the change unapplied; <paramref name="whatIf"/> says whether it was a WhatIf.
    /// </summary>
    public bool Confirm(Finding finding, string target, string operation, string? highImpactReason, out bool whatIf)
    {
        whatIf = false;
        try
        {
            string description = $"Performing the operation \"{operation}\" on target \"{target}\".";
            if (!cmdlet.ShouldProcess(description, "Are you sure you want to perform this action?" + Environment.NewLine + description, "Confirm", out ShouldProcessReason reason))
            {
                whatIf = reason == ShouldProcessReason.WhatIf;
                return false;
            }

            if (highImpactReason is null || !MustAsk())
            {
                return true;
            }

            string query = $"{operation} on {target}." + Environment.NewLine + highImpactReason + Environment.NewLine + "Make this High-impact change?";
            return cmdlet.ShouldContinue(query, "Confirm High-impact change", ref yesToAll, ref noToAll);
        }
        catch (Exception ex) when (ex is PSInvalidOperationException or HostException)
        {
            // PowerShell fails a confirmation it cannot ask for (NonInteractive mode, or a host without a UI); the
            // change is not made, the batch goes on, and the finding says how to consent.
            cmdlet.WriteVerbose(ex.Message);
            lock (unconfirmed)
            {
                unconfirmed.Add(finding);
            }

            return false;
        }
    }

    /// <summary>Why <paramref name="finding"/> was not confirmed when the host could not ask; null when it was asked.</summary>
    public string? Unconfirmed(Finding finding)
    {
        lock (unconfirmed)
        {
            return unconfirmed.Contains(finding)
                ? "Not applied: the change needs confirmation, which this host cannot ask for (it is not interactive). Pass -Force or -Confirm:$false to apply it without asking."
                : null;
        }
    }

    /// <summary>Whether a High-impact change is asked about beyond ShouldProcess (see the class summary).</summary>
    private bool MustAsk()
    {
        if (force || cmdlet.MyInvocation.BoundParameters.ContainsKey("Confirm"))
        {
            return false;
        }

        object? value = cmdlet.GetVariableValue("ConfirmPreference");
        if (value is PSObject wrapped)
        {
            value = wrapped.BaseObject;
        }

        ConfirmImpact preference = value is ConfirmImpact impact
            ? impact
            : Enum.TryParse(value?.ToString(), ignoreCase: true, out ConfirmImpact parsed) ? parsed : ConfirmImpact.High;
        return preference == ConfirmImpact.High;
    }
}
