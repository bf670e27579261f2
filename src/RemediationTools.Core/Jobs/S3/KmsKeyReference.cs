using System.Text.RegularExpressions;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// The shapes a KMS key can be named by where S3 takes one (<c>-KmsKeyId</c>): a key ID (a UUID, or <c>mrk-</c> and 32
/// hex digits for a multi-Region key), a key ARN, an alias name (<c>alias/...</c>) or an alias ARN, in any partition.
/// Only the shape is checked; whether the key exists and may be used is for S3 to say when the configuration is written.
/// </summary>
internal static class KmsKeyReference
{
    private const string KeyId = "(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})";
    private const string AliasName = "alias/[a-zA-Z0-9/_-]{1,250}";
    private const string ArnPrefix = "arn:(?:aws|aws-cn|aws-us-gov):kms:[a-z]{2}(?:-[a-z]+)+-[0-9]+:[0-9]{12}:";

    private static readonly Regex Shape = new(
        "^(?:" + KeyId + "|" + AliasName + "|" + ArnPrefix + "key/" + KeyId + "|" + ArnPrefix + AliasName + ")$",
        RegexOptions.CultureInvariant);

    /// <summary>True when <paramref name="value"/> has one of the shapes.</summary>
    public static bool IsValid(string? value) => value is not null && Shape.IsMatch(value);

    /// <summary>Returns <paramref name="value"/> when it has one of the shapes; otherwise an ArgumentException naming it.</summary>
    public static string Require(string? value, string parameterName)
        => IsValid(value)
            ? value!
            : throw new ArgumentException(
                "The KMS key '" + value + "' is not a key ID (a UUID, or mrk- and 32 hex digits), a key ARN (arn:aws:kms:<region>:<account>:key/<id>), " +
                "an alias name (alias/<name>) or an alias ARN (arn:aws:kms:<region>:<account>:alias/<name>)" + ParameterSuffix(parameterName) + ".");

    // The message names the parameter in PowerShell's words (-KmsKeyId); an ArgumentException's own ParamName would add
    // .NET's " (Parameter 'KmsKeyId')" to what the user reads.
    private static string ParameterSuffix(string? parameterName) => string.IsNullOrEmpty(parameterName) ? string.Empty : " (-" + parameterName + ")";
}
