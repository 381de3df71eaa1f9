namespace Tollgate.Core.Billing;

/// <summary>
/// What finalizing an invoice does, in order: the lines' subtotal, less their discounts, plus the exclusive tax on what
/// is left (inclusive tax is inside the subtotal already), then the customer's credit balance. A positive total uses up credit first; a negative total becomes credit, so the amount due is never below
/// zero. Balances are negative when the customer is owed money (Stripe's convention).
/// </summary>
public sealed record InvoiceTotals(
    long SubtotalCents, long CreditAppliedCents, long AmountDueCents, long BalanceChangeCents, long DiscountCents = 0, long TaxCents = 0,
    long ExclusiveTaxCents = 0)
{
    /// <summary>The subtotal less the discounts plus exclusive tax: what the lines come to.</summary>
    public long TotalCents => checked(SubtotalCents - DiscountCents + ExclusiveTaxCents);

    public static InvoiceTotals Finalize(IEnumerable<InvoiceLine> lines, long balanceCents)
    {
        var list = lines as IReadOnlyCollection<InvoiceLine> ?? [.. lines];
        var subtotal = list.Sum(l => l.AmountCents);
        var discount = list.Sum(l => l.DiscountCents);
        var tax = list.Sum(l => l.TaxCents);
        var exclusive = list.Sum(l => l.ExclusiveTaxCents);
        var total = checked(subtotal - discount + exclusive); // tax past long.MaxValue wrapped negative: a huge credit
        if (total <= 0)
        {
            // Nothing to collect; a negative total is owed to the customer and carried as credit.
            return new InvoiceTotals(subtotal, 0, 0, total, discount, tax, exclusive);
        }

        var available = Math.Max(0, -balanceCents);
        var applied = Math.Min(available, total);
        return new InvoiceTotals(subtotal, applied, total - applied, applied, discount, tax, exclusive);
    }
}
