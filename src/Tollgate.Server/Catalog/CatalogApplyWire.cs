using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Money;

namespace Tollgate.Server.Catalog;

/// <summary>An apply's result as the API answers it: the change lines, the diff before and after, and the warnings.</summary>
public static class CatalogApplyWire
{
    public const string RevertsPromotedPrice = "reverts_promoted_price";

    public static CatalogApplyResponse ToWire(CatalogApplyResult result) => new(
        result.Changed, result.Revision, result.Changes, result.DryRun,
        new CatalogDiffResponse(
            [.. result.Diff.Features.Select(f => new CatalogFeatureChange(f.Code, f.Change, f.Before, f.After))],
            [.. result.Diff.Plans.Select(p => new CatalogPlanChange(p.Code, p.Change, p.Fields, p.NewTerms,
                [.. p.Prices.Select(c => new CatalogPriceChange(c.BillingPeriod, c.Currency, c.BeforeCents, c.AfterCents))],
                [.. p.Features.Select(f => new CatalogPlanFeatureChange(f.Feature, f.Before, f.After))], p.Before, p.After))],
            [.. result.Diff.Settings.Select(s => new CatalogSettingChange(s.Field, s.Before, s.After))]),
        [.. result.Reverts.Select(Warning)]);

    private static CatalogWarning Warning(PromotionRevert revert)
    {
        var p = revert.Promoted;
        var to = revert.DocumentCents is { } cents ? MinorUnits.Display(cents, p.Currency) : "no price";
        var promoted = MinorUnits.Display(p.PriceCents, p.Currency);
        var message = $"Plan {p.PlanCode}'s {p.BillingPeriod} price {promoted} was set by promoting variant '{p.Variant}' of experiment " +
            $"{p.ExperimentId}; this document changes it to {to}. Export the catalog after a promotion, or edit the price in the file, " +
            "to keep the winning price.";
        return new CatalogWarning(RevertsPromotedPrice, message, p.PlanCode, p.BillingPeriod, p.ExperimentId, p.Variant, p.PriceCents,
            revert.DocumentCents);
    }
}
