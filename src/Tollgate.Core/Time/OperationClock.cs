namespace Tollgate.Core.Time;

/// <summary>
/// A clock stopped at the one instant an operation works at. Its writers read it instead of the real clock, so a
/// subscription, its discount and its first invoice share one instant however long the transaction takes: two readings
/// a few milliseconds apart once left a discount starting after the period it was meant to discount.
/// </summary>
public sealed class OperationClock(DateTimeOffset instant) : TimeProvider
{
    public DateTimeOffset Instant => instant;

    public override DateTimeOffset GetUtcNow() => instant;

    /// <summary>Reads <paramref name="time"/> once, for an operation that starts now.</summary>
    public static OperationClock Now(TimeProvider time) => time as OperationClock ?? new OperationClock(time.GetUtcNow());
}
