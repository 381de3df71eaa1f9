using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tollgate.Storage.Settings;

namespace Tollgate.Server.Web;

/// <summary>A verified token: what kind it is, whom it is for, when it stops working, and the extra value it carries.</summary>
public sealed record SignedToken(string Kind, string Subject, DateTimeOffset ExpiresAt, string Extra);

/// <summary>
/// Signs and checks the short tokens behind portal links and page sessions: HMAC-SHA256 over the kind, subject,
/// expiry and an extra value, with a key kept in the database so every node accepts what any node signed. Expiry is
/// checked against the injected clock, so the test clock expires links too.
/// </summary>
public sealed class PageSigning(ServerSettings settings, TimeProvider time)
{
    private byte[]? _key;

    public async Task<string> SignAsync(string kind, string subject, DateTimeOffset expiresAt, string extra = "", CancellationToken cancellationToken = default)
    {
        var payload = string.Join('\n', kind, subject, expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), extra,
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        var bytes = Encoding.UTF8.GetBytes(payload);
        return $"{Base64Url(bytes)}.{Base64Url(HMACSHA256.HashData(await KeyAsync(cancellationToken), bytes))}";
    }

    /// <summary>The token's contents when it is of <paramref name="kind"/>, untampered and unexpired; otherwise null and why.</summary>
    public async Task<(SignedToken? Token, string? Problem)> VerifyAsync(string? token, string kind, CancellationToken cancellationToken = default)
    {
        var parts = token?.Split('.') ?? [];
        if (parts.Length != 2 || FromBase64Url(parts[0]) is not { } bytes || FromBase64Url(parts[1]) is not { } signature)
        {
            return (null, "malformed");
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(await KeyAsync(cancellationToken), bytes), signature))
        {
            return (null, "forged");
        }

        var fields = Encoding.UTF8.GetString(bytes).Split('\n');
        if (fields.Length != 5 || fields[0] != kind || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return (null, "malformed");
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return expiresAt <= time.GetUtcNow() ? (null, "expired") : (new SignedToken(kind, fields[1], expiresAt, fields[3]), null);
    }

    /// <summary>A short keyed fingerprint of a secret, to tell which one a token was made with without revealing it.</summary>
    public async Task<string> FingerprintAsync(string secret, CancellationToken cancellationToken = default) =>
        Base64Url(HMACSHA256.HashData(await KeyAsync(cancellationToken), Encoding.UTF8.GetBytes("fingerprint\n" + secret)))[..22];

    /// <summary>A per-session anti-forgery value for forms: sessions without the token cannot post.</summary>
    public async Task<string> CsrfAsync(string sessionToken, CancellationToken cancellationToken = default) =>
        Base64Url(HMACSHA256.HashData(await KeyAsync(cancellationToken), Encoding.UTF8.GetBytes("csrf\n" + sessionToken)));

    public async Task<bool> CsrfMatchesAsync(string sessionToken, string? presented, CancellationToken cancellationToken = default) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(await CsrfAsync(sessionToken, cancellationToken)),
            Encoding.ASCII.GetBytes(presented));

    private async Task<byte[]> KeyAsync(CancellationToken cancellationToken) =>
        _key ??= Convert.FromBase64String(await settings.GetOrCreateAsync("page_signing_key",
            () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), cancellationToken));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
