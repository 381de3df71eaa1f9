using System.Data.Common;
using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Server.Webhooks;

namespace Tollgate.Server.Billing;

/// <summary>What a refund may take, and what Stripe said of it.</summary>
public sealed partial class CreditNoteStore
{
    /// <summary>The Stripe invoice that paid <paramref name="invoiceId"/>, which a refund goes back through.</summary>
    public Task<string?> StripeInvoiceIdAsync(string invoiceId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => StripeInvoiceAsync(c, null, invoiceId, cancellationToken), cancellationToken);

    /// <summary>
    /// Records Stripe's refund status as it is (pending, requires_action, succeeded, failed, canceled) with the refund's id.
    /// A final status never changes, so a late or repeated answer cannot move succeeded back. failed and canceled void
    /// the note: the credit it took from the invoice is given back, as neither money nor credit reached the customer.
    /// </summary>
    public Task<CreditNote> RecordRefundAsync(string id, string status, string? stripeRefundId, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            var invoiceId = await c.ExecuteScalarAsync<string>(new CommandDefinition(
                "SELECT invoice_id FROM credit_notes WHERE id = @id", new { id }, tx, cancellationToken: cancellationToken));
            // The invoice row's lock, as a new note takes it: a release and a new note on the invoice are taken one at a time.
            await c.ExecuteAsync(new CommandDefinition("UPDATE invoices SET credited_cents = credited_cents WHERE id = @invoiceId", new { invoiceId }, tx,
                cancellationToken: cancellationToken));
            var note = (await CreditNoteRow.ReadAsync(c, tx, database.Dialect, "id = @id", new { id }, cancellationToken))[0];
            if (note.VoidedAt is not null || CreditNote.IsFinalRefundStatus(note.RefundStatus) || note.RefundAmountCents == 0)
            {
                return note;
            }

            var now = time.GetUtcNow();
            var voids = status is "failed" or "canceled";
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE credit_notes SET refund_status = @status, stripe_refund_id = COALESCE(@stripeRefundId, stripe_refund_id),
                    voided_at = CASE WHEN @voids THEN @now ELSE voided_at END
                WHERE id = @id
                """, new { id, status, stripeRefundId, voids, now = now.ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken));
            if (!voids)
            {
                return (await CreditNoteRow.ReadAsync(c, tx, database.Dialect, "id = @id", new { id }, cancellationToken))[0];
            }

            // A refund note took only refund (no amount due, no balance) from a paid invoice, so the refund is all it gives back.
            await c.ExecuteAsync(new CommandDefinition("UPDATE invoices SET credited_cents = credited_cents - @amount WHERE id = @invoiceId",
                new { invoiceId, amount = note.AmountCents }, tx, cancellationToken: cancellationToken));
            var voided = (await CreditNoteRow.ReadAsync(c, tx, database.Dialect, "id = @id", new { id }, cancellationToken))[0];
            await WebhookOutbox.EnqueueAsync(c, tx, WebhookEventTypes.CreditNoteVoided, WebhookPayloads.CreditNote(voided), now, time, cancellationToken);
            return voided;
        }, cancellationToken);

    // Stripe collects an unpaid invoice of a subscription it bills (invoice.paid later settles it), so a note here would
    // lower what Tollgate shows but not what Stripe charges.
    private static async Task<bool> CollectedByStripeAsync(DbConnection c, DbTransaction tx, Invoice invoice, CancellationToken ct) =>
        invoice.SubscriptionId is { } subscription && await c.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT stripe_subscription_id FROM subscriptions WHERE id = @subscription", new { subscription }, tx, cancellationToken: ct)) is not null;

    // What Stripe collected on the invoice less what notes already refunded (a voided note's refund moved nothing).
    private static async Task<long> RefundableAsync(DbConnection c, DbTransaction tx, Invoice invoice, CancellationToken ct) =>
        invoice.AmountPaidCents - await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(SUM(refund_amount_cents), 0) FROM credit_notes WHERE invoice_id = @id AND voided_at IS NULL", new { id = invoice.Id }, tx,
            cancellationToken: ct));
}
