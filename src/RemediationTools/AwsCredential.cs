using System.Management.Automation;
using System.Net;

namespace RemediationTools;

/// <summary>
/// What <c>-Credential</c> takes: the credentials object of AWS Tools for PowerShell (<c>Get-AWSCredential</c>,
/// <c>New-AWSCredential</c>: an <c>Amazon.Runtime.AWSCredentials</c>, from any copy of AWSSDK.Core, read through its
/// <c>GetCredentials()</c> method), a <see cref="PSCredential"/> with the access key ID as user name and the secret
/// access key as password (<c>Get-Credential</c>), or an object with <c>AccessKey</c> and <c>SecretKey</c> (and
/// <c>SessionToken</c>) properties.
/// </summary>
public sealed class AwsCredential
{
    internal AwsCredential(object value) => Value = value;

    /// <summary>The credentials object Core reads (by its shape, never by its type).</summary>
    internal object Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value is AccessKeyPair keys ? keys.AccessKey : Value.GetType().Name;

    // Read by Core through its AccessKey / SecretKey properties, like any key-shaped object.
    internal sealed class AccessKeyPair
    {
        public AccessKeyPair(string accessKey, string secretKey, string? sessionToken)
        {
            AccessKey = accessKey;
            SecretKey = secretKey;
            SessionToken = sessionToken;
        }

        public string AccessKey { get; }

        public string SecretKey { get; }

        public string? SessionToken { get; }
    }
}

/// <summary>Converts what is bound to <c>-Credential</c> into an <see cref="AwsCredential"/>, naming a value it cannot use.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class AwsCredentialTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? bare = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        switch (bare)
        {
            case null:
            case AwsCredential:
                return bare;
            case PSCredential credential:
                string secret = new NetworkCredential(string.Empty, credential.Password).Password;
                if (string.IsNullOrWhiteSpace(credential.UserName) || string.IsNullOrEmpty(secret))
                {
                    throw new ArgumentTransformationMetadataException("The PSCredential given to -Credential needs the access key ID as its user name and the secret access key as its password.");
                }

                return new AwsCredential(new AwsCredential.AccessKeyPair(credential.UserName.Trim(), secret, null));
        }

        Type type = bare.GetType();
        if (type.GetMethod("GetCredentials", Type.EmptyTypes) is not null)
        {
            return new AwsCredential(bare);
        }

        string? accessKey = CloudAccountBinder.Read(inputData!, "AccessKey");
        string? secretKey = CloudAccountBinder.Read(inputData!, "SecretKey");
        return accessKey is not null && secretKey is not null
            ? new AwsCredential(new AwsCredential.AccessKeyPair(accessKey, secretKey, CloudAccountBinder.Read(inputData!, "SessionToken")))
            : throw new ArgumentTransformationMetadataException(
                $"-Credential takes AWS credentials (Get-AWSCredential, New-AWSCredential), a PSCredential of an access key ID and secret access key, or an object with AccessKey and SecretKey; not '{inputData}' ({type.Name}).");
    }
}
