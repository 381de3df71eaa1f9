using System.Text.Json;

namespace Tollgate.Server.Payments;

/// <summary>A refund Stripe made: its id and Stripe's status (succeeded, pending, requires_action, failed, canceled).</summary>
public sealed record StripeRefund(string Id, string Status);

public sealed partial class StripeClient
{
    /// <summary>
    /// Refunds <paramref name="amountCents"/> of a paid Stripe invoice through the PaymentIntent that paid it (read from
    /// its invoice payments, as the basil API keeps them). The idempotency key is the credit note's, so however often the
    /// note's refund is retried, Stripe refunds once.
    /// </summary>
    public async Task<StripeRefund> RefundInvoiceAsync(
        string stripeInvoiceId, long amountCents, string creditNoteId, string reason, CancellationToken cancellationToken = default)
    {
        using var payments = await SendAsync(HttpMethod.Get,
            $"v1/invoice_payments?invoice={Uri.EscapeDataString(stripeInvoiceId)}&status=paid", null, null, cancellationToken);
        var intent = payments.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray().Select(PaymentIntent).FirstOrDefault(p => p is not null) : null;
        if (intent is null)
        {
            throw new StripeException(404, "invalid_request_error", "resource_missing", "invoice",
                $"Stripe lists no paid PaymentIntent for invoice {stripeInvoiceId}, so there is nothing to refund.");
        }

        using var refund = await PostAsync("v1/refunds", new Dictionary<string, object?>
        {
            ["payment_intent"] = intent,
            ["amount"] = amountCents,
            // Stripe's refund reasons are fewer than a credit note's: the rest were asked for by the customer.
            ["reason"] = reason is "duplicate" or "fraudulent" ? reason : "requested_by_customer",
            ["metadata"] = new Dictionary<string, string> { ["tollgate_credit_note"] = creditNoteId },
        }, StripeIdempotencyKey.For("tollgate-refund", creditNoteId), cancellationToken);
        return new StripeRefund(Text(refund.RootElement, "id"), Text(refund.RootElement, "status"));
    }

    private static string? PaymentIntent(JsonElement payment) =>
        payment.TryGetProperty("payment", out var p) && p.ValueKind == JsonValueKind.Object
            && p.TryGetProperty("payment_intent", out var intent) && intent.ValueKind == JsonValueKind.String
            ? intent.GetString() : null;
}
