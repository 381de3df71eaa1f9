using System.Text.Json;
using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Money;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Pricing;

/// <summary>Maps the catalog to the public pricing shapes (the career coach's /pricing/plans, extended).</summary>
public static class PricingMapper
{
    public static PricingPlan ToWire(Plan plan, CatalogSnapshot catalog) => new(
        plan.Code,
        plan.Name,
        plan.Description,
        plan.SortOrder,
        plan.IsPopular,
        plan.Current.Version,
        Prices(plan.Current.Terms),
        [.. catalog.PublicFeatures.Select(f => ToWire(f, plan.Current.Terms.Feature(f.Code)))]);

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
            p.StripePriceId))];
    }

    public static PricingPlanFeature ToWire(Feature feature, PlanFeature? granted) => new(
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
        QuotaWords.RateLimit(granted));

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
