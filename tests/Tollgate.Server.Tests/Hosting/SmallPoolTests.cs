using System.Net;
using Npgsql;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>
/// A PostgreSQL node on a small pool: it refuses a pool its writers would leave too little of, and on the smallest it
/// accepts, reads never hold a connection while waiting for another (a trial at pools of 1 to 10 found both).
/// </summary>
public sealed class SmallPoolTests
{
    [Fact]
    public async Task ANodeRefusesToStartOnAPoolItsWritersWouldLeaveTooLittleOfNamingTheNumbers()
    {
        var database = await TestDatabases.CreateAsync(StoreKind.Postgres);
        var tiny = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 2 }.ConnectionString;

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TollgateApp.StartAsync(StoreKind.Postgres, ApiSetup.RulesCatalog(), connectionString: tiny));

        var needed = new DatabaseOptions { Provider = "postgres", ConnectionString = tiny }.MinimumPostgresPool;
        Assert.Contains($"Maximum Pool Size is 2, below the {needed} this node needs", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnsetBulkWritersShrinkToWhatThePoolHasRoomForDownToTheEarlierTwoAndASetCountIsKept()
    {
        static DatabaseOptions Options(string pool, int? bulkWriters = null) =>
            new() { Provider = "postgres", ConnectionString = $"Host=db;Database=tollgate;{pool}", Writers = 1, BulkWriters = bulkWriters };
        var unbounded = DatabaseOptions.DefaultPostgresBulkWriters;

        // 1 writer and 3 spare connections leave a pool of 6 room for the 2 bulk writers the earlier default asked for.
        Assert.Equal((2, 6), (Options("Maximum Pool Size=6").PostgresBulkWriters, Options("Maximum Pool Size=6").MinimumPostgresPool));
        Assert.Null(Options("Maximum Pool Size=6").PoolTooSmall());
        Assert.Equal(Math.Min(3, unbounded), Options("Maximum Pool Size=7").PostgresBulkWriters);
        Assert.Equal(unbounded, Options("Maximum Pool Size=100").PostgresBulkWriters);
        Assert.Equal(unbounded, Options("Pooling=false;Maximum Pool Size=6").PostgresBulkWriters);
        Assert.Equal(2, Options("Maximum Pool Size=2").PostgresBulkWriters);
        Assert.True(unbounded >= 4);

        Assert.Equal(3, Options("Maximum Pool Size=100", bulkWriters: 3).PostgresBulkWriters);
        Assert.Contains("Maximum Pool Size is 6, below the 8 this node needs: 1 writer(s) × 1 lane(s) and 4 bulk writer(s)",
            Options("Maximum Pool Size=6", bulkWriters: 4).PoolTooSmall(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChecksThatOutnumberTheSmallestPoolAllAnswerWhileTheCatalogIsRechecked()
    {
        var database = await TestDatabases.CreateAsync(StoreKind.Postgres);
        var smallest = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            MaxPoolSize = new DatabaseOptions { Provider = "postgres" }.MinimumPostgresPool,
            Timeout = 3, // a wait for a connection fails in 3 s, not Npgsql's 15
        }.ConnectionString;
        // The real clock: the catalog falls due its recheck (every 2 s) while checks are inside their reads, as in production.
        var settings = ApiSetup.RulesCatalog();
        settings["Tollgate:TestClock:Enabled"] = "false";
        await using var app = await TollgateApp.StartAsync(StoreKind.Postgres, settings, connectionString: smallest);
        await app.CustomerAsync("ada");

        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            while (DateTimeOffset.UtcNow < until)
            {
                statuses.Add((await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "ada", feature = "capped", amount = 1 })).StatusCode);
                statuses.Add((await app.Admin.GetAsync("/v1/customers/ada/usage")).StatusCode);
            }
        }));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
    }
}
