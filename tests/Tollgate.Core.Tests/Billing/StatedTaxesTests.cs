using Tollgate.Core.Billing;
using Tollgate.Core.Taxes;

namespace Tollgate.Core.Tests.Billing;

public sealed class StatedTaxesTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = Start.AddMonths(1);

    private static InvoiceLine Line(InvoiceLineKind kind, long amount, DateTimeOffset? start = null) =>
        new(kind, kind.ToWire(), amount, 1, amount, start ?? Start, End);

    private static IReadOnlyList<LineTax> Vat(long amount) => [new LineTax("txr_vat", "VAT", 200_000, false, amount)];

    [Fact]
    public void TheFeesTaxGoesOnTheRecurringLineAnItemsOnTheLineItWasMadeFromAndStripesOwnProrationOnNone()
    {
        // Stripe keeps periods in seconds; Tollgate's lines have milliseconds.
        var overageStart = Start.AddMilliseconds(250);
        InvoiceLine[] lines = [Line(InvoiceLineKind.Recurring, 3000), Line(InvoiceLineKind.Overage, 500, overageStart), Line(InvoiceLineKind.Overage, 800)];
        StatedLine[] stated =
        [
            new(false, InvoiceLineKind.Overage, 500, Start, End, Vat(100)),
            new(true, null, 3000, Start, End, Vat(600)),
            new(false, null, 1000, Start, End, Vat(200)), // a proration Stripe made itself
        ];

        var taxed = StatedTaxes.OnLines(lines, stated);

        Assert.Equal([600L, 100L, 0L], taxed.Select(l => l.TaxCents));
        Assert.Equal([3600L, 600L, 800L], taxed.Select(l => l.TotalCents));
    }

    [Fact]
    public void AnItemOfAnotherAmountOrPeriodTakesNoLinesTax()
    {
        var taxed = StatedTaxes.OnLines([Line(InvoiceLineKind.Overage, 500)],
            [new StatedLine(false, InvoiceLineKind.Overage, 501, Start, End, Vat(100)), new StatedLine(false, InvoiceLineKind.Overage, 500, Start, End.AddDays(1), Vat(100))]);

        Assert.Equal(0L, Assert.Single(taxed).TaxCents);
    }

    [Fact]
    public void StripesTotalsAreTheInvoicesTaxAndTotalOverTheLinesOwn()
    {
        var invoice = new Invoice("in_1", "TG-1", "c", "s", InvoiceStatus.Paid, BillingReasons.SubscriptionCycle, "USD", 3000, 0, 3000, 3600, Start, End,
            Core.Customers.CollectionMethod.ChargeAutomatically, Start, Start, Start, null, Start, [Line(InvoiceLineKind.Recurring, 3000)],
            StripeTaxes: [new TaxBreakdown("txr_vat", "VAT", 200_000, false, 3000, 600), new TaxBreakdown("txr_in", "GST", 100_000, true, 1000, 100)]);

        Assert.True(invoice.TaxedByStripe);
        Assert.Equal((700L, 3600L), (invoice.TaxCents, invoice.TotalCents)); // the inclusive 100 is inside the subtotal
        Assert.Equal(["txr_vat", "txr_in"], invoice.TaxBreakdown.Select(t => t.TaxRateId));
    }
}
