using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Tollgate.Core;
using Tollgate.Core.Billing;
using Tollgate.Storage.Database;
using Tollgate.Server.Webhooks;

namespace Tollgate.Server.Billing;

/// <summary>A credit note filter: by customer and by invoice, each optional.</summary>
public sealed record CreditNoteFilter(string? Customer = null, string? Invoice = null);

/// <summary>
/// Credit notes: issued in one transaction that first locks the invoice row, so concurrent notes on one invoice (on any
/// node) are taken one at a time and their sum never passes the invoice's total, nor a line's credit its line; a note's
/// Idempotency-Key is claimed in the same transaction under a server-wide primary key, so one key issues one note even
/// when sent at once for two invoices.
/// </summary>
public sealed partial class CreditNoteStore(TollgateDatabase database, InvoiceStore invoices, IOptions<BillingOptions> options, TimeProvider time)
{
    public async Task<CreditNoteOutcome> CreateAsync(NewCreditNote request, CancellationToken cancellationToken = default)
    {
        var (outcome, recovered) = await database.WriteAsync(async (c, tx) =>
        {
            var outcome = await CreateInAsync(c, tx, request, cancellationToken);
            return (outcome, outcome is CreditNoteOutcome.Issued issued ? await SettleInAsync(c, tx, issued.Note, cancellationToken) : null);
        }, cancellationToken);
        if (recovered is not null)
        {
            invoices.Recovered(recovered);
        }

        return outcome;
    }

    // A note that left nothing to pay settles the invoice, as a payment would (and a past-due subscription recovers), in the
    // note's own transaction; a retry of a note whose invoice was left open with nothing due (before both were one) settles it.
    private async Task<string?> SettleInAsync(DbConnection c, DbTransaction tx, CreditNote note, CancellationToken ct)
    {
        if (note is not { PrePaymentAmountCents: > 0, VoidedAt: null }
            || await InvoiceStore.GetAsync(c, tx, note.InvoiceId, ct) is not { AmountDueCents: 0, Status: InvoiceStatus.Open or InvoiceStatus.Uncollectible })
        {
            return null;
        }

        return (await invoices.MarkPaidAndRecoverInAsync(c, tx, note.InvoiceId, null, ct)).Recovered;
    }

    private async Task<CreditNoteOutcome> CreateInAsync(DbConnection c, DbTransaction tx, NewCreditNote request, CancellationToken ct)
    {
        var id = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT id FROM invoices WHERE id = @invoice OR number = @invoice", new { invoice = request.Invoice }, tx, cancellationToken: ct));
        if (id is null)
        {
            return new CreditNoteOutcome.InvoiceNotFound();
        }

        // The lock: a write to the invoice row, held to commit; every read below sees what the notes before this one did.
        await c.ExecuteAsync(new CommandDefinition("UPDATE invoices SET credited_cents = credited_cents WHERE id = @id", new { id }, tx,
            cancellationToken: ct));
        if (await UnderKeyAsync(c, tx, id, request, ct) is { } answered)
        {
            return answered;
        }

        var invoice = (await InvoiceStore.GetAsync(c, tx, id, ct))!;
        if (invoice.Status == InvoiceStatus.Void)
        {
            return new CreditNoteOutcome.InvoiceVoid();
        }

        if (invoice.Status is not InvoiceStatus.Paid && await CollectedByStripeAsync(c, tx, invoice, ct))
        {
            return new CreditNoteOutcome.CollectedByStripe();
        }

        if (request.Refund && RefundRefusal(invoice, await StripeInvoiceAsync(c, tx, id, ct), request.StripeConfigured) is { } refusal)
        {
            return new CreditNoteOutcome.RefundUnavailable(refusal);
        }

        var remaining = await LineRoomAsync(c, tx, invoice, ct);
        var invoiceRoom = invoice.TotalCents - invoice.CreditedCents; // the total with exclusive tax: what the customer was charged
        IReadOnlyList<long> amounts;
        if (request.Lines is { } lines)
        {
            var asked = new long[remaining.Count];
            for (var i = 0; i < lines.Count; i++)
            {
                var (position, amount) = lines[i];
                if (position < 0 || position >= remaining.Count)
                {
                    return new CreditNoteOutcome.UnknownLine(i);
                }

                asked[position] += amount;
                if (asked[position] > remaining[position])
                {
                    return new CreditNoteOutcome.ExceedsLine(i, Math.Max(0, remaining[position] - (asked[position] - amount)));
                }
            }

            if (asked.Sum() > invoiceRoom)
            {
                return new CreditNoteOutcome.ExceedsInvoice(Math.Max(0, invoiceRoom));
            }

            amounts = asked;
        }
        else if (request.AmountCents > invoiceRoom || CreditNoteMath.Spread(request.AmountCents!.Value, remaining) is not { } spread)
        {
            return new CreditNoteOutcome.ExceedsInvoice(Math.Max(0, Math.Min(invoiceRoom, remaining.Sum(r => Math.Max(0, r)))));
        }
        else
        {
            amounts = spread;
        }

        if (request.Refund && await RefundableAsync(c, tx, invoice, ct) is var refundable && amounts.Sum() > refundable)
        {
            return new CreditNoteOutcome.RefundExceedsPayment(Math.Max(0, refundable));
        }

        var noteId = Ids.New("cn", time);
        // The key is claimed before anything is written. The invoice lock holds only this invoice, so a note under the
        // same key for another invoice may have been issued since the lookup above: the claim waited for its commit, and
        // the lookup now finds it.
        if (request.IdempotencyKey is { } key && !await ClaimKeyAsync(c, tx, key, noteId, ct))
        {
            return await UnderKeyAsync(c, tx, id, request, ct) ?? new CreditNoteOutcome.KeyReused();
        }

        var note = await WriteAsync(c, tx, noteId, invoice, amounts, request, ct);
        return new CreditNoteOutcome.Issued(note, true);
    }

    /// <summary>
    /// The answer to a request whose key already issued a note: that note again (the same invoice and body), or a mismatch.
    /// A key is the server's, not one invoice's: sent again for another invoice it is a mismatch, not a second note. Null
    /// when the key issued nothing. A key that issued a note on several invoices (before migration 0053) answers this one's.
    /// </summary>
    private async Task<CreditNoteOutcome?> UnderKeyAsync(DbConnection c, DbTransaction tx, string invoiceId, NewCreditNote request, CancellationToken ct)
    {
        if (request.IdempotencyKey is not { } key
            || (await CreditNoteRow.ReadAsync(c, tx, database.Dialect, "idempotency_key = @key", new { key }, ct))
                .OrderBy(n => n.InvoiceId == invoiceId ? 0 : 1).FirstOrDefault() is not { } earlier)
        {
            return null;
        }

        var hash = await c.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT request_hash FROM credit_notes WHERE id = @Id", new { earlier.Id }, tx, cancellationToken: ct));
        return earlier.InvoiceId == invoiceId && hash == request.RequestHash
            ? new CreditNoteOutcome.Issued(earlier, false)
            : new CreditNoteOutcome.KeyReused();
    }

    /// <summary>
    /// Claims the key for the note about to be written (migration 0054); false when another note holds it. On PostgreSQL a
    /// claim of a transaction still open waits for it to end, so the loser sees the winner's note, never issues its own.
    /// </summary>
    private static async Task<bool> ClaimKeyAsync(DbConnection c, DbTransaction tx, string key, string noteId, CancellationToken ct) =>
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO credit_note_keys (idempotency_key, credit_note_id) VALUES (@key, @noteId) ON CONFLICT (idempotency_key) DO NOTHING
            """, new { key, noteId }, tx, cancellationToken: ct)) == 1;

    private async Task<CreditNote> WriteAsync(
        DbConnection c, DbTransaction tx, string id, Invoice invoice, IReadOnlyList<long> amounts, NewCreditNote request, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var total = amounts.Sum();
        var (pre, balance, refund) = CreditNoteMath.Split(invoice.Status, invoice.AmountDueCents, total, request.Refund);
        var sequence = await c.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO credit_note_sequences (year, last_number) VALUES (@year, 1)
            ON CONFLICT (year) DO UPDATE SET last_number = credit_note_sequences.last_number + 1
            RETURNING last_number
            """, new { year = (long)now.Year }, tx, cancellationToken: ct));
        var number = InvoiceNumber.Format("CN", now.Year, sequence);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO credit_notes (id, number, invoice_id, customer_id, currency, amount_cents, pre_payment_amount_cents, credit_balance_cents,
                refund_amount_cents, refund_status, reason, memo, idempotency_key, request_hash, created_at)
            VALUES (@id, @number, @invoice, @customer, @currency, @total, @pre, @balance, @refund, @refundStatus, @reason, @memo, @key, @hash, @now)
            """, new
        {
            id, number, invoice = invoice.Id, customer = invoice.CustomerId, currency = invoice.Currency, total, pre, balance, refund,
            refundStatus = refund > 0 ? "pending" : null, reason = request.Reason, memo = request.Memo, key = request.IdempotencyKey,
            hash = request.RequestHash, now = now.ToUnixTimeMilliseconds(),
        }, tx, cancellationToken: ct));
        var position = 0L;
        for (var i = 0; i < amounts.Count; i++)
        {
            if (amounts[i] == 0)
            {
                continue;
            }

            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO credit_note_lines (credit_note_id, position, invoice_id, line_position, description, amount_cents)
                VALUES (@id, @position, @invoice, @line, @description, @amount)
                """, new { id, position = position++, invoice = invoice.Id, line = (long)i, description = invoice.Lines[i].Description, amount = amounts[i] },
                tx, cancellationToken: ct));
        }

        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE invoices SET credited_cents = credited_cents + @total, amount_due_cents = amount_due_cents - @pre WHERE id = @id
            """, new { id = invoice.Id, total, pre }, tx, cancellationToken: ct));
        if (balance > 0)
        {
            // Negative is credit the customer has; the next invoice of this currency uses it (InvoiceTotals).
            await new InvoiceWriter(c, tx, time, options.Value, ct).AddBalanceAsync(invoice.CustomerId, invoice.Currency, -balance, invoice.Id,
                $"Credit note {number}");
        }

        var note = (await CreditNoteRow.ReadAsync(c, tx, database.Dialect, "id = @id", new { id }, ct))[0];
        await WebhookOutbox.EnqueueAsync(c, tx, WebhookEventTypes.CreditNoteCreated, WebhookPayloads.CreditNote(note), now, time, ct);
        return note;
    }

    // What each line has left to credit: its amount after discount with exclusive tax, less what notes took; a credit line has none.
    private static async Task<IReadOnlyList<long>> LineRoomAsync(DbConnection c, DbTransaction tx, Invoice invoice, CancellationToken ct)
    {
        var taken = (await c.QueryAsync<(long Position, long Amount)>(new CommandDefinition("""
            SELECT l.line_position, SUM(l.amount_cents) FROM credit_note_lines l JOIN credit_notes n ON n.id = l.credit_note_id
            WHERE l.invoice_id = @id AND n.voided_at IS NULL GROUP BY l.line_position
            """,
            new { id = invoice.Id }, tx, cancellationToken: ct))).ToDictionary(t => t.Position, t => t.Amount);
        return [.. invoice.Lines.Select((l, i) => Math.Max(0, l.TotalCents - taken.GetValueOrDefault(i)))];
    }

    private static Task<string?> StripeInvoiceAsync(DbConnection c, DbTransaction? tx, string id, CancellationToken ct) =>
        c.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT stripe_invoice_id FROM invoices WHERE id = @id", new { id }, tx, cancellationToken: ct));

    private static string? RefundRefusal(Invoice invoice, string? stripeInvoiceId, bool stripeConfigured) =>
        invoice.Status != InvoiceStatus.Paid ? $"Only a paid invoice can be refunded; this one is {invoice.Status.ToWire()}. Leave out refund to lower what is due."
        : stripeInvoiceId is null ? "This invoice was not paid through Stripe, so Tollgate cannot refund it; leave out refund to give the customer credit instead."
        : !stripeConfigured ? "Stripe is not configured (Tollgate:Stripe:SecretKey), so Tollgate cannot refund; leave out refund to give credit instead."
        : null;

    public Task<CreditNote?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c =>
            (await CreditNoteRow.ReadAsync(c, null, database.Dialect, "id = @id OR number = @id", new { id }, cancellationToken)).FirstOrDefault(), cancellationToken);

    /// <summary>Credit notes newest first, by keyset on (created_at, id).</summary>
    /// <summary>Every credit note of the invoice, newest first, with their lines: what its printable forms show, none left out.</summary>
    public Task<List<CreditNote>> ForInvoiceAsync(string invoiceId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => CreditNoteRow.ReadAsync(c, null, database.Dialect, "invoice_id = @invoiceId ORDER BY created_at DESC, id DESC", new { invoiceId },
            cancellationToken), cancellationToken);

    public Task<Page<CreditNote>> PageAsync(CreditNoteFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new DynamicParameters();
        var where = new List<string> { Keyset.After(page, "created_at", "id", descending: true) };
        if (filter.Customer is not null)
        {
            parameters.Add("customer", filter.Customer);
            where.Add("customer_id = @customer");
        }

        if (filter.Invoice is not null)
        {
            parameters.Add("invoice", filter.Invoice);
            where.Add("invoice_id = @invoice");
        }

        Keyset.Bind(parameters, page);
        var sql = $"SELECT {CreditNoteRow.Columns} FROM credit_notes WHERE {string.Join(" AND ", where)} "
            + $"{Keyset.OrderBy("created_at", "id", descending: true)} LIMIT @page_limit";
        return database.ReadAsync(async c =>
        {
            var rows = (await c.QueryAsync<CreditNoteRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).ToList();
            var cut = Keyset.Cut(rows, page, r => new Cursor(r.CreatedAt, r.Id));
            var notes = await CreditNoteRow.WithLinesAsync(c, null, database.Dialect, cut.Items, cancellationToken);
            return new Page<CreditNote>(notes, cut.HasMore, cut.NextCursor);
        }, cancellationToken);
    }
}
