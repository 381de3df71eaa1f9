using Dapper;
using Tollgate.Core.Customers;
using Tollgate.Core.Discounts;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Discounts;

/// <summary>The outcome of adding or removing a subscription's discount.</summary>
public abstract record DiscountChange
{
    private DiscountChange()
    {
    }

    public sealed record Done(Discount? Discount) : DiscountChange;

    public sealed record NotFound : DiscountChange;

    public sealed record Conflict(string Error, string Detail) : DiscountChange;

    public sealed record Refused(string Reason, string Detail) : DiscountChange;
}

/// <summary>A subscription's discount, added or removed after the subscription started.</summary>
public sealed class DiscountStore(TollgateDatabase database, CatalogCache catalog, CustomerStore customers, TimeProvider time)
{
    public Task<Discount?> CurrentAsync(string subscriptionId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c =>
        {
            await using var tx = await c.BeginTransactionAsync(cancellationToken);
            var current = await new DiscountWriter(c, tx, time, cancellationToken).CurrentAsync(subscriptionId);
            return current is { EndAt: { } end } && end <= time.GetUtcNow() ? null : current;
        }, cancellationToken);

    /// <summary>The discount each of <paramref name="subscriptionIds"/> has now, read at once for a page of subscriptions.</summary>
    public Task<IReadOnlyDictionary<string, Discount>> CurrentForAsync(IReadOnlyList<string> subscriptionIds, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyDictionary<string, Discount>>(async c =>
        {
            if (subscriptionIds.Count == 0)
            {
                return new Dictionary<string, Discount>(StringComparer.Ordinal);
            }

            var rows = (await c.QueryAsync<DiscountRow>(new CommandDefinition(
                $"SELECT {DiscountRow.Columns} FROM discounts WHERE {database.Dialect.InList("subscription_id", "@ids")} AND ended_at IS NULL " +
                "ORDER BY start_at DESC, id DESC", new { ids = subscriptionIds.ToList() }, cancellationToken: cancellationToken))).ToList();
            var couponIds = rows.Select(r => r.CouponId).Distinct(StringComparer.Ordinal).ToList();
            var coupons = couponIds.Count == 0 ? [] : (await c.QueryAsync<CouponRow>(new CommandDefinition(
                $"SELECT {CouponRow.Columns} FROM coupons WHERE {database.Dialect.InList("id", "@couponIds")}", new { couponIds },
                cancellationToken: cancellationToken))).ToDictionary(r => r.Id, r => r.ToDomain(), StringComparer.Ordinal);
            var now = time.GetUtcNow();
            // The newest open discount per subscription, as CurrentAsync picks it; a repeating one past its end is gone.
            return rows.GroupBy(r => r.SubscriptionId, StringComparer.Ordinal)
                .Select(g => g.First().ToDomain(coupons[g.First().CouponId]))
                .Where(d => !(d.EndAt <= now))
                .ToDictionary(d => d.SubscriptionId, StringComparer.Ordinal);
        }, cancellationToken);

    /// <summary>
    /// Redeems <paramref name="code"/> for a Checkout session about to be made and holds it (see DiscountWriter.Checkout);
    /// the coupon and the hold's id (none when the coupon has no stripe_coupon_id), or why the code cannot apply.
    /// Nothing is written on a refusal.
    /// </summary>
    public async Task<(Coupon? Coupon, string? HoldId, string? Refusal)> HoldForCheckoutAsync(
        string code, string customerId, string planCode, string currency, CancellationToken cancellationToken = default)
    {
        try
        {
            var (coupon, hold) = await database.WriteAsync((c, tx) =>
                new DiscountWriter(c, tx, time, cancellationToken).HoldForCheckoutAsync(code, customerId, planCode, currency), cancellationToken);
            return (coupon, hold, null);
        }
        catch (DiscountRefusedException e)
        {
            return (null, null, e.Reason);
        }
    }

    /// <summary>Records the Checkout session's expires_at on its hold: past it, the next redemption gives the hold back.</summary>
    public Task SetCheckoutHoldExpiryAsync(string holdId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            await new DiscountWriter(c, tx, time, cancellationToken).SetCheckoutHoldExpiryAsync(holdId, expiresAt);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Gives back every checkout hold past its session's expiry, so a code's count is right without waiting for the next
    /// redemption; each hold changes state in one conditional UPDATE, so nodes sweeping at once give each back once.
    /// </summary>
    public async Task<int> ReleaseExpiredCheckoutHoldsAsync(CancellationToken cancellationToken = default)
    {
        // The due work asks every 5 seconds and a hold rarely expires: a read first, so the write lock is taken only then.
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var due = await database.ReadAsync(c => c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM checkout_redemptions WHERE status = 'held' AND expires_at <= @now LIMIT 1", new { now },
            cancellationToken: cancellationToken)), cancellationToken);
        return due is null ? 0
            : await database.WriteAsync((c, tx) => new DiscountWriter(c, tx, time, cancellationToken).ReleaseExpiredCheckoutHoldsAsync(), cancellationToken);
    }

    /// <summary>When the next checkout hold expires, so the test clock stops there as it does for renewals; null with none held.</summary>
    public async Task<DateTimeOffset?> NextHoldExpiryAsync(CancellationToken cancellationToken = default) =>
        await database.ReadAsync(c => c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MIN(expires_at) FROM checkout_redemptions WHERE status = 'held'", cancellationToken: cancellationToken)), cancellationToken)
            is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>Gives a checkout's held redemption back: the session could not be made, or expired unpaid.</summary>
    public Task<bool> ReleaseCheckoutHoldAsync(string holdId, CancellationToken cancellationToken = default) =>
        database.WriteAsync((c, tx) => new DiscountWriter(c, tx, time, cancellationToken).ReleaseCheckoutHoldAsync(holdId), cancellationToken);

    /// <summary>
    /// A code anyone may redeem now (active, for no one customer, not expired or used up, its coupon live), for the
    /// pricing page to show its prices; null otherwise. Whether it fits a plan is <see cref="PromotionOffer.PriceFor"/>.
    /// </summary>
    public Task<PromotionOffer?> PublicCodeAsync(string code, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c =>
        {
            await using var tx = await c.BeginTransactionAsync(cancellationToken);
            var writer = new DiscountWriter(c, tx, time, cancellationToken);
            var now = time.GetUtcNow();
            return await writer.CodeAsync(code) is { Active: true, CustomerId: null } found && !(found.ExpiresAt <= now)
                && !(found.TimesRedeemed >= found.MaxRedemptions) && await writer.CouponAsync(found.CouponId) is { DeletedAt: null } coupon
                && !(coupon.RedeemBy <= now) && !(coupon.TimesRedeemed >= coupon.MaxRedemptions)
                ? new PromotionOffer(found, coupon) : null;
        }, cancellationToken);

    /// <summary>Redeems <paramref name="request"/> for a live subscription billed here, replacing its discount.</summary>
    public async Task<DiscountChange> ApplyAsync(string subscriptionId, DiscountRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            return await database.WriteAsync<DiscountChange>(async (c, tx) =>
            {
                var subscription = await customers.GetSubscriptionAsync(subscriptionId, cancellationToken);
                if (Refusal(subscription) is { } refused)
                {
                    return refused;
                }

                var version = await catalog.GetVersionAsync(subscription!.PlanVersionId, cancellationToken)
                    ?? throw new InvalidOperationException($"plan version {subscription.PlanVersionId} is missing");
                var discount = await new DiscountWriter(c, tx, time, cancellationToken).RedeemAsync(request, subscription.Id, subscription.CustomerId,
                    subscription.PlanCode, subscription.PriceOn(version)!.Currency);
                return new DiscountChange.Done(discount);
            }, cancellationToken);
        }
        catch (DiscountRefusedException e)
        {
            return new DiscountChange.Refused(e.Reason, e.Message);
        }
    }

    /// <summary>Ends the subscription's discount now; invoices already issued keep theirs.</summary>
    public Task<DiscountChange> RemoveAsync(string subscriptionId, CancellationToken cancellationToken = default) =>
        database.WriteAsync<DiscountChange>(async (c, tx) =>
        {
            var subscription = await customers.GetSubscriptionAsync(subscriptionId, cancellationToken);
            if (Refusal(subscription) is { } refused)
            {
                return refused;
            }

            var ended = await new DiscountWriter(c, tx, time, cancellationToken).EndAsync(subscriptionId, time.GetUtcNow());
            return ended == 0
                ? new DiscountChange.Conflict("no_discount", "The subscription has no discount to remove.")
                : new DiscountChange.Done(null);
        }, cancellationToken);

    // Stripe decides a linked subscription's discounts (they come back by webhook); an ended one has nothing left to bill.
    private static DiscountChange? Refusal(Subscription? subscription) => subscription switch
    {
        null => new DiscountChange.NotFound(),
        { StripeSubscriptionId: not null } => new DiscountChange.Conflict("managed_by_stripe",
            "This subscription is billed through Stripe: its discounts are set there and arrive by webhook."),
        { IsLive: false } => new DiscountChange.Conflict("subscription_not_live", $"The subscription is {subscription.Status.ToWire()}."),
        _ => null,
    };
}
