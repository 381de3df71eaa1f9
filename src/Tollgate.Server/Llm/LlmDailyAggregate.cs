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

    private static readonly Statement Activity = new("""
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

    public Task FlushAsync(SqlScope scope) => FlushAsync(scope, activity: false);

    // Every write adds to a rollup and none is read back: on PostgreSQL they all go with the batch's COMMIT.
    bool IBatchAggregate.WritesAtCommit => true;

    Task IBatchAggregate.FlushAsync(BatchScope scope) => FlushAsync(scope, activity: true);

    private async Task FlushAsync(SqlScope scope, bool activity)
    {
        await Detail.WriteAsync(scope, _rows.Select(r => Row([r.Key.Customer, r.Key.Day, r.Key.Feature, r.Key.Model, r.Key.Plan], r.Value)));
        await Customers.WriteAsync(scope, _rows.GroupBy(r => (r.Key.Day, r.Key.Customer))
            .Select(g => Row([g.Key.Day, g.Key.Customer], [g.Sum(r => r.Value[Calls]), g.Sum(r => r.Value[Cost])])));
        if (activity)
        {
            // Most calls come from customers already seen today: the conditional update then changes (and dirties) nothing.
            var latest = _rows.Where(r => r.Value[Calls] > 0)
                .SelectMany(r => new[] { (r.Key.Customer, r.Key.Feature, r.Key.Day), (r.Key.Customer, Feature: LlmStatsQueries.AnyFeature, r.Key.Day) })
                .GroupBy(a => (a.Customer, a.Feature)).Select(g => (g.Key.Customer, g.Key.Feature, Day: g.Select(a => a.Day).Max(StringComparer.Ordinal)!))
                .OrderBy(a => a.Customer, StringComparer.Ordinal).ThenBy(a => a.Feature, StringComparer.Ordinal).ToArray();
            if (scope.BatchesRows && latest.Length > 0)
            {
                await scope.WriteRowsAsync(ActivityMany, ("customers", latest.Select(a => a.Customer).ToArray()),
                    ("features", latest.Select(a => a.Feature).ToArray()), ("days", latest.Select(a => a.Day).ToArray()));
            }
            else
            {
                foreach (var (customer, feature, day) in latest)
                {
                    await scope.ExecuteAsync(Activity, customer, feature, day);
                }
            }
        }

        // Last: every batch writes these few rows shared by all customers, so they are held from here to the commit only.
        await Totals.WriteAsync(scope, _rows.GroupBy(r => (r.Key.Day, r.Key.Feature, r.Key.Model, r.Key.Plan))
            .Select(g => Row([g.Key.Day, g.Key.Feature, g.Key.Model, g.Key.Plan], Sum(g.Select(r => r.Value)))));
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

    private static object?[] Row(string[] keys, long[] sums) => [.. keys, .. sums.Cast<object?>()];
}

/// <summary>The grouping of a call in the rollups.</summary>
internal sealed record RollupKey(string Customer, string Day, string Feature, string Model, string Plan);
