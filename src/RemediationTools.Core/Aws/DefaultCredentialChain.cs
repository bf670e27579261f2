using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace RemediationTools.Core.Aws;

/// <summary>The last level of credential resolution: the SDK's default chain. Injected so tests stay hermetic.</summary>
internal interface IDefaultCredentialChain
{
    /// <summary>Credentials from the chain and a description of where they came from, or null when the chain finds none.</summary>
    Task<(AWSCredentials Credentials, string Source)?> ResolveAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The SDK's own chain (<see cref="DefaultAWSCredentialsIdentityResolver"/>): environment variables, the
/// AWS_PROFILE or default profile of the shared files, web identity, SSO, container and instance metadata.
/// </summary>
internal sealed class SdkDefaultCredentialChain : IDefaultCredentialChain
{
    public async Task<(AWSCredentials Credentials, string Source)?> ResolveAsync(CancellationToken cancellationToken)
    {
        using var resolver = new DefaultAWSCredentialsIdentityResolver();
        try
        {
            var credentials = await resolver.ResolveIdentityAsync(null, cancellationToken).ConfigureAwait(false);
            if (credentials is null)
            {
                return null;
            }

            var profile = DefaultAWSCredentialsIdentityResolver.GetProfileName();
            var source = string.IsNullOrEmpty(profile)
                ? $"SDK default chain ({credentials.GetType().Name})"
                : $"SDK default chain ({credentials.GetType().Name}, profile '{profile}')";
            return (credentials, source);
        }
        catch (AmazonClientException)
        {
            // The chain throws when none of its providers has credentials.
            return null;
        }
    }
}
