using Tollgate.Core.Catalog;

namespace Tollgate.Core.Periods;

/// <summary>A half-open interval [Start, End) of UTC instants.</summary>
public sealed record BillingPeriod(DateTimeOffset Start, DateTimeOffset End)
{
    public TimeSpan Length => End - Start;

    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;

    /// <summary>
    /// The anniversary period holding <paramref name="instant"/>: period n starts at anchor + n months, clamped to
    /// month end (Jan 31 → Feb 29 → Mar 31), and is never derived from the previous end, so clamping never drifts.
    /// </summary>
    public static BillingPeriod Containing(DateTimeOffset anchor, BillingInterval interval, DateTimeOffset instant) =>
        Containing(anchor, interval.Months(), instant);

    public static BillingPeriod Containing(DateTimeOffset anchor, int monthsPerPeriod, DateTimeOffset instant)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(monthsPerPeriod);
        anchor = anchor.ToUniversalTime();
        instant = instant.ToUniversalTime();
        var monthsApart = ((instant.Year - anchor.Year) * 12) + instant.Month - anchor.Month;
        var n = FloorDiv(monthsApart, monthsPerPeriod);
        while (Nth(anchor, monthsPerPeriod, n) > instant)
        {
            n--;
        }

        while (Nth(anchor, monthsPerPeriod, n + 1) <= instant)
        {
            n++;
        }

        return new BillingPeriod(Nth(anchor, monthsPerPeriod, n), Nth(anchor, monthsPerPeriod, n + 1));
    }

    /// <summary>The n-th anniversary period after the anchor (n = 0 is the first).</summary>
    public static BillingPeriod Nth(DateTimeOffset anchor, BillingInterval interval, int n) =>
        new(Nth(anchor.ToUniversalTime(), interval.Months(), n), Nth(anchor.ToUniversalTime(), interval.Months(), n + 1));

    /// <summary>The UTC calendar month holding the instant; customers on a free plan without a subscription use these.</summary>
    public static BillingPeriod CalendarMonth(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        var start = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return new BillingPeriod(start, start.AddMonths(1));
    }

    private static DateTimeOffset Nth(DateTimeOffset anchor, int monthsPerPeriod, int n) => anchor.AddMonths(n * monthsPerPeriod);

    private static int FloorDiv(int a, int b) => (a / b) - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}
