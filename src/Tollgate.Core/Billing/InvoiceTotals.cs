namespace Tollgate.Core.Billing;

/// <summary>
/// What finalizing an invoice does with the customer's credit balance: a positive total uses up credit first;
/// a negative total becomes credit. Balances are negative when the customer is owed money (Stripe's convention).
/// </summary>
public sealed record InvoiceTotals(long SubtotalCents, long CreditAppliedCents, long AmountDueCents, long BalanceChangeCents)
{
    public static InvoiceTotals Finalize(IEnumerable<InvoiceLine> lines, long balanceCents)
    {
        var subtotal = lines.Sum(l => l.AmountCents);
        if (subtotal <= 0)
        {
            // Nothing to collect; a negative total is owed to the customer and carried as credit.
            return new InvoiceTotals(subtotal, 0, 0, subtotal);
        }

        var available = Math.Max(0, -balanceCents);
        var applied = Math.Min(available, subtotal);
        return new InvoiceTotals(subtotal, applied, subtotal - applied, applied);
    }
}
