using System.Data;
using System.Text.Json;
using Dapper;
using Tollgate.Core.Catalog;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// A metric's running value per window and group (group '' is the whole window), updated in place (see
/// <see cref="MetricFolds"/>), so usage is read from one row whatever the number of events. unique_count keeps every
/// distinct value.
/// </summary>
internal static class MetricRollups
{
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

    internal sealed class RollupRow
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

/// <summary>
/// A batch's events folded in memory per customer, metric, window and group, then written with one upsert per rollup row
/// and one insert per distinct value, all in one pipeline each: a 500-event batch of one metric costs a few statements,
/// not three per event.
/// </summary>
internal sealed class MetricFolds
{
    private static readonly Statement InsertDistinct = new("""
        INSERT INTO metric_distinct_values (customer_id, metric_code, window_start, window_end, group_key, value)
        VALUES (@customer, @metric, @start, @end, @group, @distinct)
        ON CONFLICT (customer_id, metric_code, window_start, window_end, group_key, value) DO NOTHING
        RETURNING 1
        """, ("customer", DbType.String), ("metric", DbType.String), ("start", DbType.Int64), ("end", DbType.Int64), ("group", DbType.String),
        ("distinct", DbType.String));

    // The batch's events as one: their count and total add up, the larger maximum stays, and the later latest wins (on a tie
    // the batch's, which came after), as the events one by one would have left it.
    private static readonly Statement Upsert = new("""
        INSERT INTO metric_rollups (customer_id, metric_code, window_start, window_end, group_key, events, total, maximum, distinct_values,
            latest, latest_at, updated_at)
        VALUES (@customer, @metric, @start, @end, @group, @events, @total, @maximum, @added, @latest, @at, @now)
        ON CONFLICT (customer_id, metric_code, window_start, window_end, group_key) DO UPDATE SET
            events = metric_rollups.events + excluded.events,
            total = metric_rollups.total + excluded.total,
            maximum = CASE WHEN excluded.maximum > metric_rollups.maximum THEN excluded.maximum ELSE metric_rollups.maximum END,
            distinct_values = metric_rollups.distinct_values + excluded.distinct_values,
            latest = CASE WHEN excluded.latest_at >= metric_rollups.latest_at THEN excluded.latest ELSE metric_rollups.latest END,
            latest_at = CASE WHEN excluded.latest_at >= metric_rollups.latest_at THEN excluded.latest_at ELSE metric_rollups.latest_at END,
            updated_at = excluded.updated_at
        RETURNING events, total, maximum, distinct_values, latest
        """, ("customer", DbType.String), ("metric", DbType.String), ("start", DbType.Int64), ("end", DbType.Int64), ("group", DbType.String),
        ("events", DbType.Int64), ("total", DbType.Int64), ("maximum", DbType.Int64), ("added", DbType.Int64), ("latest", DbType.Int64),
        ("at", DbType.Int64), ("now", DbType.Int64));

    private readonly Dictionary<(string Customer, string Metric, long Start, long End, string Group), Fold> _folds = [];

    /// <summary>
    /// Folds the event into the window's rollup and its group's. Answers what it adds to the window's value (1 for a count,
    /// the value for a sum, 0 for a level or a unique_count, whose new values are known once written: see
    /// <see cref="FoldResult.NewValuesAt"/>), or null when the metric does not count it (a filter did not match, or the
    /// property it reads is absent).
    /// </summary>
    public long? Add(string customer, MetricEvent e, BillableMetric metric, long start, long end, JsonElement properties)
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
        var at = e.Timestamp.ToUnixTimeMilliseconds();
        FoldInto(customer, metric, start, end, "", value, distinct, at);
        if (metric.GroupKey(properties) is { Length: > 0 } group)
        {
            FoldInto(customer, metric, start, end, group, value, distinct, at);
        }

        return metric.Aggregation switch
        {
            MetricAggregation.Count => 1,
            MetricAggregation.Sum => value,
            _ => 0,
        };
    }

    private void FoldInto(string customer, BillableMetric metric, long start, long end, string group, long value, string? distinct, long at)
    {
        if (!_folds.TryGetValue((customer, metric.Code, start, end, group), out var fold))
        {
            _folds[(customer, metric.Code, start, end, group)] = fold = new Fold(metric);
        }

        fold.Events++;
        fold.Total += value;
        fold.Maximum = Math.Max(fold.Maximum, value);
        if (at >= fold.LatestAt)
        {
            (fold.Latest, fold.LatestAt) = (value, at);
        }

        if (distinct is not null)
        {
            fold.Distinct.TryAdd(distinct, at); // its first event in the batch, the day a new value counts on
        }
    }

    /// <summary>Writes every fold; answers each window's new value (group '') and the values it newly counts.</summary>
    public async Task<FoldResult> WriteAsync(BatchScope scope)
    {
        // In key order, so two nodes writing the same rows take their locks in the same order and never deadlock.
        var folds = _folds.OrderBy(f => f.Key.Customer, StringComparer.Ordinal).ThenBy(f => f.Key.Metric, StringComparer.Ordinal)
            .ThenBy(f => f.Key.Start).ThenBy(f => f.Key.End).ThenBy(f => f.Key.Group, StringComparer.Ordinal).ToList();
        var distinct = folds.SelectMany((f, i) => f.Value.Distinct.Select(d => (Fold: i, d.Key, At: d.Value))).ToList();
        var went = await scope.PipelineAsync([.. distinct.Select(d =>
        {
            var (customer, metric, start, end, group) = folds[d.Fold].Key;
            return new PlannedStatement(InsertDistinct, [customer, metric, start, end, group, d.Key]);
        })]);
        var added = new long[folds.Count];
        var newValuesAt = new Dictionary<(string, string, long, long), List<long>>();
        for (var i = 0; i < distinct.Count; i++)
        {
            if (went[i] is null)
            {
                continue;
            }

            added[distinct[i].Fold]++;
            var (customer, metric, start, end, group) = folds[distinct[i].Fold].Key;
            if (group.Length == 0)
            {
                (newValuesAt.TryGetValue((customer, metric, start, end), out var ats) ? ats : newValuesAt[(customer, metric, start, end)] = []).Add(distinct[i].At);
            }
        }

        var rows = await scope.PipelineAsync([.. folds.Select((f, i) =>
        {
            var ((customer, metric, start, end, group), fold) = f;
            return new PlannedStatement(Upsert, [customer, metric, start, end, group, fold.Events, fold.Total, fold.Maximum, added[i], fold.Latest,
                fold.LatestAt, scope.NowMs]);
        })]);
        var values = new Dictionary<(string, string, long, long), long>();
        for (var i = 0; i < folds.Count; i++)
        {
            var ((customer, metric, start, end, group), fold) = folds[i];
            if (group.Length == 0)
            {
                var row = rows[i]!.Select(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                values[(customer, metric, start, end)] = new MetricRollups.RollupRow
                {
                    Events = row[0], Total = row[1], Maximum = row[2], DistinctValues = row[3], Latest = row[4],
                }.ValueOf(fold.Metric.Aggregation);
            }
        }

        return new FoldResult(values, newValuesAt);
    }

    private sealed class Fold(BillableMetric metric)
    {
        public BillableMetric Metric => metric;

        public long Events { get; set; }

        public long Total { get; set; }

        public long Maximum { get; set; } = long.MinValue;

        public long Latest { get; set; }

        public long LatestAt { get; set; } = long.MinValue;

        /// <summary>Each distinct value and the time of its first event in the batch.</summary>
        public Dictionary<string, long> Distinct { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>
/// What a batch's folds left: each window's value (group '') by customer, metric and window, and for a unique_count the
/// first-event times of the values it counted for the first time in that window.
/// </summary>
internal sealed record FoldResult(
    Dictionary<(string Customer, string Metric, long Start, long End), long> Values,
    Dictionary<(string Customer, string Metric, long Start, long End), List<long>> NewValuesAt);
