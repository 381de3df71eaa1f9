using System.Security.Cryptography;

namespace Tollgate.Server.Webhooks;

/// <summary>How an endpoint's deliveries are signed, and the secrets each scheme takes.</summary>
public static class WebhookSchemes
{
    /// <summary>Tollgate-Signature: t=…,v1=hex HMAC of "t.body", keyed by the secret's text, as Stripe signs (its constructEvent verifies it).</summary>
    public const string Tollgate = "tollgate";

    /// <summary>Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature "v1,base64 HMAC of id.t.body", keyed by the secret's bytes.</summary>
    public const string Standard = "standard";

    public static readonly IReadOnlyList<string> All = [Tollgate, Standard];

    /// <summary>
    /// A new secret: "whsec_" and 32 random bytes, in base64url for the tollgate scheme (used as text), in standard base64
    /// for the standard one (decoded to the key, as every Standard Webhooks verifier does).
    /// </summary>
    public static string NewSecret(string scheme)
    {
        var bytes = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        return "whsec_" + (scheme == Standard ? bytes : bytes.TrimEnd('=').Replace('+', '-').Replace('/', '_'));
    }

    /// <summary>The HMAC key of a standard secret: the bytes after "whsec_", or null when they are not base64 of 24 to 64 bytes.</summary>
    public static byte[]? StandardKey(string secret)
    {
        if (!secret.StartsWith("whsec_", StringComparison.Ordinal))
        {
            return null;
        }

        var buffer = new byte[secret.Length];
        return Convert.TryFromBase64String(secret["whsec_".Length..], buffer, out var length) && length is >= 24 and <= 64 ? buffer[..length] : null;
    }
}
