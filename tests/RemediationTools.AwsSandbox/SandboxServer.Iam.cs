using System.Text.RegularExpressions;
using RemediationTools.AwsSandbox.Iam;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox;

public sealed partial class SandboxServer
{
    /// <summary>
    /// Seeds a server certificate (as UploadServerCertificate would, without a real key pair) that expires at
    /// <paramref name="expiration"/>.
    /// </summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="name">1 to 128 of IAM's name characters, unique in the account (case-insensitively).</param>
    /// <param name="expiration">When the certificate expires; in the past for an expired one.</param>
    /// <param name="path">The certificate's path, <c>/</c> by default.</param>
    /// <param name="tags">The certificate's tags.</param>
    /// <returns>The certificate's ARN.</returns>
    public string AddServerCertificate(string accountId, string name, DateTimeOffset expiration, string path = "/", IDictionary<string, string>? tags = null)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 128 || !Regex.IsMatch(name, @"^[\w+=,.@-]+$"))
        {
            throw new ArgumentException($"'{name}' is not a valid server certificate name (1 to 128 of letters, digits and +=,.@_-).", nameof(name));
        }

        if (!Regex.IsMatch(path, @"^(/|/[\x21-\x7E]+/)$"))
        {
            throw new ArgumentException($"'{path}' is not a valid IAM path.", nameof(path));
        }

        lock (_state.Gate)
        {
            var iam = _state.Account(accountId).Iam;
            if (iam.ServerCertificates.ContainsKey(name))
            {
                throw new ArgumentException($"A server certificate named '{name}' already exists in {accountId}.", nameof(name));
            }

            var certificate = new IamServerCertificate
            {
                Name = name,
                Path = path,
                ServerCertificateId = IdGenerator.IamId("ASCA", 17),
                Arn = $"arn:aws:iam::{accountId}:server-certificate{path}{name}",
                UploadDate = _state.Now,
                Expiration = expiration.ToUniversalTime(),
                CertificateBody = "-----BEGIN CERTIFICATE-----\nMIIBsandbox" + IdGenerator.Hex(32) + "\n-----END CERTIFICATE-----",
            };
            certificate.Tags.AddRange(tags ?? new Dictionary<string, string>());
            iam.ServerCertificates[name] = certificate;
            return certificate.Arn;
        }
    }

    /// <summary>True when the account has a server certificate named <paramref name="name"/>.</summary>
    public bool HasServerCertificate(string accountId, string name)
    {
        lock (_state.Gate)
        {
            return _state.Account(accountId).Iam.ServerCertificates.ContainsKey(name);
        }
    }

    /// <summary>
    /// Sets how many access keys the account's root user has (0 to 2; GetAccountSummary's AccountAccessKeysPresent is
    /// 1 when there is any). No API can create or delete them, as in AWS.
    /// </summary>
    public void SetRootAccessKeys(string accountId, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 2);
        lock (_state.Gate)
        {
            _state.Account(accountId).Iam.RootAccessKeys = count;
        }
    }
}
