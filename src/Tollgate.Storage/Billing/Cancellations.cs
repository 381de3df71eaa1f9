using Dapper;
using Tollgate.Storage.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Billing;

/// <summary>Why subscriptions were canceled, kept on the subscription row (cancel_reason, cancel_comment); SubscriptionHistory reads them for churn.</summary>
public sealed class Cancellations(TollgateDatabase database, EntitlementContextCache contexts)
{
    /// <summary>
    /// Stores the reason and comment of a cancel that Stripe carried out (a local cancel stores them in its own transaction);
    /// null clears them, as an undone cancel does.
    /// </summary>
    public async Task RecordAsync(string subscriptionId, string? reason, string? comment, CancellationToken cancellationToken = default)
    {
        var customer = await database.WriteAsync((c, tx) => c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("""
            UPDATE subscriptions SET cancel_reason = @reason, cancel_comment = @comment, revision = revision + 1 WHERE id = @subscriptionId
            RETURNING customer_id
            """, new { subscriptionId, reason, comment }, tx, cancellationToken: cancellationToken)), cancellationToken);
        if (customer is not null)
        {
            contexts.Invalidate(customer);
        }
    }
}
