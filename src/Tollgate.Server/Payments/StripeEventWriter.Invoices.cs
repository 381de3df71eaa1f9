using Dapper;
using Tollgate.Core.Customers;
using Tollgate.Server.Billing;
using Tollgate.Server.Webhooks;

namespace Tollgate.Server.Payments;

/// <summary>The effects of invoice events: money collected, a payment that failed, a trial about to end.</summary>
internal sealed partial class StripeEventWriter
{
    private async Task<(string, string?)> InvoicePaidAsync(StripeEffect.InvoicePaid paid, DateTimeOffset created)
    {
        var (existing, syncedAt) = await ReadLockedAsync(paid.StripeSubscriptionId);
        if (paid.Subscription is { } state && (existing is null || existing.CurrentPeriodEnd <= paid.PeriodStart))
        {
            // This payment came before the subscription's own event: the state fetched from Stripe first, so the invoice it
            // pays exists (the subscription made, or renewed), as if the events had come in order.
            await SyncAsync(state, created, null);
            (existing, syncedAt) = await ReadLockedAsync(paid.StripeSubscriptionId);
        }

        if (existing is null)
        {
            return (StripeOutcomes.UnmatchedInvoice, $"no subscription linked to {paid.StripeSubscriptionId}");
        }

        if (await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition("SELECT id FROM invoices WHERE stripe_invoice_id = @stripe",
            new { stripe = paid.StripeInvoiceId }, tx, cancellationToken: ct)) is { } known)
        {
            return (StripeOutcomes.Ok, $"{paid.StripeInvoiceId} already recorded on {known}");
        }

        var match = await UnpaidInvoiceAsync(existing.Id, paid.PeriodStart);
        if (match is not null)
        {
            // Stripe's tax first, so the copy is paid as Stripe's invoice says and invoice.paid carries it; only on the copy
            // of the period Stripe billed, since a proration invoice's tax is not the tax of the oldest unpaid one.
            if (await UnpaidInvoiceOfPeriodAsync(existing.Id, paid.PeriodStart) == match)
            {
                await RecordTaxAsync(match, paid.Tax);
            }

            await InvoiceStore.MarkPaidInAsync(c, tx, match, paid.PaidAt, paid.AmountPaidCents, paid.StripeInvoiceId, time, ct);
        }

        // Money collected ends dunning, unless a newer subscription state says otherwise.
        if (existing.Status == SubscriptionStatus.PastDue && !(syncedAt > created))
        {
            await SyncInAsync(existing, existing with
            {
                Status = SubscriptionStatus.Active, PastDueSince = null, DunningState = null, UpdatedAt = time.GetUtcNow(),
            });
            // The recovery is the newest state: a .updated sent before it (still past_due) and arriving after it put the
            // subscription back into dunning with its invoice paid. Stripe's own .updated after the payment is newer still.
            await MarkSyncedAsync(paid.StripeSubscriptionId, created);
        }

        touched.Add(existing.CustomerId);
        return match is not null ? (StripeOutcomes.Ok, $"{paid.StripeInvoiceId} paid {match}")
            : paid.AmountPaidCents == 0 ? (StripeOutcomes.Ignored, $"{paid.StripeInvoiceId} collected nothing")
            : (StripeOutcomes.UnmatchedInvoice, $"{existing.Id} has no unpaid invoice for {paid.StripeInvoiceId}");
    }

    private async Task<(string, string?)> PaymentFailedAsync(StripeEffect.PaymentFailed failed, DateTimeOffset created)
    {
        var (existing, syncedAt) = await ReadLockedAsync(failed.StripeSubscriptionId);
        if (existing is null)
        {
            return (StripeOutcomes.UnknownSubscription, $"no subscription linked to {failed.StripeSubscriptionId}");
        }

        var paid = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM invoices WHERE stripe_invoice_id = @stripe AND status = 'paid'", new { stripe = failed.StripeInvoiceId }, tx,
            cancellationToken: ct));
        // The copy of the invoice Stripe failed to collect shows what Stripe asks for, tax included, even when the
        // subscription's state has moved on: the tax is the invoice's, not the subscription's.
        if (paid == 0 && await UnpaidInvoiceOfPeriodAsync(existing.Id, failed.PeriodStart) is { } unpaid)
        {
            await RecordTaxAsync(unpaid, failed.Tax);
        }

        if (syncedAt > created || paid > 0)
        {
            return (StripeOutcomes.Stale, paid > 0 ? $"{failed.StripeInvoiceId} was paid since" : $"{existing.Id} already reflects a newer state");
        }

        // The app hears of every failed attempt, with the Tollgate invoice it was for, even when dunning already started.
        var open = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT id FROM invoices WHERE subscription_id = @subscription AND status = 'open' ORDER BY issued_at, number LIMIT 1",
            new { subscription = existing.Id }, tx, cancellationToken: ct));
        if (open is not null && await InvoiceStore.GetAsync(c, tx, open, ct) is { } invoice)
        {
            await WebhookOutbox.EnqueueAsync(c, tx, WebhookEventTypes.InvoicePaymentFailed, WebhookPayloads.Invoice(invoice), created, time, ct);
        }

        if (!existing.IsLive || existing.Status == SubscriptionStatus.PastDue)
        {
            return (StripeOutcomes.Ignored, $"{existing.Id} is already {existing.Status.ToWire()}");
        }

        await SyncInAsync(existing, existing with
        {
            Status = SubscriptionStatus.PastDue, PastDueSince = created, DunningState = BillingCycle.PaymentFailed, UpdatedAt = time.GetUtcNow(),
        });
        return (StripeOutcomes.Ok, $"{existing.Id} past due");
    }

    /// <summary>Stripe finalized its invoice: the tax is settled there, so Tollgate's unpaid copy shows it before it is paid.</summary>
    private async Task<(string, string?)> InvoiceFinalizedAsync(StripeEffect.InvoiceFinalized finalized)
    {
        var (existing, _) = await ReadLockedAsync(finalized.StripeSubscriptionId);
        if (existing is null)
        {
            return (StripeOutcomes.UnknownSubscription, $"no subscription linked to {finalized.StripeSubscriptionId}");
        }

        if (finalized.Tax is null)
        {
            return (StripeOutcomes.Ignored, $"{finalized.StripeInvoiceId} states no tax");
        }

        // Stripe finalizes a first invoice before Tollgate has its copy; invoice.paid brings the same tax then.
        if (await UnpaidInvoiceOfPeriodAsync(existing.Id, finalized.PeriodStart) is not { } unpaid
            || !await InvoiceStore.RecordStripeTaxInAsync(c, tx, unpaid, finalized.Tax.ToStated(), ct))
        {
            return (StripeOutcomes.Ignored, $"{existing.Id} has no unpaid invoice for {finalized.StripeInvoiceId}");
        }

        touched.Add(existing.CustomerId);
        return (StripeOutcomes.Ok, $"{finalized.StripeInvoiceId} taxed {unpaid}");
    }

    /// <summary>The invoice of the period Stripe billed; failing that, the subscription's oldest still unpaid.</summary>
    private Task<string?> UnpaidInvoiceAsync(string subscriptionId, DateTimeOffset? periodStart) =>
        c.QuerySingleOrDefaultAsync<string>(new CommandDefinition("""
            SELECT id FROM invoices WHERE subscription_id = @subscription AND status IN ('open', 'uncollectible')
            ORDER BY CASE WHEN period_start = @start THEN 0 ELSE 1 END, issued_at, number LIMIT 1
            """, new { subscription = subscriptionId, start = periodStart?.ToUnixTimeMilliseconds() }, tx, cancellationToken: ct));

    /// <summary>The unpaid invoice of exactly the period Stripe billed: the only copy Stripe's tax may be put on.</summary>
    private async Task<string?> UnpaidInvoiceOfPeriodAsync(string subscriptionId, DateTimeOffset? periodStart) =>
        periodStart is { } start
            ? await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition("""
                SELECT id FROM invoices WHERE subscription_id = @subscription AND status IN ('open', 'uncollectible') AND period_start = @start
                ORDER BY issued_at, number LIMIT 1
                """, new { subscription = subscriptionId, start = start.ToUnixTimeMilliseconds() }, tx, cancellationToken: ct))
            : null;

    /// <summary>Stripe computes a Stripe-billed invoice's tax; Tollgate's copy shows what Stripe's invoice says, when it says it.</summary>
    private async Task RecordTaxAsync(string invoiceId, StripeInvoiceTax? tax)
    {
        if (tax is not null)
        {
            await InvoiceStore.RecordStripeTaxInAsync(c, tx, invoiceId, tax.ToStated(), ct);
        }
    }

    private async Task<(string, string?)> TrialWillEndAsync(string stripeSubscriptionId)
    {
        var (existing, _) = await ReadLockedAsync(stripeSubscriptionId);
        if (existing is null)
        {
            return (StripeOutcomes.UnknownSubscription, $"no subscription linked to {stripeSubscriptionId}");
        }

        // Stripe may send it for a subscription in no trial, and more than once: the customer hears of a trial's end once.
        if (existing.Status != SubscriptionStatus.Trialing || existing.TrialEndAt is null)
        {
            return (StripeOutcomes.Ignored, $"{existing.Id} is {existing.Status.ToWire()}, not in a trial");
        }

        var now = time.GetUtcNow();
        if (await c.ExecuteAsync(new CommandDefinition(
            "UPDATE subscriptions SET trial_will_end_sent_at = @now WHERE id = @id AND trial_will_end_sent_at IS NULL",
            new { id = existing.Id, now = now.ToUnixTimeMilliseconds() }, tx, cancellationToken: ct)) == 0)
        {
            return (StripeOutcomes.Ignored, $"{existing.Id}'s trial end was announced already");
        }

        var price = (await catalog.GetVersionAsync(existing.PlanVersionId, ct))!.Terms.Price(existing.BillingPeriod, existing.Currency)!;
        await _subscriptions.NoteAsync(existing, "trial_will_end", price, now);
        return (StripeOutcomes.Ok, $"{existing.Id} trial ends {existing.TrialEndAt:O}");
    }
}
