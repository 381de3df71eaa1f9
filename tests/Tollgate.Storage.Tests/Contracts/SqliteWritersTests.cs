using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Storage.Retention;
using Tollgate.Server.Entitlements;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

/// <summary>SQLite's per-connection settings are stated where no transaction can be open, whoever used the pooled connection before.</summary>
public sealed class SqliteWritersTests
{
    [Fact]
    public async Task MaintenanceWritesConsumesAndAConnectionLeftInATransactionRunTogetherWithoutError()
    {
        await using var h = await UsageHarness.StartAsync(StoreKind.Sqlite, Catalogs.Rules);
        await h.AddCustomerAsync("c1");
        var janitor = new RetentionPruner(h.Database, new TimePartitions(h.Database), Microsoft.Extensions.Options.Options.Create(new RetentionOptions()));
        var now = h.Clock.GetUtcNow();

        var maintenance = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await janitor.PruneAsync(now);
                await h.Database.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE customers SET updated_at = updated_at WHERE id = 'c1'", transaction: tx));
            }
        }));
        // A careless user of a pooled connection: it begins a transaction by hand and closes without ending it.
        var careless = Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await using var connection = await h.Database.OpenAsync();
                await connection.ExecuteAsync("BEGIN DEFERRED");
            }
        });
        var consumes = Enumerable.Range(0, 60).Select(_ => Task.Run(() => h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", 1, null))));

        await Task.WhenAll(maintenance.Append(careless));
        var outcomes = await Task.WhenAll(consumes);

        Assert.All(outcomes, o => Assert.IsType<UsageOutcome.Decided>(o));
        Assert.Equal(60, (await h.Usage.CurrentPeriodAsync("c1"))!.Counter("capped").Used);
    }
}
