using Tollgate.Contracts;
using Tollgate.Core.Llm;

namespace Tollgate.Server.Llm;

/// <summary>Prices and costs on the wire: USD per million tokens and USD, from exact nano-USD integers.</summary>
public static class LlmMapper
{
    public static decimal? Usd(long? nano) => nano is { } n ? NanoUsdAmount.ToUsd(n) : null;

    public static decimal Usd(long nano) => NanoUsdAmount.ToUsd(nano);

    public static ModelPriceResponse ToWire(ModelPrice p) => new(
        p.Id, p.Model, p.Pattern, p.Provider, p.EffectiveFrom, Usd(p.InputNano), Usd(p.OutputNano), Usd(p.CachedInputNano), Usd(p.CacheWriteNano),
        Usd(p.ReasoningNano), Usd(p.RequestNano), Usd(p.ImageNano),
        p.Tier is { } t
            ? new PriceTierResponse(t.ThresholdTokens, Usd(t.InputNano), Usd(t.OutputNano), Usd(t.CachedInputNano), Usd(t.CacheWriteNano), Usd(t.CacheWrite1hNano))
            : null,
        p.Source, Usd(p.CacheWrite1hNano));

    public static LlmCallResponse ToWire(LlmCallResult r) => new(
        r.RequestId, r.Status == LlmCallStatus.Duplicate ? "duplicate" : "accepted", Usd(r.CostNano), r.CostNano, r.Unpriced, r.PriceId, r.Plan);
}
