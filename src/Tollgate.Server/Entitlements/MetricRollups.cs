using System.Text.Json;
using Dapper;
using Tollgate.Core.Catalog;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// A metric's running value per window and group (group '' is the whole window), updated in place by one upsert per
/// event, so usage is read from one row whatever the number of events. unique_count keeps every distinct value.
/// </summary>
internal static class MetricRollups
{
    private const string Upsert = """
        INSERT INTO metric_rollups (customer_id, metric_code, window_start, window_end, group_key, events, total, maximum, distinct_values,
            latest, latest_at, updated_at)
        VALUES (@customer, @metric, @start, @end, @group, 1, @value, @value, @added, @value, @at, @now)
        ON CONFLICT (customer_id, metric_code, window_start, window_end, group_key) DO UPDATE SET
            events = metric_rollups.events + 1,
            total = metric_rollups.total + excluded.total,
            maximum = CASE WHEN excluded.maximum > metric_rollups.maximum THEN excluded.maximum ELSE metric_rollups.maximum END,
            distinct_values = metric_rollups.distinct_values + excluded.distinct_values,
            latest = CASE WHEN excluded.latest_at >= metric_rollups.latest_at THEN excluded.latest ELSE metric_rollups.latest END,
            latest_at = CASE WHEN excluded.latest_at >= metric_rollups.latest_at THEN excluded.latest_at ELSE metric_rollups.latest_at END,
            updated_at = excluded.updated_at
        RETURNING events, total, maximum, distinct_values, latest
        """;

    /// <summary>
    /// Folds the event into the window's rollup and its group's; answers the window's new value, or null when the metric
    /// does not count it (a filter did not match, or the property it reads is absent).
    /// </summary>
    public static async Task<long?> FoldAsync(BatchScope scope, MetricEvent e, BillableMetric metric, long start, long end, JsonElement properties)
    {
        if (!metric.Matches(properties))
        {
            return null;
        }

        JsonElement read = default;
        if (metric.Property is { } property && !properties.TryGetProperty(property, out read))
        {
            return null;
        }

        var value = metric.ReadsNumber ? read.GetInt64() : 0; // the API checked it is a whole number in range
        var distinct = metric.Aggregation == MetricAggregation.UniqueCount ? BillableMetric.DistinctValue(read) : null;
        var group = metric.GroupKey(properties);
        var whole = await FoldGroupAsync(scope, e, metric, start, end, "", value, distinct);
        if (group.Length > 0)
        {
            await FoldGroupAsync(scope, e, metric, start, end, group, value, distinct);
        }

        return whole;
    }

    private static async Task<long> FoldGroupAsync(
        BatchScope scope, MetricEvent e, BillableMetric metric, long start, long end, string group, long value, string? distinct)
    {
        var customer = e.CustomerId;
        var added = distinct is null ? 0 : await scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO metric_distinct_values (customer_id, metric_code, window_start, window_end, group_key, value)
            VALUES (@customer, @metric, @start, @end, @group, @distinct)
            ON CONFLICT (customer_id, metric_code, window_start, window_end, group_key, value) DO NOTHING
            """, new { customer, metric = metric.Code, start, end, group, distinct }));
        var row = await scope.Connection.QuerySingleAsync<RollupRow>(scope.Command(Upsert, new
        {
            customer, metric = metric.Code, start, end, group, value, added = (long)added, at = e.Timestamp.ToUnixTimeMilliseconds(), now = scope.NowMs,
        }));
        return row.ValueOf(metric.Aggregation);
    }

    /// <summary>Whether the value was already counted in the window, so a returning user is no new one.</summary>
    public static async Task<bool> HasDistinctAsync(SqlScope scope, string customer, BillableMetric metric, long start, long end, string distinct) =>
        await scope.Connection.ExecuteScalarAsync<long>(scope.Command("""
            SELECT COUNT(*) FROM metric_distinct_values
            WHERE customer_id = @customer AND metric_code = @metric AND window_start = @start AND window_end = @end AND group_key = '' AND value = @distinct
            """, new { customer, metric = metric.Code, start, end, distinct })) > 0;

    /// <summary>Each group's value in the window, in group order.</summary>
    public static async Task<IReadOnlyList<(string Group, long Used)>> GroupsAsync(
        SqlScope scope, string customer, BillableMetric metric, long start, long end)
    {
        var rows = await scope.Connection.QueryAsync<RollupRow>(scope.Command("""
            SELECT group_key AS GroupKey, events, total, maximum, distinct_values AS DistinctValues, latest FROM metric_rollups
            WHERE customer_id = @customer AND metric_code = @metric AND window_start = @start AND window_end = @end AND group_key <> ''
            ORDER BY group_key
            """, new { customer, metric = metric.Code, start, end }));
        return [.. rows.Select(r => (r.GroupKey, r.ValueOf(metric.Aggregation)))];
    }

    private sealed class RollupRow
    {
        public string GroupKey { get; set; } = "";
        public long Events { get; set; }
        public long Total { get; set; }
        public long Maximum { get; set; }
        public long DistinctValues { get; set; }
        public long Latest { get; set; }

        public long ValueOf(MetricAggregation aggregation) => aggregation switch
        {
            MetricAggregation.Count => Events,
            MetricAggregation.Sum => Total,
            MetricAggregation.Max => Maximum,
            MetricAggregation.UniqueCount => DistinctValues,
            _ => Latest,
        };
    }
}
