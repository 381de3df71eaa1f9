namespace Tollgate.Server.Payments;

/// <summary>The parts of Stripe's objects that Tollgate reads back from its calls.</summary>
public sealed record StripeCustomer(string Id);

/// <param name="Url">Where to send the customer: Stripe's hosted checkout page.</param>
public sealed record StripeCheckoutSession(string Id, string Url, DateTimeOffset? ExpiresAt = null);

/// <param name="Url">The customer portal, for this customer, for a short while.</param>
public sealed record StripePortalSession(string Id, string Url);

/// <summary>
/// What a checkout session sells: one recurring price, for one Tollgate customer. With <paramref name="Inline"/> the price
/// is sent as price_data instead of <paramref name="PriceId"/>; <paramref name="Attribution"/> rides in the subscription's metadata.
/// </summary>
public sealed record CheckoutRequest(
    string CustomerId, string StripeCustomerId, string PriceId, int TrialDays, string SuccessUrl, string CancelUrl, string? StripeCouponId = null,
    bool AllowPromotionCodes = false, int Quantity = 1, string? RedemptionHoldId = null, InlinePrice? Inline = null,
    Tollgate.Server.Payments.StripeAttribution? Attribution = null);

/// <summary>A recurring price Stripe has no id for (an experiment variant's), for the product of the catalog price it stands in for.</summary>
public sealed record InlinePrice(string Currency, long UnitAmount, Tollgate.Core.Catalog.BillingInterval Interval, string Product);
