using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace RemediationTools.Core.Stores;

/// <summary>
/// Client IDs, client secrets and the one form a secret is kept in: a salted PBKDF2-HMAC-SHA256 hash with a high
/// iteration count, compared in constant time. Text form: <c>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt&gt;$&lt;hash&gt;</c> (base64).
/// </summary>
internal static class ClientSecretHasher
{
    /// <summary>The iteration count of new hashes (OWASP's figure for PBKDF2-HMAC-SHA256).</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>The lowest iteration count accepted when verifying.</summary>
    public const int MinimumIterations = 100_000;

    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    private const int SecretBytes = 32;

    /// <summary>A new client ID: 16 random bytes as 32 lower-case hex digits.</summary>
    public static string NewClientId() => ToHex(RandomBytes(16));

    /// <summary>A new client secret: 32 random bytes, base64url without padding (43 characters).</summary>
    public static string NewClientSecret() => Convert.ToBase64String(RandomBytes(SecretBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Hashes <paramref name="secret"/> with a new random salt.</summary>
    public static string Hash(string secret, int iterations = DefaultIterations)
    {
        if (string.IsNullOrEmpty(secret))
        {
            throw new ArgumentException("The client secret is empty.", nameof(secret));
        }

        if (iterations < MinimumIterations)
        {
            throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "At least " + MinimumIterations.ToString(CultureInfo.InvariantCulture) + " iterations are required.");
        }

        var salt = RandomBytes(SaltBytes);
        var hash = Derive(secret, salt, iterations);
        return Scheme + "$" + iterations.ToString(CultureInfo.InvariantCulture) + "$" + Convert.ToBase64String(salt) + "$" + Convert.ToBase64String(hash);
    }

    /// <summary>True when <paramref name="secret"/> is the secret <paramref name="storedHash"/> was made from. Malformed hashes never match.</summary>
    public static bool Verify(string? secret, string? storedHash)
    {
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(storedHash))
        {
            return false;
        }

        var parts = storedHash!.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < MinimumIterations)
        {
            return false;
        }

        byte[] salt;
        byte[] expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        return expected.Length == HashBytes && FixedTimeEquals(Derive(secret!, salt, iterations), expected);
    }

    /// <summary>Compares two byte strings in time that depends only on their length, not on where they differ.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    public static bool FixedTimeEquals(byte[] left, byte[] right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        var difference = 0;
        for (var i = 0; i < left.Length; i++)
        {
            difference |= left[i] ^ right[i];
        }

        return difference == 0;
    }

    /// <summary>Compares two strings (such as client IDs) in time that does not depend on where they differ.</summary>
    public static bool FixedTimeEquals(string? left, string? right)
        => left is not null && right is not null && FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(left), System.Text.Encoding.UTF8.GetBytes(right));

    private static byte[] Derive(string secret, byte[] salt, int iterations)
    {
        var password = System.Text.Encoding.UTF8.GetBytes(secret);
        if (OneShot is not null)
        {
            return (byte[])OneShot.Invoke(null, new object[] { password, salt, iterations, HashAlgorithmName.SHA256, HashBytes })!;
        }

        using var pbkdf2 = (Rfc2898DeriveBytes)WithHashAlgorithm.Invoke(new object[] { password, salt, iterations, HashAlgorithmName.SHA256 });
        return pbkdf2.GetBytes(HashBytes);
    }

    // netstandard2.0 exposes only SHA-1 PBKDF2. Every runtime the module and worker run on has more: .NET 6+ the one-shot
    // Rfc2898DeriveBytes.Pbkdf2 (native, fastest), .NET Framework 4.7.2+ the constructor that takes a HashAlgorithmName.
    private static readonly MethodInfo? OneShot = typeof(Rfc2898DeriveBytes).GetMethod(
        "Pbkdf2", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(byte[]), typeof(byte[]), typeof(int), typeof(HashAlgorithmName), typeof(int) }, null);

    private static readonly ConstructorInfo WithHashAlgorithm = typeof(Rfc2898DeriveBytes).GetConstructor(new[] { typeof(byte[]), typeof(byte[]), typeof(int), typeof(HashAlgorithmName) })
        ?? throw new PlatformNotSupportedException("PBKDF2 with SHA-256 needs .NET Framework 4.7.2 or later, or .NET 6 or later.");

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        using var random = RandomNumberGenerator.Create();
        random.GetBytes(bytes);
        return bytes;
    }

    private static string ToHex(byte[] bytes)
    {
        var chars = new char[bytes.Length * 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[2 * i] = "0123456789abcdef"[bytes[i] >> 4];
            chars[(2 * i) + 1] = "0123456789abcdef"[bytes[i] & 0xF];
        }

        return new string(chars);
    }
}
