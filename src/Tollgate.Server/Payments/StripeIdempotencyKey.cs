using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Server.Payments;

/// <summary>
/// Idempotency keys that stay within Stripe's 255 characters. A key made from an id keeps the id when it fits, so it
/// reads well in Stripe's logs; a longer one carries the id's SHA-256 instead, the same on every retry and every node.
/// </summary>
public static class StripeIdempotencyKey
{
    public const int MaxLength = 255;

    public static string For(string prefix, string id)
    {
        var key = $"{prefix}-{id}";
        return key.Length <= MaxLength
            ? key
            : $"{prefix}-sha256-{Hash(id)}";
    }

    /// <summary>The SHA-256 of <paramref name="text"/> in lowercase hex: stands in a key for text Stripe's logs should not show.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
