namespace Tollgate.Core.Billing;

/// <summary>Why a credit note was issued, in Stripe's words.</summary>
public static class CreditNoteReasons
{
    public static readonly IReadOnlyList<string> All = ["duplicate", "fraudulent", "order_change", "product_unsatisfactory", "other"];

    public static bool IsKnown(string? reason) => reason is not null && All.Contains(reason, StringComparer.Ordinal);
}

/// <summary>The part of a credit note that falls on one invoice line (by its position on the invoice).</summary>
public sealed record CreditNoteLine(int LinePosition, string Description, long AmountCents);

/// <summary>
/// A correction of an issued invoice, in minor units of its currency. <see cref="PrePaymentAmountCents"/> lowered what
/// the invoice had left to pay; <see cref="CreditBalanceCents"/> went to the customer's credit balance, which the next
/// invoice uses; <see cref="RefundAmountCents"/> went back to the customer's card. The three add up to the amount.
/// <see cref="RefundStatus"/> is Stripe's refund status as it is (pending, requires_action, succeeded, failed, canceled).
/// </summary>
public sealed record CreditNote(
    string Id,
    string Number,
    string InvoiceId,
    string CustomerId,
    string Currency,
    long AmountCents,
    long PrePaymentAmountCents,
    long CreditBalanceCents,
    long RefundAmountCents,
    string? RefundStatus,
    string Reason,
    string? Memo,
    IReadOnlyList<CreditNoteLine> Lines,
    DateTimeOffset CreatedAt,
    string? StripeRefundId = null,
    DateTimeOffset? VoidedAt = null)
{
    /// <summary>issued, or void once a refund Stripe refused, failed or canceled gave the note's credit back to the invoice.</summary>
    public string Status => VoidedAt is null ? "issued" : "void";

    /// <summary>Stripe's refund states that end a refund; a note's refund never leaves one (succeeded never moves back).</summary>
    public static bool IsFinalRefundStatus(string? status) => status is "succeeded" or "failed" or "canceled";

    /// <summary>pre_payment when it only lowered the amount due, post_payment when none of it did, mixed otherwise (Stripe's types).</summary>
    public string Type => PrePaymentAmountCents == AmountCents ? "pre_payment" : PrePaymentAmountCents == 0 ? "post_payment" : "mixed";

    /// <summary>
    /// What the notes not voided gave back outside the invoice (to the credit balance or the card): the part of their credit
    /// that lowered no amount due, shown beside "Credit notes" so an invoice's totals add up to what it has due.
    /// </summary>
    public static long ReturnedCents(IEnumerable<CreditNote> notes) =>
        notes.Where(n => n.VoidedAt is null).Sum(n => checked(n.CreditBalanceCents + n.RefundAmountCents));

    /// <summary>The wire id of an invoice line: the invoice's id and the line's position, so it names one line of one invoice.</summary>
    public static string LineId(string invoiceId, int position) => $"il_{invoiceId}_{position}";

    /// <summary>The position named by <paramref name="lineId"/> if it is a line id of <paramref name="invoiceId"/>.</summary>
    public static int? LinePosition(string invoiceId, string? lineId)
    {
        var prefix = $"il_{invoiceId}_";
        return lineId is not null && lineId.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(lineId.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p)
            ? p : null;
    }
}

/// <summary>The arithmetic of a credit note, with no I/O: how an amount spreads over lines and where the money goes.</summary>
public static class CreditNoteMath
{
    /// <summary>
    /// Spreads <paramref name="amount"/> over lines in proportion to what each has left to credit (floored), the cents
    /// left over going one by one to the lines in order that still have room. Null when the lines have less room in all.
    /// </summary>
    public static IReadOnlyList<long>? Spread(long amount, IReadOnlyList<long> remaining)
    {
        var room = remaining.Sum(r => Math.Max(0, r));
        if (amount <= 0 || amount > room)
        {
            return null;
        }

        var shares = remaining.Select(r => r <= 0 ? 0 : (long)((Int128)amount * r / room)).ToArray();
        var left = amount - shares.Sum();
        for (var i = 0; left > 0; i = (i + 1) % shares.Length)
        {
            if (shares[i] < remaining[i])
            {
                shares[i]++;
                left--;
            }
        }

        return shares;
    }

    /// <summary>
    /// On an invoice still to be paid, a credit lowers the amount due first and the rest (credit balance the invoice
    /// already used) returns to the balance; on a paid one it all goes to the balance, or back to the card when refunded.
    /// </summary>
    public static (long PrePayment, long Balance, long Refund) Split(InvoiceStatus status, long amountDueCents, long amountCents, bool refund)
    {
        if (status is InvoiceStatus.Open or InvoiceStatus.Uncollectible or InvoiceStatus.Draft)
        {
            var pre = Math.Min(amountCents, Math.Max(0, amountDueCents));
            return (pre, amountCents - pre, 0);
        }

        return refund ? (0, 0, amountCents) : (0, amountCents, 0);
    }
}
