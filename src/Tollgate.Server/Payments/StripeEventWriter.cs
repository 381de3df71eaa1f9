using System.Data.Common;
using Dapper;
using Tollgate.Core;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Payments;

/// <summary>
/// Applies one Stripe event's effect inside the transaction that records the event, through the billing steps the API
/// and the cycle use, so invoices, subscription events and revisions stay as they would be. <c>stripe_synced_at</c>
/// holds the <c>created</c> of the last subscription state applied: an older event, arriving later, changes nothing.
/// </summary>
internal sealed partial class StripeEventWriter(
    DbConnection c, DbTransaction tx, BillingStore billing, CatalogCache catalog, BillingOptions options, SqlDialect dialect, TimeProvider time,
    ISet<string> touched, CancellationToken ct)
{
    private readonly SubscriptionWriter _subscriptions = new(c, tx, time, ct);

    public Task<(string Outcome, string? Detail)> ApplyAsync(StripeEventRecord stripeEvent, StripeEffect effect) => effect switch
    {
        StripeEffect.Note note => Task.FromResult((note.Outcome, note.Detail)),
        StripeEffect.CheckoutCompleted checkout => CheckoutAsync(checkout, stripeEvent.CreatedAt),
        StripeEffect.SubscriptionChanged changed => SyncAsync(changed.State, stripeEvent.CreatedAt, null),
        StripeEffect.SubscriptionDeleted deleted => DeletedAsync(deleted, stripeEvent.CreatedAt),
        StripeEffect.InvoicePaid paid => InvoicePaidAsync(paid, stripeEvent.CreatedAt),
        StripeEffect.PaymentFailed failed => PaymentFailedAsync(failed, stripeEvent.CreatedAt),
        StripeEffect.InvoiceFinalized finalized => InvoiceFinalizedAsync(finalized),
        StripeEffect.TrialWillEnd trial => TrialWillEndAsync(trial.StripeSubscriptionId),
        StripeEffect.DiscountChanged discount => DiscountAsync(discount),
        StripeEffect.PackPaid pack => PackAsync(pack),
        StripeEffect.CheckoutExpired expired => CheckoutExpiredAsync(expired),
        _ => throw new ArgumentOutOfRangeException(nameof(effect), effect, "unknown Stripe effect"),
    };

    private async Task<(string, string?)> CheckoutAsync(StripeEffect.CheckoutCompleted checkout, DateTimeOffset created)
    {
        if (!await StripeLinks.LinkInAsync(c, tx, checkout.CustomerId, checkout.StripeCustomerId, hasPaymentMethod: true, time, ct))
        {
            return (StripeOutcomes.UnknownCustomer, $"no customer '{checkout.CustomerId}' (client_reference_id)");
        }

        touched.Add(checkout.CustomerId);
        return checkout.Subscription is { } state
            ? await SyncAsync(state, created, checkout.CustomerId)
            : (StripeOutcomes.Ok, $"{checkout.StripeCustomerId} linked to {checkout.CustomerId}");
    }

    /// <summary>
    /// Applies Stripe's state of a subscription. <paramref name="changeSettled"/>: the caller (a change through the API)
    /// has already billed the old plan's overage up to the change this state carries.
    /// </summary>
    internal async Task<(string Outcome, string? Detail)> SyncAsync(
        StripeSubscriptionState state, DateTimeOffset created, string? customerHint, bool changeSettled = false) =>
        await WithDiscountAsync(await SyncStateAsync(state, created, customerHint, changeSettled), state);

    private async Task<(string Outcome, string? Detail)> SyncStateAsync(
        StripeSubscriptionState state, DateTimeOffset created, string? customerHint, bool changeSettled)
    {
        var (existing, syncedAt) = await ReadLockedAsync(state.Id);
        var customer = existing?.CustomerId ?? await CustomerForAsync(state.TollgateCustomerId ?? customerHint, state.StripeCustomerId);
        if (existing is null && customer is not null)
        {
            // Another delivery (the checkout's, the subscription's own) may be creating it now: look again under the customer's lock.
            await _subscriptions.LockCustomerAsync(customer, dialect);
            (existing, syncedAt) = await ReadLockedAsync(state.Id);
            customer = existing?.CustomerId ?? customer;
        }

        if (syncedAt > created)
        {
            return (StripeOutcomes.Stale, $"{state.Id} already reflects a state from {syncedAt:O}");
        }

        if (state.Status is not { } status)
        {
            return (StripeOutcomes.Ignored, $"{state.Id} is {state.StripeStatus}, which Tollgate does not apply");
        }

        if (customer is null)
        {
            return (StripeOutcomes.UnknownCustomer, $"no customer for {state.StripeCustomerId} (metadata.tollgate_customer or a linked customer)");
        }

        await StripeLinks.LinkInAsync(c, tx, customer, state.StripeCustomerId, hasPaymentMethod: null, time, ct);
        touched.Add(customer);
        if ((await PlanForPriceAsync(state.PriceId, existing?.PlanVersionId) ?? await AttributedPlanAsync(state)) is not { } plan)
        {
            return (StripeOutcomes.UnknownPrice, $"no plan version has stripe_price_id {state.PriceId}");
        }

        var now = time.GetUtcNow();
        if (existing is null)
        {
            return status == SubscriptionStatus.Canceled
                ? (StripeOutcomes.Ignored, $"{state.Id} is already {state.StripeStatus}")
                : await CreateAsync(state, status, customer, plan.Version, plan.Interval, created, now);
        }

        if (!existing.IsLive)
        {
            return (StripeOutcomes.Ignored, $"{existing.Id} already ended");
        }

        if (status == SubscriptionStatus.Canceled)
        {
            await EndAsync(WithFeedback(existing, state.Feedback), now, state.EndedAt);
            await MarkSyncedAsync(state.Id, created);
            return (StripeOutcomes.Ok, $"{existing.Id} canceled");
        }

        var next = existing with
        {
            PlanCode = plan.Version.PlanCode,
            PlanVersionId = plan.Version.Id,
            BillingPeriod = plan.Interval,
            Status = status,
            AnchorAt = Anchor(state, status),
            CurrentPeriodStart = state.PeriodStart,
            CurrentPeriodEnd = state.PeriodEnd,
            TrialStartAt = state.TrialStart ?? existing.TrialStartAt,
            TrialEndAt = state.TrialEnd ?? existing.TrialEndAt,
            CancelAtPeriodEnd = state.CancelAtPeriodEnd,
            CanceledAt = state.CancelAtPeriodEnd ? state.CanceledAt ?? existing.CanceledAt ?? now : null,
            // A cancel undone in Stripe's portal takes its reason with it, as an undo-cancel here does; one made there brings its feedback.
            CancelReason = state.CancelAtPeriodEnd ? WithFeedback(existing, state.Feedback).CancelReason : null,
            CancelComment = state.CancelAtPeriodEnd ? WithFeedback(existing, state.Feedback).CancelComment : null,
            PendingPlanVersionId = null,
            PendingBillingPeriod = null,
            Seats = StripeSeats(state, plan.Version, plan.Interval),
            PendingSeats = null,
            PastDueSince = status == SubscriptionStatus.PastDue ? existing.PastDueSince ?? created : null,
            DunningState = status != SubscriptionStatus.PastDue ? null
                : existing.DunningState == BillingCycle.Suspended ? existing.DunningState : state.DunningState,
        };
        await MarkSyncedAsync(state.Id, created);
        if (next == existing)
        {
            return (StripeOutcomes.Ok, $"{existing.Id} unchanged");
        }

        if (!changeSettled && await StripeChangeIntents.TakeInAsync(c, tx, existing, next.PlanVersionId, next.BillingPeriod, created, ct) is { } intent)
        {
            // A change Tollgate asked for whose answer never came back: its proration lines, which Stripe was asked not to make.
            var from = await catalog.GetVersionAsync(existing.PlanVersionId, ct)
                ?? throw new InvalidOperationException($"plan version {existing.PlanVersionId} is missing");
            var (_, lines) = StripeChanges.Prorate(existing, from, plan.Version, plan.Interval, intent.Proration, intent.RequestedAt);
            await new InvoiceWriter(c, tx, time, options, ct).AddPendingAsync(existing, existing.Currency, lines);
        }

        await SyncInAsync(existing, next with { UpdatedAt = now }, changeSettled);
        return (StripeOutcomes.Ok, $"{existing.Id} updated");
    }

    private async Task<(string, string?)> CreateAsync(
        StripeSubscriptionState state, SubscriptionStatus status, string customer, PlanVersion version, BillingInterval interval,
        DateTimeOffset created, DateTimeOffset now)
    {
        await _subscriptions.LockCustomerAsync(customer, dialect);
        // One live subscription per customer: what the customer now pays for in Stripe replaces what they had.
        var live = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT id FROM subscriptions WHERE customer_id = @customer AND status IN ('trialing', 'active', 'past_due', 'incomplete')",
            new { customer }, tx, cancellationToken: ct));
        if (live is not null && await _subscriptions.ReadAsync(live) is { } replaced)
        {
            if (replaced.StripeSubscriptionId is { } paying && paying != state.Id)
            {
                // Two paid checkouts (two tabs, a double click): Stripe now bills both. Ending the first here would hide
                // that; keep it, and say so, so that one of them is canceled in Stripe.
                return (StripeOutcomes.DuplicateSubscription,
                    $"customer {customer} already pays for {paying} ({replaced.Id}); {state.Id} is a second Stripe subscription: cancel one in Stripe");
            }

            await EndAsync(replaced, now);
        }

        var subscription = new Subscription
        {
            Id = Ids.New("sub", time),
            CustomerId = customer,
            PlanCode = version.PlanCode,
            PlanVersionId = version.Id,
            BillingPeriod = interval,
            // The currency of the Stripe price it pays (a plan may sell one period in several); the plan's default otherwise.
            Currency = version.Terms.Prices.FirstOrDefault(p => p.BillingPeriod == interval && p.StripePriceId == state.PriceId)?.Currency
                ?? version.Terms.DefaultCurrency ?? "",
            Status = status,
            AnchorAt = Anchor(state, status),
            CurrentPeriodStart = state.PeriodStart,
            CurrentPeriodEnd = state.PeriodEnd,
            TrialStartAt = state.TrialStart,
            TrialEndAt = state.TrialEnd,
            CancelAtPeriodEnd = state.CancelAtPeriodEnd,
            CanceledAt = state.CancelAtPeriodEnd ? state.CanceledAt ?? now : null,
            PastDueSince = status == SubscriptionStatus.PastDue ? created : null,
            DunningState = status == SubscriptionStatus.PastDue ? state.DunningState : null,
            CollectionMethod = CollectionMethod.ChargeAutomatically,
            DaysUntilDue = options.DaysUntilDue,
            StripeSubscriptionId = state.Id,
            Seats = StripeSeats(state, version, interval),
            PriceOverride = VariantOverride(state, version, interval),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await billing.CreateInAsync(c, tx, subscription, ct);
        await ConvertAsync(state, subscription, version);
        await MarkSyncedAsync(state.Id, created);
        return (StripeOutcomes.Ok, live is null ? $"{subscription.Id} created" : $"{subscription.Id} created, replacing {live}");
    }

    /// <summary>Stripe's item quantity is the seats of a per-seat price; other prices have none.</summary>
    private static int? StripeSeats(StripeSubscriptionState state, PlanVersion version, BillingInterval interval) =>
        version.Terms.Price(interval) is { PerSeat: true } price ? Math.Max(state.Quantity ?? price.IncludedSeats, 1) : null;

    /// <summary>The subscription with Stripe's cancellation feedback as its reason, when Tollgate has none (a cancel made in Stripe's portal).</summary>
    private static Subscription WithFeedback(Subscription existing, CancellationFeedback? feedback) =>
        feedback is null || existing.CancelReason is not null || existing.CancelComment is not null
            ? existing
            : existing with { CancelReason = feedback.Reason, CancelComment = feedback.Comment };

    private async Task<(string, string?)> DeletedAsync(StripeEffect.SubscriptionDeleted deleted, DateTimeOffset created)
    {
        var stripeSubscriptionId = deleted.StripeSubscriptionId;
        var (existing, syncedAt) = await ReadLockedAsync(stripeSubscriptionId);
        if (existing is null)
        {
            return (StripeOutcomes.UnknownSubscription, $"no subscription linked to {stripeSubscriptionId}");
        }

        if (syncedAt > created)
        {
            return (StripeOutcomes.Stale, $"{stripeSubscriptionId} already reflects a state from {syncedAt:O}");
        }

        if (!existing.IsLive)
        {
            return (StripeOutcomes.Ignored, $"{existing.Id} already ended");
        }

        await EndAsync(WithFeedback(existing, deleted.Feedback), time.GetUtcNow(), deleted.EndedAt);
        await MarkSyncedAsync(stripeSubscriptionId, created);
        return (StripeOutcomes.Ok, $"{existing.Id} canceled");
    }

    /// <summary>The linked subscription, read under its customer's lock so nothing moves it until this transaction ends.</summary>
    internal async Task<(Subscription? Subscription, DateTimeOffset? SyncedAt)> ReadLockedAsync(string stripeSubscriptionId)
    {
        var customer = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT customer_id FROM subscriptions WHERE stripe_subscription_id = @stripeSubscriptionId", new { stripeSubscriptionId }, tx,
            cancellationToken: ct));
        if (customer is null)
        {
            return (null, null);
        }

        await _subscriptions.LockCustomerAsync(customer, dialect);
        var syncedAt = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT stripe_synced_at FROM subscriptions WHERE stripe_subscription_id = @stripeSubscriptionId", new { stripeSubscriptionId }, tx,
            cancellationToken: ct));
        return (await _subscriptions.ReadStripeAsync(stripeSubscriptionId), syncedAt is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null);
    }

    // Stored in whole seconds, as Stripe stamps its events: an answer Tollgate applied at 12:00:00.450 made an event Stripe
    // created at 12:00:00 (a cancel undone in its portal that second) look older, and it was dropped as stale.
    internal Task MarkSyncedAsync(string stripeSubscriptionId, DateTimeOffset created) =>
        c.ExecuteAsync(new CommandDefinition("""
            UPDATE subscriptions SET stripe_synced_at = @at
            WHERE stripe_subscription_id = @stripeSubscriptionId AND (stripe_synced_at IS NULL OR stripe_synced_at < @at)
            """, new { stripeSubscriptionId, at = created.ToUnixTimeSeconds() * 1000 }, tx, cancellationToken: ct));

    private async Task<string?> CustomerForAsync(string? hint, string stripeCustomerId) =>
        hint is not null && await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM customers WHERE id = @hint", new { hint }, tx, cancellationToken: ct)) > 0
            ? hint
            : await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT id FROM customers WHERE stripe_customer_id = @stripeCustomerId", new { stripeCustomerId }, tx, cancellationToken: ct));

    /// <summary>The subscription's own version when it sells this price (grandfathering), else the newest version that does.</summary>
    private async Task<(PlanVersion Version, BillingInterval Interval)?> PlanForPriceAsync(string priceId, string? currentVersionId)
    {
        var candidates = (await c.QueryAsync<(string Id, string Period)>(new CommandDefinition("""
            SELECT p.plan_version_id, p.billing_period FROM plan_prices p JOIN plan_versions v ON v.id = p.plan_version_id
            WHERE p.stripe_price_id = @priceId ORDER BY v.created_at DESC, v.version DESC
            """, new { priceId }, tx, cancellationToken: ct))).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var (id, period) = candidates.FirstOrDefault(v => v.Id == currentVersionId) is { Id: not null } kept ? kept : candidates[0];
        BillingIntervalNames.TryParse(period, out var interval);
        return await catalog.GetVersionAsync(id, ct) is { } version ? (version, interval) : null;
    }

    /// <summary>Paid periods are counted from Stripe's billing cycle anchor; a trial's anchor is its end.</summary>
    private static DateTimeOffset Anchor(StripeSubscriptionState state, SubscriptionStatus status) =>
        state.BillingCycleAnchor ?? (status == SubscriptionStatus.Trialing ? state.TrialEnd ?? state.PeriodEnd : state.PeriodStart);

    /// <summary>
    /// Ends the subscription as Stripe did. <paramref name="endedAt"/> is Stripe's <c>ended_at</c>: a delivery that comes
    /// late (a retry, a resend) still dates the end, and so the churn, when Stripe ended it.
    /// </summary>
    private async Task EndAsync(Subscription subscription, DateTimeOffset now, DateTimeOffset? endedAt = null)
    {
        if (await billing.EndNowInAsync(c, tx, subscription, creditUnused: false, now, ct, endedAt: endedAt) is not BillingResult.Done)
        {
            throw new InvalidOperationException($"subscription {subscription.Id} changed under its customer's lock");
        }

        touched.Add(subscription.CustomerId);
    }

    private async Task SyncInAsync(Subscription current, Subscription next, bool changeSettled = false)
    {
        _ = await billing.SyncInAsync(c, tx, current, next, ct, changeSettled)
            ?? throw new InvalidOperationException($"subscription {current.Id} changed under its customer's lock");
        touched.Add(current.CustomerId);
    }
}
