using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>The console's LLM call log with long ids, models and price ids: it wraps inside its box on a desktop and scrolls in it on a phone.</summary>
public sealed class ConsoleTablesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Box = """
        () => {
          const box = document.querySelector('[aria-label="LLM calls"]'), table = box.querySelector('table'), main = document.querySelector('main');
          const edge = box.getBoundingClientRect().right, inner = main.getBoundingClientRect().right;
          return [table.scrollWidth > box.clientWidth + 1, edge <= inner + 1 && edge <= window.innerWidth,
                  document.documentElement.scrollWidth <= window.innerWidth, table.querySelector('tbody tr td:last-child').getBoundingClientRect().right <= edge + 1];
        }
        """;

    [Fact]
    public async Task TheCallLogFitsItsBoxOnADesktopAndScrollsInsideItOnAPhone()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.LlmCatalog(), new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero),
            kestrel: true);
        const string customer = "cus_northwind_traders_enterprise_workspace_0001";
        await app.CustomerAsync(customer);
        foreach (var model in new[] { "anthropic/claude-3-5-sonnet-20241022-extended-context", "gpt-4o-mini-2024-07-18-finetuned-support-agent" })
        {
            (await app.Admin.PostJsonAsync("/v1/llm/usage", new
            {
                customer, feature = "chat", model, provider = "openrouter-eu-west-dedicated-capacity", input_tokens = 123_456_789, output_tokens = 98_765_432,
                request_id = $"req_{model.Length}_a_long_request_identifier_from_the_gateway",
            })).EnsureSuccessStatusCode();
        }

        await using var desktop = await browser.ContextAsync(app.BaseAddress!);
        var wide = await ConsolePages.SignInAsync(desktop);
        await wide.GotoAsync("/admin/llm-calls");
        var onDesktop = await wide.EvaluateAsync<bool[]>(Box);
        await BrowserFixture.ScreenshotAsync(wide, "admin-llm-calls-long");
        await using var phone = await browser.ContextAsync(app.BaseAddress!, phone: true);
        var small = await ConsolePages.SignInAsync(phone);
        await small.GotoAsync("/admin/llm-calls");
        var onPhone = await small.EvaluateAsync<bool[]>(Box);
        await BrowserFixture.ScreenshotAsync(small, "admin-llm-calls-long", phone: true);

        // Whether the table scrolls in its box, the box stays inside the page, the page scrolls sideways, and the last column shows.
        Assert.Equal([false, true, true, true], onDesktop); // every column shows, long values wrapped
        Assert.Equal([true, true, true, false], onPhone); // the box scrolls, not the page
    }
}
