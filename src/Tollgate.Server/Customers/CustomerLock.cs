using System.Data.Common;
using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Customers;

/// <summary>
/// The one lock order of every transaction that writes a customer, its subscriptions or its members: the customer's row
/// first, then subscriptions, then members. The context_version triggers (migration 0023) update the customer's row after
/// each subscription or member write; with the customer's row taken first, no transaction holds one of those rows while it
/// waits for the customer's, so two writers of one customer queue instead of deadlocking.
/// </summary>
internal static class CustomerLock
{
    /// <summary>
    /// Takes the customer's row lock, the one the trigger's UPDATE would take (so foreign-key checks of other writers stay
    /// free); nothing when the customer does not exist. On SQLite the transaction already holds the one write lock.
    /// </summary>
    public static Task TakeAsync(DbConnection c, DbTransaction tx, string customerId, SqlDialect dialect, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition($"SELECT id FROM customers WHERE id = @customerId {dialect.ForNoKeyUpdate}", new { customerId }, tx,
            cancellationToken: ct));

    /// <summary>
    /// Takes the row lock as <see cref="TakeAsync"/> does and says whether the customer exists and is not erased. Erasure takes
    /// the same lock, so the answer holds until the transaction ends.
    /// </summary>
    public static async Task<bool> TakeLiveAsync(DbConnection c, DbTransaction tx, string customerId, SqlDialect dialect, CancellationToken ct) =>
        await c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            $"SELECT id FROM customers WHERE id = @customerId AND deleted_at IS NULL {dialect.ForNoKeyUpdate}", new { customerId }, tx,
            cancellationToken: ct)) is not null;
}
