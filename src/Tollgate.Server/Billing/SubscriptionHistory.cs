using Dapper;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Discounts;
using Tollgate.Core.Metrics;
using Tollgate.Storage.Database;
using Tollgate.Server.Discounts;

namespace Tollgate.Server.Billing;

/// <summary>The recorded states of every subscription, for SaaS metrics.</summary>
public sealed class SubscriptionHistory(TollgateDatabase database)
{
    /// <summary>
    /// On one connection: the states before <paramref name="to"/>, priced net of the discounts in
    /// force (MRR is net of discounts), and the cancellations that can explain a churn in [<paramref name="from"/>, to).
    /// </summary>
    public Task<SaasHistory> WindowAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c =>
        {
            IReadOnlyList<SubscriptionState> states = [.. (await c.QueryAsync<Row>(new CommandDefinition("""
                SELECT subscription_id, customer_id, at, sequence, reason, status, plan_code, plan_version_id, billing_period, price_cents, currency,
                    cancel_at_period_end, was_trial
                FROM subscription_events WHERE at < @to ORDER BY at, sequence
                """, new { to = to.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken))).Select(r => r.ToDomain())];
            var priced = DiscountedMrr.Apply(states, await DiscountHistory.StartedBeforeAsync(c, to, cancellationToken), to);

            // A cancellation that ended before the window cannot explain a churn inside it, so old ones are not read.
            IReadOnlyList<Cancellation> cancellations = [.. (await c.QueryAsync<(string CustomerId, long CanceledAt, long? EndedAt, string? Reason)>(
                    new CommandDefinition("""
                        SELECT customer_id, canceled_at, ended_at, cancel_reason FROM subscriptions
                        WHERE canceled_at IS NOT NULL AND canceled_at < @to AND (ended_at IS NULL OR ended_at >= @from)
                        """, new { from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)))
                .Select(r => new Cancellation(r.CustomerId, DateTimeOffset.FromUnixTimeMilliseconds(r.CanceledAt),
                    r.EndedAt is { } ended ? DateTimeOffset.FromUnixTimeMilliseconds(ended) : null, r.Reason))];
            return new SaasHistory(priced, cancellations);
        }, cancellationToken);

    private sealed class Row
    {
        public string SubscriptionId { get; set; } = "";
        public string CustomerId { get; set; } = "";
        public long At { get; set; }
        public long Sequence { get; set; }
        public string Reason { get; set; } = "";
        public string Status { get; set; } = "";
        public string PlanCode { get; set; } = "";
        public string PlanVersionId { get; set; } = "";
        public string BillingPeriod { get; set; } = "";
        public long PriceCents { get; set; }
        public string Currency { get; set; } = "";
        public bool CancelAtPeriodEnd { get; set; }
        public bool WasTrial { get; set; }

        public SubscriptionState ToDomain()
        {
            BillingIntervalNames.TryParse(BillingPeriod, out var interval);
            return new SubscriptionState(SubscriptionId, CustomerId, DateTimeOffset.FromUnixTimeMilliseconds(At), Sequence, Reason,
                SubscriptionStatusNames.Parse(Status), PlanCode, PlanVersionId, interval, PriceCents, Currency, CancelAtPeriodEnd, WasTrial);
        }
    }
}

/// <summary>What the SaaS report is built from.</summary>
public sealed record SaasHistory(IReadOnlyList<SubscriptionState> States, IReadOnlyList<Cancellation> Cancellations);
