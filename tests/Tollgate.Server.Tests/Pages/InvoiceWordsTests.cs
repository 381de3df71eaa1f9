using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pages;

/// <summary>Invoice lines name a plan as the catalog names it, on every page that shows them, though billing stores the plan's code.</summary>
public sealed class InvoiceWordsTests
{
    [Fact]
    public async Task ThePortalsInvoiceThePrintableInvoiceAndThePreviewNameThePlanNotItsCode()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite);
        await app.CustomerAsync("ada");
        var subscription = await app.SubscribeAsync("ada", "basic", trialDays: 0);
        await app.AdvanceAsync(TimeSpan.FromDays(10));
        (await app.Admin.PostJsonAsync($"/v1/subscriptions/{subscription}/change", new { plan = "pro", proration = "create_prorations" }))
            .EnsureSuccessStatusCode();
        var invoices = await app.InvoicesAsync("ada");
        var first = invoices.Single(i => i["lines"]!.AsArray().Any(l => l!["kind"].Value<string>() == "recurring"))["id"].Value<string>()!;
        using var portal = await PageText.PortalAsync(app, "ada");

        var stored = invoices.SelectMany(i => i["lines"]!.AsArray()).Select(l => l!["description"].Value<string>()).ToList();
        var portalInvoice = PageText.Visible(await portal.PageAsync($"/portal/invoices/{first}"));
        var printable = PageText.Visible(await (await app.Admin.GetAsync($"/v1/invoices/{first}/html")).Content.ReadAsStringAsync());
        var csrf = System.Text.RegularExpressions.Regex.Match(await portal.PageAsync("/portal"), "name=\"csrf\" value=\"([^\"]+)\"").Groups[1].Value;
        var preview = PageText.Visible(await (await portal.PostAsync(new Uri("/portal/change/preview", UriKind.Relative),
            new FormUrlEncodedContent([new("choice", "enterprise:monthly"), new("csrf", csrf)]))).Content.ReadAsStringAsync());

        Assert.Contains("basic (monthly)", stored); // the API keeps what billing wrote
        Assert.Contains("Basic (monthly)", portalInvoice, StringComparison.Ordinal);
        Assert.DoesNotContain("basic (monthly)", portalInvoice, StringComparison.Ordinal);
        Assert.Contains("Basic (monthly)", printable, StringComparison.Ordinal);
        Assert.Contains("Unused time on Pro (monthly)", preview, StringComparison.Ordinal);
        Assert.Contains("Remaining time on Enterprise (monthly)", preview, StringComparison.Ordinal);
    }
}
