namespace RemediationTools.Core.Jobs.Iam;

/// <summary>The IAM actions of the IAM jobs.</summary>
internal static class IamActions
{
    /// <summary>Read the account password policy.</summary>
    public const string GetAccountPasswordPolicy = "iam:GetAccountPasswordPolicy";

    /// <summary>Replace the account password policy (create the first one).</summary>
    public const string UpdateAccountPasswordPolicy = "iam:UpdateAccountPasswordPolicy";

    /// <summary>Delete the account password policy (undo of a first policy).</summary>
    public const string DeleteAccountPasswordPolicy = "iam:DeleteAccountPasswordPolicy";

    /// <summary>Read a server certificate (expiry, tags).</summary>
    public const string GetServerCertificate = "iam:GetServerCertificate";

    /// <summary>Delete a server certificate.</summary>
    public const string DeleteServerCertificate = "iam:DeleteServerCertificate";

    /// <summary>Read the account summary (root access keys present).</summary>
    public const string GetAccountSummary = "iam:GetAccountSummary";
}
