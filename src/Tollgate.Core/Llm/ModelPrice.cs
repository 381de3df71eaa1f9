namespace Tollgate.Core.Llm;

/// <summary>Rates for prompts above <see cref="ThresholdTokens"/> prompt tokens (Gemini 2.5 Pro, Claude Sonnet's long context).</summary>
public sealed record PriceTier(long ThresholdTokens, long? InputNano, long? OutputNano, long? CachedInputNano, long? CacheWriteNano,
    long? CacheWrite1hNano = null);

/// <summary>
/// One model's prices from <see cref="EffectiveFrom"/> on. Token prices are nano-USD per million tokens ($2.50 per
/// 1M = 2,500,000,000), so prices with up to nine decimals of dollars per million are exact; request and image prices
/// are nano-USD per unit. <see cref="CacheWrite1hNano"/> prices cache writes with a one-hour lifetime (Anthropic's
/// <c>ttl: "1h"</c>, twice the input rate where the five-minute write is 1.25 times it).
/// </summary>
public sealed record ModelPrice(
    string Id,
    string Model,
    string? Pattern,
    string Provider,
    DateTimeOffset EffectiveFrom,
    long? InputNano,
    long? OutputNano,
    long? CachedInputNano,
    long? CacheWriteNano,
    long? ReasoningNano,
    long? RequestNano,
    long? ImageNano,
    PriceTier? Tier,
    string? Source,
    long? CacheWrite1hNano = null)
{
    /// <summary>Whether two rows carry the same prices (so importing the same table twice adds nothing).</summary>
    public bool SamePricesAs(ModelPrice other) =>
        (InputNano, OutputNano, CachedInputNano, CacheWriteNano, CacheWrite1hNano, ReasoningNano, RequestNano, ImageNano, Tier, Pattern, Provider)
        == (other.InputNano, other.OutputNano, other.CachedInputNano, other.CacheWriteNano, other.CacheWrite1hNano, other.ReasoningNano, other.RequestNano,
            other.ImageNano, other.Tier, other.Pattern, other.Provider);
}

/// <summary>
/// What one call used, in disjoint counts: every token is in exactly one field. OpenAI's prompt_tokens include the
/// cached ones and completion_tokens the reasoning ones; subtract them first (the SDK does). The one exception is
/// <see cref="CacheWrite1hTokens"/>: how many of <see cref="CacheWriteTokens"/> were written for an hour, as Anthropic
/// reports <c>cache_creation.ephemeral_1h_input_tokens</c> within <c>cache_creation_input_tokens</c>.
/// </summary>
public sealed record LlmUsage(long InputTokens, long OutputTokens, long CachedInputTokens, long CacheWriteTokens, long ReasoningTokens,
    long Requests, long Images, long CacheWrite1hTokens = 0)
{
    public long PromptTokens => InputTokens + CachedInputTokens + CacheWriteTokens;
}
