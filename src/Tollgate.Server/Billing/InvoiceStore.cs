using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Tollgate.Core.Billing;
using Tollgate.Core.Customers;
using Tollgate.Core.Time;
using Tollgate.Storage.Database;
using Tollgate.Server.Webhooks;

namespace Tollgate.Server.Billing;

/// <summary>An invoice's status change: the invoice after it, why it was refused, and whether this call made it (not a retry's or another's).</summary>
public sealed record InvoiceStatusResult(Invoice? Invoice, string? Conflict, bool Changed = false);

/// <summary>Invoices as issued, and the only changes an issued invoice allows: paid, void, uncollectible.</summary>
public sealed class InvoiceStore(
    TollgateDatabase database, BillingCycle cycle, TimeProvider time, IEnumerable<IInvoiceVoided> voided, IOptions<BillingOptions> options)
{
    private const string Columns = """
        id, number, customer_id, subscription_id, status, billing_reason, currency, subtotal_cents, credit_applied_cents, amount_due_cents,
        amount_paid_cents, period_start, period_end, collection_method, issued_at, due_at, paid_at, voided_at, created_at, discount_cents,
        credited_cents, reverse_charge, stripe_taxes_json
        """;

    public Task<Invoice?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => GetAsync(c, null, id, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<Invoice>> ListAsync(string customerId, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<Invoice>>(async c =>
        {
            var rows = (await c.QueryAsync<InvoiceRow>(new CommandDefinition(
                $"SELECT {Columns} FROM invoices WHERE customer_id = @customerId ORDER BY issued_at DESC, number DESC",
                new { customerId }, cancellationToken: cancellationToken))).ToList();
            var lines = (await c.QueryAsync<InvoiceLineRow>(new CommandDefinition(
                "SELECT l.* FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.customer_id = @customerId ORDER BY l.position",
                new { customerId }, cancellationToken: cancellationToken))).ToLookup(l => l.InvoiceId);
            return [.. rows.Select(r => r.ToDomain([.. lines[r.Id].Select(l => l.ToDomain())]))];
        }, cancellationToken);

    /// <summary>The customer's credit balance per currency; negative means money owed to the customer.</summary>
    public Task<IReadOnlyDictionary<string, long>> BalancesAsync(string customerId, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyDictionary<string, long>>(async c => (await c.QueryAsync<(string Currency, long Amount)>(new CommandDefinition(
            "SELECT currency, SUM(amount_cents) FROM balance_transactions WHERE customer_id = @customerId GROUP BY currency",
            new { customerId }, cancellationToken: cancellationToken))).ToDictionary(b => b.Currency, b => b.Amount, StringComparer.Ordinal),
            cancellationToken);

    /// <summary>Records payment collected outside Stripe; a past-due subscription with nothing else overdue becomes active again.</summary>
    public async Task<InvoiceStatusResult> MarkPaidAsync(string id, DateTimeOffset? paidAt = null, CancellationToken cancellationToken = default)
    {
        var (result, recovered) = await database.WriteAsync((c, tx) => MarkPaidAndRecoverInAsync(c, tx, id, paidAt, cancellationToken), cancellationToken);
        if (recovered is not null)
        {
            cycle.Invalidate(recovered);
        }

        return result;
    }

    /// <summary>Drops the cached entitlements of a customer whose subscription recovered in a committed transaction.</summary>
    internal void Recovered(string customerId) => cycle.Invalidate(customerId);

    /// <summary>
    /// <see cref="MarkPaidAsync"/> inside the caller's transaction, so the payment and the recovery it brings commit with the
    /// change that caused them (a credit note that left nothing due); the customer to invalidate once it commits, if any.
    /// </summary>
    internal async Task<(InvoiceStatusResult Result, string? Recovered)> MarkPaidAndRecoverInAsync(
        DbConnection c, DbTransaction tx, string id, DateTimeOffset? paidAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var result = await SetStatusInAsync(c, tx, id, InvoiceStatus.Paid, [InvoiceStatus.Open, InvoiceStatus.Uncollectible],
            (paidAt ?? now).ToUnixTimeMilliseconds(), null, null, time, cancellationToken);
        if (result.Invoice is not { SubscriptionId: { } subscription })
        {
            return (result, null);
        }

        var stillOverdue = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM invoices WHERE subscription_id = @subscription AND status = 'open' AND due_at <= @now",
            new { subscription, now = now.ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken));
        var recovered = stillOverdue > 0 ? null : await cycle.TransitionInAsync(c, tx, subscription, s => s.Status == SubscriptionStatus.PastDue
            ? s with { Status = SubscriptionStatus.Active, PastDueSince = null, DunningState = null, UpdatedAt = now }
            : null, "recovered", now, cancellationToken);
        return (result, recovered);
    }

    /// <summary>
    /// Voids an open or uncollectible invoice: the credit balance it used comes back, and what other capabilities sold on
    /// it (<see cref="IInvoiceVoided"/>) is undone, in one transaction. A second void changes nothing.
    /// </summary>
    public Task<InvoiceStatusResult> VoidAsync(string id, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            // One instant for the void, its webhook, the credit it gives back and what other capabilities undo.
            var at = OperationClock.Now(time);
            var result = await SetStatusInAsync(c, tx, id, InvoiceStatus.Void, [InvoiceStatus.Open, InvoiceStatus.Uncollectible],
                at.Instant.ToUnixTimeMilliseconds(), null, null, at, cancellationToken);
            if (result is { Changed: true, Invoice: { } invoice })
            {
                await ReturnCreditAsync(c, tx, new InvoiceWriter(c, tx, at, options.Value, cancellationToken), invoice, cancellationToken);
                foreach (var undo in voided)
                {
                    await undo.VoidedInAsync(c, tx, invoice, at.Instant, cancellationToken);
                }
            }

            return result;
        }, cancellationToken);

    public Task<InvoiceStatusResult> MarkUncollectibleAsync(string id, CancellationToken cancellationToken = default) =>
        SetStatusAsync(id, InvoiceStatus.Uncollectible, [InvoiceStatus.Open], null, cancellationToken);

    private Task<InvoiceStatusResult> SetStatusAsync(
        string id, InvoiceStatus to, IReadOnlyList<InvoiceStatus> from, DateTimeOffset? at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (c, tx) => SetStatusInAsync(c, tx, id, to, from, (at ?? time.GetUtcNow()).ToUnixTimeMilliseconds(), null, null, time, cancellationToken),
            cancellationToken);

    /// <summary>
    /// Records a payment Stripe collected, inside the caller's transaction: what was paid (which may differ from what
    /// Tollgate billed, as Stripe prorates on its own) and Stripe's invoice id.
    /// </summary>
    internal static Task<InvoiceStatusResult> MarkPaidInAsync(
        DbConnection c, DbTransaction tx, string id, DateTimeOffset paidAt, long amountPaidCents, string stripeInvoiceId, TimeProvider time,
        CancellationToken cancellationToken) =>
        SetStatusInAsync(c, tx, id, InvoiceStatus.Paid, [InvoiceStatus.Open, InvoiceStatus.Uncollectible], paidAt.ToUnixTimeMilliseconds(),
            amountPaidCents, stripeInvoiceId, time, cancellationToken);

    /// <summary>
    /// Copies the tax Stripe's invoice states onto Tollgate's copy of a Stripe-billed subscription's invoice, in the caller's
    /// transaction: per rate on the invoice, per line where a line of Stripe's matches one of the copy's (StatedTaxes), and
    /// Stripe's exclusive tax into the amount due, since Stripe collects it. Only an open or uncollectible invoice takes it
    /// (a paid one is settled as it was paid); the same statement again changes nothing. False when it was not taken.
    /// </summary>
    internal static async Task<bool> RecordStripeTaxInAsync(DbConnection c, DbTransaction tx, string id, StatedTax stated, CancellationToken cancellationToken)
    {
        if (await GetAsync(c, tx, id, cancellationToken) is not { Status: InvoiceStatus.Open or InvoiceStatus.Uncollectible, SubscriptionId: not null } invoice)
        {
            return false;
        }

        var taxed = invoice with
        {
            Lines = StatedTaxes.OnLines(invoice.Lines, stated.Lines), StripeTaxes = stated.Totals, ReverseCharge = invoice.ReverseCharge || stated.ReverseCharge,
        };
        for (var i = 0; i < taxed.Lines.Count; i++)
        {
            var line = taxed.Lines[i];
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE invoice_lines SET taxes_json = @taxes, inclusive_tax_cents = @inclusive WHERE invoice_id = @id AND position = @position",
                new { id = invoice.Id, position = (long)i, taxes = LineTaxJson.Write(line.Taxes), inclusive = line.TaxCents - line.ExclusiveTaxCents }, tx,
                cancellationToken: cancellationToken));
        }

        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE invoices SET stripe_taxes_json = @json, tax_cents = @tax, total_cents = @total, amount_due_cents = @due, reverse_charge = @reverse
            WHERE id = @id
            """, new
        {
            id = invoice.Id, json = StripeTaxJson.Write(stated.Totals), tax = taxed.TaxCents, total = taxed.TotalCents, reverse = taxed.ReverseCharge,
            due = Math.Max(0, invoice.AmountDueCents + taxed.ExclusiveTaxCents - invoice.ExclusiveTaxCents),
        }, tx, cancellationToken: cancellationToken));
        return true;
    }

    private static async Task<InvoiceStatusResult> SetStatusInAsync(
        DbConnection c, DbTransaction tx, string id, InvoiceStatus to, IReadOnlyList<InvoiceStatus> from, long when, long? amount, string? stripe,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var invoice = await GetAsync(c, tx, id, cancellationToken);
        if (invoice is null)
        {
            return new InvoiceStatusResult(null, null);
        }

        if (invoice.Status == to)
        {
            return new InvoiceStatusResult(invoice, null); // a retry answers as the first call did
        }

        if (!from.Contains(invoice.Status))
        {
            return new InvoiceStatusResult(invoice, $"An invoice that is {invoice.Status.ToWire()} cannot become {to.ToWire()}.");
        }

        // Only from the status read: on PostgreSQL a void and a payment may both have read it open, and the second to commit
        // must then find the first's status and answer as a retry or a refusal would, not overwrite it (the void gives the
        // credit back, so a payment written over it would keep both).
        var updated = await c.ExecuteAsync(new CommandDefinition(to switch
        {
            InvoiceStatus.Paid => """
                UPDATE invoices SET status = 'paid', amount_paid_cents = COALESCE(@amount, amount_due_cents), paid_at = @when,
                    stripe_invoice_id = COALESCE(@stripe, stripe_invoice_id)
                WHERE id = @id AND status = @was
                """,
            InvoiceStatus.Void => "UPDATE invoices SET status = 'void', voided_at = @when WHERE id = @id AND status = @was",
            _ => "UPDATE invoices SET status = 'uncollectible' WHERE id = @id AND status = @was",
        }, new { id = invoice.Id, when, amount, stripe, was = invoice.Status.ToWire() }, tx, cancellationToken: cancellationToken)); // id: the caller may have named the number
        if (updated == 0)
        {
            return await SetStatusInAsync(c, tx, id, to, from, when, amount, stripe, time, cancellationToken);
        }

        var changed = await GetAsync(c, tx, invoice.Id, cancellationToken);
        var type = to switch
        {
            InvoiceStatus.Paid => WebhookEventTypes.InvoicePaid,
            InvoiceStatus.Void => WebhookEventTypes.InvoiceVoided,
            _ => WebhookEventTypes.InvoiceUncollectible,
        };
        await WebhookOutbox.EnqueueAsync(c, tx, type, WebhookPayloads.Invoice(changed!), time.GetUtcNow(), time, cancellationToken);
        return new InvoiceStatusResult(changed, null, Changed: true);
    }

    /// <summary>
    /// A voided invoice gives back the credit balance it used, as Stripe's does (API 2019-12-03): what its balance entries
    /// still take after the credit notes that gave part of it back.
    /// </summary>
    private static async Task ReturnCreditAsync(DbConnection c, DbTransaction tx, InvoiceWriter writer, Invoice invoice, CancellationToken cancellationToken)
    {
        var used = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM balance_transactions WHERE invoice_id = @id AND customer_id = @customer AND currency = @currency",
            new { id = invoice.Id, customer = invoice.CustomerId, currency = invoice.Currency }, tx, cancellationToken: cancellationToken));
        if (used > 0)
        {
            await writer.AddBalanceAsync(invoice.CustomerId, invoice.Currency, -used, invoice.Id, $"Credit returned from voided {invoice.Number}");
        }
    }

    internal static async Task<Invoice?> GetAsync(DbConnection c, DbTransaction? tx, string id, CancellationToken cancellationToken)
    {
        var row = await c.QuerySingleOrDefaultAsync<InvoiceRow>(new CommandDefinition(
            $"SELECT {Columns} FROM invoices WHERE id = @id OR number = @id", new { id }, tx, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var lines = await c.QueryAsync<InvoiceLineRow>(new CommandDefinition(
            "SELECT * FROM invoice_lines WHERE invoice_id = @id ORDER BY position", new { id = row.Id }, tx, cancellationToken: cancellationToken));
        return row.ToDomain([.. lines.Select(l => l.ToDomain())]);
    }
}
