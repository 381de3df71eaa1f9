using System.Text.Json.Serialization;

namespace Tollgate.Server.OpenApi.Bodies;

// Price tables are read field by field (Core/Llm/PriceDocument.cs); these records describe them to OpenAPI.

/// <summary>A model price in Tollgate's shape, in USD per million tokens (or per request or image).</summary>
/// <param name="Model">The model, such as gpt-4o-2024-08-06; a dated version falls back to its undated name.</param>
/// <param name="Pattern">A glob over model names this price also covers.</param>
/// <param name="Provider">openai, anthropic, …</param>
/// <param name="EffectiveFrom">When it starts to apply (default now); calls are priced at the price in effect at their time.</param>
/// <param name="Input">USD per million input tokens.</param>
/// <param name="Output">USD per million output tokens.</param>
/// <param name="CachedInput">USD per million cached input tokens.</param>
/// <param name="CacheWrite">USD per million cache-write tokens.</param>
/// <param name="Reasoning">USD per million reasoning tokens.</param>
/// <param name="Request">USD per request.</param>
/// <param name="Image">USD per image.</param>
/// <param name="Tier">Prices that apply above a prompt size.</param>
/// <param name="Source">Where the price came from.</param>
/// <param name="CacheWrite1h">USD per million tokens written to the cache for an hour (by default the cache-write price).</param>
public sealed record ModelPriceBody(
    string Model,
    string? Pattern = null,
    string? Provider = null,
    DateTimeOffset? EffectiveFrom = null,
    decimal? Input = null,
    decimal? Output = null,
    decimal? CachedInput = null,
    decimal? CacheWrite = null,
    decimal? Reasoning = null,
    decimal? Request = null,
    decimal? Image = null,
    PriceTierBody? Tier = null,
    string? Source = null,
    [property: JsonPropertyName("cache_write_1h")] decimal? CacheWrite1h = null);

/// <summary>Prices above a prompt size.</summary>
/// <param name="AboveInputTokens">The prompt size in tokens above which these apply.</param>
/// <param name="Input">USD per million input tokens.</param>
/// <param name="Output">USD per million output tokens.</param>
/// <param name="CachedInput">USD per million cached input tokens.</param>
/// <param name="CacheWrite">USD per million cache-write tokens.</param>
/// <param name="CacheWrite1h">USD per million tokens written to the cache for an hour.</param>
public sealed record PriceTierBody(
    long AboveInputTokens, decimal? Input = null, decimal? Output = null, decimal? CachedInput = null, decimal? CacheWrite = null,
    [property: JsonPropertyName("cache_write_1h")] decimal? CacheWrite1h = null);

/// <summary>A price table in Tollgate's shape.</summary>
/// <param name="Prices">The prices, at most 10,000.</param>
/// <param name="Note">Free text, ignored.</param>
public sealed record PriceTableBody(IReadOnlyList<ModelPriceBody> Prices, string? Note = null);

/// <summary>One model in LiteLLM's model_prices_and_context_window.json (USD per token); other fields are ignored.</summary>
/// <param name="InputCostPerToken">USD per input token.</param>
/// <param name="OutputCostPerToken">USD per output token.</param>
/// <param name="CacheReadInputTokenCost">USD per cached input token.</param>
/// <param name="CacheCreationInputTokenCost">USD per cache-write token.</param>
/// <param name="OutputCostPerReasoningToken">USD per reasoning token.</param>
/// <param name="InputCostPerRequest">USD per request (input_cost_per_query is read too).</param>
/// <param name="OutputCostPerImage">USD per image.</param>
/// <param name="LitellmProvider">The provider.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record LiteLlmModelBody(
    decimal? InputCostPerToken = null,
    decimal? OutputCostPerToken = null,
    decimal? CacheReadInputTokenCost = null,
    decimal? CacheCreationInputTokenCost = null,
    decimal? OutputCostPerReasoningToken = null,
    decimal? InputCostPerRequest = null,
    decimal? OutputCostPerImage = null,
    string? LitellmProvider = null);
