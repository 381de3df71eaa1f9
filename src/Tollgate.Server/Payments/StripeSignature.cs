using System.Globalization;
using System.Text;

namespace Tollgate.Server.Payments;

/// <summary>
/// Stripe's webhook signature, checked by Stripe.net's <see cref="Stripe.EventUtility.ValidateSignature(string, string, string, long, long)"/>:
/// <c>Stripe-Signature: t=&lt;unix&gt;,v1=&lt;hex&gt;[,v1=…]</c>, any v1 may match (Stripe signs with each active secret
/// while one rolls), v0 is never accepted, and the timestamp must be within 300 seconds of Tollgate's clock. This wrapper
/// adds what the SDK leaves to its caller: a missing or malformed header is a reason, not an exception of another type.
/// </summary>
public static class StripeSignature
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(Stripe.EventUtility.DefaultTimeTolerance);

    /// <summary>Null when the header signs <paramref name="payload"/> with <paramref name="secret"/> within the tolerance; else what is wrong.</summary>
    public static string? Verify(string? header, ReadOnlySpan<byte> payload, string secret, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return "The Stripe-Signature header is missing.";
        }

        // The SDK reads t as a 32-bit number and throws its own exceptions on the rest; a header it would trip on is refused here by name.
        var items = header.Split(',', StringSplitOptions.TrimEntries);
        var timestamps = items.Where(i => i.StartsWith("t=", StringComparison.Ordinal)).Select(i => i[2..]).ToList();
        if (timestamps.Count != 1 || !int.TryParse(timestamps[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            || !items.Any(i => i.StartsWith("v1=", StringComparison.Ordinal)) || items.Any(i => !i.Contains('=', StringComparison.Ordinal)))
        {
            return "The Stripe-Signature header must carry t=<unix seconds> and at least one v1=<signature>.";
        }

        string json;
        try
        {
            // The SDK signs text: a body that is not UTF-8 cannot have been signed by Stripe.
            json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return "The body is not UTF-8, so no signature can match it.";
        }

        try
        {
            Stripe.EventUtility.ValidateSignature(json, header, secret, (long)Tolerance.TotalSeconds, now.ToUnixTimeSeconds());
            return null;
        }
        catch (Stripe.StripeException e)
        {
            return e.Message.Contains("tolerance", StringComparison.Ordinal)
                ? $"The signature's timestamp is outside the {(int)Tolerance.TotalSeconds} s tolerance of now."
                : "No v1 signature matches the body; check the webhook secret (whsec_…) and that the body is passed unchanged.";
        }
    }
}
