using Sdk = Stripe;

namespace Tollgate.Server.Payments;

/// <summary>A refund Stripe made: its id and Stripe's status (succeeded, pending, requires_action, failed, canceled).</summary>
public sealed record StripeRefund(string Id, string Status);

public sealed partial class StripeClient
{
    private const string CreditNoteMetadata = "tollgate_credit_note";

    /// <summary>
    /// Refunds <paramref name="amountCents"/> of a paid Stripe invoice through the PaymentIntent that paid it (read from
    /// its invoice payments, as the basil API keeps them), once per credit note. Stripe forgets an idempotency key after
    /// 24 hours, so the PaymentIntent's refunds are searched for the note's id (metadata) first: a note handed over
    /// before, whatever its answer and however long ago, gets the refund it already has.
    /// </summary>
    public async Task<StripeRefund> RefundInvoiceAsync(
        string stripeInvoiceId, long amountCents, string creditNoteId, string reason, CancellationToken cancellationToken = default)
    {
        var payments = await CallAsync((client, request) => new Sdk.InvoicePaymentService(client).ListAsync(
            new Sdk.InvoicePaymentListOptions { Invoice = stripeInvoiceId, Status = "paid" }, request, cancellationToken), null, cancellationToken);
        var intent = payments.Data.Select(p => p.Payment?.PaymentIntentId).FirstOrDefault(p => !string.IsNullOrEmpty(p))
            ?? throw new StripeException(404, "invalid_request_error", "resource_missing", "invoice",
                $"Stripe lists no paid PaymentIntent for invoice {stripeInvoiceId}, so there is nothing to refund.");
        if (await FindRefundAsync(intent, creditNoteId, cancellationToken) is { } earlier)
        {
            return earlier;
        }

        var refund = await CallAsync((client, request) => new Sdk.RefundService(client).CreateAsync(new Sdk.RefundCreateOptions
        {
            PaymentIntent = intent,
            Amount = amountCents,
            // Stripe's refund reasons are fewer than a credit note's: the rest were asked for by the customer.
            Reason = reason is "duplicate" or "fraudulent" ? reason : "requested_by_customer",
            Metadata = new Dictionary<string, string> { [CreditNoteMetadata] = creditNoteId },
        }, request, cancellationToken), StripeIdempotencyKey.For("tollgate-refund", creditNoteId), cancellationToken);
        return Refund(refund);
    }

    /// <summary>A refund as Stripe has it now, by its id: how a note already handed over learns where its refund got to.</summary>
    public async Task<StripeRefund> GetRefundAsync(string refundId, CancellationToken cancellationToken = default) =>
        Refund(await CallAsync((client, request) => new Sdk.RefundService(client).GetAsync(refundId, null, request, cancellationToken), null,
            cancellationToken));

    // The PaymentIntent's refunds (newest first, at most 100: a charge refunded more often than that is not Tollgate's).
    private async Task<StripeRefund?> FindRefundAsync(string paymentIntent, string creditNoteId, CancellationToken cancellationToken)
    {
        var refunds = await CallAsync((client, request) => new Sdk.RefundService(client).ListAsync(
            new Sdk.RefundListOptions { PaymentIntent = paymentIntent, Limit = 100 }, request, cancellationToken), null, cancellationToken);
        return refunds.Data.Where(r => r.Metadata?.GetValueOrDefault(CreditNoteMetadata) == creditNoteId).Select(Refund).FirstOrDefault();
    }

    private static StripeRefund Refund(Sdk.Refund refund) => new(Required(refund.Id, "id"), Required(refund.Status, "status"));
}
