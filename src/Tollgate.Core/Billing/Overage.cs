using System.Globalization;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Billing;

/// <summary>
/// Soft-cap usage past the limit, billed in arrears at the plan feature's overage price. Overage is counted per quota
/// window and billed with the billing period its window ends in, one line per feature.
/// </summary>
public static class Overage
{
    public static IReadOnlyList<InvoiceLine> Lines(
        PlanVersion version, IReadOnlyList<Feature> features, IReadOnlyList<(string Feature, CounterState Counter)> windows, BillingPeriod period)
    {
        var lines = new List<InvoiceLine>();
        foreach (var grant in version.Terms.Features.Where(g => g is { Kind: FeatureKind.Metered, HardCap: false }
            && (g.OverageUnitPriceCents is > 0 || g.OverageTiers is not null)))
        {
            var counters = windows.Where(w => w.Feature == grant.FeatureCode).Select(w => w.Counter).ToList();
            var units = counters.Sum(c => QuotaRules.Overage(QuotaRules.Limit(grant, c.CarriedIn), c));
            if (units <= 0)
            {
                continue;
            }

            var limits = counters.Select(c => QuotaRules.Limit(grant, c.CarriedIn)).Distinct().ToList();
            var counter = counters[0];

            var feature = features.FirstOrDefault(f => f.Code == grant.FeatureCode);
            var past = limits.Count == 1
                ? string.Create(CultureInfo.InvariantCulture, $"past {QuotaRules.Limit(grant, counter.CarriedIn):N0}")
                : string.Create(CultureInfo.InvariantCulture, $"past the limit of {counters.Count} windows");
            var description = string.Create(CultureInfo.InvariantCulture,
                $"Overage: {units:N0} {feature?.Unit ?? "units"} of {feature?.Name ?? grant.FeatureCode} {past}");
            if (grant.OverageTiers is { } tiers)
            {
                lines.AddRange(TieredOverage.Lines(tiers, units, description, version, grant.FeatureCode, period));
                continue;
            }

            var unitPrice = grant.OverageUnitPriceCents!.Value;
            lines.Add(new InvoiceLine(InvoiceLineKind.Overage, description, checked(units * unitPrice), units, unitPrice,
                period.Start, period.End, version.PlanCode, version.Id, grant.FeatureCode));
        }

        return lines;
    }
}
