using System.Globalization;
using System.Text;
using Tollgate.Core.Catalog;
using Tollgate.Server.History;
using Tollgate.Server.Web;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Entitlements;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

/// <summary>
/// A customer's usage per feature over time, from the daily rollup and filled by the same <see cref="UsageSeries"/> as
/// <c>GET /v1/customers/{id}/usage/history</c>: the last 30 days by day, or the last 12 months by month.
/// </summary>
public static class AdminUsageChart
{
    /// <summary>The section's HTML, and whether the <paramref name="usage"/> parameter was refused.</summary>
    public static async Task<(string Html, bool Refused)> SectionAsync(
        string customer, string? usage, UsageHistory history, CatalogCache catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var unit = FormText.Blank(usage) ?? UsageSeries.Day;
        var section = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            <section class="card" id="usage" data-testid="usage-history"><div class="spread"><h2>Usage history</h2>
            <nav class="row" aria-label="Usage period">{Choice(customer, UsageSeries.Day, "30 days", unit)} {Choice(customer, UsageSeries.Month, "12 months", unit)}</nav></div>
            """);
        if (unit is not (UsageSeries.Day or UsageSeries.Month))
        {
            return (section.Append(ConsoleLists.Refusal("usage: must be day or month")).Append("</section>").ToString(), true);
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
        section.Append(drawn.Count == 0
            ? "<p class=\"muted\" data-testid=\"no-usage\">No usage in this range.</p>"
            : SvgChart.Line(title, labels, [.. drawn.Select(s => new ChartSeries(Name(s.Key), [.. s.Value.Select(p => (decimal)p.Quantity)]))],
                v => v.ToString("#,0.##", CultureInfo.InvariantCulture)));
        section.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{E(first.ToString("MMM d, yyyy", CultureInfo.InvariantCulture))} – {E(last.ToString("MMM d, yyyy", CultureInfo.InvariantCulture))} (UTC), totals: ");
        section.Append(string.Join(" · ", series.Select(s => $"<span data-feature=\"{E(s.Key)}\">{E(Name(s.Key))} {s.Value.Sum(p => p.Quantity):N0}</span>")));
        return (section.Append("</p></section>").ToString(), false);
    }

    private static string Choice(string customer, string unit, string label, string current) =>
        $"<a href=\"{E(ConsoleLists.Href($"/admin/customers/{Uri.EscapeDataString(customer)}", ("usage", unit)))}#usage\"{(unit == current ? " aria-current=\"true\"" : "")}>{E(label)}</a>";
}
