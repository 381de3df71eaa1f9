namespace Tollgate.Server.Clock;

/// <summary>Bound from Tollgate:TestClock. When enabled, time moves only through the clock endpoints.</summary>
public sealed class TestClockOptions
{
    public const string Section = "Tollgate:TestClock";

    public bool Enabled { get; set; }

    /// <summary>The instant the clock starts at (ISO 8601 with an offset); the real time when empty.</summary>
    public string? Start { get; set; }
}
