using Tollgate.Core.Catalog;

namespace Tollgate.Server.Payments;

/// <summary>
/// What opening a Stripe session (Checkout for a plan, or the billing portal) came to. Each refusal carries the sentence
/// the API's problem and the pages both show, so the two never word one refusal differently.
/// </summary>
public abstract record PaymentOutcome
{
    private PaymentOutcome()
    {
    }

    /// <summary>Stripe made the session: send the customer to <paramref name="Url"/>.</summary>
    public sealed record Opened(string Url, string SessionId) : PaymentOutcome;

    public abstract record Refused : PaymentOutcome
    {
        public abstract string Detail { get; }
    }

    public sealed record NotConfigured(string Setting) : Refused
    {
        public override string Detail => $"Payments through Stripe are off: set {Setting} to turn them on.";
    }

    /// <summary>Fields of the request that are wrong: each field's path and what is wrong with it.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string> Errors) : Refused
    {
        public Invalid(string field, string problem)
            : this(new Dictionary<string, string> { [field] = problem })
        {
        }

        public override string Detail => string.Join("; ", Errors.Select(e => $"{e.Key}: {e.Value}"));
    }

    /// <summary>No <paramref name="What"/> (customer, plan) with the id <paramref name="Id"/>.</summary>
    public sealed record NotFound(string What, string Id) : Refused
    {
        public override string Detail => $"No {What} '{Id}'.";
    }

    /// <summary>A second checkout would start a second Stripe subscription, billed alongside the first.</summary>
    public sealed record SubscriptionExists(string Customer, string Plan) : Refused
    {
        public override string Detail =>
            $"Customer '{Customer}' already pays for '{Plan}' through Stripe; change it in the customer portal instead.";
    }

    public sealed record PriceNotLinked(string Plan, BillingInterval Interval) : Refused
    {
        public override string Detail =>
            $"Plan '{Plan}' has no stripe_price_id for its {Interval.ToWire()} price; set it in the catalog to sell it through Stripe.";
    }

    /// <summary>The promotion code cannot apply, for <paramref name="Reason"/> (unknown, expired, used_up, ...).</summary>
    public sealed record CodeRefused(string Code, string Reason) : Refused
    {
        public override string Detail => $"The promotion code '{Code}' cannot be applied: {Reason.Replace('_', ' ')}.";
    }

    public sealed record CouponNotLinked(string Coupon) : Refused
    {
        public override string Detail => $"Coupon '{Coupon}' has no stripe_coupon_id; set it to sell with it through Stripe.";
    }

    /// <summary>The Stripe customer made for <paramref name="Customer"/> turned out to be linked to another customer.</summary>
    public sealed record StripeCustomerTaken(string Customer) : Refused
    {
        public override string Detail => $"The Stripe customer made for '{Customer}' is already linked to another customer.";
    }

    /// <summary>The billing portal needs a Stripe customer, which only a first checkout makes.</summary>
    public sealed record StripeCustomerMissing(string Customer) : Refused
    {
        public override string Detail => $"Customer '{Customer}' has no Stripe customer yet: their first checkout creates it.";
    }

    /// <summary>Stripe refused the call or could not be reached; its own words are the detail.</summary>
    public sealed record StripeFailed(StripeException Error) : Refused
    {
        public override string Detail => Error.Message;
    }
}
