using System.Data.Common;
using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Http;

/// <summary>
/// A request's hold on its Idempotency-Key: the row's <c>created_at</c> as this request wrote it. A take-over writes
/// another, so every statement of the request that lost its key finds no row and changes nothing.
/// </summary>
internal sealed record IdempotentClaim(string Scope, string Key, long ClaimedAt);

/// <summary>The answer a keyed POST keeps: what a retry gets back, byte for byte.</summary>
internal sealed record KeptAnswer(int Status, string? ContentType, string? Location, string Body);

/// <summary>
/// The rows of <c>idempotent_requests</c> (migrations 0050 and 0052): claimed before the request runs, marked applied in
/// every transaction the request commits, answered after. answered_at without a status_code: the request ended and its
/// answer is not kept.
/// </summary>
internal static class IdempotentRequests
{
    public static async Task<IdempotentClaim?> ClaimAsync(
        TollgateDatabase database, string scope, string key, string hash, long now, CancellationToken cancellationToken) =>
        await database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO idempotent_requests (scope, idempotency_key, request_hash, created_at) VALUES (@scope, @key, @hash, @now)
            ON CONFLICT (scope, idempotency_key) DO NOTHING
            """, new { scope, key, hash, now }, tx, cancellationToken: cancellationToken)), cancellationToken) == 1
            ? new IdempotentClaim(scope, key, now)
            : null;

    /// <summary>
    /// Takes over a claim whose request wrote nothing (not applied) and ended or was lost. The new created_at differs from
    /// the old even on a clock that has not moved, so the old request's statements can no longer find the row.
    /// </summary>
    public static async Task<IdempotentClaim?> TakeOverAsync(
        TollgateDatabase database, string scope, string key, long createdAt, long now, CancellationToken cancellationToken)
    {
        var claimedAt = Math.Max(now, createdAt + 1);
        return await database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition("""
            UPDATE idempotent_requests SET created_at = @claimedAt, answered_at = NULL
            WHERE scope = @scope AND idempotency_key = @key AND created_at = @createdAt AND status_code IS NULL AND applied_at IS NULL
            """, new { scope, key, createdAt, claimedAt }, tx, cancellationToken: cancellationToken)), cancellationToken) == 1
            ? new IdempotentClaim(scope, key, claimedAt)
            : null;
    }

    /// <summary>
    /// Run in each of the request's write transactions: the change and the mark commit together. A claim taken over
    /// meanwhile refuses the transaction, so the request that took it over is the only one whose change is written.
    /// </summary>
    public static async Task MarkAppliedAsync(DbConnection c, DbTransaction tx, IdempotentClaim claim, long now, CancellationToken cancellationToken)
    {
        var marked = await c.ExecuteAsync(new CommandDefinition("""
            UPDATE idempotent_requests SET applied_at = COALESCE(applied_at, @now)
            WHERE scope = @scope AND idempotency_key = @key AND created_at = @claimedAt
            """, new { scope = claim.Scope, key = claim.Key, claimedAt = claim.ClaimedAt, now }, tx, cancellationToken: cancellationToken));
        if (marked == 0)
        {
            throw new IdempotencyKeyTakenOverException();
        }
    }

    public static Task KeepAsync(TollgateDatabase database, IdempotentClaim claim, KeptAnswer answer, long now) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
            UPDATE idempotent_requests SET status_code = @status, content_type = @type, location = @location, body = @body, answered_at = @now
            WHERE scope = @scope AND idempotency_key = @key AND created_at = @claimedAt
            """, new
        {
            status = answer.Status, type = answer.ContentType, location = answer.Location, body = answer.Body, now,
            scope = claim.Scope, key = claim.Key, claimedAt = claim.ClaimedAt,
        }, tx)), CancellationToken.None);

    /// <summary>
    /// Lets the key go when the answer is not kept: the row is deleted, so a retry runs again, unless the request's change
    /// was applied; then the row stays, marked ended, and a retry is told the change was made. Where the answer itself says
    /// nothing of the change was written (<paramref name="nothingWritten"/>), the mark is not consulted: a transaction that
    /// found the conflict committed without the change.
    /// </summary>
    public static Task LetGoAsync(TollgateDatabase database, IdempotentClaim claim, bool nothingWritten, long now) =>
        database.WriteAsync(async (c, tx) =>
        {
            var args = new { scope = claim.Scope, key = claim.Key, claimedAt = claim.ClaimedAt, now };
            var deleted = await c.ExecuteAsync(new CommandDefinition(
                "DELETE FROM idempotent_requests WHERE scope = @scope AND idempotency_key = @key AND created_at = @claimedAt AND status_code IS NULL"
                + (nothingWritten ? "" : " AND applied_at IS NULL"), args, tx));
            if (deleted == 0)
            {
                await c.ExecuteAsync(new CommandDefinition("""
                    UPDATE idempotent_requests SET answered_at = @now
                    WHERE scope = @scope AND idempotency_key = @key AND created_at = @claimedAt AND status_code IS NULL
                    """, args, tx));
            }
        }, CancellationToken.None);

    public static Task<KeptRequest?> ReadAsync(TollgateDatabase database, string scope, string key, CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.QuerySingleOrDefaultAsync<KeptRequest>(new CommandDefinition("""
            SELECT request_hash AS RequestHash, status_code AS StatusCode, content_type AS ContentType, location AS Location, body AS Body,
                created_at AS CreatedAt, applied_at AS AppliedAt, answered_at AS AnsweredAt
            FROM idempotent_requests WHERE scope = @scope AND idempotency_key = @key
            """, new { scope, key }, cancellationToken: cancellationToken)), cancellationToken);
}

internal sealed class KeptRequest
{
    public string RequestHash { get; set; } = "";
    public int? StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public string? Body { get; set; }
    public long CreatedAt { get; set; }

    /// <summary>When the request's change first committed; null while nothing of it is written.</summary>
    public long? AppliedAt { get; set; }

    /// <summary>When the request ended: with a status, its kept answer; without, an answer not kept.</summary>
    public long? AnsweredAt { get; set; }
}

/// <summary>A retry took the key over while this request ran (past the 2 minutes a claim is held): its write is refused.</summary>
internal sealed class IdempotencyKeyTakenOverException()
    : Exception("A retry under this Idempotency-Key took it over while this request ran; this request's change is not written.");
