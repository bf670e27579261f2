using System.Reflection;
using Amazon.Runtime;

namespace RemediationTools.Core.Aws;

/// <summary>
/// Turns the credential objects PowerShell hands us into our own <see cref="AWSCredentials"/>. AWS Tools for
/// PowerShell may load another copy of AWSSDK.Core, so its objects are read by reflection, never cast.
/// </summary>
internal static class ForeignCredentials
{
    private const BindingFlags AnyInstance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>
    /// Credentials for an <c>AWSCredentials</c> of any AWSSDK.Core copy (read through <c>GetCredentials()</c> on
    /// every use, so refreshing credentials keep refreshing), or an object with key properties; null when the
    /// object is neither.
    /// </summary>
    public static AWSCredentials? FromCredentialObject(object? value)
    {
        value = Unwrap(value);
        switch (value)
        {
            case null:
                return null;
            case AWSCredentials own:
                return own;
            case ImmutableCredentials immutable:
                return new SessionOrBasic(immutable);
        }

        var getCredentials = value.GetType().GetMethod("GetCredentials", BindingFlags.Instance | BindingFlags.Public, null, Type.EmptyTypes, null);
        if (getCredentials is not null)
        {
            return new ReflectedAwsCredentials(value, getCredentials);
        }

        var keys = ReadKeys(value);
        return keys is null ? null : new SessionOrBasic(keys);
    }

    /// <summary>
    /// Reads <c>$StoredAWSCredentials</c>: a profile name (string), AWS Tools' wrapper (an <c>AWSPSCredentials</c>
    /// with non-public <c>Credentials</c> and <c>Name</c> properties), or a credentials object.
    /// </summary>
    public static (string? ProfileName, AWSCredentials? Credentials, string? Name) FromStoredValue(object? value)
    {
        value = Unwrap(value);
        if (value is null)
        {
            return (null, null, null);
        }

        if (value is string text)
        {
            return string.IsNullOrWhiteSpace(text) ? (null, null, null) : (text.Trim(), null, null);
        }

        var direct = FromCredentialObject(value);
        if (direct is not null)
        {
            return (null, direct, null);
        }

        var type = value.GetType();
        var name = type.GetProperty("Name", AnyInstance)?.GetValue(value) as string;
        var inner = type.GetProperty("Credentials", AnyInstance)?.GetValue(value);
        return (null, FromCredentialObject(inner), name);
    }

    /// <summary>A region system name from <c>$StoredAWSRegion</c> (a string, or an object with a <c>Region</c> or <c>SystemName</c>).</summary>
    public static string? RegionFromStoredValue(object? value)
    {
        value = Unwrap(value);
        if (value is null)
        {
            return null;
        }

        if (value is string text)
        {
            return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        }

        var type = value.GetType();
        var region = type.GetProperty("SystemName", AnyInstance)?.GetValue(value) as string
            ?? type.GetProperty("Region", AnyInstance)?.GetValue(value) as string;
        return string.IsNullOrWhiteSpace(region) ? null : region!.Trim();
    }

    internal static ImmutableCredentials? ReadKeys(object? value)
    {
        if (value is null)
        {
            return null;
        }

        var type = value.GetType();
        var accessKey = type.GetProperty("AccessKey", AnyInstance)?.GetValue(value) as string
            ?? type.GetProperty("AccessKeyId", AnyInstance)?.GetValue(value) as string;
        var secretKey = type.GetProperty("SecretKey", AnyInstance)?.GetValue(value) as string
            ?? type.GetProperty("SecretAccessKey", AnyInstance)?.GetValue(value) as string;
        var token = type.GetProperty("Token", AnyInstance)?.GetValue(value) as string
            ?? type.GetProperty("SessionToken", AnyInstance)?.GetValue(value) as string;
        if (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
        {
            return null;
        }

        return new ImmutableCredentials(accessKey, secretKey, string.IsNullOrEmpty(token) ? null : token);
    }

    private static object? Unwrap(object? value)
    {
        // A PSObject reaches us when the cmdlet layer forgets to take BaseObject; Core has no PowerShell reference.
        while (value is not null && value.GetType().FullName == "System.Management.Automation.PSObject")
        {
            var inner = value.GetType().GetProperty("BaseObject")?.GetValue(value);
            if (inner is null || ReferenceEquals(inner, value))
            {
                break;
            }

            value = inner;
        }

        return value;
    }

    /// <summary>Fixed keys wrapped as credentials.</summary>
    private sealed class SessionOrBasic : AWSCredentials
    {
        private readonly ImmutableCredentials credentials;

        public SessionOrBasic(ImmutableCredentials credentials) => this.credentials = credentials;

        public override ImmutableCredentials GetCredentials() => credentials.Copy();
    }

    /// <summary>Credentials of another AWSSDK.Core copy, asked for their current keys on every use.</summary>
    private sealed class ReflectedAwsCredentials : AWSCredentials
    {
        private readonly object foreign;
        private readonly MethodInfo getCredentials;

        public ReflectedAwsCredentials(object foreign, MethodInfo getCredentials)
        {
            this.foreign = foreign;
            this.getCredentials = getCredentials;
        }

        public override ImmutableCredentials GetCredentials()
        {
            object? result;
            try
            {
                result = getCredentials.Invoke(foreign, null);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw new AwsConfigurationException(
                    AwsConfigurationError.InvalidParameters,
                    $"The credentials object ({foreign.GetType().FullName}) could not produce credentials: {ex.InnerException.Message}",
                    ex.InnerException);
            }

            return ReadKeys(result) ?? throw new AwsConfigurationException(
                AwsConfigurationError.InvalidParameters,
                $"The credentials object ({foreign.GetType().FullName}) returned no access key and secret key.");
        }
    }
}
