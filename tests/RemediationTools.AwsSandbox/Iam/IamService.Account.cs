using System.Xml.Linq;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;
using static RemediationTools.AwsSandbox.Iam.IamXml;

namespace RemediationTools.AwsSandbox.Iam;

/// <summary>
/// IAM's account-wide actions: the account password policy (UpdateAccountPasswordPolicy replaces the whole policy:
/// parameters not sent revert to their defaults), server certificates and the account summary. These actions take no
/// resource-level permissions except the server certificate ones (arn:aws:iam::account:server-certificate/path/name).
/// </summary>
internal sealed partial class IamService
{
    private static string? HandleAccount(AwsRequestContext context) => context.Action switch
    {
        "GetAccountPasswordPolicy" => GetAccountPasswordPolicy(context),
        "UpdateAccountPasswordPolicy" => UpdateAccountPasswordPolicy(context),
        "DeleteAccountPasswordPolicy" => DeleteAccountPasswordPolicy(context),
        "ListServerCertificates" => ListServerCertificates(context),
        "GetServerCertificate" => GetServerCertificate(context),
        "DeleteServerCertificate" => DeleteServerCertificate(context),
        "GetAccountSummary" => GetAccountSummary(context),
        _ => null,
    };

    private static AwsServiceError NoPasswordPolicy(AwsRequestContext context) =>
        new(404, "NoSuchEntity", $"The Password Policy with domain name {context.Caller.AccountId} cannot be found.");

    private static string GetAccountPasswordPolicy(AwsRequestContext context)
    {
        Authorizer.Require(context, "iam:GetAccountPasswordPolicy", "*");
        var policy = context.Account.Iam.PasswordPolicy ?? throw NoPasswordPolicy(context);
        return Ok(context, E(
            "PasswordPolicy",
            E("MinimumPasswordLength", AwsXml.Int(policy.MinimumPasswordLength)),
            E("RequireSymbols", AwsXml.Bool(policy.RequireSymbols)),
            E("RequireNumbers", AwsXml.Bool(policy.RequireNumbers)),
            E("RequireUppercaseCharacters", AwsXml.Bool(policy.RequireUppercaseCharacters)),
            E("RequireLowercaseCharacters", AwsXml.Bool(policy.RequireLowercaseCharacters)),
            E("AllowUsersToChangePassword", AwsXml.Bool(policy.AllowUsersToChangePassword)),
            E("ExpirePasswords", AwsXml.Bool(policy.MaxPasswordAge is not null)),
            policy.MaxPasswordAge is { } age ? E("MaxPasswordAge", AwsXml.Int(age)) : null,
            policy.PasswordReusePrevention is { } reuse ? E("PasswordReusePrevention", AwsXml.Int(reuse)) : null,
            E("HardExpiry", AwsXml.Bool(policy.HardExpiry))));
    }

    /// <summary>The IAM API reference's ranges: MinimumPasswordLength 6-128, MaxPasswordAge 1-1095, PasswordReusePrevention 1-24.</summary>
    private static string UpdateAccountPasswordPolicy(AwsRequestContext context)
    {
        Authorizer.Require(context, "iam:UpdateAccountPasswordPolicy", "*");
        var args = context.Args;
        var policy = new IamPasswordPolicy
        {
            MinimumPasswordLength = Ranged(args, "MinimumPasswordLength", "minimumPasswordLength", 6, 128) ?? 6,
            RequireSymbols = Flag(args, "RequireSymbols"),
            RequireNumbers = Flag(args, "RequireNumbers"),
            RequireUppercaseCharacters = Flag(args, "RequireUppercaseCharacters"),
            RequireLowercaseCharacters = Flag(args, "RequireLowercaseCharacters"),
            AllowUsersToChangePassword = Flag(args, "AllowUsersToChangePassword"),
            MaxPasswordAge = Ranged(args, "MaxPasswordAge", "maxPasswordAge", 1, 1095),
            PasswordReusePrevention = Ranged(args, "PasswordReusePrevention", "passwordReusePrevention", 1, 24),
            HardExpiry = Flag(args, "HardExpiry"),
        };
        context.Account.Iam.PasswordPolicy = policy;
        return Ok(context);
    }

    private static string DeleteAccountPasswordPolicy(AwsRequestContext context)
    {
        Authorizer.Require(context, "iam:DeleteAccountPasswordPolicy", "*");
        var iam = context.Account.Iam;
        if (iam.PasswordPolicy is null)
        {
            throw NoPasswordPolicy(context);
        }

        iam.PasswordPolicy = null;
        return Ok(context);
    }

    private static int? Ranged(QueryArgs args, string parameter, string member, int min, int max)
    {
        var value = args.GetInt(parameter);
        if (value < min)
        {
            throw IamValidation.Error($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal to {min}");
        }

        if (value > max)
        {
            throw IamValidation.Error($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have value less than or equal to {max}");
        }

        return value;
    }

    private static bool Flag(QueryArgs args, string parameter) => args.Get(parameter) switch
    {
        null => false,
        { } text when string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) => true,
        { } text when string.Equals(text, "false", StringComparison.OrdinalIgnoreCase) => false,
        { } text => throw new AwsServiceError(400, "MalformedInput", $"Invalid value '{text}' for {parameter}: expected true or false."),
    };

    private static string ServerCertificateArn(AwsRequestContext context, string path, string name) =>
        $"arn:aws:iam::{context.Caller.AccountId}:server-certificate{path}{name}";

    private static IamServerCertificate AuthorizedCertificate(AwsRequestContext context)
    {
        var name = IamValidation.Name(context.Args, "ServerCertificateName", "serverCertificateName", 128);
        context.Account.Iam.ServerCertificates.TryGetValue(name, out var certificate);
        Authorizer.Require(context, "iam:" + context.Action, certificate?.Arn ?? ServerCertificateArn(context, "/", name));
        return certificate ?? throw new AwsServiceError(404, "NoSuchEntity", $"The Server Certificate with name {name} cannot be found.");
    }

    private static XElement CertificateMetadata(string elementName, IamServerCertificate certificate) => E(
        elementName,
        E("Path", certificate.Path),
        E("ServerCertificateName", certificate.Name),
        E("ServerCertificateId", certificate.ServerCertificateId),
        E("Arn", certificate.Arn),
        E("UploadDate", AwsXml.Timestamp(certificate.UploadDate)),
        E("Expiration", AwsXml.Timestamp(certificate.Expiration)));

    private static string ListServerCertificates(AwsRequestContext context)
    {
        Authorizer.Require(context, "iam:ListServerCertificates", "*");
        var prefix = context.Args.Get("PathPrefix") ?? "/";
        var certificates = context.Account.Iam.ServerCertificates.Values
            .Where(c => c.Path.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        var page = Page(context.Args, certificates, context.State.MaxPageSize);
        return Ok(context, E("ServerCertificateMetadataList", page.Items.Select(c => CertificateMetadata("member", c))), page.Elements);
    }

    private static string GetServerCertificate(AwsRequestContext context)
    {
        var certificate = AuthorizedCertificate(context);
        return Ok(context, E(
            "ServerCertificate",
            CertificateMetadata("ServerCertificateMetadata", certificate),
            E("CertificateBody", certificate.CertificateBody),
            certificate.Tags.Count > 0 ? Tags(certificate.Tags) : null));
    }

    private static string DeleteServerCertificate(AwsRequestContext context)
    {
        var certificate = AuthorizedCertificate(context);
        context.Account.Iam.ServerCertificates.Remove(certificate.Name);
        return Ok(context);
    }

    private static string GetAccountSummary(AwsRequestContext context)
    {
        Authorizer.Require(context, "iam:GetAccountSummary", "*");
        var iam = context.Account.Iam;
        var summary = new (string Key, int Value)[]
        {
            ("AccountAccessKeysPresent", iam.RootAccessKeys > 0 ? 1 : 0),
            ("AccountMFAEnabled", 0),
            ("AccountSigningCertificatesPresent", 0),
            ("InstanceProfiles", iam.InstanceProfiles.Count),
            ("InstanceProfilesQuota", 1000),
            ("Roles", iam.Roles.Count),
            ("RolesQuota", 1000),
            ("ServerCertificates", iam.ServerCertificates.Count),
            ("ServerCertificatesQuota", 20),
            ("Users", iam.Users.Count),
            ("UsersQuota", 5000),
        };
        return Ok(context, E("SummaryMap", summary.Select(e => E("entry", E("key", e.Key), E("value", AwsXml.Int(e.Value))))));
    }
}
