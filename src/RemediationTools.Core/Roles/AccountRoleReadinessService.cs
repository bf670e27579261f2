using System.Globalization;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;

namespace RemediationTools.Core.Roles;

/// <summary>What Test-RemediationAccountRole checks.</summary>
internal sealed class ReadinessRequest
{
    public string RoleArn { get; set; } = string.Empty;

    public string ExternalId { get; set; } = string.Empty;

    public IReadOnlyList<RemediationJobInfo> Jobs { get; set; } = Array.Empty<RemediationJobInfo>();

    /// <summary>The role must also grant the jobs' undo actions (and they are not excess).</summary>
    public bool IncludeUndo { get; set; }
}

/// <summary>
/// Proves a cloud account is ready: the source credentials assume the role with the external ID, are refused without
/// it and with a wrong one, and the role's policies (read with the cloud account's credentials) grant exactly the
/// jobs' actions. Problems are findings of the report, never exceptions.
/// </summary>
internal sealed class AccountRoleReadinessService
{
    private const string SessionName = "RemediationTools-ReadinessCheck";
    private readonly IAwsClients source;
    private readonly IAwsClients reader;
    private readonly string region;

    /// <summary>Creates the check: <paramref name="source"/> assumes the role, <paramref name="reader"/> reads its policies.</summary>
    public AccountRoleReadinessService(IAwsClients source, IAwsClients reader, string region)
    {
        this.source = source ?? throw new ArgumentNullException(nameof(source));
        this.reader = reader ?? throw new ArgumentNullException(nameof(reader));
        this.region = region ?? throw new ArgumentNullException(nameof(region));
    }

    /// <summary>Runs the check. Throws only for invalid input (a bad ARN or external ID).</summary>
    public async Task<RemediationAccountRoleReport> CheckAsync(ReadinessRequest request, CancellationToken cancellationToken)
    {
        var (_, accountId, roleName) = RoleNames.RoleArn(request.RoleArn);
        RoleNames.ExternalId(request.ExternalId);
        var findings = new List<string>();
        var report = new RemediationAccountRoleReport
        {
            RoleArn = request.RoleArn,
            AccountId = accountId,
            ExternalId = request.ExternalId,
            Jobs = request.Jobs.Select(j => j.Id).ToList(),
            IncludeUndo = request.IncludeUndo,
        };

        var withId = await TryAssumeAsync(request.RoleArn, request.ExternalId, cancellationToken).ConfigureAwait(false);
        report.CanAssume = withId is null;
        if (withId is not null)
        {
            findings.Add($"Assuming {request.RoleArn} with external ID '{request.ExternalId}' failed: {withId}");
        }

        var withoutId = await TryAssumeAsync(request.RoleArn, null, cancellationToken).ConfigureAwait(false);
        if (withoutId is null)
        {
            findings.Add($"{request.RoleArn} can be assumed without an external ID: its trust policy must require sts:ExternalId.");
        }

        var wrongId = "wrong-" + Guid.NewGuid().ToString("N");
        var withWrongId = await TryAssumeAsync(request.RoleArn, wrongId, cancellationToken).ConfigureAwait(false);
        if (withWrongId is null)
        {
            findings.Add($"{request.RoleArn} can be assumed with a wrong external ID: its trust policy must require sts:ExternalId = '{request.ExternalId}'.");
        }

        report.ExternalIdEnforced = report.CanAssume && withoutId is not null && withWrongId is not null;
        if (!report.CanAssume)
        {
            findings.Add("Without a successful AssumeRole the external ID check proves nothing.");
        }

        await CheckPermissionsAsync(roleName, request, report, findings, cancellationToken).ConfigureAwait(false);
        report.Findings = findings;
        report.IsReady = report.CanAssume && report.ExternalIdEnforced && report.PoliciesRead && report.MissingActions.Count == 0;
        return report;
    }

    private async Task CheckPermissionsAsync(string roleName, ReadinessRequest request, RemediationAccountRoleReport report, List<string> findings, CancellationToken cancellationToken)
    {
        IIamClient iam = reader.Iam();
        IReadOnlyDictionary<string, string> inline;
        IReadOnlyList<string> attached;
        try
        {
            // IAM reads only the caller's own account: credentials of another account would just see no such role.
            var identity = await reader.Sts(region).GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
            if (!string.Equals(identity.Account, report.AccountId, StringComparison.Ordinal))
            {
                findings.Add($"The role's policies could not be read: the credentials belong to account {identity.Account}, the role to account {report.AccountId}; run the check with credentials of account {report.AccountId}.");
                return;
            }

            if (await IamRoleReader.FindRoleAsync(iam, roleName, cancellationToken).ConfigureAwait(false) is null)
            {
                findings.Add($"The role {roleName} does not exist in account {report.AccountId}.");
                return;
            }

            inline = await IamRoleReader.InlinePoliciesAsync(iam, roleName, cancellationToken).ConfigureAwait(false);
            attached = await IamRoleReader.AttachedPolicyArnsAsync(iam, roleName, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException ex)
        {
            findings.Add($"The role's policies could not be read ({ex.ErrorCode}: {ex.Message}); run the check with credentials of account {report.AccountId} that may call iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy and iam:ListAttachedRolePolicies.");
            return;
        }

        report.PoliciesRead = true;
        var required = JobPolicyFactory.Actions(request.Jobs, request.IncludeUndo);
        var granted = inline.Values.SelectMany(PolicyText.AllowedActions).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        report.MissingActions = required.Where(a => !granted.Any(g => PolicyText.Covers(g, a))).ToList();
        report.ExcessActions = granted
            .Where(g => !required.Contains(g, StringComparer.OrdinalIgnoreCase))
            .OrderBy(g => g, StringComparer.Ordinal)
            .ToList();
        foreach (var missing in report.MissingActions)
        {
            findings.Add($"Missing action {missing}.");
        }

        foreach (var excess in report.ExcessActions)
        {
            findings.Add(!request.IncludeUndo && request.Jobs.Any(j => j.UndoIamActions.Contains(excess, StringComparer.OrdinalIgnoreCase))
                ? $"Excess action {excess}: only undo needs it; test with -IncludeUndo if the role is meant to undo."
                : $"Excess action {excess}: no chosen job needs it.");
        }

        foreach (var arn in attached)
        {
            findings.Add($"The managed policy {arn} is attached; its actions are not checked and go beyond the generated policy.");
        }

        report.HasDrift = report.ExcessActions.Count > 0 || attached.Count > 0;
    }

    /// <summary>Null when AssumeRole succeeded, else the reason it failed.</summary>
    private async Task<string?> TryAssumeAsync(string roleArn, string? externalId, CancellationToken cancellationToken)
    {
        var request = new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = SessionName, DurationSeconds = 900 };
        if (externalId is not null)
        {
            request.ExternalId = externalId;
        }

        try
        {
            await source.Sts(region).AssumeRoleAsync(request, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (AmazonServiceException ex)
        {
            return string.Format(CultureInfo.InvariantCulture, "{0}: {1}", ex.ErrorCode, ex.Message);
        }
    }
}
