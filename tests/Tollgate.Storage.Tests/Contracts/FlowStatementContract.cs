using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

/// <summary>
/// A flow's statement for every write (<see cref="TollgateDatabase.AlsoInEveryWrite"/>): it commits with each write
/// transaction of the flow, whichever path writes (one transaction, or a group commit's batch), and with none other.
/// </summary>
public abstract class FlowStatementContract : StoreContract
{
    private static async Task<TollgateDatabase> WithMarksAsync(TollgateDatabase database)
    {
        await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("CREATE TABLE flow_marks (what TEXT NOT NULL)", transaction: tx)));
        return database;
    }

    private static Task MarkAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string what) =>
        c.ExecuteAsync(new CommandDefinition("INSERT INTO flow_marks (what) VALUES (@what)", new { what }, tx));

    private static async Task<string[]> MarksAsync(TollgateDatabase database) =>
        [.. await database.ReadAsync(c => c.QueryAsync<string>("SELECT what FROM flow_marks ORDER BY what"))];

    [Fact]
    public async Task EveryWriteTransactionOfTheFlowAlsoRunsTheStatementWhetherItWritesAloneOrInAGroupCommitsBatch()
    {
        await using var database = await WithMarksAsync(await FreshDatabaseAsync());
        await using var committer = new GroupCommitter(database, TimeProvider.System, NullLogger<GroupCommitter>.Instance);

        using (database.AlsoInEveryWrite((c, tx, _) => MarkAsync(c, tx, "flow")))
        {
            await database.WriteAsync((c, tx) => MarkAsync(c, tx, "one transaction"));
            await committer.RunAsync("c1", async scope =>
            {
                await MarkAsync(scope.Connection, scope.Transaction!, "batch");
                return 0;
            });
            await database.RehearseAsync(async (c, tx) =>
            {
                await MarkAsync(c, tx, "rehearsal");
                return 0;
            });
        }

        await database.WriteAsync((c, tx) => MarkAsync(c, tx, "after"));

        Assert.Equal(["after", "batch", "flow", "flow", "one transaction"], await MarksAsync(database));
    }

    [Fact]
    public async Task AStatementThatThrowsRollsBackTheWorkOfItsTransaction()
    {
        await using var database = await WithMarksAsync(await FreshDatabaseAsync());

        using (database.AlsoInEveryWrite((_, _, _) => throw new InvalidOperationException("refused")))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => database.WriteAsync((c, tx) => MarkAsync(c, tx, "work")));
        }

        Assert.Empty(await MarksAsync(database));
    }

    [Fact]
    public async Task OnceDisposedTheStatementRunsNowhereNotEvenInWorkTheFlowStartedAndLeftRunning()
    {
        await using var database = await WithMarksAsync(await FreshDatabaseAsync());
        var disposed = new TaskCompletionSource();
        Task leftRunning;

        using (database.AlsoInEveryWrite((c, tx, _) => MarkAsync(c, tx, "flow")))
        {
            // Started inside the scope, so it copied the flow; it writes after the scope ended.
            leftRunning = Task.Run(async () =>
            {
                await disposed.Task;
                await database.WriteAsync((c, tx) => MarkAsync(c, tx, "later"));
            });
        }

        disposed.SetResult();
        await leftRunning.WaitAsync(RealTime.Limit);

        Assert.Equal(["later"], await MarksAsync(database));
    }

    [Fact]
    public async Task AWriteOutsideTheFlowCommitsWithoutTheStatementAndTheFlowKeepsItForItsLaterWrites()
    {
        await using var database = await WithMarksAsync(await FreshDatabaseAsync());

        using (database.AlsoInEveryWrite((c, tx, _) => MarkAsync(c, tx, "flow")))
        {
            await database.WriteOutsideFlowAsync((c, tx) => MarkAsync(c, tx, "outside"));
            await database.WriteAsync((c, tx) => MarkAsync(c, tx, "inside"));
        }

        Assert.Equal(["flow", "inside", "outside"], await MarksAsync(database));
    }

    [Fact]
    public async Task AFlowTakesOneStatementAtATime()
    {
        await using var database = await FreshDatabaseAsync();

        using var first = database.AlsoInEveryWrite((_, _, _) => Task.CompletedTask);

        Assert.Throws<InvalidOperationException>(() => database.AlsoInEveryWrite((_, _, _) => Task.CompletedTask));
    }
}

public sealed class SqliteFlowStatementTests : FlowStatementContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresFlowStatementTests : FlowStatementContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
