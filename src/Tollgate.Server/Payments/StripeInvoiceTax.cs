using Tollgate.Core.Billing;
using Tollgate.Core.Taxes;

namespace Tollgate.Server.Payments;

/// <summary>A Stripe tax rate in the words an invoice prints: "VAT (DE)" at 19 %.</summary>
public sealed record StripeTaxRate(string Id, string Name, decimal Percentage);

/// <summary>
/// One tax amount of Stripe's invoice or of one of its lines (basil's <c>total_taxes[]</c> and <c>lines.data[].taxes[]</c>,
/// or the older <c>total_tax_amounts[]</c> and <c>tax_amounts[]</c>). <see cref="Rate"/> is null until the rate is read.
/// </summary>
public sealed record StripeTaxAmount(string RateId, long AmountCents, bool Inclusive, long? TaxableCents, StripeTaxRate? Rate = null);

/// <summary>
/// A line of Stripe's invoice as far as its tax goes. <see cref="Recurring"/>: the subscription's fee, not a proration;
/// <see cref="TollgateKind"/>: the kind of Tollgate line an invoice item was made from (its <c>metadata.tollgate_kind</c>).
/// </summary>
public sealed record StripeInvoiceLine(
    bool Recurring, string? TollgateKind, long AmountCents, DateTimeOffset? PeriodStart, DateTimeOffset? PeriodEnd, IReadOnlyList<StripeTaxAmount> Taxes);

/// <summary>The tax Stripe computed on one of its invoices: per rate over the invoice, per line, and whether it is a reverse charge.</summary>
public sealed record StripeInvoiceTax(IReadOnlyList<StripeTaxAmount> Totals, IReadOnlyList<StripeInvoiceLine> Lines, bool ReverseCharge)
{
    /// <summary>The rates named only by id, which Tollgate reads from Stripe before it applies the event.</summary>
    public IReadOnlyList<string> UnreadRates =>
        [.. Totals.Concat(Lines.SelectMany(l => l.Taxes)).Where(t => t.Rate is null && t.RateId != StripeInvoiceTaxReader.UnnamedRate)
            .Select(t => t.RateId).Distinct(StringComparer.Ordinal)];

    /// <summary>The same tax with the rates Stripe answered with.</summary>
    public StripeInvoiceTax WithRates(IReadOnlyDictionary<string, StripeTaxRate> rates)
    {
        StripeTaxAmount Named(StripeTaxAmount t) => t with { Rate = t.Rate ?? rates.GetValueOrDefault(t.RateId) };
        return this with { Totals = [.. Totals.Select(Named)], Lines = [.. Lines.Select(l => l with { Taxes = [.. l.Taxes.Select(Named)] })] };
    }

    /// <summary>
    /// In Tollgate's terms: the per-rate totals (one per rate and behaviour, in the order Stripe lists them) and the lines'
    /// taxes. A rate Tollgate could not read is named "Tax" at the percentage its amount is of its taxable amount.
    /// </summary>
    public StatedTax ToStated() => new(
        [.. Totals.GroupBy(t => (t.RateId, t.Inclusive)).Select(g =>
        {
            var first = g.First();
            var taxable = g.Sum(t => t.TaxableCents ?? 0);
            var amount = g.Sum(t => t.AmountCents);
            var (name, millionths) = Words(first with { AmountCents = amount, TaxableCents = taxable });
            return new TaxBreakdown(first.RateId, name, millionths, first.Inclusive, taxable, amount);
        })],
        [.. Lines.Select(l => new StatedLine(l.Recurring, l.TollgateKind is { } kind ? InvoiceLineKindNames.Parse(kind) : null, l.AmountCents,
            l.PeriodStart, l.PeriodEnd, [.. l.Taxes.Select(LineTaxOf)]))],
        ReverseCharge);

    private static LineTax LineTaxOf(StripeTaxAmount tax)
    {
        var (name, millionths) = Words(tax);
        return new LineTax(tax.RateId, name, millionths, tax.Inclusive, tax.AmountCents);
    }

    private static (string Name, long Millionths) Words(StripeTaxAmount tax) => tax.Rate is { } rate
        ? (rate.Name, (long)Math.Round(rate.Percentage * TaxRate.PerPercent, MidpointRounding.AwayFromZero))
        : ("Tax", tax.TaxableCents is > 0 and var taxable
            ? Core.Money.Rounding.DivideHalfUp((Int128)tax.AmountCents * TaxRate.Whole, taxable)
            : 0);
}
