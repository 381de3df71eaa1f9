using System.Net.Sockets;
using Dapper;
using Npgsql;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

/// <summary>How Tollgate reads PostgreSQL's failures and settles the connection string an operator gives it.</summary>
public sealed class PostgresConnectionTests
{
    private readonly PostgresDatabase _database = new("Host=127.0.0.1;Port=1;Username=postgres"); // never opened

    [Fact]
    public void NoSuitableHostReadOnlyRecoveryShutdownAndBrokenConnectionsMeanTheDatabaseIsUnavailable()
    {
        Assert.All(new Exception[]
        {
            new NpgsqlException("No suitable host was found."), // every host down, or none of them the primary
            new NpgsqlException("Exception while reading from stream", new IOException("Connection reset by peer")),
            new NpgsqlException("Failed to connect to 127.0.0.1:1", new SocketException((int)SocketError.ConnectionRefused)),
            Server("25006", "cannot execute INSERT in a read-only transaction"),
            Server("57P01", "terminating connection due to administrator command"),
            Server("57P02", "terminating connection due to unexpected postmaster exit"),
            Server("57P03", "the database system is in recovery mode"),
            Server("53300", "sorry, too many clients already"),
            Server("08P01", "server conn crashed?"), // PgBouncer's own refusals
        }, e => Assert.True(_database.IsUnavailable(e), e.Message));
    }

    [Fact]
    public void ABugInAStatementIsNotAnOutage()
    {
        Assert.All(new Exception[]
        {
            Server("42703", "column \"nope\" does not exist"),
            Server("23505", "duplicate key value violates unique constraint"),
            Server("22003", "numeric value out of range"),
            new InvalidOperationException("Connection property has not been initialized."),
        }, e => Assert.False(_database.IsUnavailable(e), e.Message));
    }

    [Fact]
    public void AStringNamingSeveralHostsRechecksWhichIsThePrimaryEveryTwoSecondsUnlessItSaysOtherwise()
    {
        var several = new NpgsqlConnectionStringBuilder(PostgresDatabase.Settle("Host=a:5432,b:5432;Target Session Attributes=primary;Username=u"));
        var chosen = new NpgsqlConnectionStringBuilder(PostgresDatabase.Settle("Host=a:5432,b:5432;Host Recheck Seconds=7;Username=u"));
        var one = new NpgsqlConnectionStringBuilder(PostgresDatabase.Settle("Host=a;Username=u"));

        Assert.Equal((2, 7, 10), (several.HostRecheckSeconds, chosen.HostRecheckSeconds, one.HostRecheckSeconds));
        Assert.Equal("a:5432,b:5432", several.Host);
    }

    [Fact]
    public async Task WithPreparedStatementsOffNoStatementIsPreparedOnTheServer()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        await using var on = new PostgresDatabase(connectionString);
        await using var off = new PostgresDatabase(connectionString, preparedStatements: false);
        var statement = new Statement("SELECT @n::bigint + 1", ("n", System.Data.DbType.Int64));

        async Task<(long Answer, long Prepared)> RunAsync(PostgresDatabase database)
        {
            await using var statements = new StatementCache(await database.OpenAsync());
            var answer = await statements.RowAsync(statement, null, row => row.GetInt64(0), [41L], CancellationToken.None);
            await using var count = statements.Connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM pg_prepared_statements";
            return (answer, (long)(await count.ExecuteScalarAsync())!);
        }

        Assert.Equal((42L, 1L), await RunAsync(on));
        Assert.Equal((42L, 0L), await RunAsync(off));
    }

    [Fact]
    public void SixtyFourStatementsAreAutoPreparedUnlessTheStringOrTheSettingSaysOtherwise()
    {
        int Prepared(string connectionString, bool preparedStatements = true) =>
            new NpgsqlConnectionStringBuilder(PostgresDatabase.Settle(connectionString, preparedStatements)).MaxAutoPrepare;

        Assert.Equal((64, 10, 0, 0), (Prepared("Host=a;Username=u"), Prepared("Host=a;Max Auto Prepare=10;Username=u"),
            Prepared("Host=a;Max Auto Prepare=0;Username=u"), Prepared("Host=a;Max Auto Prepare=10;Username=u", preparedStatements: false)));
        Assert.Equal(10, Prepared("Host=a;maxautoprepare=10;Username=u")); // Npgsql's spelling without spaces is the operator's value too
    }

    [Fact]
    public async Task AReadASnapshotReadAndAWritePreparedBeforeAnotherNodeAddsAColumnRunAgainAndSeeIt()
    {
        // One connection in the pool, so every statement below runs on the connection that prepared it.
        var connectionString = new NpgsqlConnectionStringBuilder(await PostgresServer.CreateDatabaseAsync()) { MaxPoolSize = 1 }.ConnectionString;
        await using var database = new PostgresDatabase(connectionString);
        await database.WriteAsync((c, t) => c.ExecuteAsync("CREATE TABLE plans_seen (id INT); INSERT INTO plans_seen VALUES (1)", transaction: t));
        Task<int> ReadAsync() => database.ReadAsync(async c => (await c.QueryAsync("SELECT * FROM plans_seen")).Cast<IDictionary<string, object>>().Single().Count);
        Task<int> WriteAsync() => database.WriteAsync(async (c, t) =>
            (await c.QueryAsync("SELECT * FROM plans_seen FOR UPDATE", transaction: t)).Cast<IDictionary<string, object>>().Single().Count);
        Task<int> SnapshotAsync() => database.ReadSnapshotAsync(async (c, t) =>
            (await c.QueryAsync("SELECT * FROM plans_seen WHERE id = 1", transaction: t)).Cast<IDictionary<string, object>>().Single().Count);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal((1, 1, 1), (await ReadAsync(), await WriteAsync(), await SnapshotAsync()));
        }

        long prepared = await database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%plans_seen%'"));
        // Another node's migration, on a connection of its own.
        await using (var other = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString))
        {
            await other.OpenAsync();
            await other.ExecuteAsync("ALTER TABLE plans_seen ADD COLUMN note TEXT");
        }

        Assert.Equal((3L, 2, 2, 2), (prepared, await ReadAsync(), await WriteAsync(), await SnapshotAsync()));
    }

    [Fact]
    public async Task ABurstOfReadsInASmallPoolLeavesItConnectionsForTheWritesAfterIt()
    {
        // Two connections, and a write that gives up after 3 s instead of Npgsql's 15 when it finds none free.
        var connectionString = new NpgsqlConnectionStringBuilder(await PostgresServer.CreateDatabaseAsync()) { MaxPoolSize = 2, Timeout = 3 }.ConnectionString;
        await using var database = new PostgresDatabase(connectionString);
        // Many bursts, because two reads finishing together both parked their connections only now and then (CI, stop 59).
        for (var burst = 0; burst < 20; burst++)
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
                database.ReadPreparedAsync(scope => scope.Connection.ExecuteScalarAsync<int>("SELECT 1 FROM pg_sleep(0.001)"))));

            Assert.Equal(1, await database.WriteAsync((c, t) => c.ExecuteScalarAsync<int>("SELECT 1", transaction: t)));
            Assert.Equal(1, await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT 1")));
        }
    }

    [Fact]
    public async Task ReadsThatFinishTogetherNeverParkMoreIdleReadersThanTheLimit()
    {
        // A pool of 7 keeps 2 idle readers; 16 reads at a time finish together, again and again.
        var connectionString = new NpgsqlConnectionStringBuilder(await PostgresServer.CreateDatabaseAsync()) { MaxPoolSize = 7 }.ConnectionString;
        await using var database = new PostgresDatabase(connectionString);
        var most = 0;
        for (var burst = 0; burst < 400; burst++)
        {
            await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
                database.ReadPreparedAsync(scope => scope.Connection.ExecuteScalarAsync<int>("SELECT 1")))));
            most = Math.Max(most, database.IdleReaders);
        }

        Assert.Equal(2, most);
    }

    [Fact]
    public async Task AnExhaustedPoolIsAnOutageToAnswerAtOnceNotAFaultToRetry()
    {
        // One connection, held, and a pool that gives up after 1 s: Npgsql calls the timeout transient, but another try
        // waits as long again (a batch retried it eight times, two minutes), so it is unavailable and not retried.
        var connectionString = new NpgsqlConnectionStringBuilder(await PostgresServer.CreateDatabaseAsync()) { MaxPoolSize = 1, Timeout = 1 }.ConnectionString;
        await using var database = new PostgresDatabase(connectionString);
        await using var held = await database.OpenAsync();

        var exhausted = await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await database.OpenAsync());

        Assert.True(exhausted.IsTransient); // Npgsql's own view, which the retries must not follow
        Assert.Equal((false, true), (database.IsTransient(exhausted), database.IsUnavailable(exhausted)));
    }

    private static PostgresException Server(string sqlState, string message) => new(message, "ERROR", "ERROR", sqlState);
}
