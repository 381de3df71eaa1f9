namespace Tollgate.Core.Llm;

/// <summary>LLM costs are integer nano-USD (1e-9 USD) so sums in SQL are exact; decimal only at the edge.</summary>
public static class NanoUsdAmount
{
    public const long PerUsd = 1_000_000_000;

    public static decimal ToUsd(long nanoUsd) => nanoUsd / (decimal)PerUsd;

    public static bool TryFromUsd(decimal usd, out long nanoUsd)
    {
        nanoUsd = 0;
        if (usd > long.MaxValue / PerUsd || usd < long.MinValue / PerUsd)
        {
            return false; // checked before scaling: a decimal up to 7.9e28 would overflow the multiplication itself
        }

        var scaled = usd * PerUsd;
        if (scaled != decimal.Truncate(scaled))
        {
            return false;
        }

        nanoUsd = (long)scaled;
        return true;
    }
}
