using System.Text.Json;

namespace Tollgate.Server.Payments;

/// <summary>A refund Stripe made: its id and Stripe's status (succeeded, pending, requires_action, failed, canceled).</summary>
public sealed record StripeRefund(string Id, string Status);

public sealed partial class StripeClient
{
    /// <summary>
    /// Refunds <paramref name="amountCents"/> of a paid Stripe invoice through the PaymentIntent that paid it (read from
    /// its invoice payments, as the basil API keeps them), once per credit note. Stripe forgets an idempotency key after
    /// 24 hours, so the PaymentIntent's refunds are searched for the note's id (metadata) first: a note handed over
    /// before, whatever its answer and however long ago, gets the refund it already has.
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

        if (await FindRefundAsync(intent, creditNoteId, cancellationToken) is { } earlier)
        {
            return earlier;
        }

        using var refund = await PostAsync("v1/refunds", new Dictionary<string, object?>
        {
            ["payment_intent"] = intent,
            ["amount"] = amountCents,
            // Stripe's refund reasons are fewer than a credit note's: the rest were asked for by the customer.
            ["reason"] = reason is "duplicate" or "fraudulent" ? reason : "requested_by_customer",
            ["metadata"] = new Dictionary<string, string> { ["tollgate_credit_note"] = creditNoteId },
        }, StripeIdempotencyKey.For("tollgate-refund", creditNoteId), cancellationToken);
        return Refund(refund.RootElement);
    }

    /// <summary>A refund as Stripe has it now, by its id: how a note already handed over learns where its refund got to.</summary>
    public async Task<StripeRefund> GetRefundAsync(string refundId, CancellationToken cancellationToken = default)
    {
        using var refund = await SendAsync(HttpMethod.Get, $"v1/refunds/{Uri.EscapeDataString(refundId)}", null, null, cancellationToken);
        return Refund(refund.RootElement);
    }

    // The PaymentIntent's refunds (newest first, at most 100: a charge refunded more often than that is not Tollgate's).
    private async Task<StripeRefund?> FindRefundAsync(string paymentIntent, string creditNoteId, CancellationToken cancellationToken)
    {
        using var refunds = await SendAsync(HttpMethod.Get, $"v1/refunds?payment_intent={Uri.EscapeDataString(paymentIntent)}&limit=100", null, null,
            cancellationToken);
        return refunds.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray()
                .Where(r => r.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object
                    && m.TryGetProperty("tollgate_credit_note", out var note) && note.ValueKind == JsonValueKind.String && note.GetString() == creditNoteId)
                .Select(Refund).FirstOrDefault()
            : null;
    }

    private static StripeRefund Refund(JsonElement refund) => new(Text(refund, "id"), Text(refund, "status"));

    private static string? PaymentIntent(JsonElement payment) =>
        payment.TryGetProperty("payment", out var p) && p.ValueKind == JsonValueKind.Object
            && p.TryGetProperty("payment_intent", out var intent) && intent.ValueKind == JsonValueKind.String
            ? intent.GetString() : null;
}
