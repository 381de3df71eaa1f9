using System.Data.Common;
using Dapper;
using Tollgate.Core.Catalog;

namespace Tollgate.Server.Catalog;

/// <summary>
/// Prices a stopped experiment's winning variant set (plan_prices.promoted_by, "exp_…/variant"): read for the current
/// versions, and carried to a new version as long as its price stays the promoted one.
/// </summary>
internal static class PromotedPrices
{
    private sealed record Row(string PlanCode, string BillingPeriod, string Currency, long PriceCents, string PromotedBy);

    public static async Task<IReadOnlyList<PromotedPrice>> CurrentAsync(DbConnection c, DbTransaction tx, CancellationToken cancellationToken)
    {
        var rows = await c.QueryAsync<Row>(new CommandDefinition("""
            SELECT v.plan_code AS PlanCode, p.billing_period AS BillingPeriod, p.currency AS Currency, p.price_cents AS PriceCents,
                p.promoted_by AS PromotedBy
            FROM plans pl JOIN plan_versions v ON v.id = pl.current_version_id JOIN plan_prices p ON p.plan_version_id = v.id
            WHERE p.promoted_by IS NOT NULL
            ORDER BY v.plan_code, p.billing_period
            """, transaction: tx, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.PromotedBy.Split('/', 2) is [var experiment, var variant]
            ? new PromotedPrice(r.PlanCode, r.BillingPeriod, r.Currency, r.PriceCents, experiment, variant) : null).OfType<PromotedPrice>()];
    }

    /// <summary>
    /// The markers a plan's new version carries: a promotion marks the prices it changes; otherwise a price equal to the
    /// promoted one it replaces keeps that marker, and any other price has none.
    /// </summary>
    public static Func<PlanDefinition, Plan?, IReadOnlyDictionary<BillingInterval, string>> Markers(
        IReadOnlyList<PromotedPrice> current, CatalogPromotion? promotion) => (plan, stored) =>
    {
        var markers = new Dictionary<BillingInterval, string>();
        // A variant prices the default currency only: the plan's other currencies keep their own prices.
        foreach (var price in plan.Terms.Prices.Where(p => p.Currency == plan.Terms.DefaultCurrency))
        {
            var before = stored?.Current.Terms.Price(price.BillingPeriod, price.Currency);
            var period = price.BillingPeriod.ToWire();
            if (promotion is not null && before?.PriceCents != price.PriceCents)
            {
                markers[price.BillingPeriod] = promotion.ExperimentId + "/" + promotion.Variant;
            }
            else if (current.FirstOrDefault(p => p.PlanCode == plan.Code && p.BillingPeriod == period && p.Currency == price.Currency) is { } kept
                && kept.PriceCents == price.PriceCents)
            {
                markers[price.BillingPeriod] = kept.ExperimentId + "/" + kept.Variant;
            }
        }

        return markers;
    };
}

/// <summary>How an apply runs: for real or as a dry run, and whether it is an experiment's promotion.</summary>
public sealed record CatalogApplyOptions(bool DryRun = false, CatalogPromotion? Promotion = null)
{
    public static readonly CatalogApplyOptions Default = new();
}

/// <summary>The experiment and variant whose prices an apply makes the catalog's.</summary>
public sealed record CatalogPromotion(string ExperimentId, string Variant);
