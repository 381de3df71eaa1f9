using System.Globalization;
using Tollgate.Core.Catalog;
using Tollgate.Core.Money;

namespace Tollgate.Server.Pricing;

/// <summary>
/// A price's and an overage's words, one source for the hosted pricing page and the pricing API, so a page built on the
/// API (the React table) says what /pricing says.
/// </summary>
public static class PriceWords
{
    /// <summary>"/ month", "/ seat / month", "/ year" or "/ seat / year".</summary>
    public static string Per(PlanPrice price, BillingInterval interval) =>
        $"/ {(price.PerSeat ? "seat / " : "")}{(interval == BillingInterval.Yearly ? "year" : "month")}";

    /// <summary>"From 2 seats, up to 50" under a per-seat price: what a team buys at the least and at the most; null otherwise.</summary>
    public static string? Seats(PlanPrice? price) => price is { PerSeat: true }
        ? $"From {price.IncludedSeats} seat{(price.IncludedSeats == 1 ? "" : "s")}{(price.MaxSeats is { } max ? $", up to {max}" : "")}"
        : null;

    /// <summary>
    /// A soft cap's overage tiers, one line each as the invoice prices them ("1–100: $0.02 per call", "101+: $1.00 per 1,000
    /// calls + $5.00"), with the mode's words; null when the overage is not tiered.
    /// </summary>
    public static (TiersMode Mode, string ModeWords, IReadOnlyList<(string UpTo, string Text)> Lines)? Tiers(Feature feature, PlanFeature? granted, string currency)
    {
        if (granted?.OverageTiers is not { } tiers)
        {
            return null;
        }

        var lines = new List<(string, string)>();
        var below = 0L;
        foreach (var t in tiers.Tiers)
        {
            var range = t.UpTo is { } top
                ? string.Create(CultureInfo.InvariantCulture, $"{below + 1:N0}–{top:N0}")
                : string.Create(CultureInfo.InvariantCulture, $"{below + 1:N0}+");
            var per = t.PerUnits == 1 ? QuotaDisplay.UnitFor(1, feature.Unit) : string.Create(CultureInfo.InvariantCulture, $"{t.PerUnits:N0} {feature.Unit}");
            var flat = t.FlatCents > 0 ? $" + {MinorUnits.Display(t.FlatCents, currency)}" : "";
            lines.Add((t.UpTo is { } u ? u.ToString(CultureInfo.InvariantCulture) : "inf", $"{range}: {MinorUnits.Display(t.UnitPriceCents, currency)} per {per}{flat}"));
            below = t.UpTo ?? below;
        }

        return (tiers.Mode, tiers.Mode == TiersMode.Volume ? "all extra units at the tier reached" : "each tier at its own price", lines);
    }

    /// <summary>
    /// What use past a soft cap costs, in words: one line for a unit price ("Then $0.02 per call"), one per tier for tiers
    /// (units counted past the limit); null under a hard cap. Pay as you go has no limit to be past: "$0.02 per call".
    /// </summary>
    public static IReadOnlyList<string>? Overage(Feature feature, PlanFeature? granted, string currency) =>
        granted is not { HardCap: false } ? null
        : Tiers(feature, granted, currency) is { } tiers ? [.. tiers.Lines.Select(l => granted.IsPayAsYouGo ? l.Text : $"Over the limit, {l.Text}")]
        : granted.OverageUnitPriceCents is { } cents
            ? [$"{(granted.IsPayAsYouGo ? "" : "Then ")}{MinorUnits.Display(cents, currency)} per {QuotaDisplay.UnitFor(1, feature.Unit)}"]
        : null;
}
