using Tollgate.Core.Customers;
using Tollgate.Server.Billing;

namespace Tollgate.Server.Payments;

/// <summary>
/// Reads Stripe events into what they ask of Tollgate. Shapes are those of API version 2025-03-31.basil; where basil
/// moved a field (the subscription's period onto its items, the invoice's subscription under parent), the older place is
/// read when the new one is absent.
/// </summary>
public static class StripeEventReader
{
    public const string CheckoutCompleted = "checkout.session.completed";

    /// <summary>The session metadata key naming the promotion code redemption held for it.</summary>
    public const string CheckoutRedemption = "tollgate_redemption";

    public static StripeEventRecord Event(StripeJson root) => new(root.String("id"), root.String("type"), root.Instant("created"));

    public static StripeJson DataObject(StripeJson root) => root.Object("data").Object("object");

    /// <summary>The effect of an event of <paramref name="type"/> whose data.object is <paramref name="data"/>.</summary>
    public static StripeEffect Effect(string type, StripeJson data, DateTimeOffset created) => type switch
    {
        CheckoutCompleted => Checkout(data),
        // A bank debit completes the session unpaid; this follows once the money is in (a pack is granted then).
        "checkout.session.async_payment_succeeded" => Checkout(data),
        "checkout.session.expired" => data.OptionalObject("metadata")?.OptionalString(CheckoutRedemption) is { } hold
            ? new StripeEffect.CheckoutExpired(data.String("id"), hold)
            : new StripeEffect.Note(StripeOutcomes.Ignored, "an expired checkout that held no promotion code"),
        "customer.subscription.created" or "customer.subscription.updated" => new StripeEffect.SubscriptionChanged(Subscription(data)),
        "customer.subscription.deleted" => new StripeEffect.SubscriptionDeleted(data.String("id"), Feedback(data), data.OptionalInstant("ended_at")),
        "customer.subscription.trial_will_end" => new StripeEffect.TrialWillEnd(data.String("id")),
        // payment_succeeded comes with every paid invoice too; the second of the two finds the invoice already recorded.
        "invoice.paid" or "invoice.payment_succeeded" => SubscriptionOf(data) is { } subscription
            ? new StripeEffect.InvoicePaid(data.String("id"), subscription, data.Long("amount_paid"), LinePeriodStart(data),
                data.OptionalObject("status_transitions")?.OptionalInstant("paid_at") ?? created, StripeInvoiceTaxReader.Read(data))
            : NotSubscription(data),
        "invoice.finalized" => SubscriptionOf(data) is { } finalized
            ? new StripeEffect.InvoiceFinalized(data.String("id"), finalized, LinePeriodStart(data), StripeInvoiceTaxReader.Read(data))
            : NotSubscription(data),
        "invoice.payment_failed" => SubscriptionOf(data) is { } failed
            ? new StripeEffect.PaymentFailed(data.String("id"), failed, LinePeriodStart(data), StripeInvoiceTaxReader.Read(data))
            : NotSubscription(data),
        "customer.discount.created" or "customer.discount.updated" or "customer.discount.deleted" => Discount(data, type.EndsWith("deleted", StringComparison.Ordinal)),
        _ => new StripeEffect.Note(StripeOutcomes.Ignored, $"{type} is not handled"),
    };

    /// <summary>The subscription a completed checkout created, if any.</summary>
    public static string? CheckoutSubscriptionId(StripeJson session) => session.OptionalId("subscription");

    public static StripeSubscriptionState Subscription(StripeJson subscription)
    {
        var item = subscription.List("items").FirstOrDefault();
        if (item.Path is null)
        {
            throw subscription.Missing("items.data[0]", "a subscription needs an item with a price");
        }

        var stripeStatus = subscription.String("status");
        var metadata = subscription.OptionalObject("metadata");
        var (status, dunning) = MapStatus(stripeStatus);
        // Read in the order the arguments are, so a payload missing several fields names the first of them, as before.
        DateTimeOffset periodEnd;
        var cancelAt = subscription.OptionalInstant("cancel_at");
        return new StripeSubscriptionState(
            subscription.String("id"),
            subscription.Id("customer"),
            metadata?.OptionalString("tollgate_customer"),
            item.Object("price").String("id"),
            stripeStatus,
            status,
            dunning,
            item.OptionalInstant("current_period_start") ?? subscription.Instant("current_period_start"),
            periodEnd = item.OptionalInstant("current_period_end") ?? subscription.Instant("current_period_end"),
            subscription.OptionalInstant("billing_cycle_anchor"),
            subscription.Bool("cancel_at_period_end") || EndsAt(cancelAt, periodEnd),
            subscription.OptionalInstant("canceled_at"),
            subscription.OptionalInstant("trial_start"),
            subscription.OptionalInstant("trial_end"),
            item.OptionalString("id"),
            item.OptionalLong("quantity") is { } quantity ? (int)Math.Clamp(quantity, 1, int.MaxValue) : null,
            metadata is { } m ? StripeAttribution.From(m.OptionalString) : null,
            Feedback(subscription),
            SubscriptionDiscount(subscription),
            subscription.OptionalInstant("ended_at"),
            cancelAt);
    }

    /// <summary>
    /// Whether <c>cancel_at</c> ends the subscription when its period ends. Stripe's portal and dashboard (flexible billing,
    /// newer API versions) schedule a cancel at the period end that way, leaving <c>cancel_at_period_end</c> false; read
    /// as before, such a cancel went unseen until the subscription ended. A cancel on another date is Stripe's to carry
    /// out: Tollgate ends the subscription on its deleted event.
    /// </summary>
    public static bool EndsAt(DateTimeOffset? cancelAt, DateTimeOffset periodEnd) =>
        cancelAt is { } at && (at - periodEnd).Duration() <= TimeSpan.FromSeconds(1);

    /// <summary>
    /// <c>cancellation_details</c> as a cancel reason: Stripe's feedback set is Tollgate's, so an unknown value (a newer
    /// Stripe's) is left out, and a comment is cut to what Tollgate keeps.
    /// </summary>
    public static CancellationFeedback? Feedback(StripeJson subscription)
    {
        var details = subscription.OptionalObject("cancellation_details");
        var reason = details?.OptionalString("feedback") is { } feedback && CancellationReasons.All.Contains(feedback) ? feedback : null;
        var comment = details?.OptionalString("comment") is { Length: > 0 } text ? text[..Math.Min(text.Length, CancellationReasons.MaxCommentLength)] : null;
        return reason is null && comment is null ? null : new CancellationFeedback(reason, comment);
    }

    /// <summary>
    /// The discount a subscription object carries: basil's <c>discounts</c> (ids, or objects when expanded; empty is none) or
    /// the older <c>discount</c> (an object or null). Null when only ids are given: customer.discount.* then names the coupon.
    /// </summary>
    private static StripeEffect.DiscountChanged? SubscriptionDiscount(StripeJson subscription)
    {
        var id = subscription.String("id");
        var none = new StripeEffect.DiscountChanged(id, null, DateTimeOffset.UnixEpoch, null);
        var discounts = subscription.OptionalArray("discounts");
        if (discounts is { Count: 0 })
        {
            return none;
        }

        if (discounts?.FirstOrDefault(d => d.Element.ValueKind == System.Text.Json.JsonValueKind.Object) is { Path: not null } expanded)
        {
            return FromDiscount(id, expanded);
        }

        return subscription.OptionalObject("discount") is { } legacy ? FromDiscount(id, legacy)
            : subscription.Has("discount") && discounts is null ? none
            : null;
    }

    private static StripeEffect.DiscountChanged? FromDiscount(string subscription, StripeJson discount) =>
        (discount.OptionalObject("source")?.OptionalId("coupon") ?? discount.OptionalId("coupon")) is { } coupon
            ? new StripeEffect.DiscountChanged(subscription, coupon, discount.Instant("start"), discount.OptionalInstant("end"))
            : null;

    /// <summary>Stripe's statuses in Tollgate's: unpaid stays past due (its grace runs out), incomplete and paused are not applied.</summary>
    public static (SubscriptionStatus? Status, string? DunningState) MapStatus(string stripeStatus) => stripeStatus switch
    {
        "trialing" => (SubscriptionStatus.Trialing, null),
        "active" => (SubscriptionStatus.Active, null),
        "past_due" => (SubscriptionStatus.PastDue, BillingCycle.PaymentFailed),
        "unpaid" => (SubscriptionStatus.PastDue, BillingCycle.Unpaid),
        "canceled" or "incomplete_expired" => (SubscriptionStatus.Canceled, null),
        _ => (null, null),
    };

    /// <summary>A discount object: basil names its coupon under source.coupon, older versions as coupon (an object).</summary>
    private static StripeEffect Discount(StripeJson discount, bool deleted) => discount.OptionalId("subscription") is { } subscription
        ? new StripeEffect.DiscountChanged(subscription,
            deleted ? null : discount.OptionalObject("source")?.OptionalId("coupon") ?? discount.OptionalId("coupon"),
            discount.Instant("start"), discount.OptionalInstant("end"))
        : new StripeEffect.Note(StripeOutcomes.Ignored, "a discount on a customer, not on a subscription");

    private static StripeEffect Checkout(StripeJson session)
    {
        if (session.OptionalString("mode") == "payment"
            && session.OptionalObject("metadata")?.OptionalString(StripeClient.PackMetadata) is { } pack)
        {
            return session.OptionalString("client_reference_id") is { } buyer
                ? new StripeEffect.PackPaid(session.String("id"), buyer, pack, session.OptionalString("payment_status") ?? "paid")
                : new StripeEffect.Note(StripeOutcomes.UnknownCustomer, $"{session.String("id")} has no client_reference_id: Tollgate did not start it");
        }

        if (session.OptionalString("mode") is { } mode and not "subscription")
        {
            return new StripeEffect.Note(StripeOutcomes.Ignored, $"a {mode}-mode checkout");
        }

        return session.OptionalString("client_reference_id") is { } customer
            ? new StripeEffect.CheckoutCompleted(customer, session.Id("customer"), null)
            : new StripeEffect.Note(StripeOutcomes.UnknownCustomer, $"{session.String("id")} has no client_reference_id: Tollgate did not start it");
    }

    /// <summary>parent.subscription_details.subscription (basil), else the top-level subscription (older versions).</summary>
    private static string? SubscriptionOf(StripeJson invoice) =>
        invoice.OptionalObject("parent")?.OptionalObject("subscription_details")?.OptionalId("subscription") ?? invoice.OptionalId("subscription");

    /// <summary>The service period of the subscription's line; the invoice's own period_start is the day it was made.</summary>
    private static DateTimeOffset? LinePeriodStart(StripeJson invoice)
    {
        var lines = invoice.List("lines");
        var line = lines.FirstOrDefault(IsSubscriptionLine);
        line = line.Path is null ? lines.FirstOrDefault() : line;
        return line.Path is null ? null : line.OptionalObject("period")?.OptionalInstant("start");
    }

    internal static bool IsSubscriptionLine(StripeJson line) =>
        line.OptionalObject("parent")?.OptionalString("type") == "subscription_item_details" || line.OptionalString("type") == "subscription";

    private static StripeEffect.Note NotSubscription(StripeJson invoice) =>
        new(StripeOutcomes.Ignored, $"{invoice.String("id")} is not a subscription's invoice");
}
