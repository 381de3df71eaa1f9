using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Llm;

/// <summary>
/// A plan's LLM budget counts in its <c>llm_budget_reset</c> window, anchored as a quota's window is: a yearly plan can
/// cap its LLM cost by the month, and without the field the budget still counts per billing period.
/// </summary>
public abstract class LlmBudgetWindowContract : ApiContract
{
    // Subscribed at the start, so the subscription's monthly anchor is the 1st at midnight.
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [
            { "code": "chat", "name": "Chat", "unit": "messages", "kind": "metered", "uses_llm": true }
          ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "chat", "limit": null } ] },
            { "code": "studio", "name": "Studio", "sort_order": 2, "llm_budget_usd": 0.01, "llm_budget_reset": "month",
              "prices": [ { "billing_period": "yearly", "price_cents": 30000 } ],
              "features": [ { "feature_code": "chat", "limit": null } ] },
            { "code": "classic", "name": "Classic", "sort_order": 3, "llm_budget_usd": 0.01,
              "prices": [ { "billing_period": "yearly", "price_cents": 30000 } ],
              "features": [ { "feature_code": "chat", "limit": null } ] }
          ]
        }
        """;

    private async Task<TollgateApp> SubscribedAsync(string plan)
    {
        var app = await StartAsync(ApiSetup.CatalogOf("llm-budget-window", Catalog), Start);
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", plan, "yearly");
        return app;
    }

    // gpt-4o input is $2.50 per 1M tokens: 4,000 tokens cost $0.01, the whole budget.
    private static async Task SpendTheBudgetAsync(TollgateApp app)
    {
        var response = await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer = "c1", feature = "chat", model = "gpt-4o", input_tokens = 4000 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonNode> BudgetAsync(TollgateApp app) => await (await app.Admin.GetAsync("/v1/customers/c1/llm-budget")).ReadAsync();

    private static (string?, string?, decimal) WindowOf(JsonNode budget) =>
        (budget["window_start"].Value<string>(), budget["resets_at"].Value<string>(), budget["spent_usd"].Value<decimal>());

    private static Task<HttpResponseMessage> ReserveAsync(TollgateApp app) =>
        app.Admin.PostJsonAsync("/v1/llm/budget/reserve", new { customer = "c1", estimate_usd = 0.001, ttl_seconds = 60 });

    [Fact]
    public async Task AYearlyPlansMonthlyBudgetSpentInJanuaryRefusesUntilFebruaryFirstAndThenCountsAgain()
    {
        await using var app = await SubscribedAsync("studio");
        await SpendTheBudgetAsync(app);
        await app.AdvanceToAsync(new DateTimeOffset(2026, 1, 28, 12, 0, 0, TimeSpan.Zero));

        var lateJanuary = await app.ConsumeAsync("c1", "chat");
        var refusedHold = await ReserveAsync(app);
        var january = await BudgetAsync(app);
        await app.AdvanceToAsync(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero));
        var february1 = await app.ConsumeAsync("c1", "chat");
        var hold = await ReserveAsync(app);
        var february = await BudgetAsync(app);

        var lateJanuaryProblem = await lateJanuary.ReadAsync();
        Assert.Equal((HttpStatusCode.TooManyRequests, "budget_exceeded", "2026-02-01T00:00:00Z"), (lateJanuary.StatusCode,
            lateJanuaryProblem["error"].Value<string>(), lateJanuaryProblem["resets_at"].Value<string>()));
        Assert.Equal((HttpStatusCode.TooManyRequests, "budget_exceeded"), (refusedHold.StatusCode, (await refusedHold.ReadAsync())["error"].Value<string>()));
        Assert.Equal(("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", 0.01m), WindowOf(january));
        Assert.Equal("2026-01-01T00:00:00Z", january["period_start"].Value<string>()); // the billing period is still the year
        Assert.Equal(HttpStatusCode.OK, february1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, hold.StatusCode);
        Assert.Equal(("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", 0m), WindowOf(february));
        Assert.Equal((0.001m, 0.009m), (february["reserved_usd"].Value<decimal>(), february["remaining_usd"].Value<decimal>()));
    }

    [Fact]
    public async Task AYearlyPlanWithoutBudgetResetKeepsItsBudgetForTheWholeBillingYear()
    {
        await using var app = await SubscribedAsync("classic");
        await SpendTheBudgetAsync(app);
        await app.AdvanceToAsync(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero));

        var february = await app.ConsumeAsync("c1", "chat");
        var problem = await february.ReadAsync();
        var budget = await BudgetAsync(app);

        Assert.Equal((HttpStatusCode.TooManyRequests, "budget_exceeded"), (february.StatusCode, problem["error"].Value<string>()));
        // The refusal lasts until the budget resets, not until the chat quota's own month does.
        Assert.Equal(("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"), (problem["window_start"].Value<string>(), problem["resets_at"].Value<string>()));
        Assert.Equal(("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 0.01m), WindowOf(budget));
    }

    [Theory]
    [InlineData("\"llm_budget_usd\": 0.01, \"llm_budget_reset\": \"fortnight\"", "plans[1].llm_budget_reset: must be day, week, month, year, billing_period, calendar_month or calendar_year")]
    [InlineData("\"llm_budget_reset\": \"month\"", "plans[1].llm_budget_reset: needs llm_budget_usd: a plan without a budget has nothing to reset")]
    public async Task ABudgetResetThatIsNotAWindowOrHasNoBudgetIsA400NamingTheField(string budget, string expected)
    {
        await using var app = await SubscribedAsync("studio");
        var bad = Catalog.Replace("\"llm_budget_usd\": 0.01, \"llm_budget_reset\": \"month\"", budget, StringComparison.Ordinal);

        var response = await app.Admin.PutJsonAsync("/v1/admin/catalog", bad);
        var problem = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_catalog"), (response.StatusCode, problem["error"].Value<string>()));
        Assert.Equal([expected], problem["errors"]!.AsArray().Select(e => e.Value<string>()));
    }
}

public sealed class SqliteLlmBudgetWindowTests : LlmBudgetWindowContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresLlmBudgetWindowTests : LlmBudgetWindowContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
