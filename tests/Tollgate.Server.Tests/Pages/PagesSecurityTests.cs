using System.Net;
using System.Text.RegularExpressions;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pages;

/// <summary>What the pages refuse: posts without a session or with a forged form token, and markup smuggled in through data.</summary>
public sealed partial class PagesSecurityTests
{
    private static async Task<(TollgateApp App, HttpClient Browser)> StartAsync()
    {
        var app = await TollgateApp.StartAsync(StoreKind.Sqlite);
        await app.CustomerAsync("ada");
        return (app, app.NewBrowser());
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    private static async Task SignInAsync(HttpClient browser) =>
        (await browser.PostAsync(new Uri("/admin/login", UriKind.Relative), Form(("key", TollgateApp.AdminKey)))).EnsureSuccessStatusCode();

    private static async Task<string> CsrfAsync(HttpClient browser, string path) =>
        CsrfField().Match(await browser.GetStringAsync(new Uri(path, UriKind.Relative))).Groups[1].Value;

    [Fact]
    public async Task MarkingAPaidInvoicePaidAgainIsA409PageNotASecondSuccess()
    {
        var (app, browser) = await StartAsync();
        await using var _ = app;
        // Without its trial, the subscription is invoiced at once.
        (await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "ada", plan = "basic", billing_period = "monthly", trial_days = 0 }))
            .EnsureSuccessStatusCode();
        var invoice = (await app.InvoicesAsync("ada"))[0]["id"].Value<string>()!;
        await SignInAsync(browser);
        var csrf = await CsrfAsync(browser, $"/admin/invoices/{invoice}");

        var first = await browser.PostAsync(new Uri($"/admin/invoices/{invoice}/mark-paid", UriKind.Relative), Form(("csrf", csrf)));
        var again = await browser.PostAsync(new Uri($"/admin/invoices/{invoice}/mark-paid", UriKind.Relative), Form(("csrf", csrf)));

        Assert.EndsWith("done=paid", first.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("is already paid", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConsolePostWithoutASessionChangesNothing()
    {
        var (app, browser) = await StartAsync();
        await using var _ = app;

        var response = await browser.PostAsync(new Uri("/admin/customers/ada/change", UriKind.Relative), Form(("choice", "pro:monthly"), ("csrf", "x")));
        var subscriptions = await app.Admin.GetStringAsync(new Uri("/v1/customers/ada/subscriptions", UriKind.Relative));

        Assert.EndsWith("/admin/login", response.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
        Assert.StartsWith("{\"data\":[],", subscriptions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConsolePostWithAForgedFormTokenChangesNothingAndTheRealTokenWorks()
    {
        var (app, browser) = await StartAsync();
        await using var _ = app;
        await SignInAsync(browser);
        var csrf = await CsrfAsync(browser, "/admin/customers/ada");

        var forged = await browser.PostAsync(new Uri("/admin/customers/ada/change", UriKind.Relative), Form(("choice", "pro:monthly"), ("csrf", "forged")));
        var afterForged = await app.Admin.GetStringAsync(new Uri("/v1/customers/ada/subscriptions", UriKind.Relative));
        var genuine = await browser.PostAsync(new Uri("/admin/customers/ada/change", UriKind.Relative), Form(("choice", "pro:monthly"), ("csrf", csrf)));
        var afterGenuine = await app.Admin.GetStringAsync(new Uri("/v1/customers/ada/subscriptions", UriKind.Relative));

        Assert.EndsWith("/admin/login", forged.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
        Assert.StartsWith("{\"data\":[],", afterForged, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Contains("\"plan\":\"pro\"", afterGenuine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConsoleEndpointDeleteWithoutASessionOrWithAForgedTokenKeepsTheEndpoint()
    {
        var (app, browser) = await StartAsync();
        await using var _ = app;
        var endpoint = await (await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = "https://hooks.example.com/a" })).ReadAsync();
        var path = $"/admin/webhooks/endpoints/{endpoint["id"].Value<string>()}/delete";

        var anonymous = await browser.PostAsync(new Uri(path, UriKind.Relative), Form(("csrf", "x")));
        await SignInAsync(browser);
        var forged = await browser.PostAsync(new Uri(path, UriKind.Relative), Form(("csrf", "forged")));
        var kept = await app.Admin.GetAsync($"/v1/admin/webhook-endpoints/{endpoint["id"].Value<string>()}");
        var genuine = await browser.PostAsync(new Uri(path, UriKind.Relative), Form(("csrf", await CsrfAsync(browser, path))));
        var deleted = await app.Admin.GetAsync($"/v1/admin/webhook-endpoints/{endpoint["id"].Value<string>()}");

        Assert.EndsWith("/admin/login", anonymous.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
        Assert.EndsWith("/admin/login", forged.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Contains("deleted", await genuine.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
    }

    [Fact]
    public async Task AConsolePostOfAnActionTheConsoleDoesNotHaveIsNotFoundAndChangesNothing()
    {
        var (app, browser) = await StartAsync();
        await using var _ = app;
        var endpoint = await (await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = "https://hooks.example.com/a" })).ReadAsync();
        var id = endpoint["id"].Value<string>();
        await app.CustomerAsync("c1");
        // Without its trial, the subscription is invoiced at once: an invoice a real action could mark paid or void.
        (await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1", plan = "basic", billing_period = "monthly", trial_days = 0 }))
            .EnsureSuccessStatusCode();
        var before = (await app.InvoicesAsync("c1"))[0];
        var invoiceId = before["id"].Value<string>();
        await SignInAsync(browser);
        var csrf = await CsrfAsync(browser, $"/admin/webhooks/endpoints/{id}/delete");

        var webhook = await browser.PostAsync(new Uri($"/admin/webhooks/endpoints/{id}/purge", UriKind.Relative), Form(("csrf", csrf)));
        var invoice = await browser.PostAsync(new Uri($"/admin/invoices/{invoiceId}/refund", UriKind.Relative), Form(("csrf", csrf)));
        var kept = await (await app.Admin.GetAsync($"/v1/admin/webhook-endpoints/{id}")).ReadAsync();
        var keptInvoice = await (await app.Admin.GetAsync($"/v1/invoices/{invoiceId}")).ReadAsync();

        // A page, as every console failure is, where stop 70 answered routing's problem document.
        Assert.Equal((HttpStatusCode.NotFound, "text/html"), (webhook.StatusCode, webhook.Content.Headers.ContentType?.MediaType));
        Assert.Contains($"There is no page at /admin/webhooks/endpoints/{id}/purge.", await webhook.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.NotFound, "text/html"), (invoice.StatusCode, invoice.Content.Headers.ContentType?.MediaType));
        Assert.True(kept["enabled"].Value<bool>());
        Assert.Equal(before["status"].Value<string>(), keptInvoice["status"].Value<string>());
    }

    [Fact]
    public async Task AWrongLinkUnderThePagesIsAPageNotFoundAndUnderTheApiAProblemDocument()
    {
        var (app, browser) = await StartAsync();
        await using var _ = app;

        var portal = await browser.GetAsync(new Uri("/portal/invoicez", UriKind.Relative));
        var pricing = await browser.GetAsync(new Uri("/pricing/nope/more", UriKind.Relative));
        var api = await app.Admin.GetAsync("/v1/nope");

        Assert.Equal((HttpStatusCode.NotFound, "text/html"), (portal.StatusCode, portal.Content.Headers.ContentType?.MediaType));
        Assert.Contains("There is no page at /portal/invoicez.", await portal.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.NotFound, "text/html"), (pricing.StatusCode, pricing.Content.Headers.ContentType?.MediaType));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (api.StatusCode, (await api.ReadAsync())["error"].Value<string>()));
    }

    [Fact]
    public async Task MarkupInACustomersNameIsShownAsText()
    {
        var (app, browser) = await StartAsync();
        await using var _ = app;
        // An address with markup is refused at the API now; markup in metadata reaches the console as text all the same.
        await app.Admin.PutJsonAsync("/v1/customers/mallory", new
        {
            name = "<script>alert(1)</script>", email = "mallory@example.com", metadata = new { note = "\"><img src=x onerror=alert(2)>" },
        });
        await SignInAsync(browser);

        var list = await browser.GetStringAsync(new Uri("/admin/customers?q=mallory", UriKind.Relative));
        var detail = await browser.GetStringAsync(new Uri("/admin/customers/mallory", UriKind.Relative));

        foreach (var page in new[] { list, detail })
        {
            Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x", page, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task APortalPostWithoutItsFormTokenIsRefused()
    {
        var (app, browser) = await StartAsync();
        await using var _ = app;
        var link = (await (await app.Admin.PostJsonAsync("/v1/customers/ada/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;
        await browser.GetAsync(new Uri(new Uri(link).PathAndQuery, UriKind.Relative));

        var response = await browser.PostAsync(new Uri("/portal/change", UriKind.Relative), Form(("choice", "pro:monthly"), ("csrf", "forged")));
        var subscriptions = await app.Admin.GetStringAsync(new Uri("/v1/customers/ada/subscriptions", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("{\"data\":[],", subscriptions, StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
