using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Client.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Server.Auth;
using Tollgate.Server.Http;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Customers;
using Tollgate.Storage.Payments;

namespace Tollgate.Server.Payments;

/// <summary>Stripe Checkout for a plan, the customer portal, and Stripe's webhook.</summary>
public static class PaymentsApi
{
    public static RouteGroupBuilder MapPayments(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/billing").WithTags("Payments").RequireAuthorization(Policies.Secret).ProducesProblems(404, 409, 422, 502, 503);
        group.MapPost("/checkout-sessions", CheckoutAsync);
        group.MapPost("/portal-sessions", PortalAsync);
        app.MapStripeWebhook();
        return group;
    }

    public static IServiceCollection AddTollgatePayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<StripeOptions>(configuration.GetSection(StripeOptions.Section));
        services.AddHttpClient<StripeClient>((sp, http) =>
        {
            var apiBase = sp.GetRequiredService<IOptions<StripeOptions>>().Value.ApiBase;
            http.BaseAddress = new Uri(apiBase.EndsWith('/') ? apiBase : apiBase + "/");
            http.Timeout = TimeSpan.FromSeconds(30);
        });
        services.AddSingleton<StripeInvoiceItemStore>();
        services.AddSingleton<StripeInvoiceItemSender>();
        services.AddHostedService(sp => sp.GetRequiredService<StripeInvoiceItemSender>());
        services.AddSingleton<StripeChanges>();
        services.AddTransient<StripeSubscriptions>();
        return services;
    }

    /// <summary>What the billing endpoints read from, injected as one.</summary>
    public sealed record Services(
        StripeClient Stripe, StripeLinks Links, CustomerStore Customers, CatalogCache Catalog, IOptions<StripeOptions> Options,
        Storage.Discounts.DiscountStore Discounts, Experiments.ExperimentPricing Experiments);

    internal static async Task<Results<Ok<CheckoutSessionResponse>, ProblemHttpResult>> CheckoutAsync(
        CreateCheckoutSessionRequest request, [AsParameters] Services s, CancellationToken cancellationToken)
    {
        if (!s.Options.Value.HasSecretKey)
        {
            return NotConfigured("Tollgate:Stripe:SecretKey");
        }

        var errors = Validate.Errors(("customer", Validate.Id(request.Customer)),
            ("billing_period", BillingIntervalNames.TryParse(request.BillingPeriod, out var interval) ? null : "must be monthly or yearly"),
            ("success_url", Validate.HttpUrl(request.SuccessUrl)), ("cancel_url", Validate.HttpUrl(request.CancelUrl)),
            ("visitor_id", request.VisitorId is null ? null : Validate.Id(request.VisitorId)),
            ("promotion_code", request.PromotionCode is not null && request.AllowPromotionCodes
                ? "cannot go with allow_promotion_codes (Stripe takes one or the other)" : null));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        return await s.Customers.GetAsync(request.Customer, cancellationToken) is { } customer
            ? await SellAsync(request, interval, customer, isNew: false, s, cancellationToken)
            : Problems.NotFound("customer", request.Customer);
    }

    /// <summary>
    /// The checkout once its input is read, for the API and the pages alike. A new customer (<paramref name="isNew"/>, the
    /// pages' buyer) is stored only after Stripe made the session, so a refused code or a Stripe failure leaves none behind.
    /// </summary>
    internal static async Task<Results<Ok<CheckoutSessionResponse>, ProblemHttpResult>> SellAsync(
        CreateCheckoutSessionRequest request, BillingInterval interval, Customer customer, bool isNew, Services s, CancellationToken cancellationToken)
    {
        // A second checkout would start a second Stripe subscription, billed alongside the first.
        if (!isNew && await s.Customers.GetLiveSubscriptionAsync(customer.Id, cancellationToken) is { StripeSubscriptionId: not null } paying)
        {
            return Problems.Create(409, "subscription_exists",
                $"Customer '{customer.Id}' already pays for '{paying.PlanCode}' through Stripe; change it in the customer portal instead.");
        }

        if ((await s.Catalog.GetAsync(cancellationToken)).Plan(request.Plan) is not { IsActive: true } plan)
        {
            return Problems.NotFound("plan", request.Plan);
        }

        if (plan.Current.Terms.Price(interval) is not { } price)
        {
            return Problems.Validation("billing_period", $"plan '{plan.Code}' has no {interval.ToWire()} price");
        }

        if (CheckoutSeats.Problem(request.Seats, price) is { } seatsProblem)
        {
            return Problems.Validation("seats", seatsProblem);
        }

        if (price.StripePriceId is not { } priceId)
        {
            var field = new Dictionary<string, string> { ["plan"] = "has no Stripe price for this billing period" };
            return Problems.Create(422, "price_not_linked",
                $"Plan '{plan.Code}' has no stripe_price_id for its {interval.ToWire()} price; set it in the catalog to sell it through Stripe.",
                new Dictionary<string, object?> { ["errors"] = field });
        }

        string? stripeCoupon = null, hold = null;
        if (request.PromotionCode is { } code)
        {
            // Counted now, not when Stripe's page is paid: concurrent checkouts never pass max_redemptions.
            var (coupon, held, refusal) = await s.Discounts.HoldForCheckoutAsync(code, customer.Id, plan.Code, price.Currency, cancellationToken);
            if (refusal is not null)
            {
                return Discounts.DiscountProblems.Invalid(refusal, $"The promotion code '{code}' cannot be applied: {refusal.Replace('_', ' ')}.",
                    "promotion_code");
            }

            if (coupon!.StripeCouponId is null)
            {
                return Problems.Create(422, "coupon_not_linked", $"Coupon '{coupon.Id}' has no stripe_coupon_id; set it to sell with it through Stripe.",
                    new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string> { ["promotion_code"] = "its coupon has no Stripe coupon" } });
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
                return StripeCustomerTaken(customer.Id);
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
                    await s.Customers.UpsertAsync(customer.Id, customer.Email, customer.Name, null, cancellationToken: cancellationToken);
                    await s.Links.LinkAsync(customer.Id, stripeCustomer, cancellationToken);
                }

                return TypedResults.Ok(new CheckoutSessionResponse(session.Url, session.Id));
            }
            catch (Exception e) when (e is not StripeException { Status: >= 400 and < 500 })
            {
                release = false;
                throw;
            }
        }
        catch (StripeException e)
        {
            return FromStripe(e);
        }
        finally
        {
            if (release)
            {
                await s.Discounts.ReleaseCheckoutHoldAsync(hold!, CancellationToken.None);
            }
        }
    }

    internal static async Task<Results<Ok<PortalSessionResponse>, ProblemHttpResult>> PortalAsync(
        CreatePortalSessionRequest request, [AsParameters] Services s, CancellationToken cancellationToken)
    {
        if (!s.Options.Value.HasSecretKey)
        {
            return NotConfigured("Tollgate:Stripe:SecretKey");
        }

        var errors = Validate.Errors(("customer", Validate.Id(request.Customer)), ("return_url", Validate.HttpUrl(request.ReturnUrl)));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await s.Customers.GetAsync(request.Customer, cancellationToken) is null)
        {
            return Problems.NotFound("customer", request.Customer);
        }

        if (await s.Links.StripeCustomerIdAsync(request.Customer, cancellationToken) is not { } stripeCustomer)
        {
            return Problems.Create(409, "stripe_customer_missing",
                $"Customer '{request.Customer}' has no Stripe customer yet: their first checkout creates it.");
        }

        try
        {
            return TypedResults.Ok(new PortalSessionResponse((await s.Stripe.CreatePortalSessionAsync(stripeCustomer, request.ReturnUrl,
                cancellationToken)).Url));
        }
        catch (StripeException e)
        {
            return FromStripe(e);
        }
    }

    /// <summary>
    /// An exposed visitor's variant: its price sold inline for the catalog price's product (a variant has no Stripe price),
    /// and the attribution the subscription carries; nothing when no experiment runs or the visitor never saw it.
    /// </summary>
    private static async Task<(InlinePrice?, StripeAttribution?)> VariantAsync(
        string? visitorId, Plan plan, BillingInterval interval, PlanPrice price, Services s, CancellationToken cancellationToken)
    {
        if (visitorId is null || await s.Experiments.OfferAsync(visitorId, plan.Code, interval, cancellationToken) is not { } offer)
        {
            return (null, null);
        }

        var inline = offer.Price is { } variant
            ? new InlinePrice(price.Currency, variant.PriceCents, interval, await s.Stripe.PriceProductAsync(price.StripePriceId!, cancellationToken))
            : null;
        return (inline, new StripeAttribution(offer.ExperimentId, offer.Variant, visitorId, plan.Current.Id, interval, offer.Price?.PriceCents));
    }

    /// <summary>The customer's Stripe customer: the linked one, or a new one linked now. Null when it turned out to be another's.</summary>
    internal static async Task<string?> StripeCustomerAsync(Customer customer, Services s, CancellationToken cancellationToken)
    {
        if (await s.Links.StripeCustomerIdAsync(customer.Id, cancellationToken) is { } linked)
        {
            return linked;
        }

        var created = await s.Stripe.CreateCustomerAsync(customer.Id, customer.Email, customer.Name, cancellationToken);
        return await s.Links.LinkAsync(customer.Id, created.Id, cancellationToken);
    }

    internal static ProblemHttpResult NotConfigured(string setting) =>
        Problems.Create(503, "payments_not_configured", $"Payments through Stripe are off: set {setting} to turn them on.");

    /// <summary>Stripe refused the call or could not be reached: a 502 carrying Stripe's own words.</summary>
    internal static ProblemHttpResult FromStripe(StripeException e) =>
        Problems.Create(502, "stripe_error", e.Message, new Dictionary<string, object?>
        {
            ["stripe_status"] = e.Status, ["stripe_type"] = e.Type, ["stripe_code"] = e.Code, ["stripe_param"] = e.Param,
        });

    internal static ProblemHttpResult StripeCustomerTaken(string customer) =>
        Problems.Create(409, "stripe_customer_conflict", $"The Stripe customer made for '{customer}' is already linked to another customer.");

}
