using Dapper;
using Microsoft.Extensions.Options;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Payments;

/// <summary>
/// Stripe events, each processed once: the event's row is inserted first, in the transaction of its effect, so a
/// replay (or a second node receiving the same delivery) finds it and does nothing, and a failed effect leaves no row.
/// </summary>
public sealed class StripeEventStore(
    TollgateDatabase database, BillingStore billing, CatalogCache catalog, EntitlementContextCache contexts, IOptions<BillingOptions> options,
    TimeProvider time)
{
    public Task<bool> IsRecordedAsync(string eventId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM stripe_events WHERE id = @eventId", new { eventId }, cancellationToken: cancellationToken)) > 0, cancellationToken);

    /// <summary>Whether a subscription is already linked to this Stripe subscription.</summary>
    public Task<bool> IsLinkedAsync(string stripeSubscriptionId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM subscriptions WHERE stripe_subscription_id = @stripeSubscriptionId", new { stripeSubscriptionId },
            cancellationToken: cancellationToken)) > 0, cancellationToken);

    /// <summary>
    /// Whether Tollgate is behind the period a paid Stripe invoice bills: the subscription is not linked yet, or its
    /// current period ends by <paramref name="periodStart"/> (a renewal paid before its customer.subscription.updated). A
    /// proration's line starts inside the current period, which Tollgate has.
    /// </summary>
    public Task<bool> IsBehindAsync(string stripeSubscriptionId, DateTimeOffset periodStart, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT current_period_end FROM subscriptions WHERE stripe_subscription_id = @stripeSubscriptionId", new { stripeSubscriptionId },
            cancellationToken: cancellationToken)) is not { } end || end <= periodStart.ToUnixTimeMilliseconds(), cancellationToken);

    public async Task<StripeEventResult> ApplyAsync(StripeEventRecord stripeEvent, StripeEffect effect, CancellationToken cancellationToken = default)
    {
        var touched = new HashSet<string>(StringComparer.Ordinal);
        var result = await database.WriteAsync(async (c, tx) =>
        {
            touched.Clear(); // a retried transaction starts over
            var inserted = await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO stripe_events (id, type, created_at, received_at, outcome, detail) VALUES (@Id, @Type, @created, @received, '', NULL)
                ON CONFLICT (id) DO NOTHING
                """, new
            {
                stripeEvent.Id, stripeEvent.Type, created = stripeEvent.CreatedAt.ToUnixTimeMilliseconds(),
                received = time.GetUtcNow().ToUnixTimeMilliseconds(),
            }, tx, cancellationToken: cancellationToken));
            if (inserted == 0)
            {
                var first = await c.QuerySingleAsync<(string Outcome, string? Detail)>(new CommandDefinition(
                    "SELECT outcome, detail FROM stripe_events WHERE id = @Id", new { stripeEvent.Id }, tx, cancellationToken: cancellationToken));
                return new StripeEventResult(true, first.Outcome, first.Detail);
            }

            var writer = new StripeEventWriter(c, tx, billing, catalog, options.Value, database.Dialect, time, touched, cancellationToken);
            var (outcome, detail) = await writer.ApplyAsync(stripeEvent, effect);
            await c.ExecuteAsync(new CommandDefinition("UPDATE stripe_events SET outcome = @outcome, detail = @detail WHERE id = @Id",
                new { stripeEvent.Id, outcome, detail }, tx, cancellationToken: cancellationToken));
            return new StripeEventResult(false, outcome, detail);
        }, cancellationToken);
        foreach (var customer in touched)
        {
            contexts.Invalidate(customer);
        }

        return result;
    }
}
