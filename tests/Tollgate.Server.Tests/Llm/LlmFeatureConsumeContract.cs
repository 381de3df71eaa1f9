using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Llm;

/// <summary>
/// A consume of a feature that uses the LLM, on a plan with an LLM budget, checks the budget before it counts. On
/// PostgreSQL that check rides in the consume's one planned statement (the budget's counter read beside the feature's
/// conditional UPDATE), so these hold the planned path to what the ordinary one decides: the hard cap under parallel
/// consumes and holds, and a budget spent or held by reservations refusing without counting.
/// </summary>
public abstract class LlmFeatureConsumeContract : ApiContract
{
    /// <summary>"chat" uses the LLM, capped at 20 a month, on a free plan with a $0.01 budget; the two-node test uses it too.</summary>
    internal const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "chat", "name": "Chat", "unit": "messages", "kind": "metered", "uses_llm": true } ],
          "plans": [
            { "code": "free", "name": "Free", "llm_budget_usd": 0.01, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "chat", "limit": 20, "reset": "month", "hard_cap": true } ] }
          ]
        }
        """;

    private async Task<TollgateApp> AppAsync()
    {
        var app = await StartAsync(ApiSetup.CatalogOf("llm-feature-consume", Catalog));
        await app.CustomerAsync("c1");
        return app;
    }

    private static async Task<long> UsedAsync(TollgateApp app) =>
        (await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync())["features"]!["chat"]!["used"].Value<long>();

    private static async Task<JsonNode> BudgetAsync(TollgateApp app) => await (await app.Admin.GetAsync("/v1/customers/c1/llm-budget")).ReadAsync();

    [Fact]
    public async Task SixtyParallelConsumesOfAFeatureThatUsesTheLlmAllowExactlyItsHardCapOfTwentyWhileTheBudgetHasRoom()
    {
        await using var app = await AppAsync();
        await app.ConsumeAsync("c1", "chat"); // the window's row exists, as it does for every consume after a customer's first

        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => app.ConsumeAsync("c1", "chat")));
        var refused = answers.Where(a => a.StatusCode != HttpStatusCode.OK).ToList();
        var reasons = await Task.WhenAll(refused.Select(async r => (await r.ReadAsync())["error"].Value<string>()));

        Assert.Equal(19, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.All(reasons, r => Assert.Equal("quota_exceeded", r));
        Assert.Equal(20, await UsedAsync(app));
        Assert.Equal(0m, (await BudgetAsync(app))["spent_usd"].Value<decimal>()); // a consume checks the budget; calls spend it
    }

    [Fact]
    public async Task ThirtyParallelHoldsOfAFeatureThatUsesTheLlmHoldExactlyWhatTheCapLeavesAndACommitCountsIt()
    {
        await using var app = await AppAsync();
        await app.ConsumeAsync("c1", "chat");

        var holds = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ =>
            app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "c1", feature = "chat", amount = 1, ttl_seconds = 60 })));
        var granted = await Task.WhenAll(holds.Where(h => h.StatusCode == HttpStatusCode.OK).Select(h => h.ReadAsync()));
        var committed = await (await app.Admin.PostJsonAsync($"/v1/reservations/{granted[0]["id"].Value<string>()}/commit", new { amount = 1 }))
            .ReadAsync();

        Assert.Equal(19, granted.Length);
        Assert.All(holds.Where(h => h.StatusCode != HttpStatusCode.OK), h => Assert.Equal(HttpStatusCode.TooManyRequests, h.StatusCode));
        Assert.Equal((2L, 18L, 0L), (committed["used"].Value<long>(), committed["reserved"].Value<long>(), committed["remaining"].Value<long>()));
    }

    [Fact]
    public async Task ABudgetHeldWholeByAReservationRefusesConsumesWithoutCountingUntilTheHoldIsReleased()
    {
        await using var app = await AppAsync();
        await app.ConsumeAsync("c1", "chat");
        var hold = await (await app.Admin.PostJsonAsync("/v1/llm/budget/reserve", new { customer = "c1", estimate_usd = 0.01, ttl_seconds = 60 }))
            .ReadAsync();

        var held = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => app.ConsumeAsync("c1", "chat")));
        var problems = await Task.WhenAll(held.Select(r => r.ReadAsync()));
        var usedWhileHeld = await UsedAsync(app);
        await app.Admin.PostJsonAsync($"/v1/reservations/{hold["reservation_id"].Value<string>()}/release", new { });
        var afterRelease = await app.ConsumeAsync("c1", "chat");

        Assert.All(held, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.All(problems, p => Assert.Equal("budget_exceeded", p["error"].Value<string>()));
        Assert.Equal(1, usedWhileHeld);
        Assert.Equal(HttpStatusCode.OK, afterRelease.StatusCode);
        Assert.Equal(2, await UsedAsync(app));
    }

    [Fact]
    public async Task ABudgetSpentByALoggedCallRefusesTheNextConsumeWithoutCountingIt()
    {
        await using var app = await AppAsync();
        await app.ConsumeAsync("c1", "chat");
        // gpt-4o input is $2.50 per 1M tokens: 4,000 tokens cost $0.01, the whole budget.
        var call = await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer = "c1", feature = "chat", model = "gpt-4o", input_tokens = 4000 });

        var refused = await app.ConsumeAsync("c1", "chat");
        var problem = await refused.ReadAsync();

        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal((HttpStatusCode.TooManyRequests, "budget_exceeded"), (refused.StatusCode, problem["error"].Value<string>()));
        Assert.Equal(1, await UsedAsync(app));
    }
}

public sealed class SqliteLlmFeatureConsumeTests : LlmFeatureConsumeContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresLlmFeatureConsumeTests : LlmFeatureConsumeContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingLlmFeatureConsumeTests : LlmFeatureConsumeContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
