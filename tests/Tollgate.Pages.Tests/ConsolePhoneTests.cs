using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>The console's list, call-log, usage and experiment pages on a phone's screen, in a real Chromium.</summary>
public sealed class ConsolePhoneTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task TheConsolesListsChartsAndExperimentsFitAPhoneWithoutScrollingSideways()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero), kestrel: true);
        await app.CustomerAsync("ada");
        await app.CustomerAsync("grace");
        await app.SubscribeAsync("ada", "pro", trialDays: 0);
        (await app.ConsumeAsync("ada", "cv_generate", 4)).EnsureSuccessStatusCode();
        (await app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            customer = "ada", feature = "career_chat_messages", model = "gpt-4o", input_tokens = 2000, output_tokens = 500, request_id = "req-phone-1",
        })).EnsureSuccessStatusCode(); // the pages measured below have rows to lay out
        var id = await app.DraftExperimentAsync();
        await using var phone = await browser.ContextAsync(app.BaseAddress!, phone: true);
        var page = await ConsolePages.SignInAsync(phone);
        var overflowing = new List<string>();

        foreach (var (name, path) in new[]
        {
            ("admin-customers-paged", "/admin/customers?limit=1"), ("admin-customer-usage", "/admin/customers/ada"), ("admin-llm-calls", "/admin/llm-calls"),
            ("admin-experiments", "/admin/experiments"), ("admin-experiment", $"/admin/experiments/{id}"),
        })
        {
            await page.GotoAsync(path);
            await BrowserFixture.ScreenshotAsync(page, name, phone: true);
            if (!await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"))
            {
                overflowing.Add(name);
            }
        }

        Assert.Empty(overflowing);
    }
}
