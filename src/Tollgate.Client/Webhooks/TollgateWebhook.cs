using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Tollgate.Client.Webhooks;

/// <summary>An event Tollgate sent to a webhook endpoint.</summary>
/// <param name="Id">The event's id (evt_…); the same on every retry, so use it to process each event once.</param>
/// <param name="Type">Such as usage.threshold_crossed, quota.exceeded or invoice.paid.</param>
/// <param name="CreatedAt">When the change it reports was committed.</param>
/// <param name="Data">The object the event is about.</param>
public sealed record TollgateWebhookEvent(string Id, string Type, DateTimeOffset CreatedAt, JsonElement Data);

/// <summary>A webhook whose signature is missing, wrong or too old.</summary>
public sealed class TollgateWebhookSignatureException(string message) : Exception(message);

/// <summary>
/// Verifies the <c>Tollgate-Signature</c> header of a webhook: <c>t=timestamp,v1=hex(HMAC-SHA256(secret, "t.body"))</c>,
/// with one v1 per active secret. Pass the raw request body, exactly as received.
/// </summary>
public static class TollgateWebhook
{
    /// <summary>The header Tollgate signs with.</summary>
    public const string SignatureHeader = "Tollgate-Signature";

    /// <summary>How old a signature may be, against replay.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The header value for <paramref name="payload"/> signed at <paramref name="timestamp"/>.</summary>
    public static string Sign(string payload, string secret, DateTimeOffset timestamp)
    {
        var t = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Hmac(secret, t, payload)}";
    }

    /// <summary>Checks the signature and parses the event; throws <see cref="TollgateWebhookSignatureException"/> when it does not verify.</summary>
    public static TollgateWebhookEvent Verify(string payload, string? signatureHeader, string secret, TimeSpan? tolerance = null, DateTimeOffset? now = null)
    {
        if (string.IsNullOrEmpty(signatureHeader))
        {
            throw new TollgateWebhookSignatureException($"The {SignatureHeader} header is missing.");
        }

        if (string.IsNullOrEmpty(secret))
        {
            // A missing setting gives "", and a body signed with "" would then verify: anyone could forge events.
            throw new TollgateWebhookSignatureException("The webhook secret is empty; pass the endpoint's secret (whsec_…).");
        }

        string? t = null;
        var signatures = new List<string>();
        foreach (var part in signatureHeader.Split(','))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2)
            {
                continue;
            }

            switch (kv[0].Trim())
            {
                case "t":
                    t = kv[1].Trim();
                    break;
                case "v1":
                    signatures.Add(kv[1].Trim());
                    break;
            }
        }

        if (t is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || signatures.Count == 0
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            throw new TollgateWebhookSignatureException($"The {SignatureHeader} header has no timestamp or no v1 signature.");
        }

        var age = (now ?? DateTimeOffset.UtcNow) - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age.Duration() > (tolerance ?? DefaultTolerance))
        {
            throw new TollgateWebhookSignatureException("The signature's timestamp is outside the tolerance; the request may be a replay.");
        }

        var expected = Encoding.ASCII.GetBytes(Hmac(secret, t, payload));
        if (!signatures.Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), expected)))
        {
            throw new TollgateWebhookSignatureException("No v1 signature matches the payload and the secret.");
        }

        return Event(payload);
    }

    private static readonly JsonElement NoData = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>
    /// The event a signed body holds. Signed with the secret yet no event (a test's "{}", a body that is not JSON) throws
    /// the same exception, so a receiver that answers 400 to it never answers 500.
    /// </summary>
    private static TollgateWebhookEvent Event(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && root.TryGetProperty("created_at", out var created) && created.ValueKind == JsonValueKind.String
                && created.TryGetDateTimeOffset(out var at))
            {
                var data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d.Clone() : NoData;
                return new TollgateWebhookEvent(id.GetString()!, type.GetString()!, at, data);
            }
        }
        catch (JsonException e)
        {
            throw new TollgateWebhookSignatureException($"The signed body is not JSON: {e.Message}");
        }

        throw new TollgateWebhookSignatureException("The signed body is not a Tollgate event: it needs string id, type and created_at.");
    }

    private static string Hmac(string secret, string t, string payload) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{payload}")));
}
