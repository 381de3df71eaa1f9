namespace Tollgate.Server.Clock;

/// <summary>Bound from Tollgate:TestClock. When enabled, time moves only through the clock endpoints.</summary>
public sealed class TestClockOptions
{
    public const string Section = "Tollgate:TestClock";

    public bool Enabled { get; set; }

    /// <summary>The instant the clock starts at (ISO 8601 with an offset); the real time when empty.</summary>
    public string? Start { get; set; }

    /// <summary>
    /// The clock also moves on its own between advances, with the wall time and by at least a millisecond per reading,
    /// as a real clock does: for tests that must not pass only because time stood still.
    /// </summary>
    public bool Ticking { get; set; }
}
