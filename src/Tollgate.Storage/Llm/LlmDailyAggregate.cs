using Tollgate.Core.Llm;
using Tollgate.Storage.Database;
using Tollgate.Storage.Usage;

namespace Tollgate.Storage.Llm;

/// <summary>A batch's calls summed per day, customer, feature, model and plan, written as one set of upserts.</summary>
internal sealed class LlmDailyAggregate : IBatchAggregate
{
    private static readonly RowUpsert Upsert = new("llm_daily", ["day", "customer_id", "feature_code", "model", "plan_code"],
        ["calls", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "reasoning_tokens", "requests", "images", "cost_nano",
            "unpriced_calls"]);

    private readonly Dictionary<(string Day, string Customer, string Feature, string Model, string Plan), long[]> _rows = [];

    public void Add(string day, string customer, string? feature, string model, string? plan, LlmUsage u, long cost, bool unpriced)
    {
        var key = (day, customer, feature ?? "", model, plan ?? "");
        if (!_rows.TryGetValue(key, out var sums))
        {
            _rows[key] = sums = new long[10];
        }

        long[] add = [1, u.InputTokens, u.OutputTokens, u.CachedInputTokens, u.CacheWriteTokens, u.ReasoningTokens, u.Requests, u.Images, cost, unpriced ? 1 : 0];
        for (var i = 0; i < add.Length; i++)
        {
            sums[i] += add[i];
        }
    }

    public Task FlushAsync(BatchScope scope) => Upsert.WriteAsync(scope, _rows.Select(r =>
        new object?[] { r.Key.Day, r.Key.Customer, r.Key.Feature, r.Key.Model, r.Key.Plan }.Concat(r.Value.Cast<object?>()).ToArray()));
}

/// <summary>Logged cost added to each customer's LLM budget counter once per batch.</summary>
internal sealed class LlmSpendAggregate : IBatchAggregate
{
    private readonly Dictionary<(string Customer, Core.Periods.BillingPeriod Period, long Budget), long> _spend = [];

    public void Add(string customer, Core.Periods.BillingPeriod period, long budget, long cost) =>
        _spend[(customer, period, budget)] = _spend.GetValueOrDefault((customer, period, budget)) + cost;

    public async Task FlushAsync(BatchScope scope)
    {
        foreach (var ((customer, period, budget), cost) in _spend.OrderBy(s => s.Key.Customer, StringComparer.Ordinal))
        {
            var grant = LlmBudget.Grant(budget);
            await Counters.EnsureAsync(scope, customer, LlmBudget.FeatureCode, period, grant);
            await Counters.TryAddAsync(scope, customer, LlmBudget.FeatureCode, period, grant with { HardCap = false }, cost, reserve: false);
        }
    }
}
