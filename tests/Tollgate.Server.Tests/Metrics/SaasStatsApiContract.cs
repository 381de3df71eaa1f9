using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Metrics;

public abstract class SaasStatsApiContract : ApiContract
{
    private static DateTimeOffset Utc(int y, int m, int d) => new(y, m, d, 0, 0, 0, TimeSpan.Zero);

    private static decimal[] Movements(JsonNode moves) =>
        [.. new[] { "new", "expansion", "contraction", "churn", "reactivation" }.Select(k => moves[k].Value<decimal>())];

    private static void AssertStartPlusMovementsIsEnd(JsonNode figures) =>
        Assert.Equal(figures["mrr"].Value<decimal>(), figures["mrr_start"].Value<decimal>() + Movements(figures["movements"]!).Sum());

    [Fact]
    public async Task YearlyPricesMovementsAddUpToTheEndMrrInTheJsonToTheCent()
    {
        // Basic is $100 a year, 8.333… a month, and pro $300 a year: rounding each figure alone would miss by a cent.
        await using var app = await StartAsync(ApiSetup.BillingCatalog(), Utc(2026, 1, 10));
        await app.CustomerAsync("ada");
        await app.CustomerAsync("bob");
        var ada = await app.SubscribeAsync("ada", "basic", "yearly", trialDays: 0);
        await app.AdvanceToAsync(Utc(2026, 2, 10));
        var bob = await app.SubscribeAsync("bob", "basic", "yearly", trialDays: 0);
        await app.AdvanceToAsync(Utc(2026, 3, 10));
        (await app.Admin.PostJsonAsync($"/v1/subscriptions/{ada}/change", new { plan = "pro" })).EnsureSuccessStatusCode();
        await app.AdvanceToAsync(Utc(2026, 4, 10));
        (await app.Admin.PostJsonAsync($"/v1/subscriptions/{bob}/cancel", new { at_period_end = false })).EnsureSuccessStatusCode();

        var stats = await (await app.Admin.GetAsync("/v1/admin/stats/saas?from=2026-01-01&to=2026-05-01")).ReadAsync();
        var february = await (await app.Admin.GetAsync("/v1/admin/stats/saas?from=2026-02-01&to=2026-03-01")).ReadAsync();
        var series = stats["series"]!.AsArray().Select(m => m!).ToList();

        AssertStartPlusMovementsIsEnd(stats);
        AssertStartPlusMovementsIsEnd(february);
        Assert.All(series, AssertStartPlusMovementsIsEnd);
        // Exact: new 16.666…, expansion 16.666…, churn −8.333…; the rounded running totals are 16.67, 33.33 and 25.00.
        Assert.Equal((0m, 25m), (stats["mrr_start"].Value<decimal>(), stats["mrr"].Value<decimal>()));
        Assert.Equal([16.67m, 16.66m, 0m, -8.33m, 0m], Movements(stats["movements"]!));
        Assert.Equal((8.33m, 8.34m, 16.67m), (february["mrr_start"].Value<decimal>(), february["movements"]!["new"].Value<decimal>(),
            february["mrr"].Value<decimal>()));
        Assert.Equal([8.33m, 16.67m, 33.33m, 25m], series.Select(m => m["mrr"].Value<decimal>()));
    }

    [Fact]
    public async Task ATimeWithoutAZoneOrBeyondTheCalendarIsA400NamingTheParameter()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog(), Utc(2026, 1, 10));
        (string Query, string Field)[] cases =
        [
            ("from=2025-03-01T00:00:00", "from"), ("to=2026-01-01T00:00:00.000", "to"), ("from=0001-01-01T00:00:00%2B01:00", "from"),
            ("to=9999-12-31T23:59:59-01:00", "to"),
            // A reversed range names to, as every other range of the API does (it named from here alone).
            ("from=2026-01-01&to=2025-01-01", "to"),
        ];

        var answers = new List<(string, HttpStatusCode, bool)>();
        foreach (var (query, field) in cases)
        {
            var response = await app.Admin.GetAsync($"/v1/admin/stats/saas?{query}");
            var body = await response.Content.ReadAsStringAsync();
            answers.Add((query, response.StatusCode, response.StatusCode == HttpStatusCode.BadRequest && JsonNode.Parse(body)!["errors"]?[field] is not null));
        }

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.BadRequest, true), (a.Item2, a.Item3)));
    }

    [Fact]
    public async Task AnInstantOutsideTheStoredYearsIsA400NamingTheFieldNotA500()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog(), Utc(2026, 1, 10));
        (string Query, string Field)[] cases =
        [
            ("to=9999-12-31T23:59:59Z", "to"), ("to=0001-01-01T00:00:00Z", "to"),
            ("from=9999-12-01T00:00:00Z&to=9999-12-31T23:59:59Z", "from"), ("from=0001-01-01&to=2026-01-01", "from"),
        ];

        var answers = new List<(string, HttpStatusCode, string?)>();
        foreach (var (query, field) in cases)
        {
            var response = await app.Admin.GetAsync($"/v1/admin/stats/saas?{query}");
            var body = await response.Content.ReadAsStringAsync();
            answers.Add((query, response.StatusCode, response.StatusCode == HttpStatusCode.BadRequest
                ? JsonNode.Parse(body)!["errors"]?[field].Value<string>() : body));
        }

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.BadRequest, "must be from 1970-01-01 to 8999-12-31"), (a.Item2, a.Item3)));
    }
}

public sealed class SqliteSaasStatsApiTests : SaasStatsApiContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresSaasStatsApiTests : SaasStatsApiContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingSaasStatsApiTests : SaasStatsApiContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
