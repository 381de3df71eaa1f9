using System.Data.Common;
using Dapper;
using Tollgate.Core;
using Tollgate.Core.Billing;
using Tollgate.Core.Customers;

namespace Tollgate.Server.Billing;

/// <summary>
/// The outbox of Tollgate's own lines on a Stripe-billed subscription. Stripe bills the recurring price itself; what only
/// Tollgate knows (soft-cap overage, its prorations) is written here in the transaction that made the line, so a line
/// exists for Stripe exactly when it exists in Tollgate, and the sender posts it later as an invoice item.
/// </summary>
internal static class StripeInvoiceItems
{
    public static async Task EnqueueInAsync(
        DbConnection c, DbTransaction tx, Subscription subscription, string currency, IEnumerable<InvoiceLine> lines, TimeProvider time,
        CancellationToken ct)
    {
        if (subscription.StripeSubscriptionId is null)
        {
            return;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var sequence = now * 100;
        foreach (var line in lines.Where(l => l.Kind != InvoiceLineKind.Recurring && l.AmountCents != 0))
        {
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO stripe_invoice_items (id, customer_id, subscription_id, stripe_subscription_id, kind, description, amount_cents, currency,
                    period_start, period_end, sequence, status, attempts, next_attempt_at, locked_until, stripe_invoice_item_id, last_error, created_at,
                    sent_at)
                VALUES (@id, @customer, @subscription, @stripe, @kind, @description, @amount, @currency, @start, @end, @sequence, 'pending', 0, @now,
                    NULL, NULL, NULL, @now, NULL)
                """, new
            {
                id = Ids.New("sii", time), customer = subscription.CustomerId, subscription = subscription.Id,
                // Stripe refuses items for a canceled subscription; an ended one's lines go to the customer's next invoice.
                stripe = subscription.IsLive ? subscription.StripeSubscriptionId : null,
                kind = line.Kind.ToWire(), description = line.Description, amount = line.AmountCents, currency,
                start = line.PeriodStart.ToUnixTimeMilliseconds(), end = line.PeriodEnd.ToUnixTimeMilliseconds(), sequence = sequence++, now,
            }, tx, cancellationToken: ct));
        }
    }
}
