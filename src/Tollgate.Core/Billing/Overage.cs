using System.Globalization;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Billing;

/// <summary>A quota window's counter and the overage units already invoiced from it.</summary>
public sealed record OverageWindow(string Feature, DateTimeOffset WindowStart, CounterState Counter, long BilledUnits);

/// <summary>
/// Soft-cap usage past the limit, billed in arrears at the plan feature's overage price. Overage is counted per quota
/// window and billed with the billing period its window ends in (or at a plan change that closes it), one line per
/// feature; a window is billed only for what it has not been billed for before.
/// </summary>
public static class Overage
{
    /// <summary>The plan's features that bill overage: metered, soft-capped, with a price.</summary>
    public static IEnumerable<PlanFeature> Billed(PlanVersion version) =>
        version.Terms.Features.Where(g => g.BillsOverage);

    /// <summary>The window's overage units not invoiced yet.</summary>
    public static long Unbilled(PlanFeature grant, OverageWindow window) =>
        Math.Max(0, QuotaRules.Overage(QuotaRules.Limit(grant, window.Counter.CarriedIn), window.Counter) - window.BilledUnits);

    public static IReadOnlyList<InvoiceLine> Lines(
        PlanVersion version, IReadOnlyList<Feature> features, IReadOnlyList<OverageWindow> windows, BillingPeriod period)
    {
        var lines = new List<InvoiceLine>();
        foreach (var grant in Billed(version))
        {
            // A window billed in full before (at a re-anchoring change) is not part of this line.
            var mine = windows.Where(w => w.Feature == grant.FeatureCode && (w.BilledUnits == 0 || Unbilled(grant, w) > 0)).ToList();
            var counters = mine.Select(w => w.Counter).ToList();
            var units = mine.Sum(w => Unbilled(grant, w));
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
            var unitWords = feature?.Unit is { Length: > 0 } unit ? unit : "units";
            // Pay as you go has no allowance to be past: every unit is the usage billed.
            var description = grant.IsPayAsYouGo
                ? string.Create(CultureInfo.InvariantCulture, $"Usage: {units:N0} {unitWords} of {feature?.Name ?? grant.FeatureCode}")
                : string.Create(CultureInfo.InvariantCulture, $"Overage: {units:N0} {unitWords} of {feature?.Name ?? grant.FeatureCode} {past}");
            if (grant.OverageTiers is { } tiers)
            {
                // A lone window billed in part before (at a plan change) goes on in the tiers where that part stopped. A line
                // of several windows starts at tier 1: the part billed before sat at its own invoice's place in the tiers.
                var billedBefore = mine.Count == 1 ? mine[0].BilledUnits : 0;
                lines.AddRange(TieredOverage.Lines(tiers, billedBefore, units, description, version, grant.FeatureCode, period));
                continue;
            }

            if (grant.OveragePackage is { } package)
            {
                // Per window, so a window billed in part before is charged only the packages its new units start.
                var packages = mine.Sum(w => package.NewPackages(w.BilledUnits, Unbilled(grant, w)));
                if (packages == 0)
                {
                    continue; // the new units stay inside a package already billed: no "0 started packages" line for 0.00
                }

                lines.Add(new InvoiceLine(InvoiceLineKind.Overage, string.Create(CultureInfo.InvariantCulture,
                        $"{description} ({packages:N0} started {(packages == 1 ? "package" : "packages")} of {package.Size:N0})"),
                    checked(packages * package.PriceCents), packages, package.PriceCents, period.Start, period.End, version.PlanCode, version.Id,
                    grant.FeatureCode));
                continue;
            }

            var unitPrice = grant.OverageUnitPriceCents!.Value;
            lines.Add(new InvoiceLine(InvoiceLineKind.Overage, description, checked(units * unitPrice), units, unitPrice,
                period.Start, period.End, version.PlanCode, version.Id, grant.FeatureCode));
        }

        return lines;
    }
}
