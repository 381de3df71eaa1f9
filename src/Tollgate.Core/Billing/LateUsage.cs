using System.Globalization;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Billing;

/// <summary>
/// Re-rating a quota window that late events changed after it was invoiced. The window's overage now is set against the
/// overage units billed for it (its overage lines and any late_usage line before), and the difference is priced by
/// <see cref="Overage.Lines"/> itself, as one more invoice of that window would price it: the units added continue the
/// tiers and packages where the billed ones stopped, and units taken away (a <c>latest</c> that fell) are credited at the
/// price they were billed at. One line per (feature, window).
/// </summary>
public static class LateUsage
{
    /// <summary>
    /// The late_usage line for the window (null when no money changes) and the overage units billed once it is issued.
    /// </summary>
    public static (InvoiceLine? Line, long BilledUnits) Rerate(
        PlanVersion version, IReadOnlyList<Feature> features, OverageWindow window, BillingPeriod period)
    {
        if (Overage.Billed(version).FirstOrDefault(g => g.FeatureCode == window.Feature) is not { } grant)
        {
            return (null, window.BilledUnits); // the plan bills no overage for it: nothing was billed, nothing to re-rate
        }

        var limit = QuotaRules.Limit(grant, window.Counter.CarriedIn) ?? 0;
        var overage = QuotaRules.Overage(limit, window.Counter);
        var change = overage - window.BilledUnits;
        if (change == 0)
        {
            return (null, overage);
        }

        // A credit prices the units between the overage now and what was billed, as if they were the ones billed last.
        var priced = change > 0 ? window : window with { Counter = window.Counter with { Used = limit + window.BilledUnits }, BilledUnits = overage };
        var amount = Overage.Lines(version, features, [priced], period).Sum(l => l.AmountCents) * Math.Sign(change);
        if (amount == 0)
        {
            return (null, overage); // inside a package already paid for: the units change, the money does not
        }

        var feature = features.FirstOrDefault(f => f.Code == grant.FeatureCode);
        var name = (feature?.Name ?? grant.FeatureCode) + (feature?.Unit is { Length: > 0 } unit ? $" ({unit})" : "");
        var line = new InvoiceLine(InvoiceLineKind.LateUsage, $"{name}, late usage for {Span(period)}", amount, change,
            amount % change == 0 ? amount / change : 0, period.Start, period.End, version.PlanCode, version.Id, grant.FeatureCode);
        return (line, overage);
    }

    /// <summary>"Oct 1 - Nov 1 2026", or "Dec 1 2026 - Jan 1 2027" across a year; the end is exclusive, as every period's is.</summary>
    public static string Span(BillingPeriod period)
    {
        var start = period.Start.ToUniversalTime();
        var end = period.End.ToUniversalTime();
        return start.Year == end.Year
            ? string.Create(CultureInfo.InvariantCulture, $"{start:MMM d} - {end:MMM d yyyy}")
            : string.Create(CultureInfo.InvariantCulture, $"{start:MMM d yyyy} - {end:MMM d yyyy}");
    }
}
