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
    /// invoiced it, so Tollgate's invoices, and the revenue read from them, follow what Stripe bills. Null when the row
    /// moved past <paramref name="current"/>'s revision.
    /// </summary>
    internal async Task<Subscription?> SyncInAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Subscription current, Subscription next,
        CancellationToken cancellationToken)
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
        if (stored is null || !newPeriod)
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
