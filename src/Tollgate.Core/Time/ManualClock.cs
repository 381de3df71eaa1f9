using System.Diagnostics;

namespace Tollgate.Core.Time;

/// <summary>
/// A clock that moves only when told to: the test clock of the server and of the tests. Timers created from it fire
/// when <see cref="Advance"/> passes their due time, in due order, so time-driven work runs deterministically.
/// </summary>
/// <remarks>
/// With <c>ticking</c> it also moves on its own, as a real clock does between two readings: with the wall time, and by at
/// least a millisecond (the stored resolution) per reading. A frozen clock hides code that reads the time twice in one
/// operation and compares the readings; the billing suites run a second time on a ticking one to expose it.
/// </remarks>
public sealed class ManualClock(DateTimeOffset start, bool ticking = false) : TimeProvider
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start.ToUniversalTime();
    private long _setAt = Stopwatch.GetTimestamp();
    private DateTimeOffset _lastRead = DateTimeOffset.MinValue;

    public bool Ticking => ticking;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return ReadLocked();
        }
    }

    // Under the lock: the frozen instant, or for a ticking clock the wall time since the last set, never read twice.
    private DateTimeOffset ReadLocked()
    {
        if (!ticking)
        {
            return _now;
        }

        var wall = _now + Stopwatch.GetElapsedTime(_setAt);
        var next = wall > _lastRead + Step ? wall : _lastRead + Step;
        _lastRead = next;
        return next;
    }

    // Sets the instant the clock reads from now on (under the lock); a ticking clock still never repeats a reading.
    private void SetLocked(DateTimeOffset instant)
    {
        _now = instant;
        _setAt = Stopwatch.GetTimestamp();
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    // The instant without counting a reading: the wall time since the last set for a ticking clock (under the lock).
    private DateTimeOffset Current()
    {
        if (!ticking)
        {
            return _now;
        }

        var wall = _now + Stopwatch.GetElapsedTime(_setAt);
        return wall > _lastRead ? wall : _lastRead;
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Moves time forward, firing due timers one by one; never moves it back.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        SetUtcNow(GetUtcNow() + by);
    }

    public void SetUtcNow(DateTimeOffset target)
    {
        target = target.ToUniversalTime();
        while (true)
        {
            ManualTimer? due;
            lock (_lock)
            {
                var now = ticking ? Current() : _now;
                if (target < now)
                {
                    // A ticking clock has moved on since the caller read it: "at least target" is what was asked.
                    target = ticking ? now : throw new ArgumentOutOfRangeException(nameof(target), "The clock never moves back.");
                }

                due = _timers.Where(t => t.DueAt <= target).OrderBy(t => t.DueAt).FirstOrDefault();
                if (due is null)
                {
                    SetLocked(target);
                    return;
                }

                SetLocked(due.DueAt > now ? due.DueAt : now);
                due.Reschedule(_now);
            }

            due.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._lock)
            {
                clock._timers.Remove(this);
                _period = period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    DueAt = clock.Current() + dueTime;
                    clock._timers.Add(this);
                }
            }

            return true;
        }

        public void Reschedule(DateTimeOffset now)
        {
            clock._timers.Remove(this);
            if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
            {
                DueAt = now + _period;
                clock._timers.Add(this);
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._lock)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
