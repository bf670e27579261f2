using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

namespace RemediationTools.Core.Aws;

/// <summary>A named AWS profile: its credentials (if it defines any) and its region (if set).</summary>
internal sealed class AwsProfile
{
    public AwsProfile(string name, AWSCredentials? credentials, string? region)
    {
        Name = name;
        Credentials = credentials;
        Region = region;
    }

    public string Name { get; }

    public AWSCredentials? Credentials { get; }

    public string? Region { get; }
}

/// <summary>Looks up named profiles; injected so that tests do not read the user's files.</summary>
internal interface IAwsProfileStore
{
    /// <summary>The profile, or null when no store has it.</summary>
    AwsProfile? FindProfile(string name);
}

/// <summary>
/// The SDK's profile stores (<see cref="CredentialProfileStoreChain"/>): the SDK's encrypted store on Windows,
/// then the shared credentials and config files (honouring AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE).
/// </summary>
internal sealed class SdkAwsProfileStore : IAwsProfileStore
{
    private readonly CredentialProfileStoreChain chain;

    public SdkAwsProfileStore(string? profilesLocation = null)
    {
        chain = new CredentialProfileStoreChain(profilesLocation);
    }

    public AwsProfile? FindProfile(string name)
    {
        if (!chain.TryGetProfile(name, out var profile))
        {
            return null;
        }

        AWSCredentials? credentials = null;
        if (profile.CanCreateAWSCredentials)
        {
            credentials = profile.GetAWSCredentials(chain);
        }

        return new AwsProfile(profile.Name, credentials, profile.Region?.SystemName);
    }
}
