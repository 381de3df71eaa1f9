namespace Tollgate.Core.Llm;

/// <summary>Prices a call exactly in nano-USD, rounding once at the end (half-up).</summary>
public static class LlmCost
{
    private const long TokensPerPrice = 1_000_000;

    /// <summary>
    /// The most one call may cost: $1,000,000. Past it a call is refused, not logged, so a spend counter (a sum of calls in
    /// 64 bits of nano-USD) cannot wrap around or fail its check mid-batch, as 10^10 tokens at $1 a token made it do.
    /// </summary>
    public const long MaxCallNano = 1_000_000_000_000_000;

    /// <summary>The call's cost, or null when it is more than <see cref="MaxCallNano"/>.</summary>
    public static long? Within(ModelPrice price, LlmUsage usage) => Exact(price, usage) is var cost && cost <= MaxCallNano ? (long)cost : null;

    /// <summary>The call's cost; an OverflowException past 64 bits.</summary>
    public static long Compute(ModelPrice price, LlmUsage usage) => checked((long)Exact(price, usage));

    private static Int128 Exact(ModelPrice price, LlmUsage usage)
    {
        var tier = price.Tier is { } t && usage.PromptTokens > t.ThresholdTokens ? t : null;
        var input = tier?.InputNano ?? price.InputNano ?? 0;
        var output = tier?.OutputNano ?? price.OutputNano ?? 0;
        // A missing cache or reasoning price means no discount: cache reads and writes bill as input, reasoning as output.
        var cached = tier?.CachedInputNano ?? price.CachedInputNano ?? input;
        var cacheWrite = tier?.CacheWriteNano ?? price.CacheWriteNano ?? input;
        // An hour's write costs what the row says, and never less than the five-minute write that applies: a long prompt
        // on a tier with no hour rate of its own (LiteLLM's claude-sonnet-4 has none above 200k) takes the tier's write.
        var hourWrite = tier?.CacheWrite1hNano ?? Math.Max(price.CacheWrite1hNano ?? cacheWrite, cacheWrite);
        // A part of the writes, never more (the API refuses more; a caller of this class may not), so no term is below 0.
        var hourTokens = Math.Clamp(usage.CacheWrite1hTokens, 0, usage.CacheWriteTokens);
        var reasoning = price.ReasoningNano ?? output;
        Int128 perMillion = (Int128)usage.InputTokens * input + (Int128)usage.OutputTokens * output + (Int128)usage.CachedInputTokens * cached
            + (Int128)(usage.CacheWriteTokens - hourTokens) * cacheWrite + (Int128)hourTokens * hourWrite
            + (Int128)usage.ReasoningTokens * reasoning;
        // Every part is at least 0, so half-up is adding half the divisor; in 128 bits, as Rounding's long result could wrap.
        var tokens = (perMillion + (TokensPerPrice / 2)) / TokensPerPrice;
        return tokens + ((Int128)usage.Requests * (price.RequestNano ?? 0)) + ((Int128)usage.Images * (price.ImageNano ?? 0));
    }
}
