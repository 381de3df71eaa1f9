using System.Security.Cryptography;
using System.Text;
using Tollgate.Core;

namespace Tollgate.Server.Keys;

public enum ApiKeyRole
{
    /// <summary>Catalog, stats and everything else; never for a browser.</summary>
    Admin,

    /// <summary>Server-side calls: entitlements, usage, customers.</summary>
    Secret,

    /// <summary>Safe to embed in a web page: pricing reads only.</summary>
    Publishable,
}

public sealed record ApiKeyRecord(string Id, string Name, ApiKeyRole Role, string Lookup, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A freshly made key: the plain text exists only here and is shown once.</summary>
public sealed record NewApiKey(ApiKeyRecord Record, string PlainText);

/// <summary>Key format and hashing: tg_{role}_{lookup}{secret}; only the SHA-256 of the whole key is stored.</summary>
public static class ApiKeyFormat
{
    public const int LookupLength = 8;

    public static string RolePrefix(ApiKeyRole role) => role switch
    {
        ApiKeyRole.Admin => "tg_admin_",
        ApiKeyRole.Secret => "tg_sk_",
        _ => "tg_pk_",
    };

    public static string Generate(ApiKeyRole role) => RolePrefix(role) + Ids.Secret(40);

    /// <summary>The non-secret part used to find candidates; null when the text is not shaped like a key.</summary>
    public static string? LookupOf(string key) =>
        Enum.GetValues<ApiKeyRole>().Select(role => LookupOf(key, RolePrefix(role))).FirstOrDefault(lookup => lookup is not null);

    /// <summary>The lookup of a token made as prefix, lookup and secret (API keys, customer sessions); null when not shaped so.</summary>
    public static string? LookupOf(string key, string prefix) =>
        key.StartsWith(prefix, StringComparison.Ordinal) && key.Length >= prefix.Length + LookupLength + 16
            ? key.Substring(prefix.Length, LookupLength) : null;

    /// <summary>
    /// The candidate whose stored SHA-256 (lower-case hex) is the presented token's, compared in constant time against
    /// every candidate, so the time taken does not tell how close a guess came.
    /// </summary>
    public static T? Match<T>(string presented, IEnumerable<T> candidates, Func<T, string> storedHash) where T : class
    {
        var hash = Hash(presented);
        T? match = null;
        foreach (var candidate in candidates)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(storedHash(candidate))))
            {
                match = candidate;
            }
        }

        return match;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string RoleName(ApiKeyRole r) => r.ToString().ToLowerInvariant();
}
