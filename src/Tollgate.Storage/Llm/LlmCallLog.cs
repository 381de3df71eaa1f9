using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Llm;

/// <summary>One logged model call as stored: tokens, the cost and price snapshotted at logging, the plan it was on.</summary>
public sealed record LoggedLlmCall(
    string CustomerId, string RequestId, string? FeatureCode, string Model, string? Provider, string? PriceId, long InputTokens, long OutputTokens,
    long CachedInputTokens, long CacheWriteTokens, long ReasoningTokens, long Requests, long Images, long CostNano, bool Unpriced, string? PlanCode,
    string? PlanVersionId, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt, string? MetadataJson);

/// <summary>What the call log is filtered by; each part is optional. From and To bound occurred_at, To exclusive.</summary>
public sealed record LlmCallFilter(
    string? Customer = null, string? Feature = null, string? Model = null, string? Provider = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>The LLM call log, newest first, a page at a time by keyset on (occurred_at, customer and request id).</summary>
public sealed class LlmCallLog(TollgateDatabase database)
{
    // Ids never hold a space (they are checked), so this joins customer and request id into one unique tie-breaker on both stores.
    private const string CallId = "customer_id || ' ' || request_id";

    public Task<Page<LoggedLlmCall>> PageAsync(LlmCallFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new DynamicParameters(new
        {
            filter.Customer, filter.Feature, filter.Model, filter.Provider, from = filter.From?.ToUnixTimeMilliseconds(),
            to = filter.To?.ToUnixTimeMilliseconds(),
        });
        Keyset.Bind(parameters, page);
        var where = new List<string> { Keyset.After(page, "occurred_at", CallId, descending: true) };
        where.AddRange(new[]
        {
            filter.Customer is null ? null : "customer_id = @Customer", filter.Feature is null ? null : "feature_code = @Feature",
            filter.Model is null ? null : "model = @Model", filter.Provider is null ? null : "provider = @Provider",
            filter.From is null ? null : "occurred_at >= @from", filter.To is null ? null : "occurred_at < @to",
        }.OfType<string>());
        var sql = $"""
            SELECT customer_id, request_id, feature_code, model, provider, price_id, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens,
                reasoning_tokens, requests, images, cost_nano, unpriced, plan_code, plan_version_id, occurred_at, received_at, metadata_json
            FROM llm_calls WHERE {string.Join(" AND ", where)} {Keyset.OrderBy("occurred_at", CallId, descending: true)} LIMIT @page_limit
            """;
        return database.ReadAsync(async c => Keyset.Cut((await c.QueryAsync<Row>(new CommandDefinition(sql, parameters,
            cancellationToken: cancellationToken))).ToList(), page, r => new Cursor(r.OccurredAt, r.CustomerId + " " + r.RequestId)).Select(r => r.ToDomain()),
            cancellationToken);
    }

    private sealed class Row
    {
        public string CustomerId { get; set; } = "";
        public string RequestId { get; set; } = "";
        public string? FeatureCode { get; set; }
        public string Model { get; set; } = "";
        public string? Provider { get; set; }
        public string? PriceId { get; set; }
        public long InputTokens { get; set; }
        public long OutputTokens { get; set; }
        public long CachedInputTokens { get; set; }
        public long CacheWriteTokens { get; set; }
        public long ReasoningTokens { get; set; }
        public long Requests { get; set; }
        public long Images { get; set; }
        public long CostNano { get; set; }
        public bool Unpriced { get; set; }
        public string? PlanCode { get; set; }
        public string? PlanVersionId { get; set; }
        public long OccurredAt { get; set; }
        public long ReceivedAt { get; set; }
        public string? MetadataJson { get; set; }

        public LoggedLlmCall ToDomain() => new(CustomerId, RequestId, FeatureCode, Model, Provider, PriceId, InputTokens, OutputTokens, CachedInputTokens,
            CacheWriteTokens, ReasoningTokens, Requests, Images, CostNano, Unpriced, PlanCode, PlanVersionId, DateTimeOffset.FromUnixTimeMilliseconds(OccurredAt),
            DateTimeOffset.FromUnixTimeMilliseconds(ReceivedAt), MetadataJson);
    }
}
