namespace Tollgate.Server.Entitlements;

/// <summary>Bound from Tollgate:Events.</summary>
public sealed class EventOptions
{
    /// <summary>
    /// Days after a quota window closes in which an event dated inside it is still accepted (and re-rated on the next
    /// invoice when the window was invoiced); later is 400 event_too_late.
    /// </summary>
    public int LateDays { get; set; } = 7;

    public TimeSpan Late => TimeSpan.FromDays(LateDays);
}
