using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Invoices;

/// <summary>The invoice and credit note PDFs, read back with pdftotext: what a customer reads on them.</summary>
public abstract class InvoicePdfContract : ApiContract
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    // A seller from settings, and a German business customer on silver ($20 a month) whose first invoice is open.
    private async Task<(TollgateApp App, string Invoice)> StartWithInvoiceAsync(string taxExempt = "reverse")
    {
        var settings = ApiSetup.BillingCatalog();
        settings["Tollgate:Billing:Seller:Name"] = "Northwind Software Ltd";
        settings["Tollgate:Billing:Seller:Address"] = "12 Harbour Street, Bristol BS1 4DJ, United Kingdom";
        settings["Tollgate:Billing:Seller:TaxId"] = "GB123456789";
        settings["Tollgate:Billing:Seller:Email"] = "billing@northwind.example";
        var app = await StartAsync(settings, Start);
        var put = await app.Admin.PutJsonAsync("/v1/customers/c1", new
        {
            email = "accounts@muster.example",
            name = "Muster Analytik GmbH",
            address = new { line1 = "Friedrichstraße 123", line2 = "3. OG", city = "Berlin", postal_code = "10117", country = "DE" },
            tax_ids = new[] { new { type = "eu_vat", value = "DE987654321" } },
            tax_exempt = taxExempt,
        });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await app.SubscribeAsync("c1", "silver");
        return (app, (await app.InvoicesAsync("c1"))[0]["id"].Value<string>()!);
    }

    private static async Task<(HttpResponseMessage Response, string Text)> PdfAsync(TollgateApp app, string url)
    {
        var response = await app.Admin.GetAsync(url);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return (response, response.IsSuccessStatusCode ? PdfText.Squeezed(await PdfText.ReadAsync(bytes)) : "");
    }

    [Fact]
    public async Task TheInvoicePdfShowsSellerCustomerNumberLinesAndTotals()
    {
        var (app, invoice) = await StartWithInvoiceAsync();
        await using var _ = app;

        var (response, text) = await PdfAsync(app, $"/v1/invoices/{invoice}/pdf");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("invoice-TG-2026-000001.pdf", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        Assert.Contains("INVOICE", text, StringComparison.Ordinal);
        Assert.Contains("Invoice number TG-2026-000001", text, StringComparison.Ordinal);
        Assert.Contains("Date of issue 1 Mar 2026", text, StringComparison.Ordinal);
        Assert.Contains("Status OPEN", text, StringComparison.Ordinal);
        foreach (var seller in new[] { "Northwind Software Ltd", "12 Harbour Street", "Bristol BS1 4DJ", "Tax ID GB123456789", "billing@northwind.example" })
        {
            Assert.Contains(seller, text, StringComparison.Ordinal);
        }

        foreach (var buyer in new[] { "Muster Analytik GmbH", "Friedrichstraße 123", "3. OG", "10117 Berlin", "DE", "EU VAT DE987654321", "accounts@muster.example" })
        {
            Assert.Contains(buyer, text, StringComparison.Ordinal);
        }

        Assert.Contains("Subtotal $20.00", text, StringComparison.Ordinal);
        Assert.Contains("Total $20.00", text, StringComparison.Ordinal); // untaxed, it printed no total (a trial)
        Assert.Contains("Credit applied $0.00", text, StringComparison.Ordinal);
        Assert.Contains("Amount due $20.00", text, StringComparison.Ordinal);
        Assert.Contains("Reverse charge", text, StringComparison.Ordinal);
        // The printable HTML invoice prints the same billing details.
        var html = System.Net.WebUtility.HtmlDecode(await (await app.Admin.GetAsync($"/v1/invoices/{invoice}/html")).Content.ReadAsStringAsync());
        foreach (var buyer in new[] { "Friedrichstraße 123", "10117 Berlin", "EU VAT DE987654321", "Reverse charge" })
        {
            Assert.Contains(buyer, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheInvoicePdfListsItsCreditNotesAndTheCreditNotePdfSaysWhereTheMoneyWent()
    {
        var (app, invoice) = await StartWithInvoiceAsync("none");
        await using var _ = app;
        var created = await (await app.Admin.PostJsonAsync($"/v1/invoices/{invoice}/credit-notes",
            new { amount_cents = 550, reason = "duplicate", memo = "Charged twice for March" })).ReadAsync();

        var (_, text) = await PdfAsync(app, $"/v1/invoices/{invoice}/pdf");
        var (noteResponse, note) = await PdfAsync(app, $"/v1/credit-notes/{created["id"].Value<string>()}/pdf");

        Assert.Contains("Credit notes -$5.50", text, StringComparison.Ordinal);
        Assert.Contains("Amount due $14.50", text, StringComparison.Ordinal);
        Assert.Contains("CN-2026-000001", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Reverse charge", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, noteResponse.StatusCode);
        Assert.Contains("CREDIT NOTE", note, StringComparison.Ordinal);
        Assert.Contains("Credit note number CN-2026-000001", note, StringComparison.Ordinal);
        Assert.Contains("Invoice TG-2026-000001", note, StringComparison.Ordinal);
        Assert.Contains("Taken off invoice TG-2026-000001 $5.50", note, StringComparison.Ordinal);
        Assert.Contains("Total credited $5.50", note, StringComparison.Ordinal);
        Assert.Contains("Charged twice for March", note, StringComparison.Ordinal);
        Assert.Contains("Muster Analytik GmbH", note, StringComparison.Ordinal);
        Assert.Contains("Northwind Software Ltd", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APaidInvoiceHeadsWithTheAmountPaidNotTheNothingLeftToPay()
    {
        var (app, invoice) = await StartWithInvoiceAsync("none");
        await using var _ = app;
        Assert.Equal(HttpStatusCode.OK, (await app.Admin.PostAsync(new Uri($"/v1/invoices/{invoice}/mark-paid", UriKind.Relative), null)).StatusCode);
        var paid = (await (await app.Admin.GetAsync($"/v1/invoices/{invoice}")).ReadAsync())["amount_paid_cents"]!.Value<long>();

        var (_, text) = await PdfAsync(app, $"/v1/invoices/{invoice}/pdf");

        var amount = Core.Money.MinorUnits.Display(paid, "USD");
        Assert.True(paid > 0);
        Assert.Contains($"{amount} paid", text, StringComparison.Ordinal);
        Assert.DoesNotContain("$0.00 paid", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APaidInvoiceCreditedAfterwardsShowsWhereTheCreditWentSoItsRowsAddUpAndAsksForNoPayment()
    {
        // Subtotal, credit notes, what went to the balance, credit applied and amount paid must come to the amount due;
        // without the row for the balance a post-payment note's rows came to -$5.00 against $0.00 due.
        var (app, invoice) = await StartWithInvoiceAsync("none");
        await using var _ = app;
        Assert.Equal(HttpStatusCode.OK, (await app.Admin.PostAsync(new Uri($"/v1/invoices/{invoice}/mark-paid", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await app.Admin.PostJsonAsync($"/v1/invoices/{invoice}/credit-notes",
            new { amount_cents = 500, reason = "duplicate" })).StatusCode);

        var (_, text) = await PdfAsync(app, $"/v1/invoices/{invoice}/pdf");
        var html = System.Net.WebUtility.HtmlDecode(await (await app.Admin.GetAsync($"/v1/invoices/{invoice}/html")).Content.ReadAsStringAsync());

        Assert.Contains("Credit notes -$5.00", text, StringComparison.Ordinal);
        Assert.Contains("Credited to balance or refunded $5.00", text, StringComparison.Ordinal);
        Assert.Contains("Amount due $0.00", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Please pay", text, StringComparison.Ordinal);
        Assert.Contains("Credited to balance or refunded", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Please pay", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUncollectibleInvoiceStillShowsWhatIsDueSinceItCanStillBePaid()
    {
        // Stripe keeps an uncollectible invoice's amount remaining, and it may still be paid; its PDF said $0.00 due.
        var (app, invoice) = await StartWithInvoiceAsync("none");
        await using var _ = app;
        var due = (await (await app.Admin.GetAsync($"/v1/invoices/{invoice}")).ReadAsync())["amount_due_cents"]!.Value<long>();
        Assert.Equal(HttpStatusCode.OK, (await app.Admin.PostAsync(new Uri($"/v1/invoices/{invoice}/mark-uncollectible", UriKind.Relative), null)).StatusCode);

        var (_, text) = await PdfAsync(app, $"/v1/invoices/{invoice}/pdf");
        var html = System.Net.WebUtility.HtmlDecode(await (await app.Admin.GetAsync($"/v1/invoices/{invoice}/html")).Content.ReadAsStringAsync());
        var amount = $"${due / 100}.{due % 100:00}";

        Assert.True(due > 0);
        Assert.Contains("Status UNCOLLECTIBLE", text, StringComparison.Ordinal);
        Assert.Contains($"Amount due {amount}", text, StringComparison.Ordinal);
        Assert.Contains($"{amount} due", text, StringComparison.Ordinal);
        Assert.Contains(amount, PageTextOf(html), StringComparison.Ordinal);
        Assert.DoesNotContain("Amount due $0.00", text, StringComparison.Ordinal);
    }

    private static string PageTextOf(string html) => Pages.PageText.Visible(html);

    [Fact]
    public async Task AnUnknownIdIs404ProblemAndAPdfNeedsAKey()
    {
        var (app, invoice) = await StartWithInvoiceAsync();
        await using var _ = app;

        var invoiceMissing = await app.Admin.GetAsync("/v1/invoices/in_nope/pdf");
        var noteMissing = await app.Admin.GetAsync("/v1/credit-notes/cn_nope/pdf");
        var anonymous = await app.Anonymous.GetAsync($"/v1/invoices/{invoice}/pdf");

        Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (invoiceMissing.StatusCode, invoiceMissing.Content.Headers.ContentType?.MediaType));
        Assert.Equal("not_found", (await invoiceMissing.ReadAsync())["error"].Value<string>());
        Assert.Equal(HttpStatusCode.NotFound, noteMissing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}

public sealed class SqliteInvoicePdfTests : InvoicePdfContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresInvoicePdfTests : InvoicePdfContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingInvoicePdfTests : InvoicePdfContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
