using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Llm;

/// <summary>A group of logged calls summed from the daily rollups.</summary>
public sealed record LlmGroup(
    string Key, long Calls, long InputTokens, long OutputTokens, long CachedInputTokens, long CacheWriteTokens, long ReasoningTokens, long Requests,
    long Images, long CostNano, long UnpricedCalls, long Customers);

/// <summary>Analytics over the daily rollups only: cost O(days × groups), whatever the number of calls.</summary>
public sealed class LlmStatsQueries(TollgateDatabase database)
{
    private static readonly string[] Dimensions = ["model", "feature_code", "day", "plan_code", "customer_id"];

    /// <summary>Sums per <paramref name="dimension"/> (model, feature_code, day, plan_code or customer_id) over [firstDay, lastDay].</summary>
    public Task<IReadOnlyList<LlmGroup>> GroupAsync(
        string dimension, string firstDay, string lastDay, string? customer = null, CancellationToken cancellationToken = default)
    {
        if (!Dimensions.Contains(dimension, StringComparer.Ordinal))
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "not a rollup dimension");
        }

        // Sums cast to BIGINT: PostgreSQL sums BIGINT into NUMERIC.
        string Sum(string column) => $"CAST(SUM({column}) AS BIGINT) AS {column}";
        return database.ReadAsync<IReadOnlyList<LlmGroup>>(async c => [.. (await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {dimension} AS group_key, {Sum("calls")}, {Sum("input_tokens")}, {Sum("output_tokens")}, {Sum("cached_input_tokens")},
                {Sum("cache_write_tokens")}, {Sum("reasoning_tokens")}, {Sum("requests")}, {Sum("images")}, {Sum("cost_nano")}, {Sum("unpriced_calls")},
                CAST(COUNT(DISTINCT customer_id) AS BIGINT) AS customers
            FROM llm_daily WHERE day >= @firstDay AND day <= @lastDay {(customer is null ? "" : "AND customer_id = @customer")}
            GROUP BY {dimension} ORDER BY {dimension}
            """, new { firstDay, lastDay, customer }, cancellationToken: cancellationToken))).Select(r => r.ToGroup())], cancellationToken);
    }

    /// <summary>Distinct customers with calls in the window.</summary>
    public Task<long> CustomersAsync(string firstDay, string lastDay, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT CAST(COUNT(DISTINCT customer_id) AS BIGINT) FROM llm_daily WHERE day >= @firstDay AND day <= @lastDay",
            new { firstDay, lastDay }, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Units used per feature (from the usage rollup) and by how many customers.</summary>
    public Task<IReadOnlyList<(string Feature, long Units, long Customers)>> FeatureUsageAsync(
        string firstDay, string lastDay, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<(string, long, long)>>(async c => [.. await c.QueryAsync<(string, long, long)>(new CommandDefinition(
            "SELECT feature_code, CAST(SUM(quantity) AS BIGINT), CAST(COUNT(DISTINCT customer_id) AS BIGINT) FROM usage_daily " +
            "WHERE day >= @firstDay AND day <= @lastDay GROUP BY feature_code",
            new { firstDay, lastDay }, cancellationToken: cancellationToken))], cancellationToken);

    private sealed class Row
    {
        public string GroupKey { get; set; } = "";
        public long Calls { get; set; }
        public long InputTokens { get; set; }
        public long OutputTokens { get; set; }
        public long CachedInputTokens { get; set; }
        public long CacheWriteTokens { get; set; }
        public long ReasoningTokens { get; set; }
        public long Requests { get; set; }
        public long Images { get; set; }
        public long CostNano { get; set; }
        public long UnpricedCalls { get; set; }
        public long Customers { get; set; }

        public LlmGroup ToGroup() => new(GroupKey, Calls, InputTokens, OutputTokens, CachedInputTokens, CacheWriteTokens, ReasoningTokens, Requests,
            Images, CostNano, UnpricedCalls, Customers);
    }
}
