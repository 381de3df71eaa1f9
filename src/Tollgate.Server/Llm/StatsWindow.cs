using System.Globalization;
using Tollgate.Core.Billing;
using Tollgate.Core.Metrics;
using Tollgate.Core.Money;

namespace Tollgate.Server.Llm;

/// <summary>
/// The last <see cref="Days"/> UTC days, ending today. Today is counted up to <see cref="Now"/>: its revenue is recognized to
/// this instant, as its LLM cost is what was spent by now.
/// </summary>
public sealed record StatsWindow(int Days, DateTimeOffset From, DateTimeOffset To)
{
    public const int MaxDays = 366;

    /// <summary>The instant the window was taken at; no revenue after it is counted.</summary>
    public DateTimeOffset Now { get; init; } = To;

    public string FirstDay => Day(From);

    public string LastDay => Day(To.AddDays(-1));

    public static StatsWindow Ending(DateTimeOffset now, int days)
    {
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return new StatsWindow(days, today.AddDays(1 - days), today.AddDays(1)) { Now = now };
    }

    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public IEnumerable<string> EachDay => Enumerable.Range(0, Days).Select(d => Day(From.AddDays(d)));

    /// <summary>
    /// Revenue per day in major units of the reporting currency: each day summed per currency in its minor units, each
    /// currency's sum converted once, then added; currencies without a rate are left out and named.
    /// </summary>
    public (decimal[] Daily, IReadOnlyList<string> Unconverted) DailyRevenue(
        IReadOnlyDictionary<string, IReadOnlyList<RevenueLine>> lines, ReportingRates rates)
    {
        var perCurrency = lines.Select(l => (Currency: l.Key, Days: RevenueRecognition.Daily(l.Value, From, Days, Now))).ToList();
        var daily = new decimal[Days];
        for (var d = 0; d < Days; d++)
        {
            daily[d] = rates.Sum(perCurrency.Select(p => (p.Currency, p.Days[d]))).Minor / MinorUnits.Factor(rates.Currency);
        }

        return (daily, Unconverted(lines.Keys, rates));
    }

    /// <summary>Revenue recognized in the window per <paramref name="key"/> (plan, customer), in major units of the reporting currency.</summary>
    public Dictionary<string, decimal> RevenueBy(
        IReadOnlyDictionary<string, IReadOnlyList<RevenueLine>> lines, ReportingRates rates, Func<RevenueLine, string> key) =>
        lines.SelectMany(l => l.Value.Select(line => (Key: key(line), Currency: l.Key, Minor: RevenueRecognition.Share(line, From, Now < To ? Now : To))))
            .GroupBy(x => x.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => rates.Sum(g.Select(x => (x.Currency, x.Minor))).Minor / MinorUnits.Factor(rates.Currency), StringComparer.Ordinal);

    /// <summary>Payments per currency in major units of the reporting currency.</summary>
    public static decimal Payments(IReadOnlyDictionary<string, long> payments, ReportingRates rates) =>
        rates.Sum(payments.Select(p => (p.Key, (decimal)p.Value))).Minor / MinorUnits.Factor(rates.Currency);

    /// <summary>The currencies among <paramref name="currencies"/> that have no rate, in order.</summary>
    public static IReadOnlyList<string> Unconverted(IEnumerable<string> currencies, ReportingRates rates) =>
        [.. currencies.Where(c => !rates.CanConvert(c)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>
    /// An LLM cost in major units of the reporting currency, exact (a figure rounds it once where shown); null when the
    /// reporting currency is not USD and USD has no rate, so that a profit never takes dollars from another currency.
    /// </summary>
    public static decimal? CostIn(long nanoUsd, ReportingRates rates) =>
        rates.FromNanoUsd(nanoUsd) is { } minor ? minor / MinorUnits.Factor(rates.Currency) : null;

    /// <summary>USD, named with the currencies left out, when there was an LLM cost it could not convert.</summary>
    public static IReadOnlyList<string> WithCost(IEnumerable<string> unconverted, long costNano, ReportingRates rates) =>
        [.. (costNano != 0 && rates.FromNanoUsd(costNano) is null ? unconverted.Append("USD") : unconverted)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public static decimal? Round(decimal? amount) => amount is { } a ? Round(a) : null;

    public static decimal Round(decimal usd) => Math.Round(usd, 6, MidpointRounding.AwayFromZero);

    public static decimal Cents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    public static decimal? Percent(decimal part, decimal whole) => whole == 0 ? null : Math.Round(part / whole * 100, 2, MidpointRounding.AwayFromZero);
}
