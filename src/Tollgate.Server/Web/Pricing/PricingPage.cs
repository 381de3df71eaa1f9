using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Tollgate.Core.Catalog;
using Tollgate.Server.Experiments;
using Tollgate.Server.Pricing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Discounts;

namespace Tollgate.Server.Web.Pricing;

/// <summary>
/// The public pricing page at /pricing, from the live catalog: a monthly/yearly switch, plan cards with quotas in
/// words, a comparison table and the operator's FAQ. ?embed=1 drops the page chrome for the iframe snippet, and
/// ?brand=#hex&amp;font=… theme it.
/// </summary>
public static partial class PricingPage
{
    public static IEndpointRouteBuilder MapPricingPage(this IEndpointRouteBuilder app)
    {
        // HEAD too, which uptime checks and link checkers send (405 before); Kestrel sends a HEAD answer's headers only.
        app.MapMethods("/pricing", [HttpMethods.Get, HttpMethods.Head], RenderAsync).ExcludeFromDescription().AllowAnonymous();
        return app.MapPricingStart();
    }

    private static async Task<IResult> RenderAsync(
        HttpContext http, string? period, string? embed, string? brand, string? font, string? promo, string? currency, CatalogCache catalog,
        IOptions<PagesOptions> options, ExperimentPricing experiments, DiscountStore discounts, TimeProvider time, CancellationToken cancellationToken)
    {
        var offer = promo is { Length: > 0 and <= 64 } ? await discounts.PublicCodeAsync(promo, cancellationToken) : null;
        var snapshot = await catalog.GetAsync(cancellationToken);
        var (offered, experiment) = await experiments.PlansOfAsync(VisitorCookie.Ensure(http, time), snapshot, cancellationToken);
        // ?currency= picks one of the currencies the plans are priced in (each plan's default otherwise); a page answers
        // an unknown one with the default rather than an error, as it does an unknown period.
        // "eur" is EUR, as the API reads it. A plan shown in a currency shows its overage tiers in it too (before InCurrency,
        // which makes the chosen currency the terms' default).
        var currencies = offered.SelectMany(p => p.Current.Terms.Currencies).Distinct(StringComparer.Ordinal).ToList();
        var chosen = Core.Money.Currency.Canonical(currency) is { } code && currencies.Contains(code) ? code : null;
        IReadOnlyList<Plan> plans = chosen is null ? offered
            : [.. offered.Where(p => PricingMapper.Shows(p, chosen))
                .Select(p => p with { Current = p.Current with { Terms = p.Current.Terms.OverageIn(chosen).InCurrency(chosen) } })];
        var embedded = embed is "1" or "true";
        var shown = period == "yearly" && plans.Any(p => p.Current.Terms.Price(BillingInterval.Yearly) is not null) ? "yearly" : "monthly";
        var title = options.Value.Brand is { } product ? $"{product} pricing" : "Pricing";
        var view = new PricingView(
            Title: title,
            Heading: embedded ? "Pricing" : title,
            Shown: shown,
            Saving: plans.Select(p => QuotaDisplay.YearlySavingPercent(p.Current.Terms)).Max(),
            PromoCode: offer?.Code.Code,
            PromoName: offer?.Coupon.Name,
            Experiment: experiment,
            Plans: [.. plans.Select(p => PlanCards.Card(p, snapshot, Cta(options.Value, snapshot, p, offer, chosen), embedded, offer))],
            Compare: Comparison(plans, snapshot),
            Faq: snapshot.Faq,
            Theme: Theme(brand, font),
            Embedded: embedded)
        {
            Currencies = currencies.Count < 2 ? []
                : [.. currencies.Select((code, i) => new CurrencyLink(code, CurrencyHref(http, code), chosen is null ? i == 0 : code == chosen))],
        };
        return PageResults.Render<PricingPageView>(http, new { View = view }, Framing.Anyone);
    }

    /// <summary>This page in <paramref name="code"/>, keeping its other query parameters (period, embed, promo, theme).</summary>
    private static string CurrencyHref(HttpContext http, string code) =>
        "/pricing" + Microsoft.AspNetCore.Http.QueryString.Create(http.Request.Query.Where(q => q.Key != "currency")
            .Select(q => KeyValuePair.Create(q.Key, q.Value.ToString())).Append(KeyValuePair.Create("currency", code))!);

    /// <summary>
    /// The call to action of <paramref name="plan"/> for each interval, carrying the promotion code and the chosen currency,
    /// if any: the sign-up it leads to sells the price the card showed.
    /// </summary>
    private static (string Monthly, string Yearly) Cta(PagesOptions options, CatalogSnapshot catalog, Plan plan, PromotionOffer? offer, string? currency) =>
        // A plan sold in one period only leads to that period's sign-up from either view, as its card shows that price.
        (Carrying(Cta(options, catalog, plan.Code, plan.Current.Terms.Price(BillingInterval.Monthly) is null ? "yearly" : "monthly"), offer, currency),
            Carrying(Cta(options, catalog, plan.Code, plan.Current.Terms.Price(BillingInterval.Yearly) is null ? "monthly" : "yearly"), offer, currency));

    // The code rides along to the call to action, so the plan change it leads to can redeem it; the currency, so checkout charges it.
    private static string Carrying(string url, PromotionOffer? offer, string? currency) =>
        With(With(url, "promo", offer?.Code.Code), "currency", currency);

    private static string With(string url, string name, string? value) => value is null
        ? url : url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + name + "=" + Uri.EscapeDataString(value);

    private static string Cta(PagesOptions options, CatalogSnapshot catalog, string plan, string period)
    {
        if (options.CtaUrl is { Length: > 0 } template)
        {
            return template.Replace("{plan}", Uri.EscapeDataString(plan), StringComparison.Ordinal)
                .Replace("{period}", period, StringComparison.Ordinal);
        }

        var query = $"plan={Uri.EscapeDataString(plan)}&period={period}";
        return catalog.UpgradeUrl is { Length: > 0 } upgrade && !upgrade.StartsWith("/pricing", StringComparison.Ordinal)
            ? upgrade + (upgrade.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query
            : $"{PricingStart.Path}?{query}";
    }

    private static ComparisonView Comparison(IReadOnlyList<Plan> plans, CatalogSnapshot catalog) => new(
        [.. plans.Select(p => (p.Code, p.Name))],
        [.. catalog.PublicFeatures.Select(feature => new ComparisonRow(feature.Code, feature.Name, [.. plans.Select(plan =>
        {
            var granted = plan.Current.Terms.Feature(feature.Code);
            return new ComparisonCell(plan.Code, QuotaWords.Terms(granted, feature.Unit), QuotaWords.RateLimit(granted, "requests"));
        })]))]);

    /// <summary>The embed's colours and font, accepted only in shapes that cannot escape the style block.</summary>
    private static string? Theme(string? brand, string? font)
    {
        var rules = new List<string>();
        if (brand is not null && BrandColour().IsMatch(brand))
        {
            rules.Add($"--tg-brand: {brand};");
        }

        if (font is not null && FontFamily().IsMatch(font))
        {
            rules.Add($"--tg-font: {font};");
        }

        return rules.Count == 0 ? null : $":root {{ {string.Join(" ", rules)} }}";
    }

    [GeneratedRegex("^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    private static partial Regex BrandColour();

    [GeneratedRegex("^[A-Za-z0-9 ,'\"-]{1,80}$")]
    private static partial Regex FontFamily();
}
