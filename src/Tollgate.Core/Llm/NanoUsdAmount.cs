namespace Tollgate.Core.Llm;

/// <summary>LLM costs are integer nano-USD (1e-9 USD) so sums in SQL are exact; decimal only at the edge.</summary>
public static class NanoUsdAmount
{
    public const long PerUsd = 1_000_000_000;

    public static decimal ToUsd(long nanoUsd) => nanoUsd / (decimal)PerUsd;

    public static bool TryFromUsd(decimal usd, out long nanoUsd)
    {
        var scaled = usd * PerUsd;
        nanoUsd = 0;
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue || scaled < long.MinValue)
        {
            return false;
        }

        nanoUsd = (long)scaled;
        return true;
    }
}
