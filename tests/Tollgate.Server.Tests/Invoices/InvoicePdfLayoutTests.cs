using Tollgate.Core.Billing;
using Tollgate.Core.Customers;
using Tollgate.Server.Invoices;
using Tollgate.Server.Billing;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Invoices;

/// <summary>The invoice layout without a server: long invoices page, and amounts print from minor units exactly in any currency.</summary>
public sealed class InvoicePdfLayoutTests
{
    private static readonly DateTimeOffset Issued = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static Invoice Invoice(string currency, params InvoiceLine[] lines) => new(
        "in_1", "TG-2026-000042", "c1", null, InvoiceStatus.Open, BillingReasons.SubscriptionCycle, currency,
        lines.Sum(l => l.AmountCents), 0, lines.Sum(l => l.NetCents), 0, Issued, Issued.AddMonths(1), CollectionMethod.SendInvoice, Issued,
        Issued.AddDays(30), null, null, Issued, lines, lines.Sum(l => l.DiscountCents));

    private static InvoiceLine Line(string description, long cents, long discount = 0) =>
        new(InvoiceLineKind.Overage, description, cents, 1, cents, Issued, Issued.AddMonths(1), DiscountCents: discount);

    private static async Task<string> TextAsync(Invoice invoice) =>
        PdfText.Squeezed(await PdfText.ReadAsync(Render(invoice)));

    private static byte[] Render(Invoice invoice, string seller = "Northwind", string customer = "Ada Ltd")
    {
        var parties = new PdfParties(seller, new SellerOptions { Address = "1 Quay, Bristol" }, "c1",
            new Customer("c1", null, customer, new Dictionary<string, string>(), false, Issued, Issued, TaxExempt: TaxExemptions.Exempt));
        return InvoicePdfLayout.Render(invoice, parties, [], _ => null);
    }

    [Fact]
    public async Task ALongCustomerOrSellerNameWrapsInItsColumnWhereItRanUnderTheAmountDueAndTheTitle()
    {
        const string Long = "The Analytical Engine Company of Greater London, Bristol and the Counties of the West Country Limited";

        var words = await PdfText.WordsAsync(Render(Invoice("USD", Line("Pro (monthly)", 1500)), seller: Long, customer: Long));

        var overprinted = words.SelectMany((w, i) => words.Skip(i + 1).Where(w.Overlaps).Select(o => $"'{w.Text}' and '{o.Text}'")).ToList();
        Assert.Empty(overprinted);
        Assert.Equal(3, words.Count(w => w.Text == "Limited")); // both names printed whole, and the seller's in the footer
        Assert.Contains(words, w => w.Text == "INVOICE");
    }

    [Fact]
    public async Task AnEmojiTheFontLacksPrintsAndCopiesOutAsTheReplacementMarkNotAnotherLetter()
    {
        var text = await PdfText.ReadAsync(Render(Invoice("USD", Line("Seats for the 😀 team", 1500)), customer: "Café 😀 Ltd"));

        Assert.Contains("Café \uFFFD Ltd", text, StringComparison.Ordinal);
        Assert.Contains("Seats for the \uFFFD team", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u1F60', text); // what PDFsharp's text layer made of U+1F600
    }

    [Fact]
    public async Task SixtyLinesFlowOverThreePagesWithTheColumnHeadsRepeatedAndTheTotalsAfterTheLastLine()
    {
        var lines = Enumerable.Range(1, 60).Select(i => Line($"API calls, project {i:00}", 100)).ToArray();

        var text = await TextAsync(Invoice("USD", lines));

        Assert.Contains("Page 1 of 3", text, StringComparison.Ordinal);
        Assert.Contains("Page 3 of 3", text, StringComparison.Ordinal);
        Assert.Equal(3, text.Split("DESCRIPTION PERIOD QTY UNIT PRICE AMOUNT").Length - 1);
        Assert.True(text.IndexOf("project 60", StringComparison.Ordinal) < text.IndexOf("Subtotal $60.00", StringComparison.Ordinal));
        Assert.Contains("Amount due $60.00", text, StringComparison.Ordinal);
        Assert.Contains("The customer is exempt from tax.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALongQuantityBreaksThePeriodAfterItsDashInsteadOfRunningIntoIt()
    {
        var line = new InvoiceLine(InvoiceLineKind.Overage, "AI tokens", 1_234_567, 1_234_567, 1, Issued, Issued.AddMonths(1));

        var text = await TextAsync(Invoice("USD", line));

        Assert.Contains("1 May 2026 – 1,234,567 $0.01 $12,345.67", text, StringComparison.Ordinal);
        Assert.Contains("1 Jun 2026", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAmountTooWideForItsColumnTakesARowOfItsOwnInsteadOfOverprintingTheUnitPrice()
    {
        var line = new InvoiceLine(InvoiceLineKind.Overage, "Storage", 9_000_000_000_000_000_000, 1_000_000_000, 9_000_000_000, Issued, Issued.AddMonths(1));

        var rows = (await TextAsync(Invoice("USD", line))).Split('\n');

        // The unit price on the row below the quantity, the amount below it; in the totals, each amount below its label.
        var at = Array.FindIndex(rows, r => r.StartsWith("Storage", StringComparison.Ordinal));
        Assert.Equal(["Storage 1 May 2026 – 1,000,000,000", "1 Jun 2026 $90,000,000.00", "$90,000,000,000,000,000.00"], rows[at..(at + 3)]);
        Assert.Contains("Amount due", rows);
        Assert.Equal("$90,000,000,000,000,000.00", rows[Array.IndexOf(rows, "Amount due") + 1]);
    }

    [Fact]
    public async Task AFinalInvoiceStampedAtTheCancelShowsTheServicePeriodItsCreditCovers()
    {
        var credit = new InvoiceLine(InvoiceLineKind.ProrationCredit, "Unused time on Pro", -1000, 1, -1000, Issued, Issued.AddMonths(1));

        var text = await TextAsync(Invoice("USD", credit) with { PeriodStart = Issued, PeriodEnd = Issued });

        Assert.Contains("Service period 1 May 2026 – 1 Jun 2026", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMidPeriodCancelsInvoiceShowsTheServicePeriodThroughItsCredit()
    {
        var credit = new InvoiceLine(InvoiceLineKind.ProrationCredit, "Unused time on Pro", -700, 1, -700, Issued.AddDays(10), Issued.AddMonths(1));

        var text = await TextAsync(Invoice("USD", credit) with
        {
            BillingReason = BillingReasons.SubscriptionCancel, PeriodStart = Issued, PeriodEnd = Issued.AddDays(10),
        });

        Assert.Contains("Service period 1 May 2026 – 1 Jun 2026", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("JPY", 123456L, 0L, "¥123,456")]
    [InlineData("EUR", 123450L, 2469L, "€1,209.81")]
    [InlineData("KWD", 1234567L, 0L, "KWD 1,234.567")]
    public async Task AmountsPrintFromMinorUnitsExactlyInTheInvoicesCurrency(string currency, long cents, long discount, string due)
    {
        var text = await TextAsync(Invoice(currency, Line("Pro (monthly)", cents, discount)));

        Assert.Contains($"Amount due {due}", text, StringComparison.Ordinal);
        Assert.Contains("Amounts in " + currency, text, StringComparison.Ordinal);
    }
}
