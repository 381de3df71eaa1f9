using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Tollgate.Core.Catalog;
using Tollgate.Core.Money;
using Tollgate.Server.Experiments;
using Tollgate.Server.Pricing;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Discounts;
using static Tollgate.Server.Pages.Html;

namespace Tollgate.Server.Pages;

/// <summary>
/// The public pricing page at /pricing, from the live catalog: a monthly/yearly switch, plan cards with quotas in
/// words, a comparison table and the operator's FAQ. ?embed=1 drops the page chrome for the iframe snippet, and
/// ?brand=#hex&amp;font=… theme it.
/// </summary>
public static partial class PricingPage
{
    public static IEndpointRouteBuilder MapPricingPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/pricing", RenderAsync).ExcludeFromDescription().AllowAnonymous();
        return app.MapPricingStart();
    }

    private static async Task<IResult> RenderAsync(
        HttpContext http, string? period, string? embed, string? brand, string? font, string? promo, CatalogCache catalog, IOptions<PagesOptions> options,
        ExperimentPricing experiments, DiscountStore discounts, TimeProvider time, CancellationToken cancellationToken)
    {
        var offer = promo is { Length: > 0 and <= 64 } ? await discounts.PublicCodeAsync(promo, cancellationToken) : null;
        var snapshot = await catalog.GetAsync(cancellationToken);
        var (plans, experiment) = await experiments.PlansOfAsync(VisitorCookie.Ensure(http, time), snapshot, cancellationToken);
        var embedded = embed is "1" or "true";
        var shown = period == "yearly" && plans.Any(p => p.Current.Terms.Price(BillingInterval.Yearly) is not null) ? "yearly" : "monthly";
        var saving = plans.Select(p => QuotaDisplay.YearlySavingPercent(p.Current.Terms)).Max();
        var name = options.Value.ProductName;

        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""
            <main data-period="{shown}"{ExperimentAttributes(experiment)}>
            <a class="skip" href="#plans">Skip to plans</a>
            <h1>{E(embedded ? "Pricing" : $"{name} pricing")}</h1>
            <p class="lead">Pick the plan that fits. Change or cancel at any time.</p>
            {(offer is { } o ? $"<p class=\"badge good promo\" data-testid=\"promo\">Code {E(o.Code.Code)}: {E(o.Coupon.Name)}</p>" : "")}
            <fieldset class="period-toggle" aria-label="Billing period">
              <input type="radio" id="period-monthly" name="period" value="monthly"{(shown == "monthly" ? " checked" : "")}>
              <label for="period-monthly">Monthly</label>
              <input type="radio" id="period-yearly" name="period" value="yearly"{(shown == "yearly" ? " checked" : "")}>
              <label for="period-yearly">Yearly{(saving is { } s ? $" <span class=\"badge good\">Save {s}%</span>" : "")}</label>
            </fieldset>
            <section id="plans" class="plans" aria-label="Plans">
            """);
        foreach (var plan in plans)
        {
            body.Append(PlanCard(plan, snapshot, options.Value, embedded, offer));
        }

        body.Append("</section>");
        body.Append(ComparisonTable(plans, snapshot));
        if (snapshot.Faq.Count > 0)
        {
            body.Append("""<section aria-labelledby="faq"><h2 id="faq">Questions</h2>""");
            foreach (var q in snapshot.Faq)
            {
                body.Append(CultureInfo.InvariantCulture, $"<details><summary>{E(q.Question)}</summary><p>{E(q.Answer)}</p></details>");
            }

            body.Append("</section>");
        }

        body.Append("</main>");
        var theme = Theme(brand, font);
        var head = $$"""<script src="/assets/pricing.js" defer nonce="{nonce}"></script>{{theme}}""";
        return Page(http, $"{name} pricing", body.ToString(), Framing.Anyone, head, bodyClass: embedded ? "embedded" : "");
    }

    private static string ExperimentAttributes(Client.Contracts.PricingExperiment? experiment) =>
        experiment is null ? "" : $" data-experiment=\"{E(experiment.Id)}\" data-variant=\"{E(experiment.Variant)}\"";

    private static string PlanCard(Plan plan, CatalogSnapshot catalog, PagesOptions options, bool embedded, PromotionOffer? offer)
    {
        var terms = plan.Current.Terms;
        var monthly = terms.Price(BillingInterval.Monthly);
        var yearly = terms.Price(BillingInterval.Yearly);
        var saving = QuotaDisplay.YearlySavingPercent(terms);
        var card = new StringBuilder();
        card.Append(CultureInfo.InvariantCulture, $"""
            <article class="card plan{(plan.IsPopular ? " popular" : "")}" aria-labelledby="plan-{E(plan.Code)}" data-plan="{E(plan.Code)}">
            {(plan.IsPopular ? """<span class="badge popular-badge">Most popular</span>""" : "")}
            <h2 id="plan-{E(plan.Code)}">{E(plan.Name)}</h2>
            <p class="muted">{E(plan.Description)}</p>
            <p class="price monthly-only" data-price="monthly">{PriceText(monthly ?? yearly, monthly is null ? BillingInterval.Yearly : BillingInterval.Monthly, plan.Code, offer)}</p>
            <p class="price yearly-only" data-price="yearly">{PriceText(yearly ?? monthly, yearly is null ? BillingInterval.Monthly : BillingInterval.Yearly, plan.Code, offer)}</p>
            <p class="saving yearly-only">{(saving is { } s ? $"<span class=\"badge good\">Save {s}%</span>" : yearly is null && monthly is { PriceCents: > 0 } ? "<span class=\"muted\">Billed monthly only</span>" : "")}</p>
            {Seats(monthly ?? yearly, yearly ?? monthly)}
            <p class="trial muted"><span class="monthly-only">{Trial(monthly ?? yearly)}</span><span class="yearly-only">{Trial(yearly ?? monthly)}</span></p>
            <ul>
            """);
        foreach (var feature in catalog.PublicFeatures)
        {
            var granted = terms.Feature(feature.Code);
            var included = granted is { IsIncluded: true } && (feature.Kind != FeatureKind.Boolean || granted.Enabled);
            card.Append(CultureInfo.InvariantCulture, $"""<li class="{(included ? "on" : "off")}">{FeatureWords(feature, granted)}</li>""");
            card.Append(PricingTiers.Html(feature, granted, (monthly ?? yearly)?.Currency ?? "USD"));
        }

        var monthlyCta = WithPromo(Cta(options, catalog, plan.Code, "monthly"), offer);
        var yearlyCta = WithPromo(Cta(options, catalog, plan.Code, yearly is null ? "monthly" : "yearly"), offer);
        card.Append(CultureInfo.InvariantCulture, $"""
            </ul>
            <a class="button cta" href="{E(monthlyCta)}"{(embedded ? " target=\"_top\"" : "")} data-cta-monthly="{E(monthlyCta)}" data-cta-yearly="{E(yearlyCta)}"><span class="monthly-only">{E(CtaText(monthly ?? yearly))}</span><span class="yearly-only">{E(CtaText(yearly ?? monthly))}</span></a>
            </article>
            """);
        return card.ToString();
    }

    private static string PriceText(PlanPrice? price, BillingInterval interval, string planCode, PromotionOffer? offer) => price switch
    {
        null => "Contact us",
        { PriceCents: 0 } => "Free",
        _ when offer?.PriceFor(planCode, price) is { } discounted =>
            $"<s class=\"was\" data-testid=\"was\">{E(MinorUnits.Display(price.PriceCents, price.Currency))}</s> " +
            $"<span data-testid=\"discounted\">{E(MinorUnits.Display(discounted, price.Currency))}</span> {Per(price, interval)}",
        _ => $"{E(MinorUnits.Display(price.PriceCents, price.Currency))} {Per(price, interval)}",
    };

    private static string Per(PlanPrice price, BillingInterval interval) =>
        $"<span class=\"per\">/ {(price.PerSeat ? "seat / " : "")}{(interval == BillingInterval.Yearly ? "year" : "month")}</span>";

    /// <summary>
    /// "From 2 seats, up to 50" under a per-seat price: what a team buys at the least and at the most, for each interval,
    /// since a yearly price may sell other seats than the monthly one and the switch shows one interval at a time.
    /// </summary>
    private static string Seats(PlanPrice? monthly, PlanPrice? yearly) => monthly is { PerSeat: true } || yearly is { PerSeat: true }
        ? $"<p class=\"seats muted\" data-testid=\"seats\"><span class=\"monthly-only\">{SeatRange(monthly)}</span>" +
          $"<span class=\"yearly-only\">{SeatRange(yearly)}</span></p>"
        : "";

    private static string SeatRange(PlanPrice? price) => price is { PerSeat: true }
        ? $"From {price.IncludedSeats} seat{(price.IncludedSeats == 1 ? "" : "s")}{(price.MaxSeats is { } max ? $", up to {max}" : "")}"
        : "";

    // The code rides along to the call to action, so the plan change it leads to can redeem it.
    private static string WithPromo(string url, PromotionOffer? offer) => offer is null
        ? url : url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "promo=" + Uri.EscapeDataString(offer.Code.Code);

    private static string Trial(PlanPrice? price) => price is { TrialDays: > 0 } ? $"{price.TrialDays}-day free trial" : "";

    private static string CtaText(PlanPrice? price) => price switch
    {
        { PriceCents: 0 } => "Get started",
        { TrialDays: > 0 } => "Start free trial",
        _ => "Choose plan",
    };

    /// <summary>
    /// "10 CVs a month", "1 scan a day", "Unlimited messages", "Data retention: 90 days", or the feature's name for a gate; then
    /// the rate limit, if any. The window is the quota's own, so it reads the same whichever billing interval is shown.
    /// </summary>
    public static string FeatureWords(Feature feature, PlanFeature? granted)
    {
        var display = QuotaDisplay.For(granted);
        var words = feature.Kind switch
        {
            FeatureKind.Boolean => E(feature.Name),
            // A value the plan leaves out (or sets to false) is off: its name alone, like a gate, never "Not included days".
            FeatureKind.Value when display is QuotaDisplay.NotIncluded => E(feature.Name),
            FeatureKind.Value => $"{E(feature.Name)}: {E(QuotaWords.Value(display, feature.Unit))}",
            _ when display == QuotaDisplay.NotIncluded => E(feature.Name),
            _ when display == QuotaDisplay.Unlimited => $"Unlimited {E(feature.Unit)} <span class=\"muted\">({E(feature.Name)})</span>",
            _ => $"{E(display)} {E(QuotaDisplay.UnitFor(granted!.MonthlyQuota ?? 0, feature.Unit))} " +
                $"<span class=\"per\" data-reset=\"{granted.Reset.ToWire()}\">{E(QuotaWords.Window(granted.Reset))}{(granted.PerSeat ? " per seat" : "")}</span> " +
                $"<span class=\"muted\">({E(feature.Name)})</span>",
        };
        return QuotaWords.RateLimit(granted, "requests") is { } rate
            ? $"{words}<span class=\"rate muted\" data-testid=\"rate-limit\">, up to {E(rate)}</span>"
            : words;
    }

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

    private static string ComparisonTable(IReadOnlyList<Plan> plans, CatalogSnapshot catalog)
    {
        var table = new StringBuilder("""<section aria-labelledby="compare"><h2 id="compare">Compare plans</h2><div class="table-scroll"><table>""");
        table.Append("<caption class=\"skip\">Features by plan</caption><thead><tr><th scope=\"col\">Feature</th>");
        foreach (var plan in plans)
        {
            table.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\" data-plan=\"{E(plan.Code)}\">{E(plan.Name)}</th>");
        }

        table.Append("</tr></thead><tbody>");
        foreach (var feature in catalog.PublicFeatures)
        {
            table.Append(CultureInfo.InvariantCulture, $"<tr data-feature=\"{E(feature.Code)}\"><th scope=\"row\">{E(feature.Name)}</th>");
            foreach (var plan in plans)
            {
                var granted = plan.Current.Terms.Feature(feature.Code);
                var rate = QuotaWords.RateLimit(granted, "requests") is { } r ? $"<br><span class=\"rate muted\">up to {E(r)}</span>" : "";
                table.Append(CultureInfo.InvariantCulture, $"<td data-plan=\"{E(plan.Code)}\">{E(QuotaWords.Terms(granted, feature.Unit))}{rate}</td>");
            }

            table.Append("</tr>");
        }

        return table.Append("</tbody></table></div></section>").ToString();
    }

    /// <summary>The embed's colours and font, accepted only in shapes that cannot escape the style block.</summary>
    private static string Theme(string? brand, string? font)
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

        return rules.Count == 0 ? "" : $$"""<style nonce="{nonce}">:root { {{string.Join(" ", rules)}} }</style>""";
    }

    [GeneratedRegex("^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    private static partial Regex BrandColour();

    [GeneratedRegex("^[A-Za-z0-9 ,'\"-]{1,80}$")]
    private static partial Regex FontFamily();
}
