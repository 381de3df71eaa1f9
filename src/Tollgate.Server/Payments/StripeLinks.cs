using System.Data.Common;
using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Payments;

/// <summary>Which Stripe customer stands for which Tollgate customer: at most one each way.</summary>
public sealed class StripeLinks(TollgateDatabase database, TimeProvider time)
{
    public Task<string?> StripeCustomerIdAsync(string customerId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT stripe_customer_id FROM customers WHERE id = @customerId", new { customerId }, cancellationToken: cancellationToken)),
            cancellationToken);

    /// <summary>
    /// Links the customer to a Stripe customer unless it already has one, and answers the one it has now: a checkout
    /// racing another for the same customer keeps whichever linked first. Null when that Stripe customer is another's.
    /// </summary>
    public async Task<string?> LinkAsync(string customerId, string stripeCustomerId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await database.WriteAsync(async (c, tx) =>
            {
                await LinkInAsync(c, tx, customerId, stripeCustomerId, hasPaymentMethod: null, time, cancellationToken);
                var linked = await c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                    "SELECT stripe_customer_id FROM customers WHERE id = @customerId", new { customerId }, tx, cancellationToken: cancellationToken));
                return linked;
            }, cancellationToken);
        }
        catch (DbException e) when (database.IsUniqueViolation(e))
        {
            return null;
        }
    }

    /// <summary>
    /// Inside the caller's transaction: links the customer when it has no Stripe customer and nobody else has this one,
    /// and sets <c>has_payment_method</c> when given. False when the customer does not exist.
    /// </summary>
    internal static async Task<bool> LinkInAsync(
        DbConnection c, DbTransaction tx, string customerId, string stripeCustomerId, bool? hasPaymentMethod, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var current = await c.QuerySingleOrDefaultAsync<CustomerLink>(new CommandDefinition(
            "SELECT id, stripe_customer_id FROM customers WHERE id = @customerId", new { customerId }, tx, cancellationToken: cancellationToken));
        if (current is null)
        {
            return false;
        }

        var owner = await c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT id FROM customers WHERE stripe_customer_id = @stripeCustomerId", new { stripeCustomerId }, tx,
            cancellationToken: cancellationToken));
        var link = current.StripeCustomerId is null && owner is null;
        if (link || hasPaymentMethod is not null)
        {
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE customers SET stripe_customer_id = COALESCE(stripe_customer_id, @linked),
                    has_payment_method = COALESCE(@hasPaymentMethod, has_payment_method), updated_at = @now
                WHERE id = @customerId
                """, new
            {
                customerId, linked = link ? stripeCustomerId : null, hasPaymentMethod, now = time.GetUtcNow().ToUnixTimeMilliseconds(),
            }, tx, cancellationToken: cancellationToken));
        }

        return true;
    }

    private sealed class CustomerLink
    {
        public string Id { get; set; } = "";
        public string? StripeCustomerId { get; set; }
    }
}
