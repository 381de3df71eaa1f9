namespace Tollgate.Server.Payments;

/// <summary>The parts of Stripe's objects that Tollgate reads back from its calls.</summary>
public sealed record StripeCustomer(string Id);

/// <param name="Url">Where to send the customer: Stripe's hosted checkout page.</param>
public sealed record StripeCheckoutSession(string Id, string Url, DateTimeOffset? ExpiresAt = null);

/// <param name="Url">The customer portal, for this customer, for a short while.</param>
public sealed record StripePortalSession(string Id, string Url);

/// <summary>What a checkout session sells: one recurring price, for one Tollgate customer.</summary>
public sealed record CheckoutRequest(
    string CustomerId, string StripeCustomerId, string PriceId, int TrialDays, string SuccessUrl, string CancelUrl, string? StripeCouponId = null,
    bool AllowPromotionCodes = false, int Quantity = 1, string? RedemptionHoldId = null);
