using System.Data.Common;
using Dapper;
using Tollgate.Core.Grants;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// The grant units a reservation took. The counter holds only the allowance part of a reservation, so a settlement
/// splits the amount: the allowance part settles on the counter, the granted part stays used or goes back to its grants.
/// </summary>
internal static class GrantHolds
{
    /// <summary>The reservation's holds, in the grants' order of use.</summary>
    public static async Task<IReadOnlyList<GrantTake>> ReadAsync(DbConnection connection, DbTransaction? transaction, string reservationId,
        CancellationToken cancellationToken) =>
        [.. await connection.QueryAsync<GrantTake>(new CommandDefinition("""
            SELECT h.grant_id AS GrantId, h.amount AS Amount FROM credit_grant_holds h JOIN credit_grants g ON g.id = h.grant_id
            WHERE h.reservation_id = @reservationId ORDER BY g.priority, CASE WHEN g.expires_at IS NULL THEN 1 ELSE 0 END, g.expires_at, g.created_at, g.id
            """, new { reservationId }, transaction, cancellationToken: cancellationToken))];

    /// <summary>Keeps <paramref name="keep"/> of the held grant units used and gives the rest back, the last grant taken from first.</summary>
    public static async Task SettleAsync(DbConnection connection, DbTransaction? transaction, string reservationId, IReadOnlyList<GrantTake> holds,
        long keep, CancellationToken cancellationToken)
    {
        var giveBack = holds.Sum(h => h.Amount) - keep;
        foreach (var hold in holds.Reverse())
        {
            var back = Math.Min(giveBack, hold.Amount);
            if (back <= 0)
            {
                break;
            }

            await connection.ExecuteAsync(new CommandDefinition("UPDATE credit_grants SET used = used - @back WHERE id = @GrantId",
                new { back, hold.GrantId }, transaction, cancellationToken: cancellationToken));
            giveBack -= back;
        }

        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM credit_grant_holds WHERE reservation_id = @reservationId",
            new { reservationId }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>The holds a settlement keeping <paramref name="keep"/> leaves used: the first grants taken from, as <see cref="SettleAsync"/> gives back the last.</summary>
    public static IReadOnlyList<GrantTake> Kept(IReadOnlyList<GrantTake> holds, long keep)
    {
        var kept = new List<GrantTake>();
        foreach (var hold in holds)
        {
            var amount = Math.Min(keep, hold.Amount);
            if (amount <= 0)
            {
                break;
            }

            kept.Add(hold with { Amount = amount });
            keep -= amount;
        }

        return kept;
    }

    /// <summary>How a settlement of <paramref name="actual"/> (null: a release) splits between the counter and the grants.</summary>
    public static (long CounterHeld, long CounterActual, long GrantKeep) Split(long held, long granted, long? actual)
    {
        var counterHeld = held - granted;
        if (actual is not { } a)
        {
            return (counterHeld, 0, 0);
        }

        // The allowance part is used first; anything past the whole hold must fit the allowance again, as before grants.
        var counterActual = Math.Min(a, counterHeld) + Math.Max(0, a - held);
        return (counterHeld, counterActual, Math.Clamp(a - counterHeld, 0, granted));
    }
}
