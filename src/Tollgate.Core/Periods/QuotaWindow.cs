using Tollgate.Core.Catalog;

namespace Tollgate.Core.Periods;

/// <summary>
/// The window a quota counts in. Day and week windows start at 00:00 UTC (weeks on Monday). Month and year windows
/// are anchored on the subscription's anchor and clamped to month end, as billing periods are; a month window also
/// ends where the billing period ends, so a trial or a plan change never shares a window with what follows it.
/// Customers without a subscription count in calendar months and years. Calendar windows are UTC months and years for
/// everyone, so a customer who changes plan mid-month keeps counting in the same window (one counter per month, as a
/// hand-written "YYYY-MM" usage key does).
/// </summary>
public static class QuotaWindow
{
    /// <summary>The end of a window that never resets: later than any instant Tollgate stores.</summary>
    public static readonly DateTimeOffset NeverEnds = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    public static BillingPeriod Containing(QuotaReset reset, DateTimeOffset? anchor, BillingPeriod billingPeriod, DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return reset switch
        {
            QuotaReset.Day => Days(utc, 1),
            QuotaReset.Week => Days(utc.AddDays(-(((int)utc.DayOfWeek + 6) % 7)), 7),
            QuotaReset.Month => Intersect(anchor is { } a ? BillingPeriod.Containing(a, 1, utc) : BillingPeriod.CalendarMonth(utc), billingPeriod),
            QuotaReset.Year => anchor is { } y ? BillingPeriod.Containing(y, 12, utc) : CalendarYear(utc),
            QuotaReset.Never => new BillingPeriod(DateTimeOffset.UnixEpoch, NeverEnds),
            QuotaReset.CalendarMonth => BillingPeriod.CalendarMonth(utc),
            QuotaReset.CalendarYear => CalendarYear(utc),
            _ => billingPeriod,
        };
    }

    /// <summary>
    /// Whether the customer held the terms in the window right before <paramref name="window"/>: a window anchored on the
    /// subscription follows one unless it is the first since the <paramref name="anchor"/>; any other (day, week, or a
    /// calendar window) unless it holds <paramref name="since"/>, the subscription's start or the
    /// customer's creation. The first window has nothing before it that an idle window could carry.
    /// </summary>
    public static bool FollowsAHeldWindow(QuotaReset reset, BillingPeriod window, DateTimeOffset? anchor, DateTimeOffset since) => reset switch
    {
        QuotaReset.Never => false,
        QuotaReset.Day or QuotaReset.Week or QuotaReset.CalendarMonth or QuotaReset.CalendarYear => since < window.Start,
        _ when anchor is { } a => window.Start > a,
        _ => since < window.Start,
    };

    /// <summary>Whether the window has an end at all; a lifetime allowance has none.</summary>
    public static bool Resets(BillingPeriod window) => window.End < NeverEnds;

    /// <summary>The fixed rate-limit window holding the instant, aligned to the Unix epoch.</summary>
    public static BillingPeriod RateWindow(RateLimit rate, DateTimeOffset instant)
    {
        var size = (long)rate.Window.TotalMilliseconds;
        var ms = instant.ToUnixTimeMilliseconds();
        var start = ms - (((ms % size) + size) % size);
        return new BillingPeriod(DateTimeOffset.FromUnixTimeMilliseconds(start), DateTimeOffset.FromUnixTimeMilliseconds(start + size));
    }

    private static BillingPeriod Days(DateTimeOffset day, int count)
    {
        var start = new DateTimeOffset(day.Year, day.Month, day.Day, 0, 0, 0, TimeSpan.Zero);
        return new BillingPeriod(start, start.AddDays(count));
    }

    private static BillingPeriod CalendarYear(DateTimeOffset utc)
    {
        var start = new DateTimeOffset(utc.Year, 1, 1, 0, 0, 0, TimeSpan.Zero);
        return new BillingPeriod(start, start.AddYears(1));
    }

    private static BillingPeriod Intersect(BillingPeriod window, BillingPeriod period) =>
        window.End <= period.Start || window.Start >= period.End
            ? window
            : new BillingPeriod(window.Start > period.Start ? window.Start : period.Start, window.End < period.End ? window.End : period.End);
}
