using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Payments;

/// <summary>One line claimed for sending: what Stripe's invoice item is made of, and the Stripe customer it bills.</summary>
public sealed record ClaimedInvoiceItem(
    string Id, string CustomerId, string? StripeCustomerId, string? StripeSubscriptionId, string Kind, string Description, long AmountCents,
    string Currency, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, int Attempts, DateTimeOffset CreatedAt);

/// <summary>
/// The outbox of invoice items for Stripe, read by the sender: each node claims due rows for a lease (on PostgreSQL
/// skipping rows another node holds), posts them, and records Stripe's answer.
/// </summary>
public sealed class StripeInvoiceItemStore(TollgateDatabase database, TimeProvider time)
{
    /// <summary>Lines waiting to reach Stripe, due now or retrying later, for the backlog gauge.</summary>
    public Task<OutboxBacklog> BacklogAsync(CancellationToken cancellationToken) =>
        OutboxBacklog.ReadAsync(database, "stripe_invoice_items", cancellationToken);

    public Task<bool> HasDueAsync(CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM stripe_invoice_items WHERE status = 'pending' AND next_attempt_at <= @now LIMIT 1",
            new { now = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)) is not null, cancellationToken);

    public Task<IReadOnlyList<ClaimedInvoiceItem>> ClaimDueAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default) =>
        database.WriteAsync<IReadOnlyList<ClaimedInvoiceItem>>(async (c, tx) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var skipLocked = database.Dialect.ForUpdateSkipLockedOf("i");
            var due = (await c.QueryAsync<ItemRow>(new CommandDefinition($"""
                SELECT i.id, i.customer_id, c.stripe_customer_id, i.stripe_subscription_id, i.kind, i.description, i.amount_cents, i.currency,
                    i.period_start, i.period_end, i.attempts, i.created_at
                FROM stripe_invoice_items i JOIN customers c ON c.id = i.customer_id
                WHERE i.status = 'pending' AND i.next_attempt_at <= @now AND (i.locked_until IS NULL OR i.locked_until <= @now)
                ORDER BY i.next_attempt_at, i.sequence LIMIT @max {skipLocked}
                """, new { now, max = (long)max }, tx, cancellationToken: cancellationToken))).ToList();
            foreach (var row in due)
            {
                await c.ExecuteAsync(new CommandDefinition("UPDATE stripe_invoice_items SET locked_until = @until WHERE id = @Id",
                    new { until = now + (long)lease.TotalMilliseconds, row.Id }, tx, cancellationToken: cancellationToken));
            }

            return [.. due.Select(r => r.ToDomain())];
        }, cancellationToken);

    public Task RecordSentAsync(string id, string stripeInvoiceItemId, CancellationToken cancellationToken = default) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
            UPDATE stripe_invoice_items SET status = 'sent', stripe_invoice_item_id = @stripeInvoiceItemId, attempts = attempts + 1,
                locked_until = NULL, last_error = NULL, sent_at = @now
            WHERE id = @id AND status = 'pending'
            """, new { id, stripeInvoiceItemId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken)),
            cancellationToken);

    /// <summary>A failed attempt: tried again at <paramref name="retryAt"/>, or given up as failed when that is null.</summary>
    public Task RecordFailedAsync(string id, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken = default) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
            UPDATE stripe_invoice_items SET status = @status, attempts = attempts + 1, locked_until = NULL, last_error = @error,
                next_attempt_at = COALESCE(@retryAt, next_attempt_at)
            WHERE id = @id AND status = 'pending'
            """, new { id, error, retryAt = retryAt?.ToUnixTimeMilliseconds(), status = retryAt is null ? "failed" : "pending" },
            tx, cancellationToken: cancellationToken)), cancellationToken);

    private sealed class ItemRow
    {
        public string Id { get; set; } = "";
        public string CustomerId { get; set; } = "";
        public string? StripeCustomerId { get; set; }
        public string? StripeSubscriptionId { get; set; }
        public string Kind { get; set; } = "";
        public string Description { get; set; } = "";
        public long AmountCents { get; set; }
        public string Currency { get; set; } = "";
        public long PeriodStart { get; set; }
        public long PeriodEnd { get; set; }
        public long Attempts { get; set; }
        public long CreatedAt { get; set; }

        public ClaimedInvoiceItem ToDomain() => new(Id, CustomerId, StripeCustomerId, StripeSubscriptionId, Kind, Description, AmountCents, Currency,
            DateTimeOffset.FromUnixTimeMilliseconds(PeriodStart), DateTimeOffset.FromUnixTimeMilliseconds(PeriodEnd), (int)Attempts,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt));
    }
}
