using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pages;

/// <summary>"Download PDF" in the customer's portal (its own invoices only) and in the admin console.</summary>
public sealed class InvoicePdfPagesTests
{
    private static async Task<(TollgateApp App, string Ada, string Bob)> StartAsync()
    {
        var app = await TollgateApp.StartAsync(StoreKind.Sqlite);
        await app.CustomerAsync("ada");
        await app.CustomerAsync("bob");
        await app.SubscribeAsync("ada", "pro", trialDays: 0);
        await app.SubscribeAsync("bob", "pro", trialDays: 0);
        return (app, (await app.InvoicesAsync("ada"))[0]["id"].Value<string>()!, (await app.InvoicesAsync("bob"))[0]["id"].Value<string>()!);
    }

    [Fact]
    public async Task ThePortalLinksAndServesTheCustomersOwnInvoicePdfAndNoOtherCustomers()
    {
        var (app, ada, bob) = await StartAsync();
        await using var _ = app;
        using var portal = await PageText.PortalAsync(app, "ada");

        var home = await portal.PageAsync("/portal/");
        var view = await portal.PageAsync($"/portal/invoices/{ada}");
        var own = await portal.GetAsync(new Uri($"/portal/invoices/{ada}/pdf", UriKind.Relative));
        var others = await portal.GetAsync(new Uri($"/portal/invoices/{bob}/pdf", UriKind.Relative));
        var signedOut = await app.NewBrowser().GetAsync(new Uri($"/portal/invoices/{ada}/pdf", UriKind.Relative));

        Assert.Contains($"href=\"/portal/invoices/{ada}/pdf\"", home, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"/portal/invoices/{ada}/pdf\" download>Download PDF</a>", view, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "application/pdf"), (own.StatusCode, own.Content.Headers.ContentType?.MediaType));
        var text = PdfText.Squeezed(await PdfText.ReadAsync(await own.Content.ReadAsByteArrayAsync()));
        Assert.Contains("Invoice number TG-", text, StringComparison.Ordinal);
        Assert.Contains("Customer ID ada", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, others.StatusCode);
        Assert.NotEqual("application/pdf", others.Content.Headers.ContentType?.MediaType);
        Assert.NotEqual("application/pdf", signedOut.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheConsolesInvoicePageLinksThePdfBehindTheConsoleSignIn()
    {
        var (app, ada, _) = await StartAsync();
        await using var __ = app;
        using var console = app.NewBrowser();
        var before = await console.GetAsync(new Uri($"/admin/invoices/{ada}/pdf", UriKind.Relative));
        (await console.PostAsync(new Uri("/admin/login", UriKind.Relative),
            new FormUrlEncodedContent([new("key", TollgateApp.AdminKey)]))).EnsureSuccessStatusCode();

        var page = await console.PageAsync($"/admin/invoices/{ada}");
        var pdf = await console.GetAsync(new Uri($"/admin/invoices/{ada}/pdf", UriKind.Relative));

        Assert.NotEqual("application/pdf", before.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"href=\"/admin/invoices/{ada}/pdf\" download>Download PDF</a>", page, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "application/pdf"), (pdf.StatusCode, pdf.Content.Headers.ContentType?.MediaType));
        Assert.Contains("Customer ID ada", PdfText.Squeezed(await PdfText.ReadAsync(await pdf.Content.ReadAsByteArrayAsync())), StringComparison.Ordinal);
    }
}
