using System.Net;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Llm;

/// <summary>A metered feature with an LLM meter is fed by logged calls, in the call's transaction, and gated like any quota.</summary>
public abstract class TokenQuotaContract : ApiContract
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [
            { "code": "chat", "name": "Chat", "unit": "messages", "kind": "metered", "uses_llm": true },
            { "code": "tokens", "name": "Tokens", "unit": "tokens", "kind": "metered" },
            { "code": "openai_calls", "name": "OpenAI calls", "unit": "calls", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [
                { "feature_code": "chat", "limit": null },
                { "feature_code": "tokens", "limit": 1000, "reset": "month", "meter": { "llm": "total_tokens", "features": ["chat"] } },
                { "feature_code": "openai_calls", "limit": 10, "meter": { "llm": "calls", "providers": ["openai"] } } ] }
          ]
        }
        """;

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("tokens", Catalog));

    private static Task<HttpResponseMessage> LogAsync(TollgateApp app, string id, long input, long output, string? feature = "chat",
        string provider = "openai") =>
        app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            customer = "c1", feature, model = "gpt-4o-mini", provider, input_tokens = input, output_tokens = output, request_id = id,
        });

    [Fact]
    public async Task LoggedCallsFeedTheTokenQuotaAndACallPastTheHardCapIsCountedThenChecksAreRefused()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");

        await LogAsync(app, "r1", 600, 200);
        var afterFirst = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();
        var logged = await LogAsync(app, "r2", 300, 100);
        await LogAsync(app, "r2", 300, 100); // a retry counts once
        await LogAsync(app, "r3", 50, 50, feature: "summary_not_metered");
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();
        var check = await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "c1", feature = "tokens", amount = 1 })).ReadAsync();
        var consume = await app.ConsumeAsync("c1", "tokens");

        Assert.Equal(800L, afterFirst["features"]!["tokens"]!["used"].Value<long>());
        Assert.Equal(HttpStatusCode.OK, logged.StatusCode);
        Assert.Equal(1200L, usage["features"]!["tokens"]!["used"].Value<long>());
        Assert.Equal((false, "quota_exceeded"), (check["allowed"].Value<bool>(), check["reason"].Value<string>()));
        Assert.Equal(HttpStatusCode.TooManyRequests, consume.StatusCode);
    }

    [Fact]
    public async Task ACallsMeterCountsOnlyCallsOfItsProvider()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");

        await LogAsync(app, "a", 10, 10, provider: "openai");
        await LogAsync(app, "b", 10, 10, provider: "anthropic");
        await LogAsync(app, "c", 10, 10, feature: null, provider: "OpenAI");
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();

        Assert.Equal(2L, usage["features"]!["openai_calls"]!["used"].Value<long>());
    }

    [Fact]
    public async Task LoggedCallsThatCrossAThresholdOfATokenQuotaAlertOnceAsAConsumeWould()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");

        await LogAsync(app, "r1", 500, 200); // 70 %
        await LogAsync(app, "r2", 100, 50); // 85 %: crosses 80
        await LogAsync(app, "r3", 10, 10); // 87 %: nothing new
        var alerts = (await app.Get<TollgateDatabase>().ReadAsync(c => c.QueryAsync<(string Kind, long Threshold, long Used)>(
            "SELECT kind, threshold, used FROM usage_alerts WHERE customer_id = 'c1' AND feature_code = 'tokens' AND kind <> 'projected'"))).ToList();

        Assert.Equal([("threshold", 80L, 850L)], alerts);
    }

    [Fact]
    public async Task ABatchWhoseCallsCrossSeveralThresholdsOfATokenQuotaAlertsOnlyTheHighest()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints",
            new { url = "https://hooks.example.com/a", events = new[] { "usage.threshold_crossed" } });

        var logged = await app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            calls = new[]
            {
                new { customer = "c1", feature = "chat", model = "gpt-4o-mini", provider = "openai", input_tokens = 850, output_tokens = 0, request_id = "r1" },
                new { customer = "c1", feature = "chat", model = "gpt-4o-mini", provider = "openai", input_tokens = 100, output_tokens = 0, request_id = "r2" },
            },
        });
        var database = app.Get<TollgateDatabase>();
        var alerts = (await database.ReadAsync(c => c.QueryAsync<(string Kind, long Threshold, long Used)>(
            "SELECT kind, threshold, used FROM usage_alerts WHERE customer_id = 'c1' AND feature_code = 'tokens' AND kind <> 'projected'"))).ToList();
        var events = await database.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM webhook_events WHERE type = 'usage.threshold_crossed'"));

        Assert.Equal(HttpStatusCode.OK, logged.StatusCode);
        Assert.Equal([("threshold", 90L, 950L)], alerts); // 0 → 950 of 1000 in one update: 90, not 80 and 90
        Assert.Equal(1L, events);
    }
}

public sealed class SqliteTokenQuotaTests : TokenQuotaContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresTokenQuotaTests : TokenQuotaContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingTokenQuotaTests : TokenQuotaContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
