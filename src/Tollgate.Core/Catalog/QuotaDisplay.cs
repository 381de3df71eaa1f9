using System.Globalization;
using System.Text.Json;
using Tollgate.Core.Money;

namespace Tollgate.Core.Catalog;

/// <summary>How a pricing page words a plan's terms.</summary>
public static class QuotaDisplay
{
    public const string Unlimited = "Unlimited";
    public const string NotIncluded = "Not included";
    public const string Included = "Included";

    /// <summary>A limit of 0 under a soft cap with a price: nothing free, every unit billed.</summary>
    public const string PayAsYouGo = "Pay as you go";

    public static string For(PlanFeature? feature)
    {
        if (feature is null)
        {
            return NotIncluded;
        }

        return feature.Kind switch
        {
            FeatureKind.Boolean => feature.Enabled ? Included : NotIncluded,
            FeatureKind.Value => ForValue(feature.ValueJson),
            _ => feature.MonthlyQuota switch
            {
                null => Unlimited,
                0 => feature.IsPayAsYouGo ? PayAsYouGo : NotIncluded,
                var n => n.Value.ToString("N0", CultureInfo.InvariantCulture),
            },
        };
    }

    private static string ForValue(string? json)
    {
        if (json is null)
        {
            return Unlimited;
        }

        using var doc = JsonDocument.Parse(json);
        var value = doc.RootElement;
        return value.ValueKind switch
        {
            JsonValueKind.Null => Unlimited,
            JsonValueKind.True => Included,
            JsonValueKind.False => NotIncluded,
            JsonValueKind.Number when value.TryGetInt64(out var n) => n.ToString("N0", CultureInfo.InvariantCulture),
            JsonValueKind.Number => value.GetDecimal().ToString(CultureInfo.InvariantCulture),
            _ => value.GetString() ?? "",
        };
    }

    /// <summary>A rate limit's window as it reads after the number: "600 a minute".</summary>
    public static string Per(RateLimitPer per) => per switch
    {
        RateLimitPer.Second => "a second",
        RateLimitPer.Minute => "a minute",
        _ => "an hour",
    };

    /// <summary>
    /// The catalog's unit as it reads after <paramref name="count"/>: units are written plural ("CVs", "API calls",
    /// "analyses"), so one of them drops the plural ending of the last word. "1 letters" would read as a typo.
    /// </summary>
    public static string UnitFor(long count, string unit)
    {
        if (count != 1 || unit.Length < 2 || !unit.EndsWith('s') || unit.EndsWith("ss", StringComparison.Ordinal))
        {
            return unit;
        }

        return unit switch
        {
            _ when unit.EndsWith("yses", StringComparison.Ordinal) => unit[..^2] + "is", // analyses → analysis
            _ when unit.EndsWith("ies", StringComparison.Ordinal) && unit.Length > 4 => unit[..^3] + "y", // queries → query
            _ when unit.EndsWith("sses", StringComparison.Ordinal) || unit.EndsWith("ches", StringComparison.Ordinal) ||
                unit.EndsWith("shes", StringComparison.Ordinal) || unit.EndsWith("xes", StringComparison.Ordinal) => unit[..^2], // boxes → box
            _ => unit[..^1],
        };
    }

    /// <summary>
    /// Whole percent saved by paying yearly instead of twelve months, rounded half-up; null when there is no saving, or one
    /// that rounds to 0 % (a promotion's $24.99 a month against $299 a year), which would read "Save 0%".
    /// </summary>
    public static int? YearlySavingPercent(PlanTerms terms)
    {
        var monthly = terms.Price(BillingInterval.Monthly);
        var yearly = terms.Price(BillingInterval.Yearly);
        if (monthly is null || yearly is null || monthly.PriceCents <= 0 || monthly.Currency != yearly.Currency)
        {
            return null;
        }

        var twelveMonths = (Int128)monthly.PriceCents * 12;
        var saved = twelveMonths - yearly.PriceCents;
        var percent = saved <= 0 ? 0 : (int)Rounding.DivideHalfUp(saved * 100, twelveMonths);
        return percent > 0 ? percent : null;
    }
}
