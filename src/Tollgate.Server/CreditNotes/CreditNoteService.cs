using Microsoft.Extensions.Options;
using Tollgate.Core.Billing;
using Tollgate.Server.Payments;
using Tollgate.Server.Billing;

namespace Tollgate.Server.CreditNotes;

/// <summary>How a credit note request ended, and Stripe's error when its refund could not be handed over.</summary>
public sealed record CreditNoteResult(CreditNoteOutcome Outcome, StripeException? StripeError = null);

/// <summary>
/// The credit note use cases: issue a note (committed first, so a refund never exists without its note), then hand its
/// refund to Stripe; and resume a refund Stripe has not yet finished or Tollgate could not hand over.
/// </summary>
public sealed class CreditNoteService(CreditNoteStore notes, StripeClient stripe, IOptions<StripeOptions> stripeOptions)
{
    public async Task<CreditNoteResult> CreateAsync(NewCreditNote request, CancellationToken cancellationToken = default)
    {
        var outcome = await notes.CreateAsync(request with { StripeConfigured = stripeOptions.Value.HasSecretKey }, cancellationToken);
        if (outcome is CreditNoteOutcome.Issued { Note: var note } issued && Owes(note))
        {
            var (refunded, error) = await RefundAsync(note, cancellationToken);
            return new CreditNoteResult(issued with { Note = refunded }, error);
        }

        return new CreditNoteResult(outcome);
    }

    /// <summary>The note with its refund taken as far as Stripe allows now; null for an unknown note.</summary>
    public async Task<(CreditNote? Note, StripeException? Error)> ResumeRefundAsync(string id, CancellationToken cancellationToken = default)
    {
        if (await notes.GetAsync(id, cancellationToken) is not { } note)
        {
            return (null, null);
        }

        return Owes(note) ? await RefundAsync(note, cancellationToken) : (note, null);
    }

    // A refund is owed until Stripe gives it a final status; a voided note owes nothing.
    private static bool Owes(CreditNote note) =>
        note is { RefundAmountCents: > 0, VoidedAt: null } && !CreditNote.IsFinalRefundStatus(note.RefundStatus);

    private async Task<(CreditNote Note, StripeException? Error)> RefundAsync(CreditNote note, CancellationToken cancellationToken)
    {
        try
        {
            // A note Stripe already has a refund for is never refunded again: Stripe is asked where that refund got to.
            var refund = note.StripeRefundId is { } known
                ? await stripe.GetRefundAsync(known, cancellationToken)
                : await stripe.RefundInvoiceAsync((await notes.StripeInvoiceIdAsync(note.InvoiceId, cancellationToken))!, note.RefundAmountCents,
                    note.Id, note.Reason, cancellationToken);
            return (await notes.RecordRefundAsync(note.Id, refund.Status, refund.Id, CancellationToken.None), null);
        }
        catch (StripeException e) when (note.StripeRefundId is null && Refused(e))
        {
            // Stripe answered and made no refund: the note is voided, which frees its credit for a new request.
            return (await notes.RecordRefundAsync(note.Id, "failed", null, CancellationToken.None), e);
        }
        catch (StripeException e)
        {
            // No answer, or Stripe's own trouble: a refund may exist, so the note stays pending and a retry looks for it first.
            return (note, e);
        }
    }

    // A 4xx is Stripe's refusal, except a conflict or a rate limit (try again), an idempotency error (a refund may exist),
    // and 401 or 403: a rotated or under-scoped key is the operator's to fix, not the customer's note to lose.
    private static bool Refused(StripeException e) =>
        e.Status is >= 400 and < 500 and not (401 or 403 or 409 or 429) && e.Type != "idempotency_error";
}
