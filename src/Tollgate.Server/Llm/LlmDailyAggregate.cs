using System.Collections.Concurrent;
using System.Data;
using Tollgate.Core.Llm;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Llm;

/// <summary>
/// A batch's calls summed per customer, day, feature, model and plan, then written to the three rollups (per
/// customer, across customers, per customer and day) and the activity table, once per batch.
/// </summary>
internal sealed class LlmDailyAggregate : IBatchAggregate
{
    private static readonly string[] Sums =
        ["calls", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "reasoning_tokens", "requests", "images", "cost_nano",
            "unpriced_calls"];

    private const int Calls = 0, Cost = 8;

    private static readonly RowUpsert Detail = new("llm_daily", ["customer_id", "day", "feature_code", "model", "plan_code"], Sums);
    private static readonly RowUpsert Totals = new("llm_daily_totals", ["day", "feature_code", "model", "plan_code"], Sums);
    private static readonly RowUpsert Customers = new("llm_daily_customers", ["day", "customer_id"], ["calls", "cost_nano"]);

    private static readonly Statement ActivityStatement = new("""
        INSERT INTO llm_activity (customer_id, feature_code, last_day) VALUES (@customer, @feature, @day)
        ON CONFLICT (customer_id, feature_code) DO UPDATE SET last_day = excluded.last_day WHERE llm_activity.last_day < excluded.last_day
        """, ("customer", DbType.String), ("feature", DbType.String), ("day", DbType.String));

    private const string ActivityMany = """
        INSERT INTO llm_activity (customer_id, feature_code, last_day)
        SELECT customer, feature, day FROM unnest(@customers::text[], @features::text[], @days::text[]) WITH ORDINALITY AS v(customer, feature, day, i)
        ORDER BY i
        ON CONFLICT (customer_id, feature_code) DO UPDATE SET last_day = excluded.last_day WHERE llm_activity.last_day < excluded.last_day
        """;

    private readonly Dictionary<RollupKey, long[]> _rows = [];

    public void Add(string day, string customer, string? feature, string model, string? plan, LlmUsage u, long cost, bool unpriced) =>
        Add(new RollupKey(customer, day, feature ?? "", model, plan ?? ""),
            [1, u.InputTokens, u.OutputTokens, u.CachedInputTokens, u.CacheWriteTokens, u.ReasoningTokens, u.Requests, u.Images, cost, unpriced ? 1 : 0]);

    /// <summary>A correction (recompute): only the cost and the unpriced count change; calls and tokens stay.</summary>
    public void AddCorrection(RollupKey key, long cost, long unpriced) => Add(key, [0, 0, 0, 0, 0, 0, 0, 0, cost, unpriced]);

    /// <summary>What this node already committed to <c>llm_activity</c>; the calls' store sets it, a recompute leaves it unset.</summary>
    public LlmActivityMemo? Activity { get; set; }

    public Task FlushAsync(SqlScope scope) => FlushAsync(scope, batch: null);

    // Every write adds to a rollup and none is read back: on PostgreSQL they all go with the batch's COMMIT.
    bool IBatchAggregate.WritesAtCommit => true;

    Task IBatchAggregate.FlushAsync(BatchScope scope) => FlushAsync(scope, scope);

    private async Task FlushAsync(SqlScope scope, BatchScope? batch)
    {
        await Detail.WriteAsync(scope, _rows.Select(r => Row([r.Key.Customer, r.Key.Day, r.Key.Feature, r.Key.Model, r.Key.Plan], r.Value)));
        await Customers.WriteAsync(scope, _rows.GroupBy(r => (r.Key.Day, r.Key.Customer))
            .Select(g => Row([g.Key.Day, g.Key.Customer], [g.Sum(r => r.Value[Calls]), g.Sum(r => r.Value[Cost])])));
        if (batch is not null)
        {
            await WriteActivityAsync(batch);
        }

        // Last: every batch writes these few rows shared by all customers, so they are held from here to the commit only.
        await Totals.WriteAsync(scope, _rows.GroupBy(r => (r.Key.Day, r.Key.Feature, r.Key.Model, r.Key.Plan))
            .Select(g => Row([g.Key.Day, g.Key.Feature, g.Key.Model, g.Key.Plan], Sum(g.Select(r => r.Value)))));
    }

    // Each customer's latest day, per feature and for any feature. Most calls come from customers already seen today:
    // those this node committed are left out, and the rest change a row only when its day moves on.
    private async Task WriteActivityAsync(BatchScope scope)
    {
        var days = new Dictionary<(string Customer, string Feature), string>();
        foreach (var (key, sums) in _rows)
        {
            if (sums[Calls] > 0)
            {
                foreach (var feature in (ReadOnlySpan<string>)[key.Feature, LlmStatsQueries.AnyFeature])
                {
                    if (!days.TryGetValue((key.Customer, feature), out var day) || string.CompareOrdinal(key.Day, day) > 0)
                    {
                        days[(key.Customer, feature)] = key.Day;
                    }
                }
            }
        }

        var latest = days.Where(d => Activity?.Holds(d.Key.Customer, d.Key.Feature, d.Value) != true)
            .Select(d => (d.Key.Customer, d.Key.Feature, Day: d.Value))
            .OrderBy(a => a.Customer, StringComparer.Ordinal).ThenBy(a => a.Feature, StringComparer.Ordinal).ToArray();
        if (latest.Length == 0)
        {
            return;
        }

        if (scope.BatchesRows)
        {
            await scope.WriteRowsAsync(ActivityMany, ("customers", latest.Select(a => a.Customer).ToArray()),
                ("features", latest.Select(a => a.Feature).ToArray()), ("days", latest.Select(a => a.Day).ToArray()));
        }
        else
        {
            foreach (var (customer, feature, day) in latest)
            {
                await scope.ExecuteAsync(ActivityStatement, customer, feature, day);
            }
        }

        if (Activity is { } memo)
        {
            scope.AfterCommit(() => memo.Committed(latest));
        }
    }

    private void Add(RollupKey key, long[] add)
    {
        if (!_rows.TryGetValue(key, out var sums))
        {
            _rows[key] = sums = new long[Sums.Length];
        }

        for (var i = 0; i < add.Length; i++)
        {
            sums[i] += add[i];
        }
    }

    private static long[] Sum(IEnumerable<long[]> rows)
    {
        var total = new long[Sums.Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < total.Length; i++)
            {
                total[i] += row[i];
            }
        }

        return total;
    }

    private static object?[] Row(string[] keys, long[] sums)
    {
        var row = new object?[keys.Length + sums.Length];
        keys.CopyTo(row, 0);
        for (var i = 0; i < sums.Length; i++)
        {
            row[keys.Length + i] = sums[i];
        }

        return row;
    }
}

/// <summary>The grouping of a call in the rollups.</summary>
internal sealed record RollupKey(string Customer, string Day, string Feature, string Model, string Plan);

/// <summary>
/// The latest day this node committed to <c>llm_activity</c> per customer and feature. A row there only moves forward and
/// nothing deletes it (an erased customer keeps its id, as its calls do), so a day at or before the remembered one would
/// change nothing and need not be sent. Another node's later day is not known here; the conditional update keeps the
/// later one either way. Whatever comes to delete rows there must start this memo again.
/// </summary>
internal sealed class LlmActivityMemo
{
    // About 100 bytes an entry: past this many the memo starts again rather than grow with the customer count.
    private const int Capacity = 200_000;

    private readonly ConcurrentDictionary<(string Customer, string Feature), string> _days = new();

    public bool Holds(string customer, string feature, string day) =>
        _days.TryGetValue((customer, feature), out var known) && string.CompareOrdinal(known, day) >= 0;

    public void Committed(IEnumerable<(string Customer, string Feature, string Day)> rows)
    {
        if (_days.Count > Capacity)
        {
            _days.Clear();
        }

        foreach (var (customer, feature, day) in rows)
        {
            _days.AddOrUpdate((customer, feature), day, (_, known) => string.CompareOrdinal(known, day) >= 0 ? known : day);
        }
    }
}
