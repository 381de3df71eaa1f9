using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>The console's "Send test event" sends a signed webhook.test to the endpoint and lists its delivery.</summary>
public sealed class WebhookTestEventPageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task SendTestEventDeliversASignedWebhookTestAndListsTheDelivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.AlertsCatalog(), new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero),
            kestrel: true);
        // It takes only invoice.paid: a test event reaches it all the same.
        await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = receiver.Url.ToString(), events = new[] { "invoice.paid" } });
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        await page.GotoAsync("/admin/webhooks");
        await page.Locator("tr[data-endpoint]").GetByRole(AriaRole.Button, new() { Name = "Send test event" }).ClickAsync();
        var notice = await page.Locator("[role='status']").InnerTextAsync();
        var listed = await page.Locator("tr[data-delivery]").AllInnerTextsAsync();
        var received = (await receiver.WaitForAsync(1))[0];
        await page.ReloadAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-webhooks-test");

        Assert.Contains("test event was queued", notice, StringComparison.Ordinal);
        Assert.Contains("webhook.test", Assert.Single(listed), StringComparison.Ordinal);
        Assert.Contains("\"type\":\"webhook.test\"", received.Body, StringComparison.Ordinal);
        Assert.Equal("webhook.test", received.Headers["Tollgate-Event-Type"]);
        Assert.StartsWith("t=", received.Headers["Tollgate-Signature"], StringComparison.Ordinal);
    }
}
