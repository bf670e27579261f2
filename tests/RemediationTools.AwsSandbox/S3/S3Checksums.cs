using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>The checksum algorithms of S3's <c>x-amz-checksum-*</c> headers and trailers (base64 of the big-endian value).</summary>
internal static class S3Checksums
{
    private static readonly uint[] Crc32Table = Table32(0xEDB88320u);
    private static readonly uint[] Crc32CTable = Table32(0x82F63B78u);
    private static readonly ulong[] Crc64NvmeTable = Table64(0x9A6C9329AC4BC9B5ul);

    /// <summary>The lower-case algorithm names as they appear in the header names.</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"];

    /// <summary>The base64 checksum of <paramref name="data"/>, or null for an unknown algorithm.</summary>
    public static string? Compute(string algorithm, byte[] data) => algorithm switch
    {
        "crc32" => Be32(Crc32(Crc32Table, data)),
        "crc32c" => Be32(Crc32(Crc32CTable, data)),
        "crc64nvme" => Be64(Crc64(data)),
#pragma warning disable CA5350 // SHA-1 is one of S3's checksum algorithms; the sandbox checks what clients send.
        "sha1" => Convert.ToBase64String(SHA1.HashData(data)),
#pragma warning restore CA5350
        "sha256" => Convert.ToBase64String(SHA256.HashData(data)),
        _ => null,
    };

    /// <summary>The number of bytes the decoded value of the algorithm's checksum has.</summary>
    public static int Length(string algorithm) => algorithm switch
    {
        "crc32" or "crc32c" => 4,
        "crc64nvme" => 8,
        "sha1" => 20,
        _ => 32,
    };

    /// <summary>The name S3 uses in its messages: CRC32, CRC32C, CRC64NVME, SHA1, SHA256.</summary>
    public static string DisplayName(string algorithm) => algorithm.ToUpperInvariant();

    private static uint Crc32(uint[] table, byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static ulong Crc64(byte[] data)
    {
        var crc = ulong.MaxValue;
        foreach (var b in data)
        {
            crc = Crc64NvmeTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static string Be32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return Convert.ToBase64String(bytes);
    }

    private static string Be64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return Convert.ToBase64String(bytes);
    }

    private static uint[] Table32(uint polynomial)
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? polynomial ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }

    private static ulong[] Table64(ulong polynomial)
    {
        var table = new ulong[256];
        for (ulong i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? polynomial ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
