using System.Data.Common;
using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.Billing;

/// <summary>
/// Splits the overage lines of a metric feature with group_by into one line per group (<see cref="GroupedOverage"/>),
/// in proportion to each group's part of the overage billed: each window's new overage units are allotted to the groups
/// by their rollup values in that window (matched on its start and end), read in the invoice's transaction. For a count
/// or a sum, a window invoiced before (at a plan change, a lifetime window's earlier period) is allotted by what each
/// group added since (<see cref="MarkAsync"/> keeps the values then), so usage already billed does not draw the new units.
/// </summary>
internal static class OverageGroups
{
    public static async Task<IReadOnlyList<InvoiceLine>> SplitAsync(
        DbConnection c, DbTransaction tx, PlanVersion version, IReadOnlyList<Feature> features, IReadOnlyList<BillableMetric> metrics,
        IReadOnlyList<CounterRow> rows, IReadOnlyList<InvoiceLine> lines, CancellationToken cancellationToken)
    {
        var split = new List<InvoiceLine>(lines.Count);
        foreach (var byFeature in lines.GroupBy(l => l.FeatureCode))
        {
            var grant = version.Terms.Features.FirstOrDefault(g => g.FeatureCode == byFeature.Key);
            var metric = grant?.Metric is { } code ? metrics.FirstOrDefault(m => m.Code == code) : null;
            if (metric is not { GroupBy.Count: > 0 })
            {
                split.AddRange(byFeature);
                continue;
            }

            var windows = rows.Where(r => r.FeatureCode == byFeature.Key)
                .Select(r => (Row: r, Units: Overage.Unbilled(grant!, r.ToOverageWindow()))).Where(w => w.Units > 0).ToList();
            var groups = windows.Count == 0 ? [] : await GroupsAsync(c, tx, rows[0].CustomerId, metric, windows, cancellationToken);
            if (groups.Count == 0)
            {
                split.AddRange(byFeature); // overage no group accounts for (usage from before the metric) stays one line
                continue;
            }

            var name = features.FirstOrDefault(f => f.Code == byFeature.Key)?.Name ?? byFeature.Key!;
            // A tier's line keeps its tier's words before the group, also when the overage reached only the first tier.
            var named = grant!.OverageTiers is null && byFeature.Count() == 1;
            split.AddRange(byFeature.SelectMany(l => GroupedOverage.Split(l, groups, name, namedByFeature: named)));
        }

        return split;
    }

    // Each group's overage units: per window, the window's new units allotted by the groups' values there; none when a
    // window with overage has no group values to allot it by.
    private static async Task<IReadOnlyList<OverageGroup>> GroupsAsync(
        DbConnection c, DbTransaction tx, string customer, BillableMetric metric, IReadOnlyList<(CounterRow Row, long Units)> windows,
        CancellationToken cancellationToken)
    {
        var column = Column(metric);
        // A range, then the line's own windows by start and end: IN with a list parameter is spelled differently by the two dialects.
        var rows = (await c.QueryAsync<(string Group, long Start, long End, long Value, long? Billed)>(new CommandDefinition($"""
            SELECT group_key, window_start, window_end, {column}, billed_value FROM metric_rollups
            WHERE customer_id = @customer AND metric_code = @metric AND window_start >= @from AND window_start <= @to AND group_key <> ''
            """, new { customer, metric = metric.Code, from = windows.Min(w => w.Row.PeriodStart), to = windows.Max(w => w.Row.PeriodStart) }, tx,
            cancellationToken: cancellationToken))).ToLookup(r => (r.Start, r.End));
        var units = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (row, overage) in windows)
        {
            var values = rows[(row.PeriodStart, row.PeriodEnd)].OrderBy(r => r.Group, StringComparer.Ordinal).ToList();
            if (values.Count == 0 || values.All(v => v.Value <= 0))
            {
                return [];
            }

            // What each group added since the window was last invoiced; all of it when it never was, or nothing was added.
            var added = Additive(metric) ? values.Select(v => Math.Max(0, v.Value - (v.Billed ?? 0))).ToList() : [];
            var shares = GroupedOverage.Allot(overage, added.Any(a => a > 0) ? added : [.. values.Select(v => v.Value)]);
            for (var i = 0; i < values.Count; i++)
            {
                units[values[i].Group] = units.GetValueOrDefault(values[i].Group) + shares[i];
            }
        }

        return [.. units.Select(u => new OverageGroup(u.Key, u.Value))];
    }

    /// <summary>
    /// Keeps each group's value in <paramref name="windows"/> as invoiced, for the grouped counts and sums of
    /// <paramref name="version"/>: the window's next invoice splits only what came after by what each group added since.
    /// </summary>
    public static async Task MarkAsync(
        DbConnection c, DbTransaction tx, PlanVersion version, IReadOnlyList<BillableMetric> metrics, IEnumerable<CounterRow> windows,
        CancellationToken cancellationToken)
    {
        foreach (var row in windows)
        {
            var code = version.Terms.Features.FirstOrDefault(g => g.FeatureCode == row.FeatureCode)?.Metric;
            if (metrics.FirstOrDefault(m => m.Code == code) is not { GroupBy.Count: > 0 } metric || !Additive(metric))
            {
                continue;
            }

            await c.ExecuteAsync(new CommandDefinition($"""
                UPDATE metric_rollups SET billed_value = {Column(metric)}
                WHERE customer_id = @customer AND metric_code = @metric AND window_start = @start AND window_end = @end AND group_key <> ''
                """, new { customer = row.CustomerId, metric = metric.Code, start = row.PeriodStart, end = row.PeriodEnd }, tx,
                cancellationToken: cancellationToken));
        }
    }

    // Counts and sums only grow, so what a group added since an invoice is its value less the value then; a peak, a
    // latest value or a distinct count do not add up that way and are allotted by their values.
    private static bool Additive(BillableMetric metric) => metric.Aggregation is MetricAggregation.Count or MetricAggregation.Sum;

    private static string Column(BillableMetric metric) => metric.Aggregation switch
    {
        MetricAggregation.Count => "events",
        MetricAggregation.Sum => "total",
        MetricAggregation.Max => "maximum",
        MetricAggregation.UniqueCount => "distinct_values",
        _ => "latest",
    };
}
