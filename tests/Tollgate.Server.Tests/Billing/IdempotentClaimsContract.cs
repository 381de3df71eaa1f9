using Dapper;
using Tollgate.Server.Http;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>
/// The claims of keyed POSTs (Http/IdempotentRequests) on their own: a claim marked applied is never taken over, and is
/// let go only by an answer that says nothing was written; a change that commits after a retry took its key over is
/// refused, so only the retry's change is written.
/// </summary>
public abstract class IdempotentClaimsContract : ApiContract
{
    private const long T0 = 1_000_000;
    private static readonly long Later = T0 + (long)TimeSpan.FromMinutes(3).TotalMilliseconds;

    private static Task<int> ChangeAsync(TollgateDatabase database) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("INSERT INTO changes (n) VALUES (1)", transaction: tx)));

    private static IDisposable Marking(TollgateDatabase database, IdempotentClaim claim) =>
        database.AlsoInEveryWrite((c, tx, ct) => IdempotentRequests.MarkAppliedAsync(c, tx, claim, Later, ct));

    private async Task<TollgateDatabase> DatabaseAsync()
    {
        var database = await TestDatabases.OpenAsync(Kind);
        await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("CREATE TABLE changes (n BIGINT)", transaction: tx)));
        return database;
    }

    [Fact]
    public async Task AChangeCommittingAfterARetryTookItsKeyOverIsRolledBackAndOnlyTheRetrysChangeIsWritten()
    {
        await using var database = await DatabaseAsync();
        var first = (await IdempotentRequests.ClaimAsync(database, "s", "k", "h", T0, default))!;
        var retry = (await IdempotentRequests.TakeOverAsync(database, "s", "k", T0, Later, default))!;

        using (Marking(database, first))
        {
            await Assert.ThrowsAsync<IdempotencyKeyTakenOverException>(() => ChangeAsync(database));
        }

        using (Marking(database, retry))
        {
            await ChangeAsync(database);
        }

        Assert.Equal(1L, await database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM changes")));
        Assert.Equal(Later, (await IdempotentRequests.ReadAsync(database, "s", "k", default))!.AppliedAt);
    }

    [Fact]
    public async Task AnAppliedClaimIsNeitherTakenOverNorLetGoByA5xxButAConcurrentChangeAnswerLetsItGo()
    {
        await using var database = await DatabaseAsync();
        var claim = (await IdempotentRequests.ClaimAsync(database, "s", "k", "h", T0, default))!;
        using (Marking(database, claim))
        {
            await ChangeAsync(database);
        }

        var taken = await IdempotentRequests.TakeOverAsync(database, "s", "k", T0, Later, default);
        await IdempotentRequests.LetGoAsync(database, claim, nothingWritten: false, Later);
        var afterA5xx = await IdempotentRequests.ReadAsync(database, "s", "k", default);
        // The transaction that refused a change as concurrent committed without it (the renewals it caught up on at most).
        await IdempotentRequests.LetGoAsync(database, claim, nothingWritten: true, Later);

        Assert.Null(taken);
        Assert.Equal((T0, (long?)Later, (long?)Later, (int?)null), (afterA5xx!.CreatedAt, afterA5xx.AppliedAt, afterA5xx.AnsweredAt, afterA5xx.StatusCode));
        Assert.Null(await IdempotentRequests.ReadAsync(database, "s", "k", default));
    }

    [Fact]
    public async Task AClaimThatWroteNothingIsLetGoAndOneThatEndedWithoutLettingGoIsTakenOverAtOnce()
    {
        await using var database = await DatabaseAsync();
        var released = (await IdempotentRequests.ClaimAsync(database, "s", "released", "h", T0, default))!;
        var ended = (await IdempotentRequests.ClaimAsync(database, "s", "ended", "h", T0, default))!;
        await IdempotentRequests.LetGoAsync(database, released, nothingWritten: false, T0);
        // As a let-go whose delete failed after its end mark was written elsewhere: ended, nothing applied.
        await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE idempotent_requests SET answered_at = 1 WHERE idempotency_key = 'ended'", transaction: tx)));

        var taken = await IdempotentRequests.TakeOverAsync(database, "s", "ended", ended.ClaimedAt, T0, default);

        Assert.Null(await IdempotentRequests.ReadAsync(database, "s", "released", default));
        Assert.Equal(T0 + 1, taken?.ClaimedAt); // a clock that has not moved still makes a claim of its own
        Assert.Null((await IdempotentRequests.ReadAsync(database, "s", "ended", default))!.AnsweredAt);
    }
}

public sealed class SqliteIdempotentClaimsTests : IdempotentClaimsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresIdempotentClaimsTests : IdempotentClaimsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
