using System.Data.Common;
using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Payments;

/// <summary>A plan change Tollgate asked Stripe for, recorded before the call (<see cref="StripeChangeIntents"/>).</summary>
internal sealed record StripeChangeIntent(ProrationBehavior Proration, DateTimeOffset RequestedAt);

/// <summary>
/// The plan change a node is about to ask Stripe for, committed before the call. Stripe is asked not to prorate, because
/// Tollgate's own proration lines go to it as invoice items; when Stripe acts and its answer is lost (a dropped
/// connection, a crash before the commit), the <c>customer.subscription.updated</c> that follows finds the change here
/// and bills those lines, which would otherwise be made by no one. One row per subscription, the latest request's.
/// </summary>
internal static class StripeChangeIntents
{
    /// <summary>
    /// How far from the request the change it asked for can be: Stripe makes it during the call (Stripe.net's retries
    /// included), and an event or an answer carries that moment. A change further off is another one (a choice made in
    /// Stripe's portal later, which prorates in Stripe), however late its event is delivered.
    /// </summary>
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>Records the change from <paramref name="current"/> before Stripe is called; outside the request's own writes (see <see cref="TollgateDatabase.WriteOutsideFlowAsync"/>).</summary>
    public static Task RecordAsync(
        TollgateDatabase database, Subscription current, PlanVersion to, BillingInterval interval, ProrationBehavior proration, DateTimeOffset at,
        CancellationToken cancellationToken) =>
        database.WriteOutsideFlowAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO stripe_change_intents (subscription_id, from_version_id, plan_version_id, billing_period, proration, requested_at)
            VALUES (@id, @from, @to, @period, @proration, @at)
            ON CONFLICT (subscription_id) DO UPDATE SET from_version_id = excluded.from_version_id, plan_version_id = excluded.plan_version_id,
                billing_period = excluded.billing_period, proration = excluded.proration, requested_at = excluded.requested_at
            """, new
        {
            id = current.Id, from = current.PlanVersionId, to = to.Id, period = interval.ToWire(), proration = Wire(proration),
            at = at.ToUnixTimeMilliseconds(),
        }, tx, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>
    /// Stripe did not make the change this request recorded at <paramref name="requestedAt"/>, so it will never come: a
    /// later change made in Stripe's portal must not find it. Another request's intent (a second click) is left alone.
    /// </summary>
    public static Task ForgetAsync(TollgateDatabase database, string subscriptionId, DateTimeOffset requestedAt, CancellationToken cancellationToken) =>
        database.WriteOutsideFlowAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM stripe_change_intents WHERE subscription_id = @subscriptionId AND requested_at = @at",
            new { subscriptionId, at = requestedAt.ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken)), cancellationToken);

    private static Task ForgetInAsync(DbConnection c, DbTransaction tx, string subscriptionId, CancellationToken cancellationToken) =>
        c.ExecuteAsync(new CommandDefinition("DELETE FROM stripe_change_intents WHERE subscription_id = @subscriptionId",
            new { subscriptionId }, tx, cancellationToken: cancellationToken));

    /// <summary>
    /// The intent of the change from <paramref name="current"/> to <paramref name="toVersion"/> and <paramref name="period"/>,
    /// asked for within minutes of <paramref name="changedAt"/> (the event's <c>created</c>, the answer's arrival), taken
    /// (removed) in the caller's transaction; null when Tollgate asked for no such change (one made in Stripe's portal,
    /// which makes its own proration lines).
    /// </summary>
    public static async Task<StripeChangeIntent?> TakeInAsync(
        DbConnection c, DbTransaction tx, Subscription current, string toVersion, BillingInterval period, DateTimeOffset changedAt,
        CancellationToken cancellationToken)
    {
        var row = await c.QuerySingleOrDefaultAsync<(string From, string To, string Period, string Proration, long RequestedAt)>(new CommandDefinition("""
            SELECT from_version_id, plan_version_id, billing_period, proration, requested_at FROM stripe_change_intents WHERE subscription_id = @id
            """, new { id = current.Id }, tx, cancellationToken: cancellationToken));
        if (row.To is null || row.From != current.PlanVersionId || row.To != toVersion || row.Period != period.ToWire()
            || (changedAt - DateTimeOffset.FromUnixTimeMilliseconds(row.RequestedAt)).Duration() > Window)
        {
            return null;
        }

        await ForgetInAsync(c, tx, current.Id, cancellationToken);
        return new StripeChangeIntent(row.Proration == Wire(ProrationBehavior.None) ? ProrationBehavior.None : ProrationBehavior.CreateProrations,
            DateTimeOffset.FromUnixTimeMilliseconds(row.RequestedAt));
    }

    private static string Wire(ProrationBehavior proration) => proration == ProrationBehavior.None ? "none" : "create_prorations";
}
