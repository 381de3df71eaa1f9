using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Server.Customers;
using Tollgate.Server.Http;

namespace Tollgate.Server.Payments;

/// <summary>Opens a subscription-mode Stripe Checkout for a plan: the one service the API, the portal and the pricing pages call.</summary>
public static class PlanCheckout
{
    /// <summary>Checkout for an existing customer, from a request as the API takes it.</summary>
    public static async Task<PaymentOutcome> StartAsync(
        CreateCheckoutSessionRequest request, PaymentsApi.Services s, CancellationToken cancellationToken)
    {
        if (!s.Options.Value.HasSecretKey)
        {
            return new PaymentOutcome.NotConfigured("Tollgate:Stripe:SecretKey");
        }

        var interval = BillingInterval.Monthly;
        var errors = Validate.Errors(("customer", Validate.Id(request.Customer)),
            ("billing_period", request.BillingPeriod is null || BillingIntervalNames.TryParse(request.BillingPeriod, out interval)
                ? null : "must be monthly or yearly"),
            ("success_url", Validate.HttpUrl(request.SuccessUrl)), ("cancel_url", Validate.HttpUrl(request.CancelUrl)),
            ("visitor_id", request.VisitorId is null ? null : Validate.Id(request.VisitorId)),
            ("promotion_code", request.PromotionCode is not null && request.AllowPromotionCodes
                ? "cannot go with allow_promotion_codes (Stripe takes one or the other)" : null));
        if (errors.Count > 0)
        {
            return new PaymentOutcome.Invalid(errors);
        }

        return await s.Customers.GetAsync(request.Customer, cancellationToken) is { } customer
            ? await SellAsync(request, request.BillingPeriod is null ? null : interval, customer, isNew: false, s, cancellationToken)
            : new PaymentOutcome.NotFound("customer", request.Customer);
    }

    /// <summary>
    /// The checkout once its input is read, for the API and the pages alike. A new customer (<paramref name="isNew"/>, the
    /// pages' buyer) is stored only after Stripe made the session, so a refused code or a Stripe failure leaves none behind.
    /// <paramref name="asked"/> null: the plan's own default period (<see cref="PlanTerms.DefaultInterval"/>).
    /// </summary>
    public static async Task<PaymentOutcome> SellAsync(
        CreateCheckoutSessionRequest request, BillingInterval? asked, Customer customer, bool isNew, PaymentsApi.Services s,
        CancellationToken cancellationToken)
    {
        // A second checkout would start a second Stripe subscription, billed alongside the first.
        if (!isNew && await s.Customers.GetLiveSubscriptionAsync(customer.Id, cancellationToken) is { StripeSubscriptionId: not null } paying)
        {
            return new PaymentOutcome.SubscriptionExists(customer.Id, paying.PlanCode);
        }

        if ((await s.Catalog.GetAsync(cancellationToken)).Plan(request.Plan) is not { IsActive: true } plan)
        {
            return new PaymentOutcome.NotFound("plan", request.Plan);
        }

        var interval = asked ?? plan.Current.Terms.DefaultInterval;
        if (plan.Current.Terms.Price(interval) is null)
        {
            return new PaymentOutcome.Invalid("billing_period", $"plan '{plan.Code}' has no {interval.ToWire()} price");
        }

        // Stripe is sent the price in the customer's currency (the plan's default until the customer has one).
        if (plan.Current.Terms.Price(interval, customer.Currency) is not { } price)
        {
            return new PaymentOutcome.Invalid("currency", $"customer '{customer.Id}' is billed in {customer.Currency}, and plan '{plan.Code}' has no "
                + $"{interval.ToWire()} price in it; it offers {string.Join(", ", plan.Current.Terms.Currencies)}");
        }

        if (plan.Current.Terms.OverageProblem(plan.Code, price.Currency) is { } overage)
        {
            return new PaymentOutcome.Invalid("currency", overage);
        }

        if (CheckoutSeats.Problem(request.Seats, price) is { } seatsProblem)
        {
            return new PaymentOutcome.Invalid("seats", seatsProblem);
        }

        if (price.StripePriceId is not { } priceId)
        {
            return new PaymentOutcome.PriceNotLinked(plan.Code, interval);
        }

        string? stripeCoupon = null, hold = null;
        if (request.PromotionCode is { } code)
        {
            // Counted now, not when Stripe's page is paid: concurrent checkouts never pass max_redemptions.
            var (coupon, held, refusal) = await s.Discounts.HoldForCheckoutAsync(code, customer.Id, plan.Code, price.Currency, cancellationToken);
            if (refusal is not null)
            {
                return new PaymentOutcome.CodeRefused(code, refusal);
            }

            if (coupon!.StripeCouponId is null)
            {
                return new PaymentOutcome.CouponNotLinked(coupon.Id);
            }

            (stripeCoupon, hold) = (coupon.StripeCouponId, held);
        }

        // The hold is given back only when no session can carry it: nothing was asked of Stripe's sessions yet, or Stripe
        // refused the request (4xx). After a lost answer a session may exist, and its checkout.session.expired gives it back.
        var release = hold is not null;
        try
        {
            var stripeCustomer = isNew
                ? (await s.Stripe.CreateCustomerAsync(customer.Id, customer.Email, customer.Name, cancellationToken)).Id
                : await StripeCustomerAsync(customer, s, cancellationToken);
            if (stripeCustomer is null)
            {
                return new PaymentOutcome.StripeCustomerTaken(customer.Id);
            }

            // A trial is for a customer's first subscription, not for every return after a cancel.
            var trialDays = !isNew && (await s.Customers.ListSubscriptionsAsync(customer.Id, cancellationToken)).Count > 0 ? 0 : price.TrialDays;
            var (inline, attribution) = await VariantAsync(request.VisitorId, plan, interval, price, s, cancellationToken);
            var checkout = new CheckoutRequest(customer.Id, stripeCustomer, priceId, trialDays, request.SuccessUrl, request.CancelUrl, stripeCoupon,
                request.AllowPromotionCodes, CheckoutSeats.Quantity(request.Seats, price), hold, inline, attribution);
            try
            {
                var session = await s.Stripe.CreateCheckoutSessionAsync(checkout, cancellationToken);
                release = false;
                if (hold is not null && session.ExpiresAt is { } expiresAt)
                {
                    await s.Discounts.SetCheckoutHoldExpiryAsync(hold, expiresAt, CancellationToken.None);
                }

                if (isNew)
                {
                    // In the currency it checked out in (the pricing page's), so its portal and invoices are in it from the start.
                    await s.Customers.UpsertAsync(customer.Id, customer.Email, customer.Name, null, null, new BillingDetailsChange(Currency: customer.Currency),
                        cancellationToken);
                    await s.Links.LinkAsync(customer.Id, stripeCustomer, cancellationToken);
                }

                return new PaymentOutcome.Opened(session.Url, session.Id);
            }
            catch (Exception e) when (e is not StripeException { Status: >= 400 and < 500 })
            {
                release = false;
                throw;
            }
        }
        catch (StripeException e)
        {
            return new PaymentOutcome.StripeFailed(e);
        }
        finally
        {
            if (release)
            {
                await s.Discounts.ReleaseCheckoutHoldAsync(hold!, CancellationToken.None);
            }
        }
    }

    /// <summary>The customer's Stripe customer: the linked one, or a new one linked now. Null when it turned out to be another's.</summary>
    internal static async Task<string?> StripeCustomerAsync(Customer customer, PaymentsApi.Services s, CancellationToken cancellationToken)
    {
        if (await s.Links.StripeCustomerIdAsync(customer.Id, cancellationToken) is { } linked)
        {
            return linked;
        }

        var created = await s.Stripe.CreateCustomerAsync(customer.Id, customer.Email, customer.Name, cancellationToken);
        return await s.Links.LinkAsync(customer.Id, created.Id, cancellationToken);
    }

    /// <summary>
    /// An exposed visitor's variant: its price sold inline for the catalog price's product (a variant has no Stripe price),
    /// and the attribution the subscription carries; nothing when no experiment runs or the visitor never saw it.
    /// </summary>
    private static async Task<(InlinePrice?, StripeAttribution?)> VariantAsync(
        string? visitorId, Plan plan, BillingInterval interval, PlanPrice price, PaymentsApi.Services s, CancellationToken cancellationToken)
    {
        // A variant prices the plan's default currency; a buyer in another pays that currency's catalog price, unattributed.
        if (visitorId is null || price.Currency != plan.Current.Terms.DefaultCurrency
            || await s.Experiments.OfferAsync(visitorId, plan.Code, interval, cancellationToken) is not { } offer)
        {
            return (null, null);
        }

        var inline = offer.Price is { } variant
            ? new InlinePrice(price.Currency, variant.PriceCents, interval, await s.Stripe.PriceProductAsync(price.StripePriceId!, cancellationToken))
            : null;
        return (inline, new StripeAttribution(offer.ExperimentId, offer.Variant, visitorId, plan.Current.Id, interval, offer.Price?.PriceCents));
    }
}
