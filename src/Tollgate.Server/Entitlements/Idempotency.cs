using System.Text.Json;
using System.Data;
using Tollgate.Storage.Database;
using Tollgate.Core.Entitlements;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// Idempotency keys, claimed in the same transaction as the effect they guard: a retry finds the first answer,
/// a different request under the same key is refused, and a concurrent duplicate waits on the key's unique index.
/// </summary>
internal static class Idempotency
{
    private static readonly Statement Claim = new("""
        INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_json, created_at)
        VALUES (@operation, @key, @requestHash, 0, '', @now)
        ON CONFLICT (scope, key) DO NOTHING
        """, ("operation", DbType.String), ("key", DbType.String), ("requestHash", DbType.String), ("now", DbType.Int64));

    private static readonly Statement Prior = new(
        "SELECT request_hash, response_json FROM idempotency_keys WHERE scope = @operation AND key = @key",
        ("operation", DbType.String), ("key", DbType.String));

    private static readonly Statement Record = new(
        "UPDATE idempotency_keys SET status_code = @status, response_json = @json WHERE scope = @operation AND key = @key",
        ("status", DbType.Int32), ("json", DbType.String), ("operation", DbType.String), ("key", DbType.String));

    /// <summary>
    /// A key to claim: given to the group committer as the operation's <see cref="BatchClaim"/>, so the batch claims it
    /// before any operation takes a counter, and the operation then finds what the claim came to.
    /// </summary>
    public sealed record Key(string Operation, string Value, string RequestHash)
    {
        public BatchClaim AsBatchClaim() => new(Operation + "\n" + Value, async scope => scope.Remember(this, await TakeAsync(scope, this)));
    }

    /// <summary>Claims the key; null when it is new, else what the first request with it came to.</summary>
    public static async Task<UsageOutcome?> ClaimAsync(BatchScope scope, Key key) =>
        scope.Recall(key, out var claimed) ? (UsageOutcome?)claimed : await TakeAsync(scope, key);

    private static async Task<UsageOutcome?> TakeAsync(BatchScope scope, Key claim)
    {
        var (operation, key, requestHash) = claim;
        if (await scope.ExecuteAsync(Claim, operation, key, requestHash, scope.NowMs) == 1)
        {
            return null;
        }

        var prior = await scope.RowAsync(Prior, r => (RequestHash: r.GetString(0), ResponseJson: r.GetString(1)), operation, key);
        if (prior.RequestHash != requestHash)
        {
            return new UsageOutcome.IdempotencyMismatch();
        }

        return Replay(prior.ResponseJson);
    }

    /// <summary>A decision as kept for a retry: under its key, or on the reservation it settled.</summary>
    public static string Stored(UsageOutcome.Decided decided) =>
        JsonSerializer.Serialize(new StoredDecision(decided.Decision, decided.ReservationId, decided.ExpiresAt));

    /// <summary>The kept decision, answered again.</summary>
    public static UsageOutcome.Decided Replay(string storedJson)
    {
        var stored = JsonSerializer.Deserialize<StoredDecision>(storedJson)!;
        return new UsageOutcome.Decided(stored.Decision, stored.ReservationId, stored.ExpiresAt, Replayed: true);
    }

    private static readonly Statement Forget = new(
        "DELETE FROM idempotency_keys WHERE scope = @operation AND key = @key", ("operation", DbType.String), ("key", DbType.String));

    /// <summary>
    /// Keeps the first answer under the key. A rate_limited refusal (or anything but a decision) is not kept: its claim
    /// goes in the same transaction, so the retry a Retry-After asks for is decided afresh (Stripe likewise keeps no
    /// result for a request its rate limiter refused).
    /// </summary>
    public static Task RecordAsync(BatchScope scope, string operation, string key, UsageOutcome outcome)
    {
        if (outcome is not UsageOutcome.Decided decided || decided.Decision.Reason == DecisionReason.RateLimited)
        {
            return scope.ExecuteAsync(Forget, operation, key);
        }

        return scope.ExecuteAsync(Record, decided.Decision.Allowed ? 200 : 429, Stored(decided), operation, key);
    }

    private sealed record StoredDecision(EntitlementDecision Decision, string? ReservationId, DateTimeOffset? ExpiresAt);
}
