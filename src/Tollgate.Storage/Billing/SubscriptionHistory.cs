using Dapper;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Discounts;
using Tollgate.Core.Metrics;
using Tollgate.Storage.Database;
using Tollgate.Storage.Discounts;

namespace Tollgate.Storage.Billing;

/// <summary>The recorded states of every subscription, for SaaS metrics.</summary>
public sealed class SubscriptionHistory(TollgateDatabase database)
{
    /// <summary>The states before <paramref name="to"/>, priced net of the discounts in force (MRR is net of discounts).</summary>
    public Task<IReadOnlyList<SubscriptionState>> UntilAsync(DateTimeOffset to, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c =>
        {
            IReadOnlyList<SubscriptionState> states = [.. (await c.QueryAsync<Row>(new CommandDefinition("""
                SELECT subscription_id, customer_id, at, sequence, reason, status, plan_code, plan_version_id, billing_period, price_cents, currency,
                    cancel_at_period_end, was_trial
                FROM subscription_events WHERE at < @to ORDER BY at, sequence
                """, new { to = to.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken))).Select(r => r.ToDomain())];
            return DiscountedMrr.Apply(states, await DiscountHistory.StartedBeforeAsync(c, to, cancellationToken), to);
        }, cancellationToken);

    /// <summary>Every cancellation requested before <paramref name="to"/>, for attributing churn.</summary>
    public Task<IReadOnlyList<Cancellation>> CancellationsBeforeAsync(DateTimeOffset to, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<Cancellation>>(async c => [.. (await c.QueryAsync<(string CustomerId, long CanceledAt, long? EndedAt, string? Reason)>(
                new CommandDefinition(
                    "SELECT customer_id, canceled_at, ended_at, cancel_reason FROM subscriptions WHERE canceled_at IS NOT NULL AND canceled_at < @to",
                    new { to = to.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)))
            .Select(r => new Cancellation(r.CustomerId, DateTimeOffset.FromUnixTimeMilliseconds(r.CanceledAt),
                r.EndedAt is { } ended ? DateTimeOffset.FromUnixTimeMilliseconds(ended) : null, r.Reason))], cancellationToken);

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
