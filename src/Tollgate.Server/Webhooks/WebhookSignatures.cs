using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tollgate.Client.Webhooks;

namespace Tollgate.Server.Webhooks;

/// <summary>
/// The signature headers of one delivery, in its endpoint's scheme. While a rotated secret is still in its grace period
/// the delivery carries two signatures, the new secret's first: Standard Webhooks lists them space-delimited, and the
/// tollgate scheme gives two v1 values as Stripe does while it rolls a secret, so a receiver holding either verifies.
/// </summary>
public static class WebhookSignatures
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    public static IEnumerable<(string Name, string Value)> Headers(ClaimedDelivery delivery, DateTimeOffset now)
    {
        if (delivery.SignatureScheme != WebhookSchemes.Standard)
        {
            var header = TollgateWebhook.Sign(delivery.Payload, delivery.Secret, now);
            // "t=…,v1=…": the previous secret adds its own v1 for the same t.
            return [(TollgateWebhook.SignatureHeader, delivery.PreviousSecret is { } previous
                ? header + TollgateWebhook.Sign(delivery.Payload, previous, now)[header.IndexOf(',', StringComparison.Ordinal)..]
                : header)];
        }

        // webhook-id is the event's id, the same on every retry and replay, so receivers can use it to count an event once.
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return [(IdHeader, delivery.EventId), (TimestampHeader, timestamp),
            (SignatureHeader, SignStandard(delivery.EventId, timestamp, delivery.Payload, delivery.Secret)
                + (delivery.PreviousSecret is { } old ? " " + SignStandard(delivery.EventId, timestamp, delivery.Payload, old) : ""))];
    }

    /// <summary>"v1," and the base64 HMAC-SHA256 of "id.timestamp.payload", keyed by the secret's decoded bytes.</summary>
    public static string SignStandard(string id, string timestamp, string payload, string secret)
    {
        var key = WebhookSchemes.StandardKey(secret) ?? throw new InvalidOperationException("The endpoint's secret is not a Standard Webhooks secret.");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{payload}")));
    }
}
