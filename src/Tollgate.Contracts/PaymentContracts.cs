namespace Tollgate.Contracts;

/// <summary>Starts a Stripe Checkout for a plan; send the customer to <c>checkout_url</c>.</summary>
/// <param name="Customer">The customer's id; their Stripe customer is created on the first checkout and reused after.</param>
/// <param name="Plan">The plan's code; its newest version's price for <paramref name="BillingPeriod"/> must have a stripe_price_id.</param>
/// <param name="BillingPeriod">"monthly" or "yearly". Left out: monthly, or yearly on a plan sold only by the year.</param>
/// <param name="SuccessUrl">Absolute http(s) URL Stripe returns to after payment; may contain {CHECKOUT_SESSION_ID}.</param>
/// <param name="CancelUrl">Absolute http(s) URL Stripe returns to when the customer leaves.</param>
/// <param name="PromotionCode">A Tollgate promotion code whose coupon has a stripe_coupon_id: Checkout opens with that coupon applied.</param>
/// <param name="AllowPromotionCodes">Let the customer type a Stripe promotion code on Stripe's page (not with <paramref name="PromotionCode"/>).</param>
/// <param name="Seats">On a per-seat price: the seats to buy, passed to Stripe as the quantity (the price's included seats when left out).</param>
/// <param name="VisitorId">The pricing visitor id: when the visitor saw a price experiment, Checkout charges its variant's price and the subscription is its conversion.</param>
public sealed record CreateCheckoutSessionRequest(
    string Customer, string Plan, string SuccessUrl, string CancelUrl, string? BillingPeriod = null, string? PromotionCode = null,
    bool AllowPromotionCodes = false, int? Seats = null, string? VisitorId = null);

/// <summary>A Stripe Checkout session.</summary>
/// <param name="CheckoutUrl">Stripe's hosted payment page.</param>
/// <param name="SessionId">Stripe's id for the session (cs_…).</param>
public sealed record CheckoutSessionResponse(string CheckoutUrl, string SessionId);

/// <summary>Opens Stripe's customer portal, where the customer manages their card, plan and invoices.</summary>
/// <param name="Customer">The customer's id; they need a Stripe customer, made by their first checkout.</param>
/// <param name="ReturnUrl">Absolute http(s) URL the portal links back to.</param>
public sealed record CreatePortalSessionRequest(string Customer, string ReturnUrl);

/// <summary>A Stripe customer portal session.</summary>
/// <param name="Url">Where to send the customer; it expires soon, so create one per visit.</param>
public sealed record PortalSessionResponse(string Url);

/// <summary>Asks for a link into Tollgate's own customer portal (POST /v1/customers/{id}/portal-sessions).</summary>
/// <param name="ReturnUrl">Where the portal's "back" link goes (an absolute http(s) URL of the app).</param>
public sealed record PortalLinkRequest(string? ReturnUrl = null);

/// <summary>A signed link into Tollgate's customer portal that works until <paramref name="ExpiresAt"/>.</summary>
/// <param name="Url">Send the customer here.</param>
/// <param name="ExpiresAt">The link must be opened before this; the session it opens lasts longer.</param>
public sealed record PortalLinkResponse(string Url, DateTimeOffset ExpiresAt);
