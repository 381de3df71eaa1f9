using System.Globalization;
using Tollgate.Core.Billing;
using Tollgate.Core.Money;

namespace Tollgate.Server.Llm;

/// <summary>The last <see cref="Days"/> whole UTC days, ending today.</summary>
public sealed record StatsWindow(int Days, DateTimeOffset From, DateTimeOffset To)
{
    public const int MaxDays = 366;

    public string FirstDay => Day(From);

    public string LastDay => Day(To.AddDays(-1));

    public static StatsWindow Ending(DateTimeOffset now, int days)
    {
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return new StatsWindow(days, today.AddDays(1 - days), today.AddDays(1));
    }

    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public IEnumerable<string> EachDay => Enumerable.Range(0, Days).Select(d => Day(From.AddDays(d)));

    /// <summary>Revenue per day in major units of <paramref name="currency"/>.</summary>
    public decimal[] DailyRevenue(IEnumerable<RevenueLine> lines, string currency) =>
        [.. RevenueRecognition.Daily(lines, From, Days).Select(cents => cents / MinorUnits.Factor(currency))];

    public static decimal Round(decimal usd) => Math.Round(usd, 6, MidpointRounding.AwayFromZero);

    public static decimal Cents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    public static decimal? Percent(decimal part, decimal whole) => whole == 0 ? null : Math.Round(part / whole * 100, 2, MidpointRounding.AwayFromZero);
}
