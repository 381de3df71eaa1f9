using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Server.Payments;

/// <summary>
/// Stripe's webhook signature: <c>Stripe-Signature: t=&lt;unix&gt;,v1=&lt;hex&gt;[,v1=…]</c>, where each v1 is the lower-case hex
/// HMAC-SHA256 of "t.raw_body" keyed with the whole whsec_ secret. Any v1 may match (Stripe signs with each active
/// secret while one rolls); other schemes, such as the test-mode v0, are ignored so they cannot downgrade the check.
/// </summary>
public static class StripeSignature
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> payload)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + payload.Length];
        prefix.CopyTo(signed, 0);
        payload.CopyTo(signed.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>Null when the header signs <paramref name="payload"/> with <paramref name="secret"/> within the tolerance; else what is wrong.</summary>
    public static string? Verify(string? header, ReadOnlySpan<byte> payload, string secret, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return "The Stripe-Signature header is missing.";
        }

        long? timestamp = null;
        var signatures = new List<string>();
        foreach (var item in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = equals < 0 ? (item, "") : (item[..equals], item[(equals + 1)..]);
            if (name == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (name == "v1")
            {
                signatures.Add(value);
            }
        }

        if (timestamp is not { } ts || signatures.Count == 0)
        {
            return "The Stripe-Signature header must carry t=<unix seconds> and at least one v1=<signature>.";
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, ts, payload));
        if (!signatures.Any(s => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(s))))
        {
            return "No v1 signature matches the body; check the webhook secret (whsec_…) and that the body is passed unchanged.";
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(ts, -62_135_596_800L, 253_402_300_799L));
        return age.Duration() > Tolerance
            ? $"The signature's timestamp is {(long)age.TotalSeconds} s from now, outside the {(int)Tolerance.TotalSeconds} s tolerance."
            : null;
    }
}
