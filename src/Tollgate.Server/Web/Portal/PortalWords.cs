using System.Globalization;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Llm;
using Tollgate.Core.Money;
using Tollgate.Core.Periods;
using Tollgate.Server.Pricing;

namespace Tollgate.Server.Web.Portal;

/// <summary>A metered feature's line in the portal: "8 of 10 messages", a meter when it has a limit, what is left and when it resets.</summary>
public sealed record UsageRow(string FeatureCode, string Name, string Used, UsageMeter? Meter, string Detail);

/// <summary>A meter's scale: <paramref name="High"/> is where it turns to a warning.</summary>
public sealed record UsageMeter(long Max, long Value, long High);

/// <summary>How the portal words dates, money, plans and usage.</summary>
public static class PortalWords
{
    public static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("MMM d, yyyy", CultureInfo.InvariantCulture);

    public static string Usd(long? nano) => nano is { } n ? "$" + NanoUsdAmount.ToUsd(n).ToString("0.00", CultureInfo.InvariantCulture) : "unlimited";

    /// <summary>"a month" or "a year".</summary>
    public static string A(BillingInterval interval) => interval == BillingInterval.Yearly ? "a year" : "a month";

    /// <summary>A plan's price as the picker shows it: "Free", "$29.99 a month", "$12.00 a seat a month".</summary>
    public static string PickerPrice(PlanPrice price) => price.PriceCents == 0
        ? "Free"
        : $"{MinorUnits.Display(price.PriceCents, price.Currency)} {(price.PerSeat ? "a seat " : "")}{A(price.BillingPeriod)}";

    /// <summary>What the subscription pays after the plan's name: " · 5 seats" and " · $60.00 a month" (a deal's price, times the seats).</summary>
    public static string CurrentPrice(PortalView view)
    {
        var s = view.Subscription;
        var price = s is not null && view.Version is { } version ? s.PriceOn(version) : view.Version?.Terms.Price(BillingInterval.Monthly);
        var seats = s is not null && price is { PerSeat: true } ? $" · {s.SeatsOn(price)} seats" : "";
        return seats + (price is { PriceCents: > 0 }
            ? $" · {MinorUnits.Display(price.PriceCents, price.Currency)} {A(s?.BillingPeriod ?? BillingInterval.Monthly)}"
            : "");
    }

    /// <summary>Each metered feature the plan includes, with its use this window (a per-seat limit times the seats, as consume counts it).</summary>
    public static IReadOnlyList<UsageRow> Usage(PortalView view)
    {
        var rows = new List<UsageRow>();
        foreach (var feature in view.Features.Where(f => f.Kind == FeatureKind.Metered))
        {
            if (view.Usage.Context.Grant(feature.Code) is not { IsIncluded: true } grant)
            {
                continue;
            }

            var counter = view.Usage.Counter(feature.Code);
            var limit = QuotaRules.Limit(grant, counter.CarriedIn);
            var unit = QuotaDisplay.UnitFor(limit ?? counter.Used, feature.Unit);
            // The feature's own window (a day, a month, a year), not the billing period's; a lifetime allowance never
            // resets, and an unlimited one has nothing to reset.
            var window = view.Usage.Context.Window(grant);
            var resets = QuotaWindow.Resets(window) ? $" · resets {Date(window.End)}" : "";
            if (grant.IsPayAsYouGo)
            {
                // Nothing is free, so there is no limit to show against: what was used, and what it costs in the customer's
                // currency (its option's price, as the invoice bills it).
                var priced = view.Version?.Terms.OverageIn(view.Currency).Feature(feature.Code);
                rows.Add(new UsageRow(feature.Code, feature.Name, string.Create(CultureInfo.InvariantCulture, $"{counter.Used:N0} {unit} · pay as you go"), null,
                    priced?.OverageUnitPriceCents is { } each && priced.OverageTiers is null ? $"billed at {MinorUnits.Display(each, view.Currency)} each"
                    : PriceWords.Overage(feature, priced, view.Currency) is { Count: > 0 } words ? string.Join("; ", words)
                    : "billed by use"));
                continue;
            }

            var used = limit is { } l
                ? string.Create(CultureInfo.InvariantCulture, $"{counter.Used:N0} of {l:N0} {unit}")
                : string.Create(CultureInfo.InvariantCulture, $"{counter.Used:N0} {unit} · unlimited");
            var detail = limit switch
            {
                null => "",
                { } max when counter.Used > max => string.Create(CultureInfo.InvariantCulture, $"{counter.Used - max:N0} over the limit") +
                    (grant.OverageUnitPriceCents is { } cents ? $", billed at {MinorUnits.Display(cents, view.Currency)} each" : "") + resets,
                { } max => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, max - counter.Used - counter.Reserved):N0} left") + resets,
            };
            var meter = limit is { } m ? new UsageMeter(Math.Max(1, m), Math.Min(counter.Used, Math.Max(1, m)), m * 8 / 10) : null;
            rows.Add(new UsageRow(feature.Code, feature.Name, used, meter, detail));
        }

        return rows;
    }

    /// <summary>The gates the plan turns on, by name.</summary>
    public static IReadOnlyList<string> Gates(PortalView view) =>
        [.. view.Features.Where(f => f.Kind == FeatureKind.Boolean && view.Version?.Terms.Feature(f.Code) is { Enabled: true }).Select(g => g.Name)];
}
