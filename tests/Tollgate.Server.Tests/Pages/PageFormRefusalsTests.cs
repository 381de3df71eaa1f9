using System.Net;
using System.Text.RegularExpressions;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pages;

/// <summary>Forms posted by hand, past what the page offers: refused with a message page, and nothing written.</summary>
public sealed partial class PageFormRefusalsTests : IClassFixture<SharedServer>
{
    private readonly SharedServer _server;

    public PageFormRefusalsTests(SharedServer server) => _server = server;

    [Fact]
    public async Task APortalChangeToThePlanTheCustomerIsOnIsRefusedNotPreviewed()
    {
        await using var app = await _server.StartAsync(StoreKind.Sqlite);
        await app.CustomerAsync("on-free");
        await app.CustomerAsync("on-pro");
        await app.SubscribeAsync("on-pro", "pro");

        async Task<(HttpStatusCode, string)> PreviewAsync(string customer, string choice)
        {
            using var portal = await PageText.PortalAsync(app, customer);
            var csrf = Csrf().Match(await portal.PageAsync("/portal")).Groups[1].Value;
            var response = await portal.PostAsync(new Uri("/portal/change/preview", UriKind.Relative),
                new FormUrlEncodedContent([new("choice", choice), new("csrf", csrf)]));
            return (response.StatusCode, PageText.Visible(await response.Content.ReadAsStringAsync()));
        }

        await app.CustomerAsync("leaving-pro");
        await app.SubscribeAsync("leaving-pro", "pro");
        var subscription = (await (await app.Admin.GetAsync("/v1/customers/leaving-pro/subscriptions")).ReadAsync())["data"]![0]!["id"].Value<string>();
        (await app.Admin.PostJsonAsync($"/v1/subscriptions/{subscription}/change", new { plan = "basic" })).EnsureSuccessStatusCode(); // at the period's end

        var free = await PreviewAsync("on-free", "free:monthly");
        var pro = await PreviewAsync("on-pro", "pro:monthly");
        var yearly = await PreviewAsync("on-pro", "pro:yearly");
        var keep = await PreviewAsync("leaving-pro", "pro:monthly");

        // "Change to Free. You pay $0.00 a month, starting today. Confirm the change", for a customer on Free.
        Assert.Equal(HttpStatusCode.BadRequest, free.Item1);
        Assert.Contains("You are on Free, monthly, already.", free.Item2, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, pro.Item1);
        Assert.Equal(HttpStatusCode.OK, yearly.Item1); // the same plan at another period is a change
        Assert.Equal(HttpStatusCode.OK, keep.Item1); // with a downgrade scheduled, the plan it is on is a choice: keep it
    }

    [Fact]
    public async Task AnEndpointAddedInTheConsoleWithAnEventTollgateDoesNotSendIsRefusedNotSubscribedToEverything()
    {
        await using var app = await _server.StartAsync(StoreKind.Sqlite);
        using var browser = app.NewBrowser();
        (await browser.PostAsync(new Uri("/admin/login", UriKind.Relative),
            new FormUrlEncodedContent([new("key", TollgateApp.AdminKey)]))).EnsureSuccessStatusCode();
        var csrf = Csrf().Match(await browser.PageAsync("/admin/webhooks")).Groups[1].Value;

        var added = await browser.PostAsync(new Uri("/admin/webhooks/endpoints", UriKind.Relative), new FormUrlEncodedContent(
            [new("url", "https://example.net/hook"), new("events", "invoice.paid"), new("events", "<bogus>"), new("csrf", csrf)]));
        var endpoints = (await (await app.Admin.GetAsync("/v1/admin/webhook-endpoints")).ReadAsync())["data"]!.AsArray();

        Assert.Equal(HttpStatusCode.BadRequest, added.StatusCode);
        Assert.Contains("'<bogus>' is not an event Tollgate sends", PageText.Visible(await added.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Empty(endpoints); // it was made with events [] (every event), the bogus one dropped
    }

    [Fact]
    public async Task AConsoleFilterOrExportItDoesNotKnowIsA400PageNamingItAsTheOtherListsAnswer()
    {
        await using var app = await _server.StartAsync(StoreKind.Sqlite);
        using var browser = app.NewBrowser();
        (await browser.PostAsync(new Uri("/admin/login", UriKind.Relative),
            new FormUrlEncodedContent([new("key", TollgateApp.AdminKey)]))).EnsureSuccessStatusCode();

        var status = await browser.GetAsync(new Uri("/admin/webhooks?status=%3Cimg%3E", UriKind.Relative));
        var export = await browser.GetAsync(new Uri("/admin/exports/download?kind=%3Cimg%3E", UriKind.Relative));

        // The webhooks page showed every delivery for an unknown status, and the export answered its refusal with a 200.
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (status.StatusCode, export.StatusCode));
        Assert.Contains("'<img>' is not one of", PageText.Visible(await status.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex Csrf();
}
