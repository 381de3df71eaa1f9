using System.Runtime.CompilerServices;
using Tollgate.Testing;

namespace Tollgate.Server.Tests;

/// <summary>
/// Base of the API suites: each runs once on SQLite and once on PostgreSQL, each test on its own server and database, or
/// on a <see cref="SharedServer"/>'s: the whole class's one server when the class shares (<paramref name="wholeClass"/>),
/// or, through <see cref="StartSharedAsync"/>, one per theory whose cases are all refused.
/// </summary>
public abstract class ApiContract(SharedServer? shared = null, bool wholeClass = true)
{
    protected abstract StoreKind Kind { get; }

    /// <summary>The server's test clock ticks between advances, as a real clock does (the billing suites run once so).</summary>
    protected virtual bool TickingClock => false;

    protected Task<TollgateApp> StartAsync(IDictionary<string, string?>? settings = null, DateTimeOffset? start = null) =>
        shared is not null && wholeClass ? shared.StartAsync(Kind, WithClock(settings), start) : StartOwnAsync(settings, start);

    /// <summary>
    /// A server of the test's own in a class that otherwise shares one: for a test that moves the clock, or whose
    /// assertions read what the class's other tests write (a list of every customer, an invoice's number).
    /// </summary>
    protected Task<TollgateApp> StartOwnAsync(IDictionary<string, string?>? settings = null, DateTimeOffset? start = null) =>
        TollgateApp.StartAsync(Kind, WithClock(settings), start);

    /// <summary>
    /// The server that every case of the calling theory shares (the class takes a <see cref="SharedServer"/>): for a theory
    /// whose cases are all refused and write nothing, so each case finds the server as the first found it.
    /// </summary>
    protected Task<TollgateApp> StartSharedAsync(
        IDictionary<string, string?>? settings = null, DateTimeOffset? start = null, [CallerMemberName] string theory = "") =>
        (shared ?? throw new InvalidOperationException($"{GetType().Name} takes no SharedServer, so {theory} cannot share one."))
            .StartAsync(Kind, WithClock(settings), start, theory);

    /// <summary>The settings that make a server's test clock tick, for a harness that starts its own server; null otherwise.</summary>
    protected IDictionary<string, string?>? ClockSettings => WithClock(null);

    private IDictionary<string, string?>? WithClock(IDictionary<string, string?>? settings) => TickingClock
        ? new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Tollgate:TestClock:Ticking"] = "true" }
        : settings;
}
