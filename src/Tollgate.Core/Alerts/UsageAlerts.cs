using System.Globalization;
using Tollgate.Core.Catalog;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Alerts;

/// <summary>How loud an alert is: 80 % informs, 90 % warns, the limit itself is critical.</summary>
public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}

/// <summary>A threshold crossing or a projection, as stored and shown to the customer.</summary>
public enum AlertKind
{
    Threshold,
    Projected,

    /// <summary>The limit was hit: a hard cap was used up, or a soft cap was passed (the rest is overage).</summary>
    Exceeded,
}

/// <summary>A usage alert for one customer, feature and period.</summary>
public sealed record UsageAlert(
    string Id,
    string CustomerId,
    string FeatureCode,
    AlertKind Kind,
    int Threshold,
    AlertSeverity Severity,
    long Used,
    long Limit,
    string Message,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    DateTimeOffset? ProjectedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ReadAt);

/// <summary>When alerts fire and what they say, as pure functions; the store makes each fire once.</summary>
public static class UsageAlertRules
{
    /// <summary>A projection needs this share of the limit used, so a single early call does not predict the month.</summary>
    public const int ProjectionMinPercent = 25;

    /// <summary>A projection needs this much of the period behind it, so a burst in the first minutes does not predict the month.</summary>
    public static readonly TimeSpan ProjectionMinElapsed = TimeSpan.FromDays(1);

    /// <summary>
    /// The thresholds (percent of <paramref name="limit"/>) that usage crossed going from <paramref name="before"/> to
    /// <paramref name="after"/>: reached now, not reached before. Exact in integers, so 8 of 10 is 80 %, 7 of 9 is not.
    /// </summary>
    public static IReadOnlyList<int> Crossed(IReadOnlyList<int> thresholds, long limit, long before, long after)
    {
        if (limit <= 0 || after <= before)
        {
            return [];
        }

        return [.. thresholds.Where(t => (Int128)before * 100 < (Int128)t * limit && (Int128)after * 100 >= (Int128)t * limit).Order()];
    }

    public static AlertSeverity SeverityOf(int threshold) => threshold switch
    {
        >= 100 => AlertSeverity.Critical,
        >= 90 => AlertSeverity.Warning,
        _ => AlertSeverity.Info,
    };

    /// <summary>
    /// When usage at its average rate since the period started reaches the limit, if that is before the period ends.
    /// Null when it does not, when too little is used to say, and once usage reaches the lowest threshold (or the
    /// limit, without thresholds): from there the threshold alerts speak, and a late projection would only repeat them.
    /// </summary>
    public static DateTimeOffset? ProjectedExhaustion(BillingPeriod period, DateTimeOffset now, long used, long limit, IReadOnlyList<int>? thresholds = null)
    {
        var elapsed = (now - period.Start).Ticks;
        var ceiling = thresholds is { Count: > 0 } ? thresholds.Min() : 100;
        // A lifetime allowance never resets, so there is no reset for usage to run out before.
        if (!QuotaWindow.Resets(period) || limit <= 0 || elapsed < ProjectionMinElapsed.Ticks || (Int128)used * 100 < (Int128)limit * ProjectionMinPercent || (Int128)used * 100 >= (Int128)limit * ceiling)
        {
            return null;
        }

        var at = period.Start.AddTicks((long)((Int128)elapsed * limit / used));
        return at < period.End ? at : null;
    }

    /// <summary>"You have used 8 of 10 CVs this month."</summary>
    public static string ThresholdMessage(long used, long limit, string unit, BillingPeriod period) =>
        string.Create(CultureInfo.InvariantCulture, $"You have used {used:N0} of {limit:N0} {QuotaDisplay.UnitFor(limit, unit)} {PeriodWords(period)}.");

    /// <summary>"You have used $8.50 of your $10.00 LLM budget this month."</summary>
    public static string BudgetMessage(long spentNano, long budgetNano, BillingPeriod period) =>
        string.Create(CultureInfo.InvariantCulture,
            $"You have used ${Llm.NanoUsdAmount.ToUsd(spentNano):0.00##} of your ${Llm.NanoUsdAmount.ToUsd(budgetNano):0.00##} LLM budget {PeriodWords(period)}.");

    /// <summary>"You have reached your limit of 10 CVs this month; it resets on Apr 1." or, on a soft cap, that the rest is overage.</summary>
    public static string ExceededMessage(long limit, string unit, bool hardCap, BillingPeriod period) => (hardCap, QuotaWindow.Resets(period)) switch
    {
        (true, false) => string.Create(CultureInfo.InvariantCulture,
            $"You have reached your limit of {limit:N0} {QuotaDisplay.UnitFor(limit, unit)}; it does not reset."),
        (false, false) => string.Create(CultureInfo.InvariantCulture,
            $"You have gone past your {limit:N0} {QuotaDisplay.UnitFor(limit, unit)}; what you use from now on is billed as overage."),
        (true, true) => string.Create(CultureInfo.InvariantCulture,
            $"You have reached your limit of {limit:N0} {QuotaDisplay.UnitFor(limit, unit)} {PeriodWords(period)}; it resets on {period.End.UtcDateTime:MMM d}."),
        _ => string.Create(CultureInfo.InvariantCulture,
            $"You have gone past your {limit:N0} {QuotaDisplay.UnitFor(limit, unit)} {PeriodWords(period)}; what you use until {period.End.UtcDateTime:MMM d} is billed as overage."),
    };

    /// <summary>"At this pace you will use all 10 CVs by Mar 24; your limit resets on Apr 1."</summary>
    public static string ProjectedMessage(long limit, string unit, DateTimeOffset at, BillingPeriod period) =>
        string.Create(CultureInfo.InvariantCulture,
            $"At this pace you will use {(limit == 1 ? "your" : "all")} {limit:N0} {QuotaDisplay.UnitFor(limit, unit)} by {at.UtcDateTime:MMM d}; your limit resets on {period.End.UtcDateTime:MMM d}.");

    // Day and week windows are told by their shape (a whole UTC day, a week from Monday), so a short trial month is not "today".
    private static string PeriodWords(BillingPeriod period) => (period.End - period.Start).TotalDays switch
    {
        _ when !QuotaWindow.Resets(period) => "so far",
        1 when period.Start.TimeOfDay == TimeSpan.Zero => "today",
        7 when period.Start.TimeOfDay == TimeSpan.Zero && period.Start.DayOfWeek == DayOfWeek.Monday => "this week",
        <= 31 => "this month",
        >= 365 => "this year",
        _ => "this period",
    };
}
