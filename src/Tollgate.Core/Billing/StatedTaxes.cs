using Tollgate.Core.Taxes;

namespace Tollgate.Core.Billing;

/// <summary>
/// One line of an invoice that another system issued and taxed (Stripe's, for a Stripe-billed subscription), as far as
/// its tax goes. <paramref name="Recurring"/> is the subscription's own fee for its period (Stripe's subscription line,
/// not a proration); <paramref name="Kind"/> is the kind of the Tollgate line an invoice item was made from, null for a
/// line Stripe made on its own.
/// </summary>
public sealed record StatedLine(
    bool Recurring, InvoiceLineKind? Kind, long AmountCents, DateTimeOffset? PeriodStart, DateTimeOffset? PeriodEnd, IReadOnlyList<LineTax> Taxes);

/// <summary>
/// The tax another system's invoice states: its per-rate totals over the whole invoice, its lines' taxes, and whether it
/// was issued under reverse charge.
/// </summary>
public sealed record StatedTax(IReadOnlyList<TaxBreakdown> Totals, IReadOnlyList<StatedLine> Lines, bool ReverseCharge);

/// <summary>Puts the tax another system stated line by line onto the lines of Tollgate's copy of that invoice.</summary>
public static class StatedTaxes
{
    /// <summary>
    /// Tollgate's lines, each with the tax of the stated line that matches it, or none: the subscription's fee goes on the
    /// first recurring line, an invoice item on the line it was made from (same kind, amount and period, to the second,
    /// as Stripe keeps periods). Each line takes one stated line's tax. A stated line that matches none (a proration Stripe
    /// made itself) counts only in the invoice's per-rate totals.
    /// </summary>
    public static IReadOnlyList<InvoiceLine> OnLines(IReadOnlyList<InvoiceLine> lines, IReadOnlyList<StatedLine> stated)
    {
        var taxes = new IReadOnlyList<LineTax>?[lines.Count];
        foreach (var line in stated.Where(s => s.Taxes.Count > 0))
        {
            var match = Enumerable.Range(0, lines.Count).FirstOrDefault(i => taxes[i] is null && Matches(lines[i], line), -1);
            if (match >= 0)
            {
                taxes[match] = line.Taxes;
            }
        }

        return [.. lines.Select((l, i) => l with { Taxes = taxes[i] ?? [] })];
    }

    private static bool Matches(InvoiceLine line, StatedLine stated) => stated.Recurring
        ? line.Kind == InvoiceLineKind.Recurring
        : stated.Kind == line.Kind && stated.AmountCents == line.AmountCents
            && stated.PeriodStart?.ToUnixTimeSeconds() == line.PeriodStart.ToUnixTimeSeconds()
            && stated.PeriodEnd?.ToUnixTimeSeconds() == line.PeriodEnd.ToUnixTimeSeconds();
}
