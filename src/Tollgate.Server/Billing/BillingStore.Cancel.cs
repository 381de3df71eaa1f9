using Tollgate.Core.Billing;
using Tollgate.Core.Customers;
using Tollgate.Core.Time;
using Tollgate.Server.Discounts;

namespace Tollgate.Server.Billing;

/// <summary>The end of a subscription: a cancel now or at the period end, with its reason, and undoing one still to come.</summary>
public sealed partial class BillingStore
{
    /// <summary>Cancels now (optionally crediting the unused time, billing the period's overage) or at the period end.</summary>
    public Task<BillingResult> CancelAsync(string id, bool atPeriodEnd, bool creditUnused, CancellationToken cancellationToken = default) =>
        CancelAsync(id, atPeriodEnd, creditUnused, null, null, billUsage: true, cancellationToken);

    /// <summary>
    /// Cancels as above and keeps why (a <see cref="CancellationReasons"/> code) and the customer's comment with it. With
    /// <paramref name="billUsage"/> false an immediate cancel waives the period's usage so far instead of billing it.
    /// </summary>
    public async Task<BillingResult> CancelAsync(
        string id, bool atPeriodEnd, bool creditUnused, string? reason, string? comment, bool billUsage = true,
        CancellationToken cancellationToken = default)
    {
        var result = await database.WriteAsync<BillingResult>(async (c, tx) =>
        {
            var at = OperationClock.Now(time);
            var (subscriptions, _) = Writers(c, tx, at, cancellationToken);
            var (unlocked, refused) = await ChangeableAsync(subscriptions, id);
            if (unlocked is null)
            {
                return refused!;
            }

            if (await CaughtUpAsync(c, tx, subscriptions, unlocked, at.Instant, cancellationToken) is not { } read)
            {
                return new BillingResult.NotFound();
            }

            if (!read.IsLive)
            {
                return new BillingResult.Conflict("subscription_not_live", $"The subscription is already {read.Status.ToWire()}.");
            }

            // A second cancel without a reason (say, ending at once what was scheduled) keeps what the first one gave.
            var current = read.WithCancelFeedback(reason, comment);
            var now = at.Instant;
            var version = await VersionAsync(current.PlanVersionId, cancellationToken);
            var price = current.PriceOn(version)!;
            if (atPeriodEnd)
            {
                // During a trial the period end is the trial's end: it ends then, and nothing is charged.
                var scheduled = current with { CancelAtPeriodEnd = true, CanceledAt = now, UpdatedAt = now };
                var stored = await subscriptions.UpdateAsync(current, scheduled, "cancel_scheduled", price, now);
                var endsAt = current.Status == SubscriptionStatus.Trialing ? current.TrialEndAt ?? current.CurrentPeriodEnd : current.CurrentPeriodEnd;
                return stored is null ? Busy() : new BillingResult.Done(stored, ChangeTiming.PeriodEnd, endsAt, [], null);
            }

            return await EndNowInAsync(c, tx, current, creditUnused, now, cancellationToken, billUsage);
        }, cancellationToken);
        Invalidate(result);
        return result;
    }

    /// <summary>
    /// Ends a live subscription at <paramref name="now"/> inside the caller's transaction (which holds the customer's lock):
    /// optionally credits the unused time, and bills the period's overage so far on a final invoice, or waives it when
    /// <paramref name="billUsage"/> is false.
    /// </summary>
    internal async Task<BillingResult> EndNowInAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Subscription current, bool creditUnused, DateTimeOffset now,
        CancellationToken cancellationToken, bool billUsage = true, DateTimeOffset? endedAt = null)
    {
        var at = new OperationClock(now);
        // An end dated by the payment provider is kept, within what the record allows: not before the subscription's last
        // change (the history would replay out of order) nor its period's start, and not after now. The final invoice
        // still bills usage up to now: Tollgate allowed it until it learned of the end.
        var end = endedAt is { } e ? new[] { e, current.UpdatedAt, current.CurrentPeriodStart }.Max() : now;
        end = end > now ? now : end;
        var (subscriptions, invoices) = Writers(c, tx, at, cancellationToken);
        var version = await VersionAsync(current.PlanVersionId, cancellationToken);
        var price = current.PriceOn(version)!;
        var ended = current with
        {
            Status = SubscriptionStatus.Canceled, CanceledAt = end, EndedAt = end, CancelAtPeriodEnd = false, PendingPlanVersionId = null,
            PendingBillingPeriod = null, UpdatedAt = now,
        };
        var endedStored = await subscriptions.UpdateAsync(current, ended, "canceled", price, end);
        if (endedStored is null)
        {
            return Busy();
        }

        var lines = new List<InvoiceLine>();
        if (current.Status != SubscriptionStatus.Trialing)
        {
            if (creditUnused && price.PriceCents > 0)
            {
                var discounts = new DiscountWriter(c, tx, at, cancellationToken);
                lines.AddRange(await discounts.CreditedAsBilledAsync(current.Id, [PlanChange.UnusedTimeCredit(version, price, current.CurrentPeriod, now)],
                    await discounts.InForceAsync(current.Id, now, price.Currency)));
            }

            // The period ends now, so every window open at the cancel (a day, a year, a lifetime) bills its overage so far.
            // Waived, it is marked billed so no later invoice bills it either (a lifetime window's would).
            var snapshot = await catalog.GetAsync(cancellationToken);
            if (billUsage)
            {
                lines.AddRange(await OverageBilling.UpToAsync(c, tx, current.CustomerId, current.OverageTermsOn(version), snapshot.Features, current.CurrentPeriod, now,
                    mark: true, cancellationToken, metrics: snapshot.Metrics));
            }
            else
            {
                await OverageBilling.WaiveUpToAsync(c, tx, current.CustomerId, current.OverageTermsOn(version), current.CurrentPeriod, now, cancellationToken,
                    snapshot.Metrics);
            }
        }

        // The answer shows the final invoice as issued: its lines (the pending items it sweeps in too), discounts and tax.
        var issued = await invoices.IssueAndReadAsync(endedStored, price.Currency, BillingReasons.SubscriptionCancel, lines, now,
            current.CurrentPeriodStart, now);
        return new BillingResult.Done(endedStored, ChangeTiming.Immediate, now, issued?.Lines ?? [], issued?.Id, issued);
    }

    /// <summary>Keeps a subscription that was set to cancel at the period end, if the period has not ended.</summary>
    public async Task<BillingResult> UndoCancelAsync(string id, CancellationToken cancellationToken = default)
    {
        var result = await database.WriteAsync<BillingResult>(async (c, tx) =>
        {
            var at = OperationClock.Now(time);
            var (subscriptions, _) = Writers(c, tx, at, cancellationToken);
            var (unlocked, refused) = await ChangeableAsync(subscriptions, id);
            if (unlocked is null)
            {
                return refused!;
            }

            // A cancel whose period (or trial) end has passed has taken effect, even before the worker got to it: nothing to undo.
            if (await CaughtUpAsync(c, tx, subscriptions, unlocked, at.Instant, cancellationToken) is not { } current)
            {
                return new BillingResult.NotFound();
            }

            if (!current.CancelAtPeriodEnd || !current.IsLive)
            {
                return new BillingResult.Conflict("no_pending_cancel", "The subscription is not set to cancel at the period end.");
            }

            var now = at.Instant;
            var kept = current with { CancelAtPeriodEnd = false, CanceledAt = null, CancelReason = null, CancelComment = null, UpdatedAt = now };
            var stored = await subscriptions.UpdateAsync(current, kept, "cancel_undone", await PriceOfAsync(kept, cancellationToken), now);
            return stored is null ? Busy() : new BillingResult.Done(stored, null, null, [], null);
        }, cancellationToken);
        Invalidate(result);
        return result;
    }
}
