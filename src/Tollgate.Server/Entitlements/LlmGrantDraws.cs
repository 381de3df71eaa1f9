using Tollgate.Core.Entitlements;
using Dapper;
using Tollgate.Core.Grants;
using Tollgate.Storage.Database;
using Tollgate.Server.Grants;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// What committed LLM spend drew from each budget grant, per billing period: the record a repricing reads to give a
/// period's overcharge back to the grants that period drew, and never more than it drew.
/// </summary>
internal static class LlmGrantDraws
{
    /// <summary>Adds <paramref name="takes"/> to the period's draws; the grants' rows are already locked by the draw.</summary>
    public static async Task RecordAsync(SqlScope scope, string customer, long periodStart, IEnumerable<GrantTake> takes, long nowMs)
    {
        foreach (var take in takes.Where(t => t.Amount > 0))
        {
            await scope.Connection.ExecuteAsync(scope.Command("""
                INSERT INTO llm_grant_draws (customer_id, period_start, grant_id, amount, drawn_at) VALUES (@customer, @periodStart, @GrantId, @Amount, @nowMs)
                ON CONFLICT (customer_id, period_start, grant_id) DO UPDATE SET amount = llm_grant_draws.amount + excluded.amount, drawn_at = excluded.drawn_at
                """, new { customer, periodStart, take.GrantId, take.Amount, nowMs }));
        }
    }

    /// <summary>
    /// Gives up to <paramref name="amount"/> of the period's draws back, the most recently drawn grant first. A voided or
    /// expired grant's draw is written off instead of given back, so a correction never revives a grant that is over.
    /// Returns what the draws covered (given back or written off); the rest of the amount was the counter's.
    /// </summary>
    public static async Task<long> GiveBackAsync(SqlScope scope, SqlDialect dialect, string customer, long periodStart, long amount, long nowMs)
    {
        // Locked in the order a live draw locks them (CreditGrantRows.OrderOfUse), so a draw and a give-back cannot deadlock.
        await scope.Connection.ExecuteAsync(scope.Command($"""
            SELECT id FROM credit_grants WHERE customer_id = @customer AND feature_code = @feature ORDER BY {CreditGrantRows.OrderOfUse} {dialect.ForUpdate}
            """, new { customer, feature = LlmBudget.FeatureCode }));
        var draws = await scope.Connection.QueryAsync<(string GrantId, long Amount, long? VoidedAt, long? ExpiresAt)>(scope.Command("""
            SELECT d.grant_id, d.amount, g.voided_at, g.expires_at
            FROM llm_grant_draws d JOIN credit_grants g ON g.id = d.grant_id
            WHERE d.customer_id = @customer AND d.period_start = @periodStart AND d.amount > 0
            ORDER BY d.drawn_at DESC, g.priority DESC, CASE WHEN g.expires_at IS NULL THEN 0 ELSE 1 END, g.expires_at DESC, g.created_at DESC, g.id DESC
            """, new { customer, periodStart }));
        var left = amount;
        foreach (var draw in draws)
        {
            var back = Math.Min(left, draw.Amount);
            if (back <= 0)
            {
                break;
            }

            await scope.Connection.ExecuteAsync(scope.Command("""
                UPDATE llm_grant_draws SET amount = amount - @back WHERE customer_id = @customer AND period_start = @periodStart AND grant_id = @GrantId
                """, new { back, customer, periodStart, draw.GrantId }));
            if (draw.VoidedAt is null && (draw.ExpiresAt is null || draw.ExpiresAt > nowMs) && await scope.Connection.ExecuteAsync(scope.Command(
                    "UPDATE credit_grants SET used = used - @back WHERE id = @GrantId AND used >= @back", new { back, draw.GrantId })) != 1)
            {
                throw new InvalidOperationException($"Credit grant {draw.GrantId} holds less than its recorded LLM draw.");
            }

            left -= back;
        }

        return amount - left;
    }
}
