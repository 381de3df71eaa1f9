using Tollgate.Core.Money;

namespace Tollgate.Core.Llm;

/// <summary>Prices a call exactly in nano-USD, rounding once at the end (half-up).</summary>
public static class LlmCost
{
    private const long TokensPerPrice = 1_000_000;

    public static long Compute(ModelPrice price, LlmUsage usage)
    {
        var tier = price.Tier is { } t && usage.PromptTokens > t.ThresholdTokens ? t : null;
        var input = tier?.InputNano ?? price.InputNano ?? 0;
        var output = tier?.OutputNano ?? price.OutputNano ?? 0;
        // A missing cache or reasoning price means no discount: cache reads and writes bill as input, reasoning as output.
        var cached = tier?.CachedInputNano ?? price.CachedInputNano ?? input;
        var cacheWrite = tier?.CacheWriteNano ?? price.CacheWriteNano ?? input;
        var reasoning = price.ReasoningNano ?? output;
        Int128 perMillion = (Int128)usage.InputTokens * input + (Int128)usage.OutputTokens * output + (Int128)usage.CachedInputTokens * cached
            + (Int128)usage.CacheWriteTokens * cacheWrite + (Int128)usage.ReasoningTokens * reasoning;
        var tokens = Rounding.DivideHalfUp(perMillion, TokensPerPrice);
        return checked(tokens + (usage.Requests * (price.RequestNano ?? 0)) + (usage.Images * (price.ImageNano ?? 0)));
    }
}
