using System.Globalization;
using RemediationTools.Core.Aws.Signed;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Iam;

/// <summary>
/// <c>aws-iam-server-certificate-expired</c>: deletes an IAM server certificate that has expired; one that has not is
/// compliant. The deletion cannot be undone (IAM never returns a certificate's private key, so it cannot be uploaded
/// again): the job is <see cref="RemediationJobInfo.Irreversible"/>, asks for confirmation as a High-impact change, and
/// its result has no undo record. <c>ObjectId</c> is the certificate name (or its ARN).
/// </summary>
internal sealed class ServerCertificateExpiredJob : IRemediationJob
{
    private static readonly char[] Colon = { ':' };

    /// <summary>Creates the job.</summary>
    public ServerCertificateExpiredJob() => Info = new RemediationJobInfo
    {
        Id = "aws-iam-server-certificate-expired",
        RuleIds = new[] { "7fe4eb28-3b82-11eb-adc1-0242ac120002" },
        Title = "Delete an expired IAM server certificate",
        Service = "IAM",
        ResourceType = "ServerCertificate",
        Impact = "The expired certificate is deleted; a load balancer or CloudFront distribution still naming it serves no valid certificate anyway. It cannot be undone: IAM never returns the private key.",
        IamActions = new[] { IamActions.DeleteServerCertificate, IamActions.GetServerCertificate },
        Irreversible = true,
    };

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <summary>The certificate name of an ObjectId: the name, or the last path segment of its ARN.</summary>
    internal static string CertificateName(Finding finding)
    {
        var text = (finding.ResourceArn ?? finding.ResourceId ?? string.Empty).Trim();
        if (text.StartsWith("arn:", StringComparison.OrdinalIgnoreCase))
        {
            var parts = text.Split(Colon, 6);
            if (parts.Length < 6 || !parts[5].StartsWith("server-certificate/", StringComparison.Ordinal))
            {
                throw new FindingFormatException("The ObjectId '" + text + "' is not a server certificate ARN (arn:aws:iam::<account>:server-certificate/<path><name>).", "ObjectId");
            }

            text = parts[5].Substring(parts[5].LastIndexOf('/') + 1);
        }

        if (text.Length is 0 or > 128 || text.Any(c => !(char.IsLetterOrDigit(c) || "+=,.@_-".IndexOf(c) >= 0)))
        {
            throw new FindingFormatException("The ObjectId '" + text + "' is not a server certificate name (1 to 128 letters, digits and +=,.@_-).", "ObjectId");
        }

        return text;
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var name = CertificateName(context.Finding);
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var certificate = await ReadAsync(context, name, cancellationToken).ConfigureAwait(false);
        if (certificate is null)
        {
            return JobPlan.Compliant(new[] { "Server certificate " + name + " does not exist (any more)." });
        }

        if (SkipTag.IsSet(certificate.Tags.Select(t => new KeyValuePair<string, string>(t.Key, t.Value))))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var metadata = certificate.ServerCertificateMetadata;
        var expiration = metadata.Expiration ?? throw new JobFailureException("InvalidResponse", "IAM returned no expiration for server certificate " + name + "; nothing was changed.");
        var now = DateTime.UtcNow;
        if (expiration > now)
        {
            return JobPlan.Compliant(new[] { "Server certificate " + name + " expires " + Timestamp(expiration) + "; it has not expired." });
        }

        var action = new RemediationAction
        {
            Operation = IamActions.DeleteServerCertificate,
            Target = name,
            Description = "Delete the server certificate " + name + " (" + metadata.Arn + "), expired " + Timestamp(expiration) + ".",
            Before = "expired " + Timestamp(expiration) + " (" + metadata.ServerCertificateId + ")",
            After = null,
        };
        var notes = new[]
        {
            "This cannot be undone: IAM never returns a certificate's private key, so the certificate cannot be uploaded again. Invoke-Remediation asks before it (-Force or -Confirm:$false in automation).",
        };
        return JobPlan.Change(new[] { action }, notes, null, new Change(name), new[] { ResourceKeys.ServerCertificate(name) });
    }

    /// <inheritdoc />
    public Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        return AwsCall.RunAsync(context.Reporter, IamActions.DeleteServerCertificate, change.Name, () =>
            context.Clients.Iam().DeleteServerCertificateAsync(new DeleteServerCertificateRequest { ServerCertificateName = change.Name }, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        return await ReadAsync(context, change.Name, cancellationToken).ConfigureAwait(false) is null
            ? JobVerification.Success()
            : JobVerification.Failure("Server certificate " + change.Name + " still exists.");
    }

    /// <inheritdoc />
    public Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
        => throw new JobFailureException(
            "UndoNotPossible",
            "A deleted server certificate cannot be restored: IAM never returns its private key. Upload a new certificate with iam:UploadServerCertificate.");

    private static async Task<ServerCertificate?> ReadAsync(JobContext context, string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await AwsCall.RunAsync(context.Reporter, IamActions.GetServerCertificate, name, () =>
                context.Clients.Iam().GetServerCertificateAsync(new GetServerCertificateRequest { ServerCertificateName = name }, cancellationToken)).ConfigureAwait(false);
            return response.ServerCertificate;
        }
        catch (AwsCallException ex) when (ex.ErrorCode == "NoSuchEntity")
        {
            return null;
        }
    }

    private static string Timestamp(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static Change ChangeOf(JobPlan plan)
        => plan.Changes as Change ?? throw new ArgumentException("The plan was not made by " + nameof(ServerCertificateExpiredJob) + ".", nameof(plan));

    private sealed class Change
    {
        public Change(string name) => Name = name;

        public string Name { get; }
    }
}
