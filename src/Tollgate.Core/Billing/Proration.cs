using Tollgate.Core.Money;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Billing;

/// <summary>Proration by the second, each line rounded once, half away from zero (Stripe's granularity).</summary>
public static class Proration
{
    /// <summary>The share of <paramref name="price"/> for the part of <paramref name="period"/> from <paramref name="from"/> to its end.</summary>
    public static long Remaining(long price, BillingPeriod period, DateTimeOffset from)
    {
        var total = (long)(period.End - period.Start).TotalSeconds;
        var left = (long)(period.End - Clamp(from, period)).TotalSeconds;
        return total <= 0 ? 0 : Rounding.DivideHalfUp((Int128)price * left, total);
    }

    /// <summary>The share of <paramref name="price"/> for the part of <paramref name="period"/> before <paramref name="until"/>.</summary>
    public static long Used(long price, BillingPeriod period, DateTimeOffset until)
    {
        var total = (long)(period.End - period.Start).TotalSeconds;
        var used = (long)(Clamp(until, period) - period.Start).TotalSeconds;
        return total <= 0 ? 0 : Rounding.DivideHalfUp((Int128)price * used, total);
    }

    private static DateTimeOffset Clamp(DateTimeOffset at, BillingPeriod period) =>
        at < period.Start ? period.Start : at > period.End ? period.End : at;
}
