using Tollgate.Core.Time;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

/// <summary>Base of every contract suite: the same facts run once per store, each test on a fresh database.</summary>
public abstract class StoreContract
{
    protected abstract StoreKind Kind { get; }

    protected ManualClock Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    protected Task<TollgateDatabase> FreshDatabaseAsync(bool migrated = true) => TestDatabases.OpenAsync(Kind, migrated);
}
