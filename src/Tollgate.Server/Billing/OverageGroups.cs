using System.Data.Common;
using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Server.Entitlements;

namespace Tollgate.Storage.Billing;

/// <summary>
/// Splits the overage lines of a metric feature with group_by into one line per group (<see cref="GroupedOverage"/>):
/// each group's quantity is its rollup value summed over the windows the line bills, read in the invoice's transaction.
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

            var starts = rows.Where(r => r.FeatureCode == byFeature.Key).Select(r => r.PeriodStart).ToList();
            var groups = await GroupsAsync(c, tx, rows[0].CustomerId, metric, starts, cancellationToken);
            var name = features.FirstOrDefault(f => f.Code == byFeature.Key)?.Name ?? byFeature.Key!;
            var one = byFeature.Count() == 1; // a tiered line keeps its tier's words before the group
            split.AddRange(byFeature.SelectMany(l => GroupedOverage.Split(l, groups, name, namedByFeature: one)));
        }

        return split;
    }

    private static async Task<IReadOnlyList<OverageGroup>> GroupsAsync(
        DbConnection c, DbTransaction tx, string customer, BillableMetric metric, IReadOnlyList<long> starts, CancellationToken cancellationToken)
    {
        var column = metric.Aggregation switch
        {
            MetricAggregation.Count => "events",
            MetricAggregation.Sum => "total",
            MetricAggregation.Max => "maximum",
            MetricAggregation.UniqueCount => "distinct_values",
            _ => "latest",
        };
        // A range, then the line's own windows: IN with a list parameter is spelled differently by the two dialects.
        var rows = await c.QueryAsync<(string Group, long Start, long Value)>(new CommandDefinition($"""
            SELECT group_key, window_start, {column} FROM metric_rollups
            WHERE customer_id = @customer AND metric_code = @metric AND window_start >= @from AND window_start <= @to AND group_key <> ''
            """, new { customer, metric = metric.Code, from = starts.Min(), to = starts.Max() }, tx, cancellationToken: cancellationToken));
        var billed = starts.ToHashSet();
        return [.. rows.Where(r => billed.Contains(r.Start)).GroupBy(r => r.Group, StringComparer.Ordinal)
            .Select(g => new OverageGroup(g.Key, g.Sum(r => r.Value)))];
    }
}
