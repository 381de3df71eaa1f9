using System.Net;
using Dapper;
using Tollgate.Storage.Database;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Llm;

public abstract class LlmApiContract(SharedServer shared) : ApiContract(shared)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> LlmAsync(string? key = null, string? value = null) => StartAsync(ApiSetup.LlmCatalog(key, value), Start);

    private Task<TollgateApp> LlmOwnAsync(string? key = null, string? value = null) => StartOwnAsync(ApiSetup.LlmCatalog(key, value), Start);

    private static Task<HttpResponseMessage> LogAsync(TollgateApp app, object call) => app.Admin.PostJsonAsync("/v1/llm/usage", call);

    [Fact]
    public async Task LoggedCallIsPricedAtTheDefaultTableAndSnapshotsThePlan()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c-priced");

        var response = await LogAsync(app, new { customer = "c-priced", feature = "chat", model = "gpt-4o-2024-08-06", input_tokens = 1000, output_tokens = 500,
            request_id = "chatcmpl-1" });
        var body = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("accepted", 0.0075m, 7_500_000L, false, "free"), (body["status"].Value<string>(), body["cost_usd"].Value<decimal>(),
            body["cost_nano_usd"].Value<long>(), body["unpriced"].Value<bool>(), body["plan"].Value<string>()));
    }

    [Fact]
    public async Task RetryWithTheSameRequestIdCountsOnceAndADifferentCallWithItIsAConflict()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c-retry");
        var call = new { customer = "c-retry", model = "gpt-4o-mini", input_tokens = 100, output_tokens = 100, request_id = "r1" };

        await LogAsync(app, call);
        var retry = await (await LogAsync(app, call)).ReadAsync();
        var different = await LogAsync(app, call with { output_tokens = 101 });
        var stats = await (await app.Admin.GetAsync("/v1/admin/stats/user-costs/c-retry?days=1")).ReadAsync();

        Assert.Equal("duplicate", retry["status"].Value<string>());
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
        Assert.Equal("request_id_conflict", (await different.ReadAsync())["error"].Value<string>());
        Assert.Equal(1, stats["total_requests"].Value<long>());
    }

    [Theory]
    [InlineData("{\"customer\": \"c1\", \"model\": \"gpt-4o\", \"input_tokens\": -5}", "input_tokens")]
    [InlineData("{\"customer\": \"c1\", \"model\": \"gpt-4o\", \"output_tokens\": 1.5}", "output_tokens")]
    [InlineData("{\"customer\": \"c1\", \"model\": \"gpt-4o\", \"images\": 99999999999}", "images")]
    [InlineData("{\"customer\": \"c1\", \"input_tokens\": 5}", "model")]
    [InlineData("{\"customer\": \"c1\", \"model\": \"gpt-4o\", \"feature\": \"teleport\"}", "feature")]
    [InlineData("{\"customer\": \"c1\", \"model\": \"gpt-4o\", \"timestamp\": \"2026-03-10 12:00\"}", "timestamp")]
    [InlineData("{\"customer\": \"c1\", \"model\": \"gpt-4o\", \"colour\": \"red\"}", "colour")]
    public async Task BadCallIsA400NamingTheFieldAndNothingIsLogged(string body, string field)
    {
        await using var app = await StartSharedAsync(ApiSetup.LlmCatalog(), Start);
        await app.CustomerAsync("c1");

        var response = await LogAsync(app, body);
        var problem = await response.ReadAsync();
        var stats = await (await app.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost?days=1")).ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
        Assert.Equal(0, stats["total_requests"].Value<long>());
    }

    [Fact]
    public async Task ABadTimestampSaysWhatATimestampMustBeNotTheParsersText()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c-timestamp");

        var problem = await (await LogAsync(app, """{"customer": "c-timestamp", "model": "gpt-4o", "timestamp": "2026-03-10 12:00"}""")).ReadAsync();

        Assert.Equal("must be an ISO 8601 instant with Z or an offset, such as 2026-03-10T12:00:00Z", problem["errors"]!["timestamp"].Value<string>());
    }

    [Fact]
    public async Task AFieldBesideTheCallsOfABatchIsA400NamingItAndNothingIsLogged()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("c1");

        var response = await LogAsync(app, """{"calls": [{"customer": "c1", "model": "gpt-4o", "input_tokens": 5}], "extra": 1}""");
        var problem = await response.ReadAsync();
        var stats = await (await app.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost?days=1")).ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("extra"), problem.ToJsonString());
        Assert.Equal(0, stats["total_requests"].Value<long>());
    }

    [Fact]
    public async Task APatternOfManyStarsPricesNoCallSlowlyAndOneOfTooManyIsA400NamingPattern()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("c1");
        var tenStars = string.Concat(Enumerable.Repeat("*a", 9)) + "*b";

        var accepted = await app.Admin.PostJsonAsync("/v1/admin/llm/prices", new { model = "house", pattern = tenStars, provider = "self", input = 1.00 });
        var refused = await app.Admin.PostJsonAsync("/v1/admin/llm/prices", new { model = "house-2", pattern = "*x" + tenStars, provider = "self", input = 1.00 });
        // The regex this replaced backtracked for hours on this name; the bounded wait makes the old code fail, not hang.
        var call = await (await LogAsync(app, new { customer = "c1", model = new string('a', 199) + "c", input_tokens = 1 })
            .WaitAsync(TimeSpan.FromSeconds(10))).ReadAsync();
        var problem = await refused.ReadAsync();
        var listed = await (await app.Admin.GetAsync("/v1/admin/llm/prices?model=house-2")).ReadAsync();

        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.True(call["unpriced"].Value<bool>());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("must have at most 10 runs of '*' ('**' is one)", problem["errors"]!["pattern"].Value<string>());
        Assert.Empty(listed["data"]!.AsArray());
    }

    [Fact]
    public async Task ACallCostingMoreThanAMillionDollarsIsRefused422NamingItsTokensAndNothingOfItIsWritten()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("c-big");
        await app.SubscribeAsync("c-big", "pro");
        await app.Admin.PostJsonAsync("/v1/admin/llm/prices", new { model = "max-x", provider = "self", input = 1_000_000, effective_from = "2020-01-01T00:00:00Z" });

        // $1 a token: 10^10 tokens came to 10^19 nano-USD, past 64 bits, and a 500; three calls of 9 * 10^9 were written
        // under a 422 and their sum wrapped around in the spend.
        var one = await LogAsync(app, new { customer = "c-big", model = "max-x", input_tokens = 10_000_000_000, request_id = "big-1" });
        var batch = await LogAsync(app, new { calls = Enumerable.Range(4, 3).Select(i =>
            new { customer = "c-big", model = "max-x", input_tokens = 9_000_000_000, request_id = $"big-{i}" }) });
        var fits = await LogAsync(app, new { customer = "c-big", model = "max-x", input_tokens = 1_000_000, request_id = "fits" }); // $1,000,000 exactly
        var answer = await batch.ReadAsync();
        var calls = await (await app.Admin.GetAsync("/v1/llm/calls?customer=c-big")).ReadAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, one.StatusCode);
        Assert.Contains("input_tokens", (await one.ReadAsync()).ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, answer["accepted"].Value<int>());
        Assert.Equal(3, answer["rejected"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal(["fits"], calls["data"]!.AsArray().Select(c => c!["request_id"].Value<string>()));
        Assert.Equal(1_000_000_000_000_000L, calls["data"]![0]!["cost_nano_usd"].Value<long>());
    }

    [Theory]
    [InlineData("""{"model":"t1","input":1,"tier":5}""", "tier", "must be an object: {above_input_tokens, input, output, cached_input, cache_write, cache_write_1h}")]
    [InlineData("""{"model":"t2","input":1,"tier":{"above_input_tokens":1000}}""", "tier", "needs at least one price: input, output, cached_input, cache_write or cache_write_1h")]
    [InlineData("""{"model":"t3","input":1,"pattern":""}""", "pattern", "must not be empty: leave it out to match the model name alone")]
    public async Task APriceWhoseTierOrPatternSaysNothingIsA400NamingItAndNothingIsSaved(string body, string field, string message)
    {
        await using var app = await LlmOwnAsync();

        var response = await app.Admin.PostAsync("/v1/admin/llm/prices", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.ReadAsync();
        var listed = await (await app.Admin.GetAsync("/v1/admin/llm/prices?model=" + System.Text.Json.JsonDocument.Parse(body).RootElement
            .GetProperty("model").GetString())).ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, problem["errors"]![field].Value<string>());
        Assert.Empty(listed["data"]!.AsArray());
    }

    [Fact]
    public async Task UnknownCustomerIsA404()
    {
        await using var app = await LlmAsync();

        var response = await LogAsync(app, new { customer = "ghost", model = "gpt-4o", input_tokens = 1 });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task UnknownModelIsKeptUnpricedAndCountedOrRefusedWhenStrict()
    {
        await using var lenient = await LlmOwnAsync();
        await using var strict = await LlmOwnAsync("Tollgate:Llm:RejectUnpriced", "true");
        await lenient.CustomerAsync("c1");
        await strict.CustomerAsync("c1");

        var kept = await (await LogAsync(lenient, new { customer = "c1", model = "mystery-9000", input_tokens = 50 })).ReadAsync();
        var refused = await LogAsync(strict, new { customer = "c1", model = "mystery-9000", input_tokens = 50 });
        var stats = await (await lenient.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost?days=1")).ReadAsync();

        Assert.Equal((true, 0m), (kept["unpriced"].Value<bool>(), kept["cost_usd"].Value<decimal>()));
        Assert.Equal((1L, 1L), (stats["total_requests"].Value<long>(), stats["unpriced_requests"].Value<long>()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("unpriced_model", (await refused.ReadAsync())["error"].Value<string>());
    }

    [Fact]
    public async Task BatchLogsGoodCallsAndRejectsBadOnesByIndex()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c-batch");
        var calls = new object[]
        {
            new { customer = "c-batch", model = "gpt-4o", input_tokens = 1000, request_id = "a" },
            new { customer = "c-batch", model = "gpt-4o", input_tokens = -1, request_id = "b" },
            new { customer = "nobody", model = "gpt-4o", input_tokens = 1, request_id = "c" },
            new { customer = "c-batch", model = "tavily-search", requests = 2, request_id = "d" },
        };

        var result = await (await LogAsync(app, new { calls })).ReadAsync();

        Assert.Equal((2, 0), (result["accepted"].Value<int>(), result["duplicates"].Value<int>()));
        Assert.Equal([1, 2], result["rejected"]!.AsArray().Select(r => r!["index"].Value<int>()));
        Assert.Equal(0.0185m, result["total_cost_usd"].Value<decimal>()); // 1000 × $2.50/M + 2 × $0.008
    }

    [Fact]
    public async Task ABatchOverManyCustomersLogsEachCallForItsOwnCustomerAndAMembersForItsOrganisation()
    {
        // PostgreSQL reads the contexts of a batch's customers in one statement: a member and a stranger among them.
        await using var app = await LlmAsync();
        var customers = Enumerable.Range(0, 12).Select(i => $"c{i}").ToArray();
        foreach (var customer in customers)
        {
            await app.CustomerAsync(customer);
        }

        Assert.Equal(HttpStatusCode.Created, (await app.Admin.PutJsonAsync("/v1/customers/c0/members/ann",
            new { email = "ann@example.com", name = "Ann", role = "member" })).StatusCode);
        var calls = customers.Concat(["ann", "nobody"])
            .Select((customer, i) => (object)new { customer, model = "gpt-4o", input_tokens = 1000, request_id = $"r{i}" }).ToArray();

        var result = await (await LogAsync(app, new { calls })).ReadAsync();
        var c0 = await (await app.Admin.GetAsync("/v1/admin/stats/user-costs/c0?days=1")).ReadAsync();
        var c11 = await (await app.Admin.GetAsync("/v1/admin/stats/user-costs/c11?days=1")).ReadAsync();

        Assert.Equal(13, result["accepted"].Value<int>());
        Assert.Equal([13], result["rejected"]!.AsArray().Select(r => r!["index"].Value<int>()));
        Assert.Equal((2L, 1L), (c0["total_requests"].Value<long>(), c11["total_requests"].Value<long>()));
    }

    [Fact]
    public async Task ARequestIdTwiceInOneBatchIsLoggedOnceAndItsRepeatIsADuplicateOrAConflict()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c-twice");
        var calls = new object[]
        {
            new { customer = "c-twice", model = "gpt-4o", input_tokens = 1000, request_id = "a" },
            new { customer = "c-twice", model = "gpt-4o", input_tokens = 1000, request_id = "a" },
            new { customer = "c-twice", model = "gpt-4o", input_tokens = 1000, request_id = "b" },
            new { customer = "c-twice", model = "gpt-4o", input_tokens = 2000, request_id = "b" },
        };

        var result = await (await LogAsync(app, new { calls })).ReadAsync();
        var stats = await (await app.Admin.GetAsync("/v1/admin/stats/user-costs/c-twice?days=1")).ReadAsync();
        var budget = await (await app.Admin.GetAsync("/v1/customers/c-twice/llm-budget")).ReadAsync();

        Assert.Equal((2, 1), (result["accepted"].Value<int>(), result["duplicates"].Value<int>()));
        Assert.Equal([3], result["rejected"]!.AsArray().Select(r => r!["index"].Value<int>()));
        Assert.Equal(2, stats["total_requests"].Value<long>());
        Assert.Equal(0.005m, budget["spent_usd"].Value<decimal>()); // two calls of $0.0025, each spent once
    }

    [Fact]
    public async Task APriceAddedLaterDoesNotRepriceEarlierCallsUntilARecomputeOfTheWindow()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("c1");
        await LogAsync(app, new { customer = "c1", model = "house-model", input_tokens = 1_000_000, request_id = "early" });
        await app.AdvanceAsync(TimeSpan.FromDays(1));

        var added = await app.Admin.PostJsonAsync("/v1/admin/llm/prices", new { model = "house-model", provider = "self", input = 1.00 });
        var later = await (await LogAsync(app, new { customer = "c1", model = "house-model", input_tokens = 1_000_000, request_id = "later" })).ReadAsync();
        var backdated = await app.Admin.PostJsonAsync("/v1/admin/llm/prices",
            new { model = "house-model", provider = "self", input = 0.50, effective_from = "2026-01-01T00:00:00Z" });
        var stillUnpriced = await (await app.Admin.GetAsync("/v1/admin/stats/user-costs/c1?days=3")).ReadAsync();
        var recompute = await (await app.Admin.PostJsonAsync("/v1/admin/llm/recompute",
            new { from = "2026-03-01T00:00:00Z", to = "2026-03-20T00:00:00Z" })).ReadAsync();
        var after = await (await app.Admin.GetAsync("/v1/admin/stats/user-costs/c1?days=3")).ReadAsync();
        var total = await (await app.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost?days=3")).ReadAsync();
        var ranked = (await (await app.Admin.GetAsync("/v1/admin/stats/top-spenders?days=3")).ReadAsync()).AsArray();

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(1.00m, later["cost_usd"].Value<decimal>());
        Assert.Equal(HttpStatusCode.Created, backdated.StatusCode);
        Assert.Equal(1.00m, stillUnpriced["total_llm_cost_usd"].Value<decimal>()); // the early call was logged unpriced and stays so
        Assert.Equal((2L, 1L, 0.50m), (recompute["rows_examined"].Value<long>(), recompute["rows_changed"].Value<long>(),
            recompute["cost_delta_usd"].Value<decimal>()));
        Assert.Equal(1.50m, after["total_llm_cost_usd"].Value<decimal>());
        // Every rollup is corrected, not only the customer's own.
        Assert.Equal((1.50m, 0L), (total["total_llm_cost_usd"].Value<decimal>(), total["unpriced_requests"].Value<long>()));
        Assert.Equal(1.50m, ranked[0]!["llm_cost_usd"].Value<decimal>());
    }

    [Fact]
    public async Task ARecomputeAtACorrectedPriceGivesBackTheBudgetAWrongPriceSpent()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("c1");
        await app.Admin.PostJsonAsync("/v1/admin/llm/prices",
            new { model = "house-model", provider = "self", input = 10.00, effective_from = "2026-01-01T00:00:00Z" }); // a typo: 10× the price
        await LogAsync(app, new { customer = "c1", feature = "chat", model = "house-model", input_tokens = 1000, request_id = "r1" }); // $0.01

        var blocked = await app.ConsumeAsync("c1", "chat");
        await app.Admin.PostJsonAsync("/v1/admin/llm/prices",
            new { model = "house-model", provider = "self", input = 1.00, effective_from = "2026-02-01T00:00:00Z" });
        await app.Admin.PostJsonAsync("/v1/admin/llm/recompute", new { from = "2026-03-01T00:00:00Z", to = "2026-03-20T00:00:00Z" });
        var budget = await (await app.Admin.GetAsync("/v1/customers/c1/llm-budget")).ReadAsync();
        var unblocked = await app.ConsumeAsync("c1", "chat");

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal((0.001m, 0.009m), (budget["spent_usd"].Value<decimal>(), budget["remaining_usd"].Value<decimal>()));
        Assert.Equal(HttpStatusCode.OK, unblocked.StatusCode);
    }

    [Fact]
    public async Task ARecomputeThatRaisesSpendPastBudgetThresholdsAlertsOnceAtTheHighest()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("c1");
        await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints",
            new { url = "https://hooks.example.com/a", events = new[] { "budget.threshold_crossed" } });
        await app.Admin.PostJsonAsync("/v1/admin/llm/prices",
            new { model = "house-model", provider = "self", input = 1.00, effective_from = "2026-01-01T00:00:00Z" }); // too low
        await LogAsync(app, new { customer = "c1", feature = "chat", model = "house-model", input_tokens = 500, request_id = "r1" }); // $0.0005
        await LogAsync(app, new { customer = "c1", feature = "chat", model = "house-model", input_tokens = 500, request_id = "r2" }); // 10 % of $0.01

        await app.Admin.PostJsonAsync("/v1/admin/llm/prices",
            new { model = "house-model", provider = "self", input = 9.00, effective_from = "2026-02-01T00:00:00Z" });
        await app.Admin.PostJsonAsync("/v1/admin/llm/recompute", new { from = "2026-03-01T00:00:00Z", to = "2026-03-20T00:00:00Z" }); // 90 %
        var database = app.Get<TollgateDatabase>();
        var alerts = (await database.ReadAsync(c => c.QueryAsync<(string Feature, long Threshold, long Used)>(
            "SELECT feature_code, threshold, used FROM usage_alerts WHERE customer_id = 'c1'"))).ToList();
        await app.Admin.PostJsonAsync("/v1/admin/llm/prices",
            new { model = "house-model", provider = "self", input = 1.00, effective_from = "2026-02-01T00:00:00Z" });
        await app.Admin.PostJsonAsync("/v1/admin/llm/recompute", new { from = "2026-03-01T00:00:00Z", to = "2026-03-20T00:00:00Z" }); // back to 10 %
        var alertsAfterLowering = await database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM usage_alerts WHERE customer_id = 'c1'"));
        var events = await database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM webhook_events WHERE type = 'budget.threshold_crossed'"));

        Assert.Equal([("$llm_budget", 90L, 9_000_000L)], alerts); // 10 % → 90 % crosses 80 and 90: the highest alone
        Assert.Equal(1L, alertsAfterLowering);
        Assert.Equal(1L, events);
    }

    [Fact]
    public async Task LlmSpendAlertsAtTheQuotaThresholdsOfTheBudgetWithTheBudgetWebhook()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("c1");
        await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints",
            new { url = "https://hooks.example.com/a", events = new[] { "budget.threshold_crossed" } });

        await LogAsync(app, new { customer = "c1", feature = "chat", model = "gpt-4o", input_tokens = 3400, request_id = "r1" }); // $0.0085 of $0.01
        await LogAsync(app, new { customer = "c1", feature = "chat", model = "gpt-4o", input_tokens = 100, request_id = "r2" }); // $0.00875
        await LogAsync(app, new { customer = "c1", feature = "chat", model = "gpt-4o", input_tokens = 500, request_id = "r3" }); // $0.01
        var database = app.Get<TollgateDatabase>();
        var alerts = (await database.ReadAsync(c => c.QueryAsync<(long Threshold, string Message)>(
            "SELECT threshold, message FROM usage_alerts WHERE customer_id = 'c1' ORDER BY threshold"))).ToList();
        var events = await database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM webhook_events WHERE type = 'budget.threshold_crossed'"));

        Assert.Equal([80L, 100L], alerts.Select(a => a.Threshold));
        Assert.Equal("You have used $0.0085 of your $0.01 LLM budget this month.", alerts[0].Message);
        Assert.Equal(2L, events);
    }

    [Fact]
    public async Task LiteLlmTableImportsAndImportingItAgainChangesNothing()
    {
        await using var app = await LlmOwnAsync();
        var table = """
            { "sample_spec": { "input_cost_per_token": 0.0 },
              "house/house-model-2": { "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06, "litellm_provider": "house" } }
            """;

        var first = await (await app.Admin.PostJsonAsync("/v1/admin/llm/prices/import?effective_from=2026-01-01", table)).ReadAsync();
        var second = await (await app.Admin.PostJsonAsync("/v1/admin/llm/prices/import?effective_from=2026-01-01", table)).ReadAsync();
        var listed = (await app.Admin.ReadAllAsync("/v1/admin/llm/prices?model=house-model-2"));

        // The prefix stays: house/house-model-2 prices only calls that carry it or name the provider "house".
        Assert.Equal(("house/house-model-2", 2.0m, 8.0m), (first["imported"]![0]!["model"].Value<string>(), first["imported"]![0]!["input"].Value<decimal>(),
            first["imported"]![0]!["output"].Value<decimal>()));
        Assert.Empty(second["imported"]!.AsArray());
        Assert.Equal(["house/house-model-2"], second["unchanged"]!.AsArray().Select(u => u.Value<string>()));
        Assert.Single(listed);
    }

    [Fact]
    public async Task APriceCorrectedAtTheSameDateReplacesTheRowAndKeepsItsId()
    {
        await using var app = await LlmOwnAsync();
        var price = new { model = "house-model", provider = "self", input = 1.00, effective_from = "2026-01-01T00:00:00Z" };

        var first = await (await app.Admin.PostJsonAsync("/v1/admin/llm/prices", price)).ReadAsync();
        var corrected = await (await app.Admin.PostJsonAsync("/v1/admin/llm/prices", price with { input = 1.50 })).ReadAsync();
        var listed = (await app.Admin.ReadAllAsync("/v1/admin/llm/prices?model=house-model"));

        Assert.Equal(first["id"].Value<string>(), corrected["id"].Value<string>());
        Assert.Equal((first["id"].Value<string>(), 1.50m), (Assert.Single(listed)!["id"].Value<string>(), listed[0]!["input"].Value<decimal>()));
    }

    [Fact]
    public async Task CacheWritesKeptForAnHourArePricedAtTheHourRateAndKeptWithTheCall()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("c-hour");
        // Claude Sonnet 4.5's list prices per 1M tokens.
        await app.Admin.PostJsonAsync("/v1/admin/llm/prices", new
        {
            model = "house-claude", provider = "anthropic", input = 3, output = 15, cache_write = 3.75, cache_write_1h = 6,
            effective_from = "2026-01-01T00:00:00Z",
        });
        var call = new { customer = "c-hour", model = "house-claude", input_tokens = 100, cache_write_tokens = 1000, cache_write_1h_tokens = 400, request_id = "msg_1" };

        var logged = await (await LogAsync(app, call)).ReadAsync();
        var tooMany = await LogAsync(app, call with { cache_write_1h_tokens = 1001, request_id = "msg_2" });
        var retryWithout = await LogAsync(app, call with { cache_write_1h_tokens = 0 });
        var listed = await (await app.Admin.GetAsync("/v1/llm/calls?customer=c-hour")).ReadAsync();
        var price = Assert.Single(await app.Admin.ReadAllAsync("/v1/admin/llm/prices?model=house-claude"))!;

        // 100 × $3 + 600 × $3.75 + 400 × $6 per 1M.
        Assert.Equal(300_000L + 2_250_000L + 2_400_000L, logged["cost_nano_usd"].Value<long>());
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.StartsWith("must be at most cache_write_tokens (1000)", (await tooMany.ReadAsync())["errors"]!["cache_write_1h_tokens"].Value<string>(),
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, retryWithout.StatusCode);
        Assert.Equal((1000L, 400L), (listed["data"]![0]!["tokens"]!["cache_write"].Value<long>(), listed["data"]![0]!["tokens"]!["cache_write_1h"].Value<long>()));
        Assert.Single(listed["data"]!.AsArray());
        Assert.Equal(6m, price["cache_write_1h"].Value<decimal>());
    }

    [Fact]
    public async Task SpentBudgetRefusesFeaturesThatUseTheLlmButNotOthers()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c-spent");
        var before = await app.ConsumeAsync("c-spent", "chat");
        await LogAsync(app, new { customer = "c-spent", feature = "chat", model = "gpt-4o", input_tokens = 4000 }); // $0.01: the free budget

        var chat = await app.ConsumeAsync("c-spent", "chat");
        var export = await app.ConsumeAsync("c-spent", "export");
        var problem = await chat.ReadAsync();
        var budget = await (await app.Admin.GetAsync("/v1/customers/c-spent/llm-budget")).ReadAsync();

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, chat.StatusCode);
        Assert.Equal(("budget_exceeded", 0.01m, 0.01m), (problem["error"].Value<string>(), problem["budget_usd"].Value<decimal>(),
            problem["budget_spent_usd"].Value<decimal>()));
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal((0.01m, 0.01m, 0m), (budget["limit_usd"].Value<decimal>(), budget["spent_usd"].Value<decimal>(), budget["remaining_usd"].Value<decimal>()));
    }

    [Fact]
    public async Task ConcurrentBudgetReservationsNeverHoldMoreThanTheBudgetAndSettleToTheRealCost()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c-concurrent");
        await app.SubscribeAsync("c-concurrent", "pro"); // $10 budget

        var holds = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ =>
            app.Admin.PostJsonAsync("/v1/llm/budget/reserve", new { customer = "c-concurrent", estimate_usd = 0.50, ttl_seconds = 60 })));
        var granted = holds.Where(h => h.StatusCode == HttpStatusCode.OK).ToList();
        var id = (await granted[0].ReadAsync())["reservation_id"].Value<string>();
        await LogAsync(app, new { customer = "c-concurrent", model = "gpt-4o", output_tokens = 10_000, reservation_id = id }); // $0.10 against a $0.50 hold
        var budget = await (await app.Admin.GetAsync("/v1/customers/c-concurrent/llm-budget")).ReadAsync();

        Assert.Equal(20, granted.Count);
        Assert.All(holds.Except(granted), h => Assert.Equal(HttpStatusCode.TooManyRequests, h.StatusCode));
        Assert.Equal((0.10m, 9.50m, 0.40m), (budget["spent_usd"].Value<decimal>(), budget["reserved_usd"].Value<decimal>(),
            budget["remaining_usd"].Value<decimal>()));
    }

    [Fact]
    public async Task CallsLoggedAgainstAHoldAnotherCallSettledAreEachSpentInFull()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c-reuse");
        await app.SubscribeAsync("c-reuse", "pro");
        var hold = (await (await app.Admin.PostJsonAsync("/v1/llm/budget/reserve", new { customer = "c-reuse", estimate_usd = 0.50, ttl_seconds = 60 }))
            .ReadAsync())["reservation_id"].Value<string>();

        // Five calls of $0.10 one after another, then two at once, all naming the one hold: the first settles it, and the
        // others are spent as calls without a hold. The later ones replayed the first settlement and spent nothing.
        for (var i = 0; i < 5; i++)
        {
            await LogAsync(app, new { customer = "c-reuse", model = "gpt-4o", output_tokens = 10_000, request_id = $"r{i}", reservation_id = hold });
        }

        await Task.WhenAll(Enumerable.Range(5, 2).Select(i =>
            LogAsync(app, new { customer = "c-reuse", model = "gpt-4o", output_tokens = 10_000, request_id = $"r{i}", reservation_id = hold })));
        var budget = await (await app.Admin.GetAsync("/v1/customers/c-reuse/llm-budget")).ReadAsync();

        Assert.Equal((0.70m, 0m), (budget["spent_usd"].Value<decimal>(), budget["reserved_usd"].Value<decimal>()));
    }

    [Fact]
    public async Task ACallLoggedWithAnotherCustomersHoldLeavesTheHoldAloneAndSpendsItsOwnBudget()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c-holder");
        await app.CustomerAsync("c-logger");
        await app.SubscribeAsync("c-holder", "pro");
        await app.SubscribeAsync("c-logger", "pro");
        var hold = await (await app.Admin.PostJsonAsync("/v1/llm/budget/reserve", new { customer = "c-holder", estimate_usd = 1.00, ttl_seconds = 60 })).ReadAsync();

        var logged = await LogAsync(app, new { customer = "c-logger", model = "gpt-4o", output_tokens = 10_000, reservation_id = hold["reservation_id"].Value<string>() });
        var c1 = await (await app.Admin.GetAsync("/v1/customers/c-holder/llm-budget")).ReadAsync();
        var c2 = await (await app.Admin.GetAsync("/v1/customers/c-logger/llm-budget")).ReadAsync();

        Assert.Equal(HttpStatusCode.OK, logged.StatusCode);
        Assert.Equal((0m, 1.00m), (c1["spent_usd"].Value<decimal>(), c1["reserved_usd"].Value<decimal>()));
        Assert.Equal((0.10m, 0m), (c2["spent_usd"].Value<decimal>(), c2["reserved_usd"].Value<decimal>()));
    }

    [Fact]
    public async Task ABudgetHoldRetriedWithTheSameKeyCountsOnceAndAKeyReusedForAnotherAmountIsAConflict()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c-hold-retry");
        await app.SubscribeAsync("c-hold-retry", "pro");
        var request = new { customer = "c-hold-retry", estimate_usd = 1.00, ttl_seconds = 60, idempotency_key = "hold-1" };

        var first = await (await app.Admin.PostJsonAsync("/v1/llm/budget/reserve", request)).ReadAsync();
        var retry = await (await app.Admin.PostJsonAsync("/v1/llm/budget/reserve", request)).ReadAsync();
        var other = await app.Admin.PostJsonAsync("/v1/llm/budget/reserve", request with { estimate_usd = 2.00 });
        var budget = await (await app.Admin.GetAsync("/v1/customers/c-hold-retry/llm-budget")).ReadAsync();

        Assert.Equal(first["reservation_id"].Value<string>(), retry["reservation_id"].Value<string>());
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal("idempotency_mismatch", (await other.ReadAsync())["error"].Value<string>());
        Assert.Equal(1.00m, budget["reserved_usd"].Value<decimal>());
    }

    [Fact]
    public async Task RevenueAgainstCostAddsUpByModelFeatureAndDay()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("paying");
        await app.CustomerAsync("free");
        await app.SubscribeAsync("paying", "pro", collection: "charge_automatically"); // $20 for Mar 10 12:00 – Apr 10 12:00 (31 days)
        await LogAsync(app, new { customer = "paying", feature = "chat", model = "gpt-4o", input_tokens = 1_000_000 });        // $2.50
        await LogAsync(app, new { customer = "free", feature = "chat", model = "gpt-4o-mini", output_tokens = 1_000_000 });    // $0.60
        await app.AdvanceAsync(TimeSpan.FromDays(1));
        await LogAsync(app, new { customer = "paying", model = "claude-haiku-4-5", input_tokens = 1_000_000, output_tokens = 100_000 }); // $1.50

        var stats = await (await app.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost?days=2")).ReadAsync();
        var days = stats["daily_breakdown"]!.AsArray();
        var byModel = stats["by_model"]!.AsArray().ToDictionary(m => m!["model"].Value<string>()!, m => m!["cost_usd"].Value<decimal>());

        Assert.Equal((4.60m, 3L, 2L), (stats["total_llm_cost_usd"].Value<decimal>(), stats["total_requests"].Value<long>(), stats["unique_users"].Value<long>()));
        Assert.Equal(new Dictionary<string, decimal> { ["gpt-4o"] = 2.50m, ["claude-haiku-4-5"] = 1.50m, ["gpt-4o-mini"] = 0.60m }, byModel);
        Assert.Equal(["chat", ""], stats["by_feature"]!.AsArray().Select(f => f!["feature"].Value<string>()));
        // Revenue is recognized by the millisecond: half of Mar 10 (12 hours) and Mar 11 up to now (12 hours), of a 31-day period.
        Assert.Equal(Math.Round(2000m * 12 / (31 * 24) / 100, 6), days[0]!["revenue_usd"].Value<decimal>());
        Assert.Equal(Math.Round(2000m * 12 / (31 * 24) / 100, 6), days[1]!["revenue_usd"].Value<decimal>());
        Assert.Equal((3.10m, 1.50m), (days[0]!["llm_cost_usd"].Value<decimal>(), days[1]!["llm_cost_usd"].Value<decimal>()));
        Assert.Equal(0.65m, stats["total_revenue_usd"].Value<decimal>()); // 20 × 24/744 = 0.6451…
        Assert.Equal(0.65m - 4.60m, stats["estimated_profit_usd"].Value<decimal>());
        Assert.Equal(0m, stats["total_payments_usd"].Value<decimal>());
    }

    [Fact]
    public async Task ADiscountedCustomersRevenueIsWhatItsInvoicesChargedNotTheListPrice()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("discounted");
        (await app.Admin.PostJsonAsync("/v1/admin/coupons", new { id = "OFF20", name = "20 % off", percent_off = 20, duration = "forever" })).EnsureSuccessStatusCode();
        (await app.Admin.PostJsonAsync("/v1/subscriptions", new
        {
            customer = "discounted", plan = "pro", billing_period = "monthly", collection_method = "charge_automatically", coupon = "OFF20",
        })).EnsureSuccessStatusCode();
        await app.AdvanceAsync(TimeSpan.FromDays(31)); // the whole first period, Mar 10 12:00 – Apr 10 12:00

        var invoice = (await app.Admin.ReadAllAsync("/v1/invoices?customer=discounted"))[^1]!;
        var stats = await (await app.Admin.GetAsync("/v1/admin/stats/user-costs/discounted?days=32")).ReadAsync();
        // 32 days: the windows are whole days, and the period started at noon 31 days ago.
        var total = await (await app.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost?days=32")).ReadAsync();

        // $20 less 20 % is $16 invoiced; revenue counted the list price, $20, so every margin was overstated by the discount.
        Assert.Equal((2000L, 400L, 1600L), (invoice["subtotal_cents"].Value<long>(), invoice["discount_cents"].Value<long>(), invoice["total_cents"].Value<long>()));
        Assert.Equal(16.00m, stats["total_revenue_usd"].Value<decimal>());
        Assert.Equal(16.00m, total["total_revenue_usd"].Value<decimal>());
    }

    [Fact]
    public async Task TodaysPlanRevenueCountsOnlyUpToNowInUserCostsAndRevenueVsCost()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("early");
        await app.SubscribeAsync("early", "pro", collection: "charge_automatically"); // $20 for Mar 10 12:00 – Apr 10 12:00 (31 days)
        await app.AdvanceAsync(TimeSpan.FromHours(30)); // Mar 11 18:00

        var user = await (await app.Admin.GetAsync("/v1/admin/stats/user-costs/early?days=1")).ReadAsync();
        var all = await (await app.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost?days=1")).ReadAsync();

        var soFar = Math.Round(2000m * 18 / (31 * 24) / 100, 6); // 18 of Mar 11's 24 hours have passed
        Assert.Equal(soFar, user["daily_breakdown"]![0]!["revenue_usd"].Value<decimal>());
        Assert.Equal(0.48m, user["total_revenue_usd"].Value<decimal>());
        Assert.Equal(soFar, all["daily_breakdown"]![0]!["revenue_usd"].Value<decimal>());
        Assert.Equal(0.48m, all["total_revenue_usd"].Value<decimal>());
    }

    [Fact]
    public async Task ACustomerWhoCallsOnTwoDaysIsAmongEachDaysActiveUsersHoweverOftenItCalled()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("daily");
        await app.CustomerAsync("once");
        var call = new { customer = "daily", feature = "chat", model = "gpt-4o", input_tokens = 1000 };
        for (var i = 0; i < 3; i++)
        {
            await LogAsync(app, call);
        }

        await LogAsync(app, new { customer = "once", feature = "chat", model = "gpt-4o", input_tokens = 1000 });
        await app.AdvanceAsync(TimeSpan.FromDays(1));
        await LogAsync(app, call);
        await LogAsync(app, call);

        async Task<(long All, long Chat)> ActiveAsync(int days)
        {
            var stats = await (await app.Admin.GetAsync($"/v1/admin/stats/revenue-vs-cost?days={days}")).ReadAsync();
            var chat = stats["by_feature"]!.AsArray().Single(f => f!["feature"].Value<string>() == "chat")!;
            return (stats["unique_users"].Value<long>(), chat["unique_users"].Value<long>());
        }

        Assert.Equal((1L, 1L), await ActiveAsync(1));
        Assert.Equal((2L, 2L), await ActiveAsync(2));
    }

    [Fact]
    public async Task CustomerPlanAndFeatureStatsShowCostRevenueAndMargin()
    {
        await using var app = await LlmOwnAsync();
        await app.CustomerAsync("paying");
        await app.CustomerAsync("costly");
        await app.SubscribeAsync("paying", "pro", collection: "charge_automatically");
        await app.ConsumeAsync("costly", "export", 3);
        await LogAsync(app, new { customer = "paying", feature = "chat", model = "gpt-4o", input_tokens = 100_000 });  // $0.25
        await LogAsync(app, new { customer = "costly", feature = "chat", model = "gpt-4o", input_tokens = 2_000_000 }); // $5.00

        var user = await (await app.Admin.GetAsync("/v1/admin/stats/user-costs/paying?days=1")).ReadAsync();
        var plans = (await (await app.Admin.GetAsync("/v1/admin/stats/plans?days=1")).ReadAsync()).AsArray()
            .ToDictionary(p => p!["plan"].Value<string>()!, p => p!);
        var features = (await (await app.Admin.GetAsync("/v1/admin/stats/features?days=1")).ReadAsync()).AsArray()
            .ToDictionary(f => f!["feature"].Value<string>()!, f => f!);
        var spenders = (await (await app.Admin.GetAsync("/v1/admin/stats/top-spenders?days=1")).ReadAsync()).AsArray();
        var negative = (await (await app.Admin.GetAsync("/v1/admin/stats/negative-margin?days=1")).ReadAsync()).AsArray();

        Assert.Equal(("pro", 0.25m, 1L), (user["plan"].Value<string>(), user["total_llm_cost_usd"].Value<decimal>(), user["total_requests"].Value<long>()));
        Assert.Equal((1L, 1L, 20.00m), (plans["pro"]["customers"].Value<long>(), plans["pro"]["paying_customers"].Value<long>(),
            plans["pro"]["mrr_usd"].Value<decimal>()));
        Assert.Equal((1L, 5.00m), (plans["free"]["customers"].Value<long>(), plans["free"]["llm_cost_usd"].Value<decimal>()));
        Assert.Equal((2L, 5.25m, true), (features["chat"]["llm_requests"].Value<long>(), features["chat"]["llm_cost_usd"].Value<decimal>(),
            features["chat"]["uses_llm"].Value<bool>()));
        Assert.Equal(3L, features["export"]["units_used"].Value<long>());
        Assert.Equal(2L, features["chat"]["unique_users"].Value<long>());
        Assert.Equal(["costly", "paying"], spenders.Select(s => s!["customer"].Value<string>()));
        Assert.Equal(("costly", -5.00m), (negative[0]!["customer"].Value<string>(), negative[0]!["margin_usd"].Value<decimal>()));
    }
}

public sealed class SqliteLlmApiTests(SharedServer shared) : LlmApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresLlmApiTests(SharedServer shared) : LlmApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
