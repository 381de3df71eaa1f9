namespace Tollgate.Core.Catalog;

/// <summary>When a quota's window starts again: its own cycle, not necessarily the billing period's.</summary>
public enum QuotaReset
{
    Month,
    Day,
    Week,
    Year,
    BillingPeriod,
    Never,

    /// <summary>A UTC calendar month for every customer, whatever its subscription's anchor: the 1st to the 1st.</summary>
    CalendarMonth,

    /// <summary>A UTC calendar year for every customer: January 1st to January 1st.</summary>
    CalendarYear,
}

/// <summary>The span a rate limit counts over; windows are fixed and aligned to the Unix epoch.</summary>
public enum RateLimitPer
{
    Second,
    Minute,
    Hour,
}

/// <summary>At most <see cref="Limit"/> units per <see cref="Per"/>, decided before the quota.</summary>
public sealed record RateLimit(long Limit, RateLimitPer Per)
{
    public TimeSpan Window => Per switch
    {
        RateLimitPer.Second => TimeSpan.FromSeconds(1),
        RateLimitPer.Minute => TimeSpan.FromMinutes(1),
        _ => TimeSpan.FromHours(1),
    };
}

/// <summary>What of a logged LLM call adds to a metered feature.</summary>
public enum LlmMeasure
{
    TotalTokens,
    InputTokens,
    OutputTokens,
    Calls,
}

/// <summary>
/// A metered feature fed by logged LLM calls: each call adds its <see cref="Measure"/>, optionally only calls made for
/// the listed features or through the listed providers (empty lists match every call).
/// </summary>
public sealed record LlmMeter(LlmMeasure Measure, IReadOnlyList<string> Features, IReadOnlyList<string> Providers)
{
    public bool Matches(string? feature, string? provider) =>
        (Features.Count == 0 || (feature is not null && Features.Contains(feature, StringComparer.Ordinal)))
        && (Providers.Count == 0 || (provider is not null && Providers.Contains(provider, StringComparer.OrdinalIgnoreCase)));

    public long AmountOf(long inputTokens, long outputTokens) => Measure switch
    {
        LlmMeasure.TotalTokens => inputTokens + outputTokens,
        LlmMeasure.InputTokens => inputTokens,
        LlmMeasure.OutputTokens => outputTokens,
        _ => 1,
    };
}

public static class QuotaTermNames
{
    private static readonly (QuotaReset Reset, string Wire)[] Resets =
    [
        (QuotaReset.Day, "day"), (QuotaReset.Week, "week"), (QuotaReset.Month, "month"), (QuotaReset.Year, "year"),
        (QuotaReset.BillingPeriod, "billing_period"), (QuotaReset.Never, "never"),
        (QuotaReset.CalendarMonth, "calendar_month"), (QuotaReset.CalendarYear, "calendar_year"),
    ];

    private static readonly (RateLimitPer Per, string Wire)[] Pers =
        [(RateLimitPer.Second, "second"), (RateLimitPer.Minute, "minute"), (RateLimitPer.Hour, "hour")];

    private static readonly (LlmMeasure Measure, string Wire)[] Measures =
    [
        (LlmMeasure.TotalTokens, "total_tokens"), (LlmMeasure.InputTokens, "input_tokens"),
        (LlmMeasure.OutputTokens, "output_tokens"), (LlmMeasure.Calls, "calls"),
    ];

    public const string ResetHint = "must be day, week, month, year, billing_period, calendar_month, calendar_year or never";
    public const string PerHint = "must be second, minute or hour";
    public const string MeasureHint = "must be total_tokens, input_tokens, output_tokens or calls";

    public static string ToWire(this QuotaReset reset) => Resets.First(r => r.Reset == reset).Wire;

    public static string ToWire(this RateLimitPer per) => Pers.First(p => p.Per == per).Wire;

    public static string ToWire(this LlmMeasure measure) => Measures.First(m => m.Measure == measure).Wire;

    public static bool TryParseReset(string? text, out QuotaReset reset) => TryParse(Resets, text, out reset);

    public static bool TryParsePer(string? text, out RateLimitPer per) => TryParse(Pers, text, out per);

    public static bool TryParseMeasure(string? text, out LlmMeasure measure) => TryParse(Measures, text, out measure);

    private static bool TryParse<T>((T Value, string Wire)[] names, string? text, out T value)
    {
        foreach (var (candidate, wire) in names)
        {
            if (string.Equals(wire, text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default!;
        return false;
    }
}
