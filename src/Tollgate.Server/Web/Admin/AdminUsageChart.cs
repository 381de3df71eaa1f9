using System.Globalization;
using Tollgate.Core.Catalog;
using Tollgate.Server.History;
using Tollgate.Server.Catalog;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.Web.Admin;

/// <summary>
/// A customer's usage per feature over time, from the daily rollup and filled by the same <see cref="UsageSeries"/> as
/// <c>GET /v1/customers/{id}/usage/history</c>: the last 30 days by day, or the last 12 months by month.
/// </summary>
public static class AdminUsageChart
{
    /// <summary>The card's contents; <see cref="UsageHistoryView.Refused"/> when the <paramref name="usage"/> parameter is neither day nor month.</summary>
    public static async Task<UsageHistoryView> ReadAsync(
        string customer, string? usage, UsageHistory history, CatalogCache catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var unit = FormText.Blank(usage) ?? UsageSeries.Day;
        if (unit is not (UsageSeries.Day or UsageSeries.Month))
        {
            return new UsageHistoryView(customer, unit, true, null, "", []);
        }

        var last = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var first = UsageSeries.Start(unit == UsageSeries.Month ? last.AddMonths(-11) : last.AddDays(-29), unit);
        var rows = await history.DailyAsync(customer, null, first, last, cancellationToken);
        var snapshot = await catalog.GetAsync(cancellationToken);
        var metered = snapshot.Features.Where(f => f.Kind == FeatureKind.Metered).ToList();
        var series = UsageSeries.Fill(metered.Select(f => f.Code), rows, first, last, unit);
        var labels = UsageSeries.Periods(first, last, unit)
            .Select(d => d.ToString(unit == UsageSeries.Month ? "MMM yyyy" : "MMM d", CultureInfo.InvariantCulture)).ToList();
        var title = unit == UsageSeries.Month ? "Usage per feature by month, last 12 months" : "Usage per feature by day, last 30 days";
        string Name(string code) => metered.FirstOrDefault(f => f.Code == code)?.Name ?? code;
        // Only features used in the range get a line, the five most used, so each keeps its own colour; the totals name them all.
        var drawn = series.Where(s => s.Value.Any(p => p.Quantity != 0)).OrderByDescending(s => s.Value.Sum(p => p.Quantity)).Take(5)
            .OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        var chart = drawn.Count == 0
            ? null
            : SvgChart.Line(title, labels, [.. drawn.Select(s => new ChartSeries(Name(s.Key), [.. s.Value.Select(p => (decimal)p.Quantity)]))],
                v => v.ToString("#,0.##", CultureInfo.InvariantCulture));
        var range = $"{first.ToString("MMM d, yyyy", CultureInfo.InvariantCulture)} – {last.ToString("MMM d, yyyy", CultureInfo.InvariantCulture)}";
        return new UsageHistoryView(customer, unit, false, chart, range, [.. series.Select(s => (s.Key, Name(s.Key), s.Value.Sum(p => p.Quantity)))]);
    }
}
