using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tollgate.Client.Webhooks;

namespace Tollgate.Server.Webhooks;

/// <summary>The signature headers of one delivery, in its endpoint's scheme.</summary>
public static class WebhookSignatures
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    public static IEnumerable<(string Name, string Value)> Headers(ClaimedDelivery delivery, DateTimeOffset now)
    {
        if (delivery.SignatureScheme != WebhookSchemes.Standard)
        {
            return [(TollgateWebhook.SignatureHeader, TollgateWebhook.Sign(delivery.Payload, delivery.Secret, now))];
        }

        // webhook-id is the event's id, the same on every retry and replay, so receivers can use it to count an event once.
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return [(IdHeader, delivery.EventId), (TimestampHeader, timestamp),
            (SignatureHeader, SignStandard(delivery.EventId, timestamp, delivery.Payload, delivery.Secret))];
    }

    /// <summary>"v1," and the base64 HMAC-SHA256 of "id.timestamp.payload", keyed by the secret's decoded bytes.</summary>
    public static string SignStandard(string id, string timestamp, string payload, string secret)
    {
        var key = WebhookSchemes.StandardKey(secret) ?? throw new InvalidOperationException("The endpoint's secret is not a Standard Webhooks secret.");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{payload}")));
    }
}
