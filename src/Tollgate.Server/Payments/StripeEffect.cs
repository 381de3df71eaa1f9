using Tollgate.Core.Customers;

namespace Tollgate.Server.Payments;

/// <summary>A Stripe event as recorded: its id (stored once), its type and Stripe's <c>created</c>.</summary>
public sealed record StripeEventRecord(string Id, string Type, DateTimeOffset CreatedAt);

/// <summary>What processing an event came to; <see cref="Replayed"/> when its id was already recorded and nothing was done.</summary>
public sealed record StripeEventResult(bool Replayed, string Outcome, string? Detail);

/// <summary>The outcomes recorded with each event.</summary>
public static class StripeOutcomes
{
    public const string Ok = "ok";
    public const string Stale = "stale";
    public const string Ignored = "ignored";
    public const string UnknownPrice = "unknown_price";
    public const string UnknownCustomer = "unknown_customer";
    public const string UnknownSubscription = "unknown_subscription";
    public const string UnmatchedInvoice = "unmatched_invoice";
    public const string DuplicateSubscription = "duplicate_subscription";
}

/// <summary>
/// A Stripe subscription as Tollgate reads it: the fields that decide plan, status and period. <see cref="Status"/> is
/// null for states Tollgate does not apply (incomplete, paused); <see cref="StripeStatus"/> keeps Stripe's word.
/// <see cref="ItemId"/> is the subscription item that carries the price, which a price change names. <see cref="Attribution"/>
/// is the price experiment a Tollgate checkout sold it under, from the subscription's metadata.
/// <see cref="Discount"/> is the discount the object carries (a null coupon: none), or null when it says nothing Tollgate can read.
/// </summary>
public sealed record StripeSubscriptionState(
    string Id,
    string StripeCustomerId,
    string? TollgateCustomerId,
    string PriceId,
    string StripeStatus,
    SubscriptionStatus? Status,
    string? DunningState,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    DateTimeOffset? BillingCycleAnchor,
    bool CancelAtPeriodEnd,
    DateTimeOffset? CanceledAt,
    DateTimeOffset? TrialStart,
    DateTimeOffset? TrialEnd,
    string? ItemId = null,
    int? Quantity = null,
    StripeAttribution? Attribution = null,
    CancellationFeedback? Feedback = null,
    StripeEffect.DiscountChanged? Discount = null,
    DateTimeOffset? EndedAt = null,
    DateTimeOffset? CancelAt = null);

/// <summary>Stripe's <c>cancellation_details</c>: the customer's feedback (one of Tollgate's cancel reasons) and comment.</summary>
public sealed record CancellationFeedback(string? Reason, string? Comment);

/// <summary>What a Stripe event asks of Tollgate, already read out of Stripe's JSON.</summary>
public abstract record StripeEffect
{
    private StripeEffect()
    {
    }

    /// <summary>Nothing to change: the event is recorded with this outcome.</summary>
    public sealed record Note(string Outcome, string? Detail) : StripeEffect;

    /// <summary>
    /// A checkout finished: the Stripe customer stands for <paramref name="CustomerId"/>, who now has a payment method.
    /// <paramref name="Subscription"/> is the subscription's state when it was fetched because its own event had not arrived.
    /// </summary>
    public sealed record CheckoutCompleted(string CustomerId, string StripeCustomerId, StripeSubscriptionState? Subscription) : StripeEffect;

    /// <summary>customer.subscription.created or .updated: the subscription's whole state.</summary>
    public sealed record SubscriptionChanged(StripeSubscriptionState State) : StripeEffect;

    /// <summary>customer.subscription.deleted: the subscription ended, at <paramref name="EndedAt"/> by Stripe's clock when the event says.</summary>
    public sealed record SubscriptionDeleted(string StripeSubscriptionId, CancellationFeedback? Feedback = null, DateTimeOffset? EndedAt = null) : StripeEffect;

    /// <summary>
    /// Money collected; <paramref name="PeriodStart"/> is the subscription line's period, which names the Tollgate invoice.
    /// <paramref name="Tax"/> is the tax Stripe's invoice states, which Tollgate's copy shows; null when the event says none.
    /// </summary>
    public sealed record InvoicePaid(string StripeInvoiceId, string StripeSubscriptionId, long AmountPaidCents, DateTimeOffset? PeriodStart,
        DateTimeOffset PaidAt, StripeInvoiceTax? Tax = null, StripeSubscriptionState? Subscription = null) : StripeEffect;

    /// <summary>A payment Stripe could not collect, for the invoice of the period starting <paramref name="PeriodStart"/>, taxed as <paramref name="Tax"/> says.</summary>
    public sealed record PaymentFailed(string StripeInvoiceId, string StripeSubscriptionId, DateTimeOffset? PeriodStart = null, StripeInvoiceTax? Tax = null)
        : StripeEffect;

    /// <summary>
    /// Stripe finalized an invoice of the subscription: its tax (<paramref name="Tax"/>, null when the event says none) is
    /// known before any payment, so Tollgate's open copy of the period starting <paramref name="PeriodStart"/> shows it.
    /// </summary>
    public sealed record InvoiceFinalized(string StripeInvoiceId, string StripeSubscriptionId, DateTimeOffset? PeriodStart, StripeInvoiceTax? Tax)
        : StripeEffect;

    public sealed record TrialWillEnd(string StripeSubscriptionId) : StripeEffect;

    /// <summary>A payment-mode checkout for a credit pack completed; the grant is made once per session, when the payment is in.</summary>
    public sealed record PackPaid(string SessionId, string CustomerId, string PackCode, string PaymentStatus) : StripeEffect;

    /// <summary>A Stripe subscription's discount began (with its coupon) or, with a null coupon, was removed.</summary>
    public sealed record DiscountChanged(string StripeSubscriptionId, string? StripeCouponId, DateTimeOffset Start, DateTimeOffset? End) : StripeEffect;

    /// <summary>A checkout session expired unpaid; the promotion code redemption held for it (<paramref name="HoldId"/>) is given back.</summary>
    public sealed record CheckoutExpired(string SessionId, string HoldId) : StripeEffect;
}
