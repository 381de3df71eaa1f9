using System.Globalization;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Billing;

/// <summary>Soft-cap usage past the limit, billed in arrears at the plan feature's overage price.</summary>
public static class Overage
{
    public static IReadOnlyList<InvoiceLine> Lines(
        PlanVersion version, IReadOnlyList<Feature> features, IReadOnlyDictionary<string, CounterState> counters, BillingPeriod period)
    {
        var lines = new List<InvoiceLine>();
        foreach (var grant in version.Terms.Features.Where(g => g is { Kind: FeatureKind.Metered, HardCap: false, OverageUnitPriceCents: > 0 }))
        {
            if (!counters.TryGetValue(grant.FeatureCode, out var counter))
            {
                continue;
            }

            var units = QuotaRules.Overage(QuotaRules.Limit(grant, counter.CarriedIn), counter);
            if (units <= 0)
            {
                continue;
            }

            var unitPrice = grant.OverageUnitPriceCents!.Value;
            var feature = features.FirstOrDefault(f => f.Code == grant.FeatureCode);
            var description = string.Create(CultureInfo.InvariantCulture,
                $"Overage: {units:N0} {feature?.Unit ?? "units"} of {feature?.Name ?? grant.FeatureCode} past {QuotaRules.Limit(grant, counter.CarriedIn):N0}");
            lines.Add(new InvoiceLine(InvoiceLineKind.Overage, description, checked(units * unitPrice), units, unitPrice,
                period.Start, period.End, version.PlanCode, version.Id, grant.FeatureCode));
        }

        return lines;
    }
}
