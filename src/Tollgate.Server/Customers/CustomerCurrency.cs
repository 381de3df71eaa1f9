using System.Data.Common;
using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Customers;

/// <summary>
/// A customer's one currency (customers.currency): set on the customer, or fixed by its first subscription. Every
/// subscription, invoice and balance of the customer is in it.
/// </summary>
public static class CustomerCurrency
{
    /// <summary>
    /// Fixes <paramref name="currency"/> as the customer's when it has none yet, in the caller's transaction (after the
    /// customer's lock); false when the customer is already in another currency.
    /// </summary>
    public static async Task<bool> FixInAsync(DbConnection c, DbTransaction tx, string customerId, string currency, CancellationToken cancellationToken)
    {
        if (currency.Length == 0)
        {
            return true;
        }

        var stored = await c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT currency FROM customers WHERE id = @customerId", new { customerId }, tx, cancellationToken: cancellationToken));
        if (stored is not null)
        {
            return stored == currency;
        }

        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE customers SET currency = @currency WHERE id = @customerId AND currency IS NULL", new { customerId, currency }, tx,
            cancellationToken: cancellationToken));
        return true;
    }

    /// <summary>
    /// <see cref="FixInAsync"/> for a writer that holds no lock on the customer yet (a pack sale): the customer's row lock
    /// first, so a first subscription or a change of the customer's currency at the same time waits for this one.
    /// </summary>
    public static async Task<bool> LockAndFixAsync(
        DbConnection c, DbTransaction tx, string customerId, string currency, SqlDialect dialect, CancellationToken cancellationToken)
    {
        await CustomerLock.TakeAsync(c, tx, customerId, dialect, cancellationToken);
        return await FixInAsync(c, tx, customerId, currency, cancellationToken);
    }

    /// <summary>The currencies of the customer's subscriptions and invoices, read in the caller's transaction.</summary>
    public static async Task<IReadOnlyList<string>> InUseInAsync(DbConnection c, DbTransaction tx, string customerId, CancellationToken cancellationToken) =>
        [.. await c.QueryAsync<string>(new CommandDefinition("""
            SELECT currency FROM subscriptions WHERE customer_id = @customerId AND currency <> ''
            UNION SELECT currency FROM invoices WHERE customer_id = @customerId
            """, new { customerId }, tx, cancellationToken: cancellationToken))];

    public static string Mismatch(string customerId, string customerCurrency, string currency) =>
        $"Customer '{customerId}' is billed in {customerCurrency}; a customer has one currency, so it cannot be sold in {currency}.";
}

/// <summary>A subscription in a currency other than its customer's; the API answers 409 currency_mismatch.</summary>
public sealed class CurrencyMismatchException(string message) : Exception(message);
