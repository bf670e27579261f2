using System.Security;

namespace RemediationTools;

/// <summary>Hands the one-time client secret to PowerShell as a SecureString only, or to an owner-only file.</summary>
internal static class DeploymentSecrets
{
    /// <summary>
    /// Writes the plain secret to <see cref="WorkerGroupDeployment.ClientSecretFile"/>, owner-only (see
    /// <see cref="Core.Workers.WorkerClientSecret.WriteFile"/>); call before <see cref="WithSecureSecret"/>.
    /// </summary>
    /// <returns>Null when written; otherwise a FileWriteFailed error naming the file (the secret is still in the output).</returns>
    public static System.Management.Automation.ErrorRecord? TryWriteClientSecretFile(this WorkerGroupDeployment deployment)
    {
        try
        {
            Core.Workers.WorkerClientSecret.WriteFile(deployment.ClientSecretFile, deployment.PlainClientSecret);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return new System.Management.Automation.ErrorRecord(
                new IOException("The client secret could not be written to '" + deployment.ClientSecretFile + "': " + ex.Message, ex),
                ErrorIds.FileWriteFailed,
                System.Management.Automation.ErrorCategory.WriteError,
                deployment.ClientSecretFile);
        }
    }

    /// <summary>Moves the plain secret into <see cref="WorkerGroupDeployment.ClientSecret"/> and clears the plain copy.</summary>
    public static WorkerGroupDeployment WithSecureSecret(this WorkerGroupDeployment deployment)
    {
        var secure = new SecureString();
        foreach (char c in deployment.PlainClientSecret)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        deployment.ClientSecret = secure;
        deployment.PlainClientSecret = string.Empty;
        return deployment;
    }
}
