using Tollgate.Contracts;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.History;

/// <summary>Turns the rollup's sparse rows into full series: every day or month of the range, 0 where nothing was used.</summary>
public static class UsageSeries
{
    public const string Day = "day";
    public const string Month = "month";

    /// <summary>The first day of each period from <paramref name="first"/> to <paramref name="last"/>.</summary>
    public static IEnumerable<DateOnly> Periods(DateOnly first, DateOnly last, string granularity)
    {
        for (var at = Start(first, granularity); at <= last; at = granularity == Month ? at.AddMonths(1) : at.AddDays(1))
        {
            yield return at;
        }
    }

    public static DateOnly Start(DateOnly day, string granularity) => granularity == Month ? new DateOnly(day.Year, day.Month, 1) : day;

    public static IReadOnlyDictionary<string, IReadOnlyList<UsagePoint>> Fill(
        IEnumerable<string> features, IReadOnlyList<DailyUsage> rows, DateOnly first, DateOnly last, string granularity)
    {
        var sums = rows.GroupBy(r => (r.Feature, Start(r.Day, granularity))).ToDictionary(g => g.Key, g => g.Sum(r => r.Quantity));
        var periods = Periods(first, last, granularity).ToList();
        return features.Concat(rows.Select(r => r.Feature)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .ToDictionary(f => f, IReadOnlyList<UsagePoint> (f) => [.. periods.Select(p => new UsagePoint(p, sums.GetValueOrDefault((f, p))))],
                StringComparer.Ordinal);
    }

    public static IReadOnlyDictionary<string, IReadOnlyList<DailyUsagePoint>> FillDaily(
        IEnumerable<string> features, IReadOnlyList<DailyUsage> rows, DateOnly first, DateOnly last)
    {
        var byDay = rows.ToDictionary(r => (r.Feature, r.Day));
        var days = Periods(first, last, Day).ToList();
        return features.Concat(rows.Select(r => r.Feature)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .ToDictionary(f => f, IReadOnlyList<DailyUsagePoint> (f) => [.. days.Select(d => byDay.TryGetValue((f, d), out var r)
                ? new DailyUsagePoint(d, r.Quantity, r.Customers) : new DailyUsagePoint(d, 0, 0))], StringComparer.Ordinal);
    }
}
