using Tollgate.Core.Taxes;

namespace Tollgate.Core.Billing;

/// <summary>
/// The tax step of an invoice, after the discounts: each line is taxed on what is left of it once its discount is taken
/// (an invoice-level amount off is already spread over the lines by largest remainder, DiscountedLines.Spread, so the
/// discounted lines add up to the invoice's discount to the cent), by every rate that applies, rounded once per line.
/// </summary>
public static class TaxedLines
{
    public static IReadOnlyList<InvoiceLine> Apply(IReadOnlyList<InvoiceLine> lines, IReadOnlyList<TaxRate> rates) =>
        rates.Count == 0 ? lines : [.. lines.Select(l => l with { Taxes = TaxMath.ForLine(l.NetCents, rates) })];
}

/// <summary>One rate's tax over an invoice, and the amount it was taken on (net of inclusive tax).</summary>
public sealed record TaxBreakdown(string TaxRateId, string Name, long Millionths, bool Inclusive, long TaxableCents, long AmountCents)
{
    public decimal Percentage => Millionths / (decimal)TaxRate.PerPercent;

    public static IReadOnlyList<TaxBreakdown> Of(IEnumerable<InvoiceLine> lines) =>
        [.. lines.SelectMany(l => l.Taxes.Select(t => (Line: l, Tax: t)))
            .GroupBy(x => x.Tax.TaxRateId, StringComparer.Ordinal)
            .Select(g =>
            {
                var first = g.First().Tax;
                var taxable = g.Sum(x => x.Line.NetCents - x.Line.Taxes.Where(t => t.Inclusive).Sum(t => t.AmountCents));
                return new TaxBreakdown(first.TaxRateId, first.Name, first.Millionths, first.Inclusive, taxable, g.Sum(x => x.Tax.AmountCents));
            })];
}
