using System.Net;
using Microsoft.Playwright;
using Tollgate.Core.Experiments;
using Tollgate.Server.Web.Admin;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>The console's experiments in a real Chromium: start, the results table and chart against the API's, and stop with a promotion.</summary>
public sealed class ConsoleExperimentsTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 9, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<ExperimentVariant> Variants = [new("control", 1, []), new("cheaper", 1, [])];

    [Fact]
    public async Task AnOperatorStartsAnExperimentReadsItsResultsAndChartAndStopsItPromotingTheWinner()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, Start, kestrel: true);
        var id = await app.DraftExperimentAsync("Pro at <$24.99>");
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        await page.GetByRole(AriaRole.Link, new() { Name = "Experiments" }).ClickAsync();
        await page.ArrivedAsync("**/admin/experiments");
        var listed = await page.Locator($"tr[data-experiment='{id}']").InnerTextAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Pro at <$24.99>" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Start experiment" }).ClickAsync();
        var started = await page.Locator("[role='status']").InnerTextAsync();
        var controls = Visitors(id, "control").Take(4).ToList();
        var cheapers = Visitors(id, "cheaper").Take(4).ToList();
        foreach (var visitor in controls.Concat(cheapers))
        {
            await app.Anonymous.GetAsync($"/v1/pricing/plans?visitor={visitor}");
        }

        foreach (var (visitor, customer) in new[] { (controls[0], "c1"), (cheapers[0], "c2"), (cheapers[1], "c3") })
        {
            await app.CustomerAsync(customer);
            var subscribed = await app.Admin.PostJsonAsync("/v1/subscriptions", new
            {
                customer, plan = "pro", billing_period = "monthly", trial_days = 0, collection_method = "charge_automatically", visitor_id = visitor,
            });
            Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        }

        await page.ReloadAsync();
        var control = await Cells(page, "control");
        var cheaper = await Cells(page, "cheaper");
        var chartRows = await page.Locator("[data-testid='results-chart'] g[data-variant]").CountAsync();
        var ticks = await page.Locator("[data-testid='results-chart'] svg > text").AllTextContentsAsync();
        var clipped = await ConsolePages.ClippedChartTextAsync(page, "[data-testid='results-chart']");
        await BrowserFixture.ScreenshotAsync(page, "admin-experiment");
        var api = (await (await app.Admin.GetAsync($"/v1/admin/experiments/{id}/results")).ReadAsync())["variants"]!.AsArray();
        await page.SelectOptionAsync("#promote", "cheaper");
        await page.GetByRole(AriaRole.Button, new() { Name = "Stop experiment" }).ClickAsync();
        var stopped = await page.Locator("[role='status']").InnerTextAsync();
        var status = await page.Locator("[data-testid='status']").InnerTextAsync();
        var pro = await (await app.Anonymous.GetAsync("/v1/pricing/plans/pro")).ReadAsync();

        Assert.Contains("draft", listed, StringComparison.Ordinal);
        Assert.Equal("The experiment was started.", started.Trim());
        Assert.Equal(["4", "1", Percent(api[0]!["conversion_rate"]), $"{Percent(api[0]!["conversion_rate_low"])} – {Percent(api[0]!["conversion_rate_high"])}",
            "$7.50", "–", "–"], control);
        Assert.Equal(["4", "2", "50.0%", $"{Percent(api[1]!["conversion_rate_low"])} – {Percent(api[1]!["conversion_rate_high"])}", "$12.50",
            api[1]!["p_value"].Value<double>().ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture), "+100.0%"], cheaper);
        Assert.Equal("25.0%", Percent(api[0]!["conversion_rate"]));
        Assert.Equal(2, chartRows);
        Assert.Equal(["0%", "25%", "50%", "75%", "100%"], ticks); // the widest interval ends at 85%
        Assert.Empty(clipped);
        Assert.Equal("The experiment was stopped.", stopped.Trim());
        Assert.Equal("stopped", status.Trim());
        Assert.Equal((2, 2499L), (pro["version"].Value<int>(), pro["prices"]![0]!["price_cents"].Value<long>()));
    }

    [Fact]
    public async Task AStopPostedWithAForgedFormTokenChangesNothingAndAMissingExperimentIs404()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, Start, kestrel: true);
        var id = (await (await app.Admin.PostJsonAsync("/v1/admin/experiments", new
        {
            name = "Forged", variants = new object[] { new { key = "control", weight = 1 }, new { key = "b", weight = 1 } },
        })).ReadAsync())["id"].Value<string>()!;
        await app.Admin.PostAsync($"/v1/admin/experiments/{id}/start", null);
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        await page.GotoAsync($"/admin/experiments/{id}");
        await page.EvaluateAsync("""
            () => { const form = document.querySelector('form[action$="/stop"]'); form.querySelector('[name=csrf]').value = 'forged'; form.submit(); }
            """);
        await page.ArrivedAsync("**/admin/login");
        var missing = await page.GotoAsync("/admin/experiments/exp_missing");
        var after = await (await app.Admin.GetAsync($"/v1/admin/experiments/{id}")).ReadAsync();

        Assert.Equal("running", after["status"].Value<string>());
        Assert.Equal(404, missing!.Status);
    }

    private static async Task<string[]> Cells(IPage page, string variant) =>
        [.. (await page.Locator($"[data-testid='results'] tr[data-variant='{variant}'] td").AllInnerTextsAsync()).Select(c => c.Trim())];

    private static string Percent(System.Text.Json.Nodes.JsonNode? rate) => AdminExperimentChart.Percent(rate.Value<double>());

    private static IEnumerable<string> Visitors(string experimentId, string variant) => Enumerable.Range(0, 10_000).Select(i => $"visitor-{i}")
        .Where(v => VariantAssignment.Assign(experimentId, v, Variants).Key == variant);
}
