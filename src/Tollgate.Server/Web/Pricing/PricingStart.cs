using Microsoft.Extensions.Options;
using Tollgate.Core.Catalog;
using Tollgate.Core.Money;
using Tollgate.Server.Experiments;
using Tollgate.Server.Payments;
using Tollgate.Server.Pricing;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Web.Pricing;

/// <summary>
/// /pricing/start?plan=…&amp;period=…: where the pricing page's buttons lead when neither Tollgate:Pages:CtaUrl nor the
/// catalog's upgrade_url is set. A price Stripe sells takes an email and goes to Stripe Checkout; any other price says
/// how to subscribe. Only public plans on sale are shown: anything else is a 404 that names no plan.
/// </summary>
public static class PricingStart
{
    public const string Path = "/pricing/start";

    public static IEndpointRouteBuilder MapPricingStart(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, ShowAsync).ExcludeFromDescription().AllowAnonymous();
        app.MapPost(Path, CheckoutAsync).ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        return app;
    }

    /// <summary>What the start page shows: the plan and price, then the checkout form, or how to subscribe without one.</summary>
    public sealed record StartView(
        string Title, string PlanName, string? Description, string Price, int TrialDays, Contracts.PricingExperiment? Experiment,
        StartCheckout? Checkout, string HowToSubscribe, string? SellerEmail);

    /// <summary>The e-mail form that goes on to Stripe Checkout, with its anti-forgery value and the currency the pricing page showed.</summary>
    public sealed record StartCheckout(string Csrf, string Plan, string Period, string Promo, string Currency);

    /// <summary>The plan and period chosen, at its price in <paramref name="Currency"/> (the pricing page's; null for the plan's default).</summary>
    private sealed record Choice(Plan Plan, BillingInterval Interval, PlanPrice Price, string? Currency)
    {
        public string Query => $"plan={Uri.EscapeDataString(Plan.Code)}&period={Interval.ToWire()}"
            + (Currency is null ? "" : $"&currency={Currency}");

        /// <summary>Whether the price is in the plan's default currency, the only one an experiment's variant prices.</summary>
        public bool InDefaultCurrency => Currency is null || Currency == Plan.Current.Terms.DefaultCurrency;
    }

    /// <summary>
    /// The plan on sale at the period's price, in <paramref name="currency"/> when the pricing page chose one (either case);
    /// null when the plan is not public, or has no price for the period or in the currency.
    /// </summary>
    private static async Task<Choice?> ChooseAsync(
        string? plan, string? period, string? currency, CatalogCache catalog, CancellationToken cancellationToken)
    {
        var code = string.IsNullOrEmpty(currency) ? null : Core.Money.Currency.Canonical(currency);
        if (!BillingIntervalNames.TryParse(period ?? "monthly", out var interval) || (!string.IsNullOrEmpty(currency) && code is null))
        {
            return null;
        }

        var snapshot = await catalog.GetAsync(cancellationToken);
        if (snapshot.PublicPlans.FirstOrDefault(p => p.Code == plan) is not { } found || (code is not null && !PricingMapper.Shows(found, code)))
        {
            return null;
        }

        var shown = code is null ? found : found with { Current = found.Current with { Terms = found.Current.Terms.InCurrency(code) } };
        return ListedPrice.Of(shown, snapshot.DefaultPlan, interval) is { } price ? new Choice(found, interval, price, code) : null;
    }

    private static bool ViaCheckout(StripeOptions stripe, PlanPrice price) => stripe.HasSecretKey && price is { PriceCents: > 0, StripePriceId: not null };

    private static IResult NotOnSale(HttpContext http) =>
        PageResults.Message(http, 404, "This plan is not on sale", "Go back to the pricing page and choose one of the plans shown there.");

    private static async Task<IResult> ShowAsync(
        HttpContext http, string? plan, string? period, string? promo, string? currency, string? state, CatalogCache catalog, PageSigning signing,
        IOptions<PagesOptions> pages, IOptions<StripeOptions> stripe, IOptions<BillingOptions> billing, ExperimentPricing experiments, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (await ChooseAsync(plan, period, currency, catalog, cancellationToken) is not { } choice)
        {
            return NotOnSale(http);
        }

        // The price this visitor's experiment variant shows on /pricing; checkout charges the same (the catalog's price keeps its Stripe link).
        // A variant prices the default currency only: in another, the visitor sees and pays the catalog's price in it.
        var (plans, experiment) = await experiments.PlansOfAsync(VisitorCookie.Ensure(http, time), await catalog.GetAsync(cancellationToken),
            cancellationToken);
        var shown = choice.InDefaultCurrency
            ? plans.FirstOrDefault(p => p.Code == choice.Plan.Code)?.Current.Terms.Price(choice.Interval) ?? choice.Price
            : choice.Price;

        if (state == "paid")
        {
            return PageResults.Message(http, 200, "Thank you", $"Your {choice.Plan.Name} subscription starts as soon as Stripe confirms the payment.");
        }

        // A customer reads the operator's brand, or plain words when none is set: never Tollgate's name.
        var brand = pages.Value.Brand;
        var app = brand ?? "the app";
        var price = shown;
        var checkout = ViaCheckout(stripe.Value, choice.Price)
            ? new StartCheckout(await AnonymousForm.CsrfAsync(http, signing, pages.Value, time, cancellationToken), choice.Plan.Code,
                choice.Interval.ToWire(), promo is { Length: <= 64 } ? promo : "", choice.Currency ?? "")
            : null;
        var how = price.PriceCents == 0
            ? $"{choice.Plan.Name} costs nothing. Sign up in {app}: a new account starts on the free plan, and Billing in your account changes it."
            : $"Sign in to {app} and open Billing from your account. Choose {choice.Plan.Name} there: you see what it costs before anything changes, and confirm.";
        return PageResults.Render<PricingStartPage>(http, new
        {
            View = new StartView(brand is null ? choice.Plan.Name : $"{choice.Plan.Name} · {brand}", choice.Plan.Name, choice.Plan.Description, PriceText(price, choice.Interval),
                price.TrialDays, experiment, checkout, how, billing.Value.Seller.Email is { Length: > 0 } email ? email : null),
        });
    }

    private static string PriceText(PlanPrice price, BillingInterval interval) => price.PriceCents == 0
        ? "Free"
        : $"{MinorUnits.Display(price.PriceCents, price.Currency)}{(price.PerSeat ? " per seat" : "")} a {(interval == BillingInterval.Yearly ? "year" : "month")}";

    private static async Task<IResult> CheckoutAsync(
        HttpContext http, PageSigning signing, IOptions<StripeOptions> stripe, [AsParameters] PageCheckout.Services checkout, CancellationToken cancellationToken)
    {
        var (form, refusal) = await PageCheckout.ReadAsync(http, checkout, "This is not the sign-up form", "Go back to the pricing page and choose a plan.",
            cancellationToken);
        if (form is null)
        {
            return refusal!;
        }

        if (!await AnonymousForm.IsOwnAsync(http, form, signing, cancellationToken))
        {
            return AnonymousForm.Refused(http, "Go back to the pricing page and choose the plan again.");
        }

        if (await ChooseAsync(form["plan"], form["period"], form["currency"], checkout.Catalog, cancellationToken) is not { } choice)
        {
            return NotOnSale(http);
        }

        if (!ViaCheckout(stripe.Value, choice.Price))
        {
            return Results.Redirect($"{Path}?{choice.Query}");
        }

        var promo = form["promo"].ToString() is { Length: > 0 and <= 64 } code ? code : null;
        // The visitor cookie the pricing page set: Checkout charges their experiment variant's price, as this page showed it.
        var sale = new PageSale(choice.Plan, choice.Interval, $"{Path}?{choice.Query}", null, promo, http.Request.Cookies[VisitorCookie.Name])
        {
            Currency = choice.Currency,
        };
        return await PageCheckout.CheckoutAsync(http, sale, form["email"], checkout, cancellationToken);
    }
}
