namespace Tollgate.Core.Billing;

/// <summary>An invoiced amount and the service period it pays for.</summary>
public sealed record RevenueLine(string CustomerId, string? PlanCode, long AmountCents, DateTimeOffset Start, DateTimeOffset End);

/// <summary>
/// Recognizes invoiced amounts evenly over their service periods, to the millisecond: a $30 month billed in advance is
/// revenue of about a dollar a day, and a proration credit takes back its share of the days it covers.
/// </summary>
public static class RevenueRecognition
{
    /// <summary>Each line's share of [from, to), in minor units (exact as a decimal fraction).</summary>
    public static decimal Share(RevenueLine line, DateTimeOffset from, DateTimeOffset to)
    {
        var length = (line.End - line.Start).Ticks;
        var start = line.Start > from ? line.Start : from;
        var end = line.End < to ? line.End : to;
        return length <= 0 || end <= start ? 0 : line.AmountCents * ((decimal)(end - start).Ticks / length);
    }

    /// <summary>Revenue per UTC day of [firstDay, firstDay + days), none of it after <paramref name="until"/> (a day not over yet counts up to now).</summary>
    public static decimal[] Daily(IEnumerable<RevenueLine> lines, DateTimeOffset firstDay, int days, DateTimeOffset? until = null)
    {
        var last = until ?? DateTimeOffset.MaxValue;
        var result = new decimal[days];
        foreach (var line in lines)
        {
            for (var d = 0; d < days; d++)
            {
                var end = firstDay.AddDays(d + 1);
                result[d] += Share(line, firstDay.AddDays(d), end < last ? end : last);
            }
        }

        return result;
    }
}
