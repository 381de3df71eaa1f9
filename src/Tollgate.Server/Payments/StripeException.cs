namespace Tollgate.Server.Payments;

/// <summary>
/// Stripe refused a call, or could not be reached after Stripe.net's retries: Stripe's
/// <c>{"error": {type, code, param, message}}</c>, with the HTTP status (0 when no answer came). Tollgate's own type, so
/// the outcomes built on it (502s, credit notes, the invoice-item outbox) do not depend on Stripe.net's.
/// </summary>
public sealed class StripeException(int status, string type, string? code, string? param, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public int Status { get; } = status;

    /// <summary>api_error, card_error, idempotency_error, invalid_request_error; api_connection_error when no answer came.</summary>
    public string Type { get; } = type;

    public string? Code { get; } = code;

    /// <summary>The request parameter at fault, in form terms such as <c>line_items[0][price]</c>.</summary>
    public string? Param { get; } = param;

    /// <summary>
    /// Stripe.net's exception as Tollgate's. An answer that is not Stripe's error shape (a proxy's page, say) keeps its
    /// status and the start of its body; one that is not JSON at all on a 200 is Stripe's api_error.
    /// </summary>
    public static StripeException From(Stripe.StripeException e)
    {
        var status = (int)e.HttpStatusCode;
        if (e.StripeError is { } error && (error.Type is not null || error.Message is not null))
        {
            return new StripeException(status, error.Type ?? "api_error", error.Code, error.Param, error.Message ?? $"Stripe answered {status}.", e);
        }

        var body = e.StripeResponse?.Content ?? "";
        return new StripeException(status, "api_error", null, null,
            status is >= 200 and < 300 ? "Stripe's answer was not JSON." : $"Stripe answered {status}: {body[..Math.Min(body.Length, 200)]}", e);
    }
}
