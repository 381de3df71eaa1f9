using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Core;

/// <summary>
/// The fingerprint of a request kept beside its idempotency key, so a retry is told apart from a different request
/// under the same key: SHA-256 of the parts (joined by a unit separator), 32 lowercase hex digits.
/// </summary>
public static class RequestHash
{
    public static string Of(params object[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))))[..32];
}
