using System.Security.Cryptography;

namespace RemediationTools.AwsSandbox.Protocol;

/// <summary>Random identifiers in the shapes AWS uses.</summary>
internal static class IdGenerator
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string Base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary><c>prefix-</c> followed by 17 lowercase hex digits (sg-, sgr-, i-, eni-, vpc-…).</summary>
    public static string Ec2(string prefix) => prefix + "-" + Hex(17);

    public static string Hex(int length) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes((length + 1) / 2))[..length];

    /// <summary>An IAM unique id or access key: four-letter prefix and uppercase base32 characters.</summary>
    public static string IamId(string prefix, int length) => prefix + RandomNumberGenerator.GetString(Upper, length);

    public static string Secret() => RandomNumberGenerator.GetString(Base64Chars, 40);

    public static string SessionToken() => "IQoJb3JpZ2luX2VjE" + RandomNumberGenerator.GetString(Base64Chars, 300);

    public static string AccountId() => "1" + RandomNumberGenerator.GetString("0123456789", 11);

    public static string RequestId() => Guid.NewGuid().ToString();
}
