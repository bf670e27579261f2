using System.Security;

namespace RemediationTools;

/// <summary>Hands the one-time client secret to PowerShell as a SecureString only.</summary>
internal static class DeploymentSecrets
{
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
