using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Time;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Billing;

/// <summary>
/// States decided outside Tollgate (by Stripe), stored inside the caller's transaction, with the invoices a period that
/// started there needs; and the overage a period that ended bills, which the billing cycle bills the same way.
/// </summary>
public sealed partial class BillingStore
{
    /// <summary>
    /// Stores a state decided outside Tollgate (by Stripe) inside the caller's transaction, which holds the customer's lock.
    /// A period that started there (a trial that converted, a renewal) is invoiced here as the billing cycle would have
    /// invoiced it, so Tollgate's invoices, and the revenue read from them, follow what Stripe bills. A plan change made
    /// there (Stripe's portal) bills the old plan's overage up to it, as a change through the API does, unless
    /// <paramref name="changeSettled"/> says the caller (that API change) already did. Null when the row moved past
    /// <paramref name="current"/>'s revision.
    /// </summary>
    internal async Task<Subscription?> SyncInAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Subscription current, Subscription next,
        CancellationToken cancellationToken, bool changeSettled = false)
    {
        var (subscriptions, invoices) = Writers(c, tx, OperationClock.Now(time), cancellationToken);
        var version = await VersionAsync(next.PlanVersionId, cancellationToken);
        var price = next.PriceOn(version)!;
        var converted = current.Status == SubscriptionStatus.Trialing && next.Status is SubscriptionStatus.Active or SubscriptionStatus.PastDue;
        var newPeriod = converted
            || (current.Status != SubscriptionStatus.Trialing && next.IsLive && next.CurrentPeriodStart > current.CurrentPeriodStart);
        var renewed = newPeriod && !converted && next.CurrentPeriodStart >= current.CurrentPeriodEnd;
        var reason = converted ? "trial_converted" : renewed ? "renewed" : SyncReason(current, next);
        var stored = await subscriptions.UpdateAsync(current, next, reason, price, next.UpdatedAt);
        if (stored is null)
        {
            return null;
        }

        // The usage counted so far was admitted under the old plan, so it is billed on the old plan's terms and each window
        // settled for the new one (OverageBilling.UpToChangeAsync). A change that keeps the period adds it to the next
        // invoice; one that restarts it (a new interval) has it swept onto the invoice issued below. As Stripe sends it,
        // it goes to Stripe as invoice items. A trial bills no overage, so its change none either.
        var changed = !changeSettled && !renewed && !converted && current.Status != SubscriptionStatus.Trialing && next.IsLive
            && (next.PlanVersionId != current.PlanVersionId || next.BillingPeriod != current.BillingPeriod);
        if (changed)
        {
            var from = await VersionAsync(current.PlanVersionId, cancellationToken);
            var snapshot = await catalog.GetAsync(cancellationToken);
            var at = next.UpdatedAt < current.CurrentPeriodStart ? current.CurrentPeriodStart : next.UpdatedAt;
            var overage = await OverageBilling.UpToChangeAsync(c, tx, current.CustomerId, current.OverageTermsOn(from), stored.OverageTermsOn(version),
                snapshot.Features, current.CurrentPeriod, at, mark: true, cancellationToken, snapshot.Metrics);
            await invoices.AddPendingAsync(stored, price.Currency, overage);
        }

        if (!newPeriod)
        {
            return stored;
        }

        var lines = new List<InvoiceLine>();
        if (price.PriceCents > 0)
        {
            lines.Add(PlanChange.Recurring(version, price, stored.CurrentPeriod, stored.SeatsOn(price)));
        }

        if (renewed)
        {
            lines.AddRange(await OverageAsync(c, tx, current.CustomerId, current.OverageTermsOn(await VersionAsync(current.PlanVersionId, cancellationToken)),
                current.CurrentPeriod, cancellationToken));
        }

        await invoices.IssueAsync(stored, price.Currency, BillingReasons.SubscriptionCycle, lines, stored.CurrentPeriodStart,
            stored.CurrentPeriodStart, stored.CurrentPeriodEnd);
        return stored;
    }

    private static string SyncReason(Subscription current, Subscription next) =>
        next.Status == SubscriptionStatus.PastDue && current.Status != SubscriptionStatus.PastDue ? "past_due"
        : current.Status == SubscriptionStatus.PastDue && next.Status == SubscriptionStatus.Active ? "recovered"
        : next.PlanVersionId != current.PlanVersionId || next.BillingPeriod != current.BillingPeriod ? "plan_changed"
        : next.CancelAtPeriodEnd && !current.CancelAtPeriodEnd ? "cancel_scheduled"
        : !next.CancelAtPeriodEnd && current.CancelAtPeriodEnd ? "cancel_undone"
        : "synced";

    internal static Task<IReadOnlyList<InvoiceLine>> OverageAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string customer, PlanVersion version,
        Core.Periods.BillingPeriod period, CatalogSnapshot snapshot, CancellationToken cancellationToken) =>
        OverageBilling.EndingInAsync(c, tx, customer, version, snapshot.Features, period, cancellationToken, metrics: snapshot.Metrics);

    private async Task<IReadOnlyList<InvoiceLine>> OverageAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string customer, PlanVersion version,
        Core.Periods.BillingPeriod period, CancellationToken cancellationToken) =>
        await OverageAsync(c, tx, customer, version, period, await catalog.GetAsync(cancellationToken), cancellationToken);
}
