using Tollgate.Core.Llm;

namespace Tollgate.Server.Llm;

/// <summary>One stored <c>llm_calls</c> row as Dapper maps it; the call log and the price recompute both read it.</summary>
internal sealed class LlmCallRow
{
    public const string Columns = """
        customer_id, request_id, feature_code, model, provider, price_id, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens,
            reasoning_tokens, requests, images, cost_nano, unpriced, plan_code, plan_version_id, occurred_at, received_at, metadata_json, member_id,
            cache_write_1h_tokens
        """;

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
    public long CacheWrite1hTokens { get; set; }
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
    public string? MemberId { get; set; }

    public LlmUsage Usage => new(InputTokens, OutputTokens, CachedInputTokens, CacheWriteTokens, ReasoningTokens, Requests, Images, CacheWrite1hTokens);

    public LoggedLlmCall ToDomain() => new(CustomerId, RequestId, FeatureCode, Model, Provider, PriceId, InputTokens, OutputTokens, CachedInputTokens,
        CacheWriteTokens, ReasoningTokens, Requests, Images, CostNano, Unpriced, PlanCode, PlanVersionId, DateTimeOffset.FromUnixTimeMilliseconds(OccurredAt),
        DateTimeOffset.FromUnixTimeMilliseconds(ReceivedAt), MetadataJson, MemberId, CacheWrite1hTokens);
}
