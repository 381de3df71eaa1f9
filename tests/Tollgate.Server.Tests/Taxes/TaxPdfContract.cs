using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Taxes;

/// <summary>Tax on the invoice PDF and the printable invoice, read back with pdftotext as a customer reads it.</summary>
public abstract class TaxPdfContract : ApiContract
{
    [Fact]
    public async Task TheInvoicePdfShowsTheDiscountTheTaxPerRateOnTheDiscountedAmountAndTheTotal()
    {
        await using var app = await StartAsync(TaxesSetup.Settings(), TaxesSetup.Start);
        await app.TaxRateAsync(new { id = "gb_vat", name = "VAT", percentage = 20, inclusive = false, country = "GB" });
        Assert.Equal(HttpStatusCode.Created, (await app.Admin.PostJsonAsync("/v1/admin/coupons",
            new { id = "twenty", name = "20 % off", percent_off = 20, duration = "forever" })).StatusCode);
        await app.CustomerInAsync("c1", "GB");
        var invoice = (await app.FirstInvoiceAsync("c1", "starter_gbp", coupon: "twenty"))["id"].Value<string>();

        var pdf = await app.Admin.GetAsync($"/v1/invoices/{invoice}/pdf");
        var text = PdfText.Squeezed(await PdfText.ReadAsync(await pdf.Content.ReadAsByteArrayAsync()));
        var html = WebUtility.HtmlDecode(await (await app.Admin.GetAsync($"/v1/invoices/{invoice}/html")).Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Contains("Subtotal £10.00", text, StringComparison.Ordinal);
        Assert.Contains("Discounts -£2.00", text, StringComparison.Ordinal);
        Assert.Contains("VAT 20% on £8.00 £1.60", text, StringComparison.Ordinal);
        Assert.Contains("Total £9.60", text, StringComparison.Ordinal);
        Assert.Contains("Amount due £9.60", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Reverse charge", text, StringComparison.Ordinal);
        Assert.Contains("VAT 20% on £8.00", html, StringComparison.Ordinal);
        Assert.Contains("£9.60", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReverseChargeInvoicePdfSaysReverseChargeAndChargesNoTax()
    {
        await using var app = await StartAsync(TaxesSetup.Settings(), TaxesSetup.Start);
        await app.TaxRateAsync(new { id = "de_vat", name = "MwSt.", percentage = 19, inclusive = false, country = "DE" });
        await app.CustomerInAsync("c1", "DE", taxExempt: "reverse");
        var invoice = (await app.FirstInvoiceAsync("c1", "team_eur"))["id"].Value<string>();

        var text = PdfText.Squeezed(await PdfText.ReadAsync(await (await app.Admin.GetAsync($"/v1/invoices/{invoice}/pdf")).Content.ReadAsByteArrayAsync()));

        Assert.Contains("Reverse charge", text, StringComparison.Ordinal);
        Assert.DoesNotContain("MwSt.", text, StringComparison.Ordinal);
        Assert.Contains("Amount due €100.00", text, StringComparison.Ordinal);
    }
}

public sealed class SqliteTaxPdfTests : TaxPdfContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresTaxPdfTests : TaxPdfContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingTaxPdfTests : TaxPdfContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
