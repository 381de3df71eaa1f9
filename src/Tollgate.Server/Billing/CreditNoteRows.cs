using System.Data.Common;
using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Billing;

/// <summary>What a request asks to credit: amounts on named lines (by position), or one amount spread over the lines.</summary>
public sealed record NewCreditNote(
    string Invoice, IReadOnlyList<(int Position, long AmountCents)>? Lines, long? AmountCents, string Reason, string? Memo, bool Refund,
    string? IdempotencyKey, string RequestHash, bool StripeConfigured = false);

/// <summary>How a credit note request ended; every refusal wrote nothing.</summary>
public abstract record CreditNoteOutcome
{
    public sealed record Issued(CreditNote Note, bool Created) : CreditNoteOutcome;

    public sealed record InvoiceNotFound : CreditNoteOutcome;

    public sealed record InvoiceVoid : CreditNoteOutcome;

    public sealed record ExceedsInvoice(long RemainingCents) : CreditNoteOutcome;

    public sealed record UnknownLine(int Index) : CreditNoteOutcome;

    public sealed record ExceedsLine(int Index, long RemainingCents) : CreditNoteOutcome;

    public sealed record RefundUnavailable(string Detail) : CreditNoteOutcome;

    /// <summary>A refund larger than what Stripe collected on the invoice less what earlier notes refunded.</summary>
    public sealed record RefundExceedsPayment(long RefundableCents) : CreditNoteOutcome;

    /// <summary>An unpaid invoice of a Stripe-billed subscription: Stripe collects it in full, so a note here would not reach it.</summary>
    public sealed record CollectedByStripe : CreditNoteOutcome;

    public sealed record KeyReused : CreditNoteOutcome;
}

internal sealed class CreditNoteRow
{
    public string Id { get; set; } = "";
    public string Number { get; set; } = "";
    public string InvoiceId { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string Currency { get; set; } = "";
    public long AmountCents { get; set; }
    public long PrePaymentAmountCents { get; set; }
    public long CreditBalanceCents { get; set; }
    public long RefundAmountCents { get; set; }
    public string? RefundStatus { get; set; }
    public string Reason { get; set; } = "";
    public string? Memo { get; set; }
    public string? RequestHash { get; set; }
    public long CreatedAt { get; set; }
    public string? StripeRefundId { get; set; }
    public long? VoidedAt { get; set; }

    public const string Columns = """
        id, number, invoice_id, customer_id, currency, amount_cents, pre_payment_amount_cents, credit_balance_cents, refund_amount_cents,
        refund_status, reason, memo, request_hash, created_at, stripe_refund_id, voided_at
        """;

    public CreditNote ToDomain(IEnumerable<CreditNoteLine> lines) => new(
        Id, Number, InvoiceId, CustomerId, Currency, AmountCents, PrePaymentAmountCents, CreditBalanceCents, RefundAmountCents, RefundStatus, Reason,
        Memo, [.. lines], DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), StripeRefundId,
        VoidedAt is { } voided ? DateTimeOffset.FromUnixTimeMilliseconds(voided) : null);

    /// <summary>The notes named by <paramref name="where"/>, each with its lines, in the order the query gives.</summary>
    public static async Task<List<CreditNote>> ReadAsync(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, string where, object parameters, CancellationToken cancellationToken)
    {
        var rows = (await c.QueryAsync<CreditNoteRow>(new CommandDefinition(
            $"SELECT {Columns} FROM credit_notes WHERE {where}", parameters, tx, cancellationToken: cancellationToken))).ToList();
        return await WithLinesAsync(c, tx, dialect, rows, cancellationToken);
    }

    public static async Task<List<CreditNote>> WithLinesAsync(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, IReadOnlyList<CreditNoteRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        // One query for every note's lines, not one per note.
        var lines = (await c.QueryAsync<(string CreditNoteId, long LinePosition, string Description, long AmountCents)>(new CommandDefinition(
            $"SELECT credit_note_id, line_position, description, amount_cents FROM credit_note_lines WHERE {dialect.InList("credit_note_id", "@ids")} "
            + "ORDER BY credit_note_id, position",
            new { ids = rows.Select(r => r.Id).ToList() }, tx, cancellationToken: cancellationToken))).ToLookup(l => l.CreditNoteId);
        var notes = rows.Select(row => row.ToDomain(lines[row.Id].Select(l => new CreditNoteLine((int)l.LinePosition, l.Description, l.AmountCents))))
            .ToList();
        return notes;
    }
}
