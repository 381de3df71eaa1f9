using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Storage.Database;

/// <summary>
/// The fingerprint kept beside an idempotency key, so a retry with the same key but a different request is told apart.
/// One definition for every capability that stores keys: two would drift and refuse each other's retries.
/// </summary>
public static class RequestHash
{
    /// <summary>128 bits of SHA-256 over the parts joined by a unit separator, which no part's text contains.</summary>
    public static string Of(params object[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))))[..32];
}
