using Tollgate.Server.Discounts;

namespace Tollgate.Server.Payments;

/// <summary>Discounts Stripe applied to a subscription it bills, mirrored onto the subscription here so invoices and MRR show them.</summary>
internal sealed partial class StripeEventWriter
{
    private async Task<(string Outcome, string? Detail)> DiscountAsync(StripeEffect.DiscountChanged change)
    {
        if (await _subscriptions.ReadStripeAsync(change.StripeSubscriptionId) is not { } subscription)
        {
            return (StripeOutcomes.UnknownSubscription, $"no subscription linked to {change.StripeSubscriptionId}");
        }

        var discounts = new DiscountWriter(c, tx, time, ct);
        if (change.StripeCouponId is null)
        {
            await discounts.EndAsync(subscription.Id, time.GetUtcNow());
            return (StripeOutcomes.Ok, $"discount of {subscription.Id} removed");
        }

        if (await discounts.CouponByStripeIdAsync(change.StripeCouponId) is not { } coupon)
        {
            return (StripeOutcomes.Ignored, $"Stripe coupon {change.StripeCouponId} is not the stripe_coupon_id of any coupon");
        }

        var discount = await discounts.MirrorAsync(subscription.Id, subscription.CustomerId, coupon, change.Start, change.End);
        return (StripeOutcomes.Ok, $"{subscription.Id} discounted by {coupon.Id} ({discount.Id})");
    }

    /// <summary>
    /// A subscription state applied (not stale, not ignored) that carries its discount keeps the mirrored discount in step,
    /// as customer.discount.* does; the same discount again changes nothing.
    /// </summary>
    private async Task<(string Outcome, string? Detail)> WithDiscountAsync((string Outcome, string? Detail) synced, StripeSubscriptionState state)
    {
        if (synced.Outcome != StripeOutcomes.Ok || state.Discount is not { } wanted
            || await _subscriptions.ReadStripeAsync(state.Id) is not { IsLive: true } subscription)
        {
            return synced;
        }

        var current = await new DiscountWriter(c, tx, time, ct).CurrentAsync(subscription.Id);
        var same = wanted.StripeCouponId is null
            ? current is null
            : current is not null && current.Coupon.StripeCouponId == wanted.StripeCouponId && current.StartAt == wanted.Start;
        if (same)
        {
            return synced;
        }

        var (_, detail) = await DiscountAsync(wanted);
        return (synced.Outcome, $"{synced.Detail}; {detail}");
    }

    private async Task<(string Outcome, string? Detail)> CheckoutExpiredAsync(StripeEffect.CheckoutExpired expired) =>
        await new DiscountWriter(c, tx, time, ct).ReleaseCheckoutHoldAsync(expired.HoldId)
            ? (StripeOutcomes.Ok, $"the promotion code held for {expired.SessionId} was given back")
            : (StripeOutcomes.Ignored, $"no redemption is held as {expired.HoldId}");
}
