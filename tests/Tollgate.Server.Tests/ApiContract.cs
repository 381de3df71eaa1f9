using Tollgate.Testing;

namespace Tollgate.Server.Tests;

/// <summary>Base of the API suites: each runs once on SQLite and once on PostgreSQL, each test on its own server and database.</summary>
public abstract class ApiContract
{
    protected abstract StoreKind Kind { get; }

    protected Task<TollgateApp> StartAsync(IDictionary<string, string?>? settings = null, DateTimeOffset? start = null) =>
        TollgateApp.StartAsync(Kind, settings, start);
}
