using System.Security.Cryptography;

namespace Tollgate.Core;

/// <summary>Prefixed, time-ordered random identifiers ("sub_01jd…"), so ids sort by creation and index well.</summary>
public static class Ids
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

    public static string New(string prefix, TimeProvider time)
    {
        Span<byte> bytes = stackalloc byte[16];
        var ms = time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)(ms & 0xFF);
            ms >>= 8;
        }

        RandomNumberGenerator.Fill(bytes[6..]);
        return prefix + "_" + Encode(bytes);
    }

    /// <summary>A random token of the given number of base32 characters, for secrets and keys.</summary>
    public static string Secret(int characters)
    {
        Span<byte> bytes = stackalloc byte[characters];
        RandomNumberGenerator.Fill(bytes);
        var chars = new char[characters];
        for (var i = 0; i < characters; i++)
        {
            chars[i] = Alphabet[bytes[i] & 31];
        }

        return new string(chars);
    }

    private static string Encode(ReadOnlySpan<byte> bytes)
    {
        // 128 bits → 26 characters of 5 bits each.
        var value = new UInt128(
            BitConverter.ToUInt64([bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]]),
            BitConverter.ToUInt64([bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]]));
        var chars = new char[26];
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }
}
