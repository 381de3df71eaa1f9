using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Payments;

/// <summary>
/// Stores the answer to a change Tollgate asked Stripe for (a new price, a cancel), as the webhook would store Stripe's
/// next <c>customer.subscription.updated</c>: through the same sync, under the same <c>stripe_synced_at</c> ordering, so
/// whichever of the answer and the event comes second finds the state already applied and changes nothing.
/// </summary>
public sealed class StripeChanges(
    TollgateDatabase database, BillingStore billing, CatalogCache catalog, EntitlementContextCache contexts, IOptions<BillingOptions> options,
    TimeProvider time)
{
    /// <summary>
    /// A price change Stripe made without prorating: Tollgate's own proration lines for the change from
    /// <paramref name="before"/> go onto the next invoice (and so to Stripe as invoice items) once, here, and the
    /// subscription then follows Stripe's answer.
    /// </summary>
    public Task<BillingResult> ApplyChangeAsync(
        Subscription before, PlanVersion to, BillingInterval interval, ProrationBehavior proration, StripeSubscriptionState answer,
        CancellationToken cancellationToken = default) =>
        WriteAsync(before, async (writer, c, tx, at) =>
        {
            // Stripe's event for this change can come before its answer: it took the intent and billed the change's lines, and
            // the row is on the new plan already. The answer then adds nothing; billing them again would charge twice.
            if (await StripeChangeIntents.TakeInAsync(c, tx, before, to.Id, interval, at, cancellationToken) is null && !before.AlreadyOn(to.Id, interval)
                && await ReadAsync(c, tx, before.Id, cancellationToken) is var stored && stored.AlreadyOn(to.Id, interval))
            {
                await writer.SyncAsync(answer, at, before.CustomerId, changeSettled: true);
                return new BillingResult.Done(stored, ChangeTiming.Immediate, at, [], null);
            }

            var from = await catalog.GetVersionAsync(before.PlanVersionId, cancellationToken)
                ?? throw new InvalidOperationException($"plan version {before.PlanVersionId} is missing");
            var (changed, prorated) = Prorate(before, from, to, interval, proration, at);
            var lines = prorated.ToList();
            if (before.Status != SubscriptionStatus.Trialing && (to.Id != before.PlanVersionId || interval != before.BillingPeriod))
            {
                // The old plan's overage so far, on its terms, and each window settled for the new plan, as Tollgate's own change
                // bills it and the preview shows it: with a kept period the renewal billed it all on the new plan's quota and price.
                var snapshot = await catalog.GetAsync(cancellationToken);
                lines.AddRange(await OverageBilling.UpToChangeAsync(c, tx, before.CustomerId, before.OverageTermsOn(from),
                    changed.OverageTermsOn(to), snapshot.Features, before.CurrentPeriod, at, mark: true, cancellationToken, snapshot.Metrics));
            }

            await new InvoiceWriter(c, tx, time, options.Value, cancellationToken).AddPendingAsync(before, to.Terms.Price(interval, before.Currency)!.Currency, lines);
            await writer.SyncAsync(answer, at, before.CustomerId, changeSettled: true);
            var invoice = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT id FROM invoices WHERE subscription_id = @id AND created_at >= @at ORDER BY created_at DESC, number DESC LIMIT 1",
                new { id = before.Id, at = at.ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken));
            return new BillingResult.Done(await ReadAsync(c, tx, before.Id, cancellationToken), ChangeTiming.Immediate, at, lines, invoice);
        }, cancellationToken);

    /// <summary>
    /// The lines Tollgate prorates for a change Stripe makes without prorating (<paramref name="at"/> the change): Stripe
    /// bills the new price itself (at once when the interval changed), so the recurring line is left out.
    /// </summary>
    internal static (Subscription Changed, IEnumerable<InvoiceLine> Lines) Prorate(
        Subscription before, PlanVersion from, PlanVersion to, BillingInterval interval, ProrationBehavior proration, DateTimeOffset at)
    {
        var change = PlanChange.Apply(before, from, to, interval, ChangeTiming.Immediate, proration, at);
        return (change.Subscription, change.PendingLines.Concat(change.InvoiceNowLines).Where(l => l.Kind != InvoiceLineKind.Recurring));
    }

    /// <summary>
    /// Stripe's answer to a cancel at the period end (with the reason the caller gave, kept in this same write), or to
    /// undoing one (no reason: Stripe's answer clears it).
    /// </summary>
    public Task<BillingResult> ApplyStateAsync(
        Subscription before, StripeSubscriptionState answer, CancellationFeedback? reason = null, CancellationToken cancellationToken = default) =>
        WriteAsync(before, async (writer, c, tx, at) =>
        {
            await writer.SyncAsync(answer, at, before.CustomerId);
            await KeepReasonAsync(c, tx, before.Id, reason, cancellationToken);
            var after = await ReadAsync(c, tx, before.Id, cancellationToken);
            return after.CancelAtPeriodEnd
                ? new BillingResult.Done(after, ChangeTiming.PeriodEnd, after.CurrentPeriodEnd, [], null)
                : new BillingResult.Done(after, null, null, [], null);
        }, cancellationToken);

    /// <summary>
    /// Stripe canceled the subscription now: it ends here too, with the final invoice Tollgate's own cancel makes (the
    /// period's overage so far unless waived, and the unused time credited when asked), whose lines go to Stripe as invoice items.
    /// </summary>
    public Task<BillingResult> ApplyCancelNowAsync(
        Subscription before, bool creditUnused, CancellationFeedback? reason = null, CancellationToken cancellationToken = default, bool billUsage = true) =>
        WriteAsync(before, async (writer, c, tx, at) =>
        {
            var (current, syncedAt) = await writer.ReadLockedAsync(before.StripeSubscriptionId!);
            if (current is null || !current.IsLive || syncedAt > at)
            {
                // Stripe's deleted event came first and already ended it; the reason given here is still the one to keep.
                await KeepReasonAsync(c, tx, before.Id, reason, cancellationToken);
                return new BillingResult.Done(await ReadAsync(c, tx, before.Id, cancellationToken), ChangeTiming.Immediate, at, [], null);
            }

            // A second cancel without a reason (ending a scheduled one at once) keeps what the first one gave.
            current = current.WithCancelFeedback(reason?.Reason, reason?.Comment);
            var ended = await billing.EndNowInAsync(c, tx, current, creditUnused, at, cancellationToken, billUsage);
            await writer.MarkSyncedAsync(before.StripeSubscriptionId!, at);
            return ended;
        }, cancellationToken);

    /// <summary>Stores the reason and comment of a cancel Stripe carried out, as <see cref="Subscription.WithCancelFeedback"/> does.</summary>
    private static async Task KeepReasonAsync(DbConnection c, DbTransaction tx, string id, CancellationFeedback? reason, CancellationToken cancellationToken)
    {
        if (reason is null)
        {
            return;
        }

        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE subscriptions SET cancel_reason = COALESCE(@reason, cancel_reason),
                cancel_comment = CASE WHEN @reason IS NULL THEN COALESCE(@comment, cancel_comment) ELSE @comment END,
                revision = revision + 1
            WHERE id = @id
            """, new { id, reason = reason.Reason, comment = reason.Comment }, tx, cancellationToken: cancellationToken));
    }

    private async Task<BillingResult> WriteAsync(
        Subscription before, Func<StripeEventWriter, DbConnection, DbTransaction, DateTimeOffset, Task<BillingResult>> work,
        CancellationToken cancellationToken)
    {
        var touched = new HashSet<string>(StringComparer.Ordinal) { before.CustomerId };
        var result = await database.WriteAsync(async (c, tx) =>
        {
            var at = time.GetUtcNow();
            await new SubscriptionWriter(c, tx, time, cancellationToken).LockCustomerAsync(before.CustomerId, database.Dialect);
            var writer = new StripeEventWriter(c, tx, billing, catalog, options.Value, database.Dialect, time, touched, cancellationToken);
            return await work(writer, c, tx, at);
        }, cancellationToken);
        foreach (var customer in touched)
        {
            contexts.Invalidate(customer);
        }

        return result;
    }

    private async Task<Subscription> ReadAsync(
        DbConnection c, DbTransaction tx, string id, CancellationToken cancellationToken) =>
        await new SubscriptionWriter(c, tx, time, cancellationToken).ReadAsync(id)
            ?? throw new InvalidOperationException($"subscription {id} is missing");
}
