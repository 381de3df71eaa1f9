using System.Globalization;
using Tollgate.Core.Catalog;

namespace Tollgate.Server.Pricing;

/// <summary>
/// A grant's terms as the pricing API and page word them, with the quota's own window: a yearly plan's
/// <c>limit: 30, reset: month</c> is 30 in each month, so no window is ever taken from the billing interval.
/// </summary>
public static class QuotaWords
{
    /// <summary>
    /// "1 a day", "30 a month", "100 in total", "10 a month per seat", a value with the feature's unit ("365 days"), or the
    /// display quota where there is no window.
    /// </summary>
    public static string Terms(PlanFeature? granted, string unit)
    {
        var display = QuotaDisplay.For(granted);
        return granted switch
        {
            { Kind: FeatureKind.Metered, MonthlyQuota: > 0 } metered => $"{display} {Window(metered.Reset)}{(metered.PerSeat ? " per seat" : "")}",
            { Kind: FeatureKind.Value } => Value(display, unit),
            _ => display,
        };
    }

    /// <summary>
    /// A value feature's display with its unit ("365 days", "1 seat"); "Unlimited", "Included" and "Not included" take none.
    /// </summary>
    public static string Value(string display, string unit) =>
        string.IsNullOrEmpty(unit) || display is QuotaDisplay.Unlimited or QuotaDisplay.Included or QuotaDisplay.NotIncluded or QuotaDisplay.PayAsYouGo
            ? display
            : $"{display} {(display == "1" ? QuotaDisplay.UnitFor(1, unit) : unit)}";

    /// <summary>The window a limit counts over, as it reads after the number.</summary>
    public static string Window(QuotaReset reset) => reset switch
    {
        QuotaReset.Day => "a day",
        QuotaReset.Week => "a week",
        QuotaReset.Month => "a month",
        QuotaReset.Year => "a year",
        QuotaReset.BillingPeriod => "per billing period",
        QuotaReset.CalendarMonth => "a calendar month",
        QuotaReset.CalendarYear => "a calendar year",
        _ => "in total",
    };

    /// <summary>"600 a minute" ("600 requests a minute" with a noun); null when there is no rate limit or nothing included to limit.</summary>
    public static string? RateLimit(PlanFeature? granted, string? noun = null) =>
        granted is { IsIncluded: true, RateLimit: { } rate }
            ? string.Create(CultureInfo.InvariantCulture,
                $"{rate.Limit:N0} {(noun is null ? "" : QuotaDisplay.UnitFor(rate.Limit, noun) + " ")}{QuotaDisplay.Per(rate.Per)}")
            : null;
}
