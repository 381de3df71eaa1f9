using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Tollgate.Core;

/// <summary>Prefixed, time-ordered random identifiers ("sub_01jd…"), so ids sort by creation and index well.</summary>
public static class Ids
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

    private static readonly UInt128 RandomMask = (UInt128.One << 80) - 1;
    private static readonly Lock Gate = new();
    private static long _lastMs = -1;
    private static UInt128 _lastRandom;

    /// <summary>
    /// 48 bits of milliseconds, then 80 random bits. Within one millisecond the random part counts up from the first
    /// id's (as monotonic ULIDs do), so ids made one after another sort in that order, which keyset pages rely on.
    /// </summary>
    public static string New(string prefix, TimeProvider time)
    {
        var ms = time.GetUtcNow().ToUnixTimeMilliseconds();
        UInt128 random;
        lock (Gate)
        {
            if (ms <= _lastMs)
            {
                ms = _lastMs;
                random = _lastRandom = (_lastRandom + 1) & RandomMask;
            }
            else
            {
                Span<byte> bytes = stackalloc byte[16];
                RandomNumberGenerator.Fill(bytes);
                random = _lastRandom = BinaryPrimitives.ReadUInt128BigEndian(bytes) & RandomMask;
                _lastMs = ms;
            }
        }

        return prefix + "_" + Encode(((UInt128)(ulong)ms << 80) | random);
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

    private static string Encode(UInt128 value)
    {
        // 128 bits → 26 characters of 5 bits each.
        var chars = new char[26];
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }
}
