using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Tollgate.Core.Entitlements;

namespace Tollgate.Storage.Usage;

/// <summary>
/// Idempotency keys, claimed in the same transaction as the effect they guard: a retry finds the first answer,
/// a different request under the same key is refused, and a concurrent duplicate waits on the key's unique index.
/// </summary>
internal static class Idempotency
{
    public static string Hash(params object[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))))[..32];

    /// <summary>Claims the key; null when it is new, else what the first request with it came to.</summary>
    public static async Task<UsageOutcome?> ClaimAsync(BatchScope scope, string operation, string key, string requestHash)
    {
        var inserted = await scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_json, created_at)
            VALUES (@operation, @key, @requestHash, 0, '', @now)
            ON CONFLICT (scope, key) DO NOTHING
            """, new { operation, key, requestHash, now = scope.NowMs }));
        if (inserted == 1)
        {
            return null;
        }

        var prior = await scope.Connection.QuerySingleAsync<(string RequestHash, string ResponseJson)>(scope.Command(
            "SELECT request_hash, response_json FROM idempotency_keys WHERE scope = @operation AND key = @key", new { operation, key }));
        if (prior.RequestHash != requestHash)
        {
            return new UsageOutcome.IdempotencyMismatch();
        }

        var stored = JsonSerializer.Deserialize<StoredDecision>(prior.ResponseJson)!;
        return new UsageOutcome.Decided(stored.Decision, stored.ReservationId, stored.ExpiresAt, Replayed: true);
    }

    public static Task RecordAsync(BatchScope scope, string operation, string key, UsageOutcome outcome)
    {
        if (outcome is not UsageOutcome.Decided decided)
        {
            return Task.CompletedTask;
        }

        var json = JsonSerializer.Serialize(new StoredDecision(decided.Decision, decided.ReservationId, decided.ExpiresAt));
        return scope.Connection.ExecuteAsync(scope.Command(
            "UPDATE idempotency_keys SET status_code = @status, response_json = @json WHERE scope = @operation AND key = @key",
            new { status = decided.Decision.Allowed ? 200 : 429, json, operation, key }));
    }

    private sealed record StoredDecision(EntitlementDecision Decision, string? ReservationId, DateTimeOffset? ExpiresAt);
}
