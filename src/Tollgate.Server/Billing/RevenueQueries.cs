using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Billing;

/// <summary>
/// Invoice lines that overlap a window, for revenue recognized day by day, and payments collected in it. A line earns
/// what it was invoiced at: its amount less its discount and the tax inside it (a 20 % coupon's $9.99 fee earns $7.99).
/// A credit note is a negative line over the service period of the invoice line it credits, so it takes back revenue
/// where it was earned.
/// </summary>
public sealed class RevenueQueries(TollgateDatabase database)
{
    /// <summary>Invoice and credit note lines overlapping [from, to), by invoice currency (every currency: a report converts them).</summary>
    public Task<IReadOnlyDictionary<string, IReadOnlyList<RevenueLine>>> LinesAsync(
        DateTimeOffset from, DateTimeOffset to, string? customer = null, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyDictionary<string, IReadOnlyList<RevenueLine>>>(async c => (await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT i.currency, i.customer_id, l.plan_code, l.amount_cents - l.discount_cents - l.inclusive_tax_cents AS amount_cents, l.period_start,
                l.period_end,
                NULL AS credited_line_cents, 0 AS line_discount_cents, 0 AS line_inclusive_tax_cents, NULL AS line_taxes_json
            FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
            WHERE i.status IN ('open', 'paid', 'uncollectible') AND l.period_end > @from AND l.period_start < @to
                {(customer is null ? "" : "AND i.customer_id = @customer")}
            UNION ALL
            SELECT i.currency, i.customer_id, l.plan_code, -n.amount_cents, l.period_start, l.period_end,
                l.amount_cents, l.discount_cents, l.inclusive_tax_cents, l.taxes_json
            FROM credit_note_lines n JOIN credit_notes cn ON cn.id = n.credit_note_id JOIN invoices i ON i.id = n.invoice_id
                JOIN invoice_lines l ON l.invoice_id = n.invoice_id AND l.position = n.line_position
            WHERE cn.voided_at IS NULL AND i.status IN ('open', 'paid', 'uncollectible') AND l.period_end > @from AND l.period_start < @to
                {(customer is null ? "" : "AND i.customer_id = @customer")}
            """, new { from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds(), customer },
            cancellationToken: cancellationToken))).GroupBy(r => r.Currency.ToUpperInvariant(), StringComparer.Ordinal).ToDictionary(g => g.Key,
                g => (IReadOnlyList<RevenueLine>)[.. g.Select(r => new RevenueLine(r.CustomerId, r.PlanCode, r.Revenue(),
                    DateTimeOffset.FromUnixTimeMilliseconds(r.PeriodStart), DateTimeOffset.FromUnixTimeMilliseconds(r.PeriodEnd)))],
                StringComparer.Ordinal), cancellationToken);

    /// <summary>
    /// Money collected in [from, to), per currency: invoices paid then, less what credit notes refunded then. A refund counts once Stripe
    /// has it (succeeded, or pending or requires_action with Stripe's refund id); a note whose refund Tollgate has not yet
    /// handed to Stripe (or whose call failed before an answer), or that Stripe failed or canceled, has moved no money.
    /// </summary>
    public Task<IReadOnlyDictionary<string, long>> PaymentsAsync(
        DateTimeOffset from, DateTimeOffset to, string? customer = null, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyDictionary<string, long>>(async c => (await c.QueryAsync<(string Currency, long Amount)>(new CommandDefinition($"""
            SELECT currency, CAST(SUM(amount) AS BIGINT) FROM (
                SELECT currency, amount_paid_cents AS amount FROM invoices
                WHERE status = 'paid' AND paid_at >= @from AND paid_at < @to {(customer is null ? "" : "AND customer_id = @customer")}
                UNION ALL
                SELECT currency, -refund_amount_cents FROM credit_notes
                WHERE (refund_status = 'succeeded' OR (refund_status IN ('pending', 'requires_action') AND stripe_refund_id IS NOT NULL))
                    AND created_at >= @from AND created_at < @to {(customer is null ? "" : "AND customer_id = @customer")}) AS collected
            GROUP BY currency
            """, new { from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds(), customer },
            cancellationToken: cancellationToken))).ToDictionary(r => r.Currency.ToUpperInvariant(), r => r.Amount, StringComparer.Ordinal), cancellationToken);

    /// <summary>
    /// Credit notes on subscriptions' recurring fees whose service period starts before <paramref name="to"/>, for MRR:
    /// each the revenue share it credited (as <see cref="LinesAsync"/> counts it), over the credited line's period.
    /// </summary>
    public Task<IReadOnlyList<Core.Metrics.MrrCredit>> RecurringCreditsAsync(DateTimeOffset to, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<Core.Metrics.MrrCredit>>(async c => [.. (await c.QueryAsync<Row>(new CommandDefinition("""
            SELECT i.currency, i.customer_id, i.subscription_id, l.plan_code, -n.amount_cents AS amount_cents, l.period_start, l.period_end,
                l.amount_cents AS credited_line_cents, l.discount_cents AS line_discount_cents, l.inclusive_tax_cents AS line_inclusive_tax_cents,
                l.taxes_json AS line_taxes_json
            FROM credit_note_lines n JOIN credit_notes cn ON cn.id = n.credit_note_id JOIN invoices i ON i.id = n.invoice_id
                JOIN invoice_lines l ON l.invoice_id = n.invoice_id AND l.position = n.line_position
            WHERE cn.voided_at IS NULL AND i.status IN ('open', 'paid', 'uncollectible') AND i.subscription_id IS NOT NULL
                AND l.kind = 'recurring' AND l.period_start < @to
            """, new { to = to.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)))
            .Select(r => new Core.Metrics.MrrCredit(r.SubscriptionId!, r.PlanCode, DateTimeOffset.FromUnixTimeMilliseconds(r.PeriodStart),
                DateTimeOffset.FromUnixTimeMilliseconds(r.PeriodEnd), -r.Revenue()))], cancellationToken);

    private sealed class Row
    {
        public string Currency { get; set; } = "";
        public string? SubscriptionId { get; set; }
        public string CustomerId { get; set; } = "";
        public string? PlanCode { get; set; }
        public long AmountCents { get; set; }
        public long PeriodStart { get; set; }
        public long PeriodEnd { get; set; }

        /// <summary>The amount of the invoice line a credit note credits; null on an invoice line's own row.</summary>
        public long? CreditedLineCents { get; set; }

        public long LineDiscountCents { get; set; }

        public long LineInclusiveTaxCents { get; set; }

        public string? LineTaxesJson { get; set; }

        /// <summary>
        /// An invoice line counts without its inclusive tax. A credit note's amount is out of what the customer paid for the
        /// line, tax included, so it takes back only the revenue's share of it: amount × (net − inclusive tax) ÷ total.
        /// </summary>
        public long Revenue()
        {
            if (CreditedLineCents is not { } amount)
            {
                return AmountCents;
            }

            var line = new InvoiceLine(InvoiceLineKind.Adjustment, "", amount, 1, amount, default, default, DiscountCents: LineDiscountCents,
                Taxes: LineTaxJson.Read(LineTaxesJson ?? "[]"));
            var revenue = amount - LineDiscountCents - LineInclusiveTaxCents; // as the invoice line itself counts
            return line.TotalCents == 0 || revenue == line.TotalCents
                ? AmountCents
                : Core.Money.Rounding.DivideHalfUp((Int128)AmountCents * revenue, line.TotalCents);
        }
    }
}
