using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>Steps the console's browser tests share: signing in, and finding chart text that the drawing would clip.</summary>
internal static class ConsolePages
{
    /// <summary>Each text of the charts under <paramref name="selector"/> whose box leaves its SVG's viewBox (an empty list when none does).</summary>
    private const string ClippedScript = """
        selector => [...document.querySelectorAll(selector + ' svg')].flatMap(svg => {
          const view = svg.viewBox.baseVal;
          return [...svg.querySelectorAll('text')].filter(t => {
            const b = t.getBBox();
            return b.x < view.x - 0.5 || b.x + b.width > view.x + view.width + 0.5 || b.y < view.y - 0.5 || b.y + b.height > view.y + view.height + 0.5;
          }).map(t => t.textContent);
        })
        """;

    public static async Task<IPage> SignInAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/admin/login");
        await page.FillAsync("#key", TollgateApp.AdminKey);
        await page.ClickAsync("button[type=submit]");
        await page.ArrivedAsync("**/admin");
        return page;
    }

    public static Task<string[]> ClippedChartTextAsync(IPage page, string selector) => page.EvaluateAsync<string[]>(ClippedScript, selector);

    /// <summary>The first cell of each listed row, which is the row's id on every console list.</summary>
    public static async Task<List<string>> FirstCellsAsync(IPage page, string rows) =>
        [.. (await page.Locator(rows).AllInnerTextsAsync()).Select(r => r.Split('\t')[0].Trim())];
}
