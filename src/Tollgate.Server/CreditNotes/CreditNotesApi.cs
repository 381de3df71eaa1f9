using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tollgate.Contracts;
using Tollgate.Core;
using Tollgate.Core.Json;
using Tollgate.Core.Billing;
using Tollgate.Server.Http;
using Tollgate.Server.Payments;
using Tollgate.Server.Billing;

namespace Tollgate.Server.CreditNotes;

/// <summary>Credit notes: issue one against an invoice, and read them by invoice, across invoices, or one by one.</summary>
public static class CreditNotesApi
{
    /// <summary>An amount on one note: at most this many minor units (a billion dollars), so sums stay far from overflow.</summary>
    private const long MaxAmountCents = 100_000_000_000;

    private const int MaxMemoLength = 500;

    public static RouteGroupBuilder MapCreditNotes(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Invoices").RequireAuthorization(Policies.Secret);
        group.MapPost("/invoices/{id}/credit-notes", CreateAsync).ProducesProblems(400, 404, 409, 502);
        group.MapGet("/invoices/{id}/credit-notes", ListForInvoiceAsync).ProducesProblems(400, 404);
        group.MapGet("/credit-notes", ListAsync).ProducesProblems(400);
        group.MapGet("/credit-notes/{id}", GetAsync).ProducesProblems(404);
        group.MapPost("/credit-notes/{id}/refund", RefundAsync).ProducesProblems(404, 409, 502);
        return group;
    }

    private static async Task<Results<Created<CreditNoteResponse>, Ok<CreditNoteResponse>, ProblemHttpResult>> CreateAsync(
        string id, CreateCreditNoteRequest request, [FromHeader(Name = TollgateHeaders.IdempotencyKey)] string? idempotencyKey,
        CreditNoteService notes, InvoiceStore invoices, HttpContext http, CancellationToken cancellationToken)
    {
        // Line ids name one invoice's lines, so the invoice is read first; an unknown invoice is a 404 before any line is judged.
        var invoice = await invoices.GetAsync(id, cancellationToken);
        if (invoice is null)
        {
            return Problems.NotFound("invoice", id);
        }

        var errors = Check(request, invoice.Id, out var lines);
        if (Validate.IdempotencyKey(idempotencyKey) is { } badKey)
        {
            errors["Idempotency-Key"] = badKey;
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var (outcome, stripeError) = await notes.CreateAsync(new NewCreditNote(invoice.Id, lines, request.Lines is null ? request.AmountCents : null,
            request.Reason!, request.Memo, request.Refund ?? false, idempotencyKey, RequestHash.Of(JsonSerializer.Serialize(request, WireJson.Options))),
            cancellationToken);
        if (stripeError is not null)
        {
            return PaymentsApi.FromStripe(stripeError);
        }

        return outcome switch
        {
            CreditNoteOutcome.Issued { Created: true } issued => TypedResults.Created($"/v1/credit-notes/{issued.Note.Id}", ToWire(issued.Note)),
            CreditNoteOutcome.Issued issued => TollgateHeaders.Replayed(http, ToWire(issued.Note)),
            CreditNoteOutcome.InvoiceNotFound => Problems.NotFound("invoice", id),
            CreditNoteOutcome.InvoiceVoid => Problems.Create(409, "invoice_void", $"Invoice {invoice.Number ?? invoice.Id} is void; a void invoice takes no credit note."),
            CreditNoteOutcome.ExceedsInvoice exceeds => Problems.Create(409, "credit_exceeds_invoice",
                $"Credit on invoice {invoice.Number ?? invoice.Id} would exceed its total; at most {exceeds.RemainingCents} more can be credited.",
                new Dictionary<string, object?>
                {
                    ["remaining_cents"] = exceeds.RemainingCents,
                    // The field that asked for too much: the amount, or the lines together.
                    ["errors"] = new Dictionary<string, string>
                    {
                        [request.Lines is null ? "amount_cents" : "lines"] = $"credits more than the invoice has left ({exceeds.RemainingCents})",
                    },
                }),
            CreditNoteOutcome.ExceedsLine line => Problems.Create(409, "credit_exceeds_line",
                $"lines[{line.Index}] would credit more than the line has left: at most {line.RemainingCents}.",
                new Dictionary<string, object?>
                {
                    ["remaining_cents"] = line.RemainingCents,
                    ["errors"] = new Dictionary<string, string> { [$"lines[{line.Index}].amount_cents"] = $"is more than the line has left ({line.RemainingCents})" },
                }),
            CreditNoteOutcome.UnknownLine unknown => Problems.Validation($"lines[{unknown.Index}].invoice_line_id", "names no line of this invoice"),
            CreditNoteOutcome.RefundUnavailable refusal => Problems.Create(409, "refund_unavailable", refusal.Detail,
                new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string> { ["refund"] = "cannot be done for this invoice" } }),
            CreditNoteOutcome.RefundExceedsPayment exceeds => Problems.Create(409, "refund_exceeds_payment",
                $"Stripe collected less on invoice {invoice.Number ?? invoice.Id} than this refund, after earlier refunds: at most {exceeds.RefundableCents} "
                + "can be refunded; credit the rest without refund.",
                new Dictionary<string, object?>
                {
                    ["refundable_cents"] = exceeds.RefundableCents,
                    ["errors"] = new Dictionary<string, string> { ["refund"] = $"is more than Stripe collected and has not refunded ({exceeds.RefundableCents})" },
                }),
            CreditNoteOutcome.CollectedByStripe => Problems.Create(409, "invoice_collected_by_stripe",
                $"Invoice {invoice.Number ?? invoice.Id} belongs to a Stripe-billed subscription and Stripe collects it in full, so a credit note here "
                + "would not lower what Stripe charges. Credit it in Stripe, or issue the note here once the invoice is paid (as credit or a refund)."),
            CreditNoteOutcome.KeyReused => Problems.Create(409, "idempotency_mismatch",
                "This Idempotency-Key was used for a different credit note; use a new key for a new credit note."),
            _ => throw new InvalidOperationException("Every credit note outcome is answered above."),
        };
    }

    // Every field at once, each named; lines resolve to positions on this invoice.
    private static Dictionary<string, string> Check(CreateCreditNoteRequest request, string invoiceId, out List<(int, long)>? lines)
    {
        lines = null;
        var errors = Validate.Errors(
            ("reason", CreditNoteReasons.IsKnown(request.Reason) ? null : $"must be one of {string.Join(", ", CreditNoteReasons.All)}"),
            ("memo", request.Memo is { Length: > MaxMemoLength } || (request.Memo?.Any(c => char.IsControl(c) && c is not '\n') ?? false)
                ? $"must be at most {MaxMemoLength} characters, without control characters other than line breaks" : null));
        if (request.Lines is not null && request.AmountCents is not null)
        {
            errors["amount_cents"] = "give either lines or amount_cents, not both";
        }
        else if (request.Lines is null && request.AmountCents is null)
        {
            errors["amount_cents"] = "is required when no lines are given";
        }
        else if (request.AmountCents is { } amount && amount is < 1 or > MaxAmountCents)
        {
            errors["amount_cents"] = $"must be a whole number from 1 to {MaxAmountCents}";
        }
        else if (request.Lines is { } asked)
        {
            if (asked.Count is 0 or > 100)
            {
                errors["lines"] = "must hold 1 to 100 lines";
            }

            lines = [];
            for (var i = 0; i < asked.Count; i++)
            {
                var position = CreditNote.LinePosition(invoiceId, asked[i]?.InvoiceLineId);
                if (asked[i]?.InvoiceLineId is null)
                {
                    errors[$"lines[{i}].invoice_line_id"] = "is required";
                }
                else if (position is null)
                {
                    errors[$"lines[{i}].invoice_line_id"] = "names no line of this invoice";
                }

                if (asked[i]?.AmountCents is not ({ } cents and >= 1 and <= MaxAmountCents))
                {
                    errors[$"lines[{i}].amount_cents"] = $"must be a whole number from 1 to {MaxAmountCents}";
                }

                lines.Add((position ?? -1, asked[i]?.AmountCents ?? 0));
            }
        }

        return errors;
    }

    private static async Task<Results<Ok<ListResponse<CreditNoteResponse>>, ProblemHttpResult>> ListForInvoiceAsync(
        string id, string? limit, string? cursor, InvoiceStore invoices, CreditNoteStore notes, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("credit_notes", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        if (await invoices.GetAsync(id, cancellationToken) is not { } invoice)
        {
            return Problems.NotFound("invoice", id);
        }

        return TypedResults.Ok(Lists.ToWire(await notes.PageAsync(new CreditNoteFilter(Invoice: invoice.Id), page, cancellationToken), ToWire));
    }

    /// <summary>Credit notes across invoices, newest first; customer and invoice narrow the list.</summary>
    private static async Task<Results<Ok<ListResponse<CreditNoteResponse>>, ProblemHttpResult>> ListAsync(
        string? customer, string? invoice, string? limit, string? cursor, CreditNoteStore notes, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("credit_notes", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        return TypedResults.Ok(Lists.ToWire(await notes.PageAsync(new CreditNoteFilter(customer, invoice), page, cancellationToken), ToWire));
    }

    private static async Task<Results<Ok<CreditNoteResponse>, ProblemHttpResult>> GetAsync(
        string id, CreditNoteStore notes, CancellationToken cancellationToken) =>
        await notes.GetAsync(id, cancellationToken) is { } note ? TypedResults.Ok(ToWire(note)) : Problems.NotFound("credit note", id);

    /// <summary>
    /// Takes a note's refund as far as Stripe allows now: reads the refund Stripe has, or hands over one Tollgate could not
    /// (a call that got no answer). A note whose refund is final is answered as it is, so a retry is safe; a note that
    /// asked for no refund is a 409, since answering it as done would tell the caller money went back that never will.
    /// </summary>
    private static async Task<Results<Ok<CreditNoteResponse>, ProblemHttpResult>> RefundAsync(
        string id, CreditNoteService notes, CancellationToken cancellationToken) =>
        await notes.ResumeRefundAsync(id, cancellationToken) switch
        {
            (null, _) => Problems.NotFound("credit note", id),
            (_, { } error) => PaymentsApi.FromStripe(error),
            ({ RefundAmountCents: 0 } note, null) => Problems.Create(409, "no_refund",
                $"Credit note {note.Number} refunds nothing: it went to {(note.CreditBalanceCents > 0 ? "the customer's credit balance" : "the invoice's amount due")}. "
                + "To refund, issue a new credit note with refund: true.",
                new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string> { ["id"] = "names a credit note that asked for no refund" } }),
            ({ } note, null) => TypedResults.Ok(ToWire(note)),
        };

    public static CreditNoteResponse ToWire(CreditNote n) => new(
        n.Id, n.Number, n.InvoiceId, n.CustomerId, n.Currency, n.Type, n.Status, n.AmountCents, n.PrePaymentAmountCents, n.CreditBalanceCents,
        n.RefundAmountCents, n.RefundStatus, n.Reason, n.Memo,
        [.. n.Lines.Select(l => new CreditNoteLineResponse(CreditNote.LineId(n.InvoiceId, l.LinePosition), l.Description, l.AmountCents))], n.CreatedAt);
}
