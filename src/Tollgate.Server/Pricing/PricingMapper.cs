using System.Text.Json;
using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Money;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Pricing;

/// <summary>Maps the catalog to the public pricing shapes (the career coach's /pricing/plans, extended).</summary>
public static class PricingMapper
{
    /// <summary>
    /// The plan with its prices in <paramref name="currency"/>, or in its default currency when null (so a one-currency
    /// reader sees what it always saw), and every currency it offers.
    /// </summary>
    public static PricingPlan ToWire(Plan plan, CatalogSnapshot catalog, string? currency = null) => new(
        plan.Code,
        plan.Name,
        plan.Description,
        plan.SortOrder,
        plan.IsPopular,
        plan.Current.Version,
        Prices((currency ?? plan.Current.Terms.DefaultCurrency) is { } shown ? plan.Current.Terms.InCurrency(shown) : plan.Current.Terms),
        // Overage prices in the currency asked for too, where a feature gives an option in it.
        [.. catalog.PublicFeatures.Select(f => ToWire(f, plan.Current.Terms.OverageIn(currency).Feature(f.Code),
            currency ?? plan.Current.Terms.DefaultCurrency ?? "USD"))],
        Currencies: plan.Current.Terms.Currencies);

    /// <summary>
    /// The <c>currency</c> a pricing read asks for: null when it asks none, else the code, or the problem that names it
    /// (a malformed code, or one neither ISO 4217 as Tollgate knows it nor any plan's).
    /// </summary>
    /// <remarks>A code in either case is taken ("eur", as Stripe writes it) and answered in capitals.</remarks>
    public static (string? Currency, string? Problem) ReadCurrency(string? currency, CatalogSnapshot catalog) =>
        currency is null ? (null, null)
        : Currency.Canonical(currency) is not { } code ? (null, "must be a three-letter ISO 4217 code, such as \"EUR\" or \"eur\"")
        : !Currency.IsKnown(code) && !catalog.Plans.Any(p => p.Current.Terms.Currencies.Contains(code, StringComparer.Ordinal))
            ? (null, $"'{currency}' is not a currency any plan is priced in")
        : (code, null);

    /// <summary>
    /// The plans shown in <paramref name="currency"/>: those that price it, a free plan (0 in every currency), and those
    /// without any price (a free default plan).
    /// </summary>
    public static bool Shows(Plan plan, string? currency) =>
        currency is null || plan.Current.Terms.Prices.Count == 0 || plan.Current.Terms.Offers(currency);

    public static IReadOnlyList<PricingPrice> Prices(PlanTerms terms)
    {
        var saving = QuotaDisplay.YearlySavingPercent(terms);
        return [.. terms.Prices.OrderBy(p => p.BillingPeriod).Select(p => new PricingPrice(
            p.BillingPeriod.ToWire(),
            p.PriceCents,
            p.Currency,
            p.TrialDays,
            MinorUnits.Display(p.PriceCents, p.Currency),
            p.BillingPeriod == BillingInterval.Yearly ? saving : null,
            p.StripePriceId,
            p.PerSeat,
            p.PerSeat ? p.IncludedSeats : null,
            p.PerSeat ? p.MaxSeats : null,
            PriceWords.Per(p, p.BillingPeriod),
            PriceWords.Seats(p)))];
    }

    public static PricingPlanFeature ToWire(Feature feature, PlanFeature? granted, string currency) => new(
        feature.Code,
        feature.Name,
        feature.Unit,
        feature.Kind.ToString().ToLowerInvariant(),
        feature.Kind == FeatureKind.Metered ? (granted is null ? 0 : granted.MonthlyQuota) : null,
        granted?.HardCap ?? true,
        granted?.Rollover ?? false,
        granted?.OverageUnitPriceCents,
        granted?.IsIncluded ?? false,
        granted?.ValueJson is { } json ? JsonSerializer.Deserialize<JsonElement>(json) : null,
        QuotaDisplay.For(granted),
        granted?.OverageTiers?.Mode.ToWire(),
        granted?.OverageTiers is { } tiers ? [.. tiers.Tiers.Select(t => new PricingTier(t.UpTo, t.UnitPriceCents, t.PerUnits, t.FlatCents))] : null,
        feature.Kind == FeatureKind.Metered ? (granted is null ? 0 : granted.MonthlyQuota) : null,
        feature.Kind == FeatureKind.Metered ? (granted?.Reset ?? QuotaReset.Month).ToWire() : null,
        granted?.RateLimit is { } rate ? new PricingRateLimit(rate.Limit, rate.Per.ToWire()) : null,
        QuotaWords.Terms(granted, feature.Unit),
        QuotaWords.RateLimit(granted),
        PriceWords.Overage(feature, granted, currency));

    public static PricingFeature ToWire(Feature f) => new(f.Code, f.Name, f.Description, f.Unit, f.Kind.ToString().ToLowerInvariant());

    public static PricingComparison Compare(CatalogSnapshot catalog)
    {
        var plans = catalog.PublicPlans.ToList();
        return new PricingComparison(
            [.. plans.Select(p => new ComparisonPlan(p.Code, p.Name, p.IsPopular, Prices(p.Current.Terms)))],
            [.. catalog.PublicFeatures.Select(f => new ComparisonRow(f.Code, f.Name, f.Unit, [.. plans.Select(p =>
            {
                var granted = p.Current.Terms.Feature(f.Code);
                return new ComparisonCell(p.Code, QuotaDisplay.For(granted), granted?.IsIncluded ?? false, QuotaWords.Terms(granted, f.Unit),
                    QuotaWords.RateLimit(granted));
            })]))],
            [.. catalog.Faq.Select(q => new FaqItem(q.Question, q.Answer))]);
    }
}
