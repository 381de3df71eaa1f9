using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Grants;

/// <summary>Credit grants of the LLM budget: nano-USD spent once the plan's budget is, in priority then expiry order.</summary>
public abstract class LlmBudgetGrantsContract : ApiContract
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private async Task<TollgateApp> CustomerAsync()
    {
        var app = await StartAsync(ApiSetup.LlmCatalog(), Start);
        await app.CustomerAsync("c1");
        return app;
    }

    // gpt-4o input is $2.50 per 1M tokens: 1,000 tokens cost $0.0025, 4,000 the free plan's whole $0.01 budget.
    private async Task<TollgateApp> SpentAsync()
    {
        var app = await CustomerAsync();
        await LogAsync(app, 4000);
        return app;
    }

    private static Task<HttpResponseMessage> LogAsync(TollgateApp app, int inputTokens, string? reservation = null, string model = "gpt-4o") =>
        app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            customer = "c1", feature = "chat", model, input_tokens = inputTokens,
            request_id = Guid.NewGuid().ToString("N"), reservation_id = reservation,
        });

    private static Task<HttpResponseMessage> PriceAsync(TollgateApp app, decimal inputUsdPerMillion, string effectiveFrom) =>
        app.Admin.PostJsonAsync("/v1/admin/llm/prices", new { model = "house-model", provider = "self", input = inputUsdPerMillion, effective_from = effectiveFrom });

    private static async Task<JsonNode> RecomputeAsync(TollgateApp app) =>
        await (await app.Admin.PostJsonAsync("/v1/admin/llm/recompute", new { from = "2026-03-01T00:00:00Z", to = "2026-03-20T00:00:00Z" })).ReadAsync();

    private static Task<HttpResponseMessage> PostGrantAsync(TollgateApp app, object body) => app.Admin.PostJsonAsync("/v1/customers/c1/grants", body);

    /// <summary>A grant the test needs made: anything but 201 fails the test here, not later as a puzzling figure.</summary>
    private static async Task<JsonNode> GrantAsync(TollgateApp app, object body)
    {
        var response = await PostGrantAsync(app, body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsync();
    }

    private static Task<HttpResponseMessage> ReserveAsync(TollgateApp app, decimal usd) =>
        app.Admin.PostJsonAsync("/v1/llm/budget/reserve", new { customer = "c1", estimate_usd = usd, ttl_seconds = 60 });

    private static async Task<JsonNode> BudgetAsync(TollgateApp app) => await (await app.Admin.GetAsync("/v1/customers/c1/llm-budget")).ReadAsync();

    private static async Task<Dictionary<string, long>> UsedByGrantAsync(TollgateApp app) =>
        (await (await app.Admin.GetAsync("/v1/customers/c1/grants")).ReadAsync())["data"]!.AsArray()
            .ToDictionary(g => g!["reason"].Value<string>()!, g => g!["used"].Value<long>());

    [Fact]
    public async Task SpentBudgetAllowsLlmFeaturesWhileBudgetGrantsRemainAndLoggedCostDrawsThemByPriorityThenExpiry()
    {
        await using var app = await SpentAsync();
        var refused = await app.ConsumeAsync("c1", "chat");
        await GrantAsync(app, new { feature = "$llm_budget", amount_usd = "0.005", priority = 10, reason = "first" });
        await GrantAsync(app, new { feature = "$llm_budget", amount = 5_000_000, expires_at = Start.AddDays(5), reason = "soon" });
        await GrantAsync(app, new { feature = "$llm_budget", amount_usd = "0.005", reason = "never" });

        var allowed = await app.ConsumeAsync("c1", "chat");
        await LogAsync(app, 3000); // $0.0075 past the budget
        var drawn = await UsedByGrantAsync(app);
        var budget = await BudgetAsync(app);
        await LogAsync(app, 4000); // $0.01: the last $0.0075 of the grants, and $0.0025 spent past them
        var spentOut = await app.ConsumeAsync("c1", "chat");
        var problem = await spentOut.ReadAsync();
        var after = await BudgetAsync(app);

        Assert.Equal((HttpStatusCode.TooManyRequests, HttpStatusCode.OK), (refused.StatusCode, allowed.StatusCode));
        Assert.Equal((5_000_000L, 2_500_000L, 0L), (drawn["first"], drawn["soon"], drawn["never"]));
        Assert.Equal((0.01m, 0m, 0.0075m), (budget["spent_usd"].Value<decimal>(), budget["remaining_usd"].Value<decimal>(),
            budget["granted_remaining_usd"].Value<decimal>()));
        Assert.Equal(HttpStatusCode.TooManyRequests, spentOut.StatusCode);
        Assert.Equal(("budget_exceeded", 0.0125m, 0m), (problem["error"].Value<string>(), problem["budget_spent_usd"].Value<decimal>(),
            problem["budget_granted_remaining_usd"].Value<decimal>()));
        Assert.Equal((0.0125m, 0m), (after["spent_usd"].Value<decimal>(), after["granted_remaining_usd"].Value<decimal>()));
        Assert.Equal([5_000_000L, 5_000_000L, 5_000_000L], (await UsedByGrantAsync(app)).Values.Order());
    }

    [Fact]
    public async Task ABudgetGrantStopsCountingExactlyAtItsExpiry()
    {
        await using var app = await SpentAsync();
        await GrantAsync(app, new { feature = "$llm_budget", amount_usd = "1", expires_at = Start.AddHours(1), reason = "trial" });

        await app.AdvanceToAsync(Start.AddHours(1).AddMilliseconds(-1));
        var before = await app.ConsumeAsync("c1", "chat");
        await app.AdvanceToAsync(Start.AddHours(1));
        var at = await app.ConsumeAsync("c1", "chat");
        var budget = await BudgetAsync(app);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.TooManyRequests), (before.StatusCode, at.StatusCode));
        Assert.Equal(0m, budget["granted_remaining_usd"].Value<decimal>());
    }

    [Fact]
    public async Task ConcurrentBudgetHoldsPastTheBudgetNeverTakeMoreThanTheGrantsAndAReleaseGivesItsShareBack()
    {
        await using var app = await SpentAsync();
        await GrantAsync(app, new { feature = "$llm_budget", amount_usd = "0.02", reason = "a" });
        await GrantAsync(app, new { feature = "$llm_budget", amount = 10_000_000, reason = "b" });

        var holds = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => ReserveAsync(app, 0.005m)));
        var granted = holds.Where(h => h.StatusCode == HttpStatusCode.OK).ToList();
        var refused = await holds.First(h => h.StatusCode != HttpStatusCode.OK).ReadAsync();
        var used = await UsedByGrantAsync(app);
        var id = (await granted[0].ReadAsync())["reservation_id"].Value<string>();
        await app.Admin.PostJsonAsync($"/v1/reservations/{id}/release", new { });
        var released = await BudgetAsync(app);

        Assert.Equal(6, granted.Count);
        Assert.Equal(("budget_exceeded", 0L), (refused["error"].Value<string>(), refused["granted_remaining"].Value<long>()));
        Assert.Equal((20_000_000L, 10_000_000L), (used["a"], used["b"]));
        Assert.Equal(0.005m, released["granted_remaining_usd"].Value<decimal>());
    }

    [Fact]
    public async Task ConcurrentCallsLoggedPastTheBudgetNeverDrawMoreThanTheGrants()
    {
        await using var app = await SpentAsync();
        await GrantAsync(app, new { feature = "$llm_budget", amount_usd = "0.02", reason = "a" });
        await GrantAsync(app, new { feature = "$llm_budget", amount = 10_000_000, reason = "b" });

        var logged = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => LogAsync(app, 1000)));
        var used = await UsedByGrantAsync(app);
        var budget = await BudgetAsync(app);

        Assert.All(logged, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal((20_000_000L, 10_000_000L), (used["a"], used["b"]));
        Assert.Equal((0.055m, 0m), (budget["spent_usd"].Value<decimal>(), budget["granted_remaining_usd"].Value<decimal>()));
    }

    [Fact]
    public async Task ABudgetHoldSettledAboveItsEstimateDrawsTheExcessFromGrants()
    {
        await using var app = await SpentAsync();
        await GrantAsync(app, new { feature = "$llm_budget", amount_usd = "0.01", reason = "a" });
        var hold = await (await ReserveAsync(app, 0.0025m)).ReadAsync();

        await LogAsync(app, 2000, hold["reservation_id"].Value<string>()); // $0.005 against a $0.0025 hold
        var budget = await BudgetAsync(app);

        Assert.Equal(5_000_000L, (await UsedByGrantAsync(app))["a"]);
        Assert.Equal((0.01m, 0m, 0.005m), (budget["spent_usd"].Value<decimal>(), budget["reserved_usd"].Value<decimal>(),
            budget["granted_remaining_usd"].Value<decimal>()));
    }

    [Fact]
    public async Task ARecomputeAtACorrectedLowerPriceGivesTheGrantBackWhatTheWrongPriceDrewAndUnblocksTheCustomer()
    {
        await using var app = await CustomerAsync();
        await GrantAsync(app, new { feature = "$llm_budget", amount_usd = "0.01", reason = "a" });
        await PriceAsync(app, 10.00m, "2026-01-01T00:00:00Z"); // a typo: the price is $8 per 1M
        await LogAsync(app, 1500, model: "house-model"); // $0.015 at the typo: the $0.01 budget, then $0.005 of the grant
        await LogAsync(app, 500, model: "house-model"); // $0.005: the rest of the grant
        var blocked = await app.ConsumeAsync("c1", "chat");

        await PriceAsync(app, 8.00m, "2026-02-01T00:00:00Z");
        var first = await RecomputeAsync(app);
        var budget = await BudgetAsync(app);
        var unblocked = await app.ConsumeAsync("c1", "chat");
        var second = await RecomputeAsync(app);
        var again = await BudgetAsync(app);

        // At $8 the calls cost $0.012 and $0.004: the budget, and $0.006 of the grant.
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal((2L, -0.004m), (first["rows_changed"].Value<long>(), first["cost_delta_usd"].Value<decimal>()));
        Assert.Equal((0.01m, 0.004m), (budget["spent_usd"].Value<decimal>(), budget["granted_remaining_usd"].Value<decimal>()));
        Assert.Equal(6_000_000L, (await UsedByGrantAsync(app))["a"]);
        Assert.Equal(HttpStatusCode.OK, unblocked.StatusCode);
        Assert.Equal((0L, 0m), (second["rows_changed"].Value<long>(), second["cost_delta_usd"].Value<decimal>()));
        Assert.Equal(budget.ToJsonString(), again.ToJsonString());
    }

    [Fact]
    public async Task ARecomputeAtACorrectedHigherPriceDrawsTheGrantAsLiveSpendWouldAndGivesBackNothingTwice()
    {
        await using var app = await CustomerAsync();
        await GrantAsync(app, new { feature = "$llm_budget", amount_usd = "0.01", priority = 10, reason = "first" });
        await GrantAsync(app, new { feature = "$llm_budget", amount_usd = "0.01", reason = "second" });
        await PriceAsync(app, 1.00m, "2026-01-01T00:00:00Z"); // a typo: the price is $10 per 1M
        await LogAsync(app, 1500, model: "house-model"); // $0.0015 at the typo, within the budget
        var drawnBefore = await UsedByGrantAsync(app);

        await PriceAsync(app, 10.00m, "2026-02-01T00:00:00Z");
        await RecomputeAsync(app);
        var budget = await BudgetAsync(app);
        var drawn = await UsedByGrantAsync(app);
        var second = await RecomputeAsync(app);

        // At $10 the call costs $0.015: the $0.01 budget, then $0.005 of the first grant in order of use.
        Assert.Equal((0L, 0L), (drawnBefore["first"], drawnBefore["second"]));
        Assert.Equal((0.01m, 0.015m), (budget["spent_usd"].Value<decimal>(), budget["granted_remaining_usd"].Value<decimal>()));
        Assert.Equal((5_000_000L, 0L), (drawn["first"], drawn["second"]));
        Assert.Equal(0L, second["rows_changed"].Value<long>());
        Assert.Equal(drawn, await UsedByGrantAsync(app));
    }

    [Fact]
    public async Task ARecomputeBesideLiveLoggingEndsWhereLoggingEveryCallAtTheRightPriceWould()
    {
        await using var app = await CustomerAsync();
        await GrantAsync(app, new { feature = "$llm_budget", amount_usd = "0.02", reason = "a" });
        await PriceAsync(app, 10.00m, "2026-01-01T00:00:00Z"); // a typo: the price is $8 per 1M
        for (var i = 0; i < 10; i++)
        {
            await LogAsync(app, 100, model: "house-model"); // $0.001 each at the typo: the whole $0.01 budget
        }

        await PriceAsync(app, 8.00m, "2026-02-01T00:00:00Z");
        var live = Task.WhenAll(Enumerable.Range(0, 20).Select(_ => LogAsync(app, 100, model: "house-model"))); // $0.0008 each
        var recompute = RecomputeAsync(app);
        await Task.WhenAll(live, recompute);
        var logged = await live;
        var budget = await BudgetAsync(app);
        var again = await RecomputeAsync(app);

        // 30 calls at $0.0008 are $0.024: the $0.01 budget and $0.014 of the grant, whichever ran first.
        Assert.All(logged, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True((await recompute)["rows_examined"].Value<long>() >= 10);
        Assert.Equal((0.01m, 0.006m), (budget["spent_usd"].Value<decimal>(), budget["granted_remaining_usd"].Value<decimal>()));
        Assert.Equal(14_000_000L, (await UsedByGrantAsync(app))["a"]);
        Assert.Equal(0L, again["rows_changed"].Value<long>());
    }

    [Fact]
    public async Task ABudgetGrantCoversSpendFromWhenItIsGrantedAndSpendLoggedBeforeItIsNotDrawnFromIt()
    {
        await using var app = await CustomerAsync();
        await LogAsync(app, 6000); // $0.015: $0.005 past the budget, with no grant to draw
        await GrantAsync(app, new { feature = "$llm_budget", amount_usd = "0.01", reason = "late" });
        var granted = await BudgetAsync(app);
        var allowed = await app.ConsumeAsync("c1", "chat");
        await LogAsync(app, 1000); // $0.0025, drawn from the grant
        var after = await BudgetAsync(app);

        Assert.Equal((0.015m, 0.01m), (granted["spent_usd"].Value<decimal>(), granted["granted_remaining_usd"].Value<decimal>()));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal((0.015m, 0.0075m), (after["spent_usd"].Value<decimal>(), after["granted_remaining_usd"].Value<decimal>()));
        Assert.Equal(2_500_000L, (await UsedByGrantAsync(app))["late"]);
    }

    [Fact]
    public async Task BadBudgetGrantAmountsAreA400NamingTheFieldAndWriteNothing()
    {
        await using var app = await CustomerAsync();
        object[] bodies =
        [
            new { feature = "$llm_budget", amount_usd = "0.0000000001" },
            new { feature = "$llm_budget", amount_usd = "1e3" },
            new { feature = "$llm_budget", amount_usd = "1000000.5" },
            new { feature = "$llm_budget", amount_usd = "100000000000000000000" }, // past what a decimal × 10^9 can hold
            new { feature = "$llm_budget", amount_usd = "1", amount = 5 },
            new { feature = "chat", amount_usd = "1" },
            new { feature = "$llm_budget" },
            new { feature = "$llm_budget", amount = 1_000_000_000_000_001 },
        ];

        var fields = new List<string>();
        foreach (var body in bodies)
        {
            var response = await PostGrantAsync(app, body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            fields.Add(string.Join(",", (await response.ReadAsync())["errors"]!.AsObject().Select(e => e.Key)));
        }

        var exact = await GrantAsync(app, new { feature = "$llm_budget", amount_usd = "2.000000001" });

        Assert.Equal(["amount_usd", "amount_usd", "amount_usd", "amount_usd", "amount_usd", "amount_usd", "amount", "amount"], fields);
        Assert.Equal(("$llm_budget", 2_000_000_001L), (exact["feature"].Value<string>(), exact["amount"].Value<long>()));
        Assert.Single((await (await app.Admin.GetAsync("/v1/customers/c1/grants")).ReadAsync())["data"]!.AsArray());
    }
}

public sealed class SqliteLlmBudgetGrantsTests : LlmBudgetGrantsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresLlmBudgetGrantsTests : LlmBudgetGrantsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
