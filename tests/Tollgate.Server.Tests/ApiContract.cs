using Tollgate.Testing;

namespace Tollgate.Server.Tests;

/// <summary>
/// Base of the API suites: each runs once on SQLite and once on PostgreSQL, each test on its own server and database, or,
/// in a class given a <see cref="SharedServer"/>, on one server for the whole class.
/// </summary>
public abstract class ApiContract(SharedServer? shared = null)
{
    protected abstract StoreKind Kind { get; }

    /// <summary>The server's test clock ticks between advances, as a real clock does (the billing suites run once so).</summary>
    protected virtual bool TickingClock => false;

    protected Task<TollgateApp> StartAsync(IDictionary<string, string?>? settings = null, DateTimeOffset? start = null)
    {
        if (TickingClock)
        {
            settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Tollgate:TestClock:Ticking"] = "true" };
        }

        return shared is not null ? shared.StartAsync(Kind, settings, start) : TollgateApp.StartAsync(Kind, settings, start);
    }
}
