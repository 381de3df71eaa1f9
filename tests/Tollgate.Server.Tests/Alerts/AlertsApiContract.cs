using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Alerts;

public abstract class AlertsApiContract(SharedServer shared) : ApiContract(shared)
{
    // Mar 3, 00:00: two days into the calendar month the free plan counts in.
    private static readonly DateTimeOffset Start = new(2026, 3, 3, 0, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> AlertsAsync() => StartAsync(ApiSetup.AlertsCatalog(), Start);

    private static async Task<JsonArray> AlertsOfAsync(TollgateApp app, string customer, string query = "") =>
        (await (await app.Admin.GetAsync($"/v1/customers/{customer}/alerts{query}")).ReadAsync())["data"]!.AsArray();

    private static IEnumerable<(string? Kind, int Threshold)> Thresholds(JsonArray alerts) =>
        alerts.Where(a => a!["kind"].Value<string>() == "threshold").Select(a => (a!["kind"].Value<string>(), a["threshold"].Value<int>()));

    private static JsonNode[] Exceeded(JsonArray alerts) => [.. alerts.Where(a => a!["kind"].Value<string>() == "exceeded").Select(a => a!)];

    [Fact]
    public async Task ThresholdAlertsFireOnceEachAtEightyAndNinetyPercentAndReachingTheCapSaysSoOnceWithReadableMessages()
    {
        await using var app = await StartOwnAsync(ApiSetup.AlertsCatalog(), Start);
        await app.CustomerAsync("c1");
        await app.AdvanceAsync(TimeSpan.FromDays(27)); // Mar 30: too late in the month for 8 of 10 to project past the limit

        await app.ConsumeAsync("c1", "cv_generate", 7);
        var beforeEighty = await AlertsOfAsync(app, "c1");
        await app.ConsumeAsync("c1", "cv_generate");
        await app.ConsumeAsync("c1", "cv_generate");
        await app.ConsumeAsync("c1", "cv_generate");
        var refused = await app.ConsumeAsync("c1", "cv_generate");
        var alerts = await AlertsOfAsync(app, "c1");

        Assert.Empty(beforeEighty);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var thresholds = alerts.Where(a => a!["kind"].Value<string>() == "threshold").ToArray();
        // The grant that used the last CV crossed 100 % and the cap at once: one alert, the highest (exceeded).
        Assert.Equal([("threshold", 90), ("threshold", 80)], Thresholds(alerts));
        Assert.Equal(["warning", "info"], thresholds.Select(a => a!["severity"].Value<string>()));
        Assert.Equal("You have used 8 of 10 CVs this month.", thresholds[1]!["message"].Value<string>());
        Assert.Equal((8L, 10L, "cv_generate"), (thresholds[1]!["used"].Value<long>(), thresholds[1]!["limit"].Value<long>(), thresholds[1]!["feature"].Value<string>()));
        Assert.Equal("2026-04-01T00:00:00Z", thresholds[1]!["period_end"].Value<string>());
        var exceeded = Assert.Single(Exceeded(alerts)); // from the grant that used the last CV; the refusal after it wrote nothing
        Assert.Equal(("critical", 10L), (exceeded["severity"].Value<string>(), exceeded["used"].Value<long>()));
        Assert.Equal("You have reached your limit of 10 CVs this month; it resets on Apr 1.", exceeded["message"].Value<string>());
    }

    [Fact]
    public async Task OneConsumeThatCrossesSeveralThresholdsFiresOnlyTheHighest()
    {
        await using var app = await StartOwnAsync(ApiSetup.AlertsCatalog(), Start);
        await app.CustomerAsync("c1");
        await app.AdvanceAsync(TimeSpan.FromDays(27));

        await app.ConsumeAsync("c1", "cv_generate", 9);
        var afterNine = await AlertsOfAsync(app, "c1");
        await app.ConsumeAsync("c1", "cv_generate");
        var alerts = await AlertsOfAsync(app, "c1");

        Assert.Equal([("threshold", 90)], Thresholds(afterNine)); // 80 and 90 crossed at once: only 90
        Assert.Single(alerts, a => a!["kind"].Value<string>() == "threshold");
        Assert.Single(Exceeded(alerts)); // 100 % and the cap crossed at once: only exceeded
        Assert.Equal(2, alerts.Count);
    }

    [Fact]
    public async Task ARequestTooBigForWhatIsLeftIsRefusedWithoutSayingTheLimitIsReached()
    {
        await using var app = await StartOwnAsync(ApiSetup.AlertsCatalog(), Start);
        await app.CustomerAsync("c1");
        await app.AdvanceAsync(TimeSpan.FromDays(27));

        await app.ConsumeAsync("c1", "cv_generate", 9);
        var tooBig = await app.ConsumeAsync("c1", "cv_generate", 2);
        var afterTooBig = await AlertsOfAsync(app, "c1");
        await app.ConsumeAsync("c1", "cv_generate");
        await app.ConsumeAsync("c1", "cv_generate");
        var alerts = await AlertsOfAsync(app, "c1");

        Assert.Equal(HttpStatusCode.TooManyRequests, tooBig.StatusCode);
        Assert.Empty(Exceeded(afterTooBig)); // one CV is still left
        Assert.Single(Exceeded(alerts)); // the next CV uses the limit up
    }

    [Fact]
    public async Task ConcurrentConsumesFireEachThresholdExactlyOnce()
    {
        await using var app = await StartOwnAsync(ApiSetup.AlertsCatalog(), Start);
        await using var second = Kind == StoreKind.Postgres
            ? await TollgateApp.StartAsync(Kind, ApiSetup.AlertsCatalog(), Start, app.ConnectionString)
            : null;
        await app.CustomerAsync("c1");
        await app.AdvanceAsync(TimeSpan.FromDays(27));
        if (second is not null)
        {
            await second.AdvanceToAsync(app.Clock.GetUtcNow());
        }

        // 120 requests for 100 units, spread over one or two nodes: 100 granted, 20 refused, each threshold once.
        var responses = await Task.WhenAll(Enumerable.Range(0, 120).Select(i =>
            (i % 2 == 1 && second is not null ? second : app).ConsumeAsync("c1", "api")));
        var alerts = await AlertsOfAsync(app, "c1");

        Assert.Equal(100, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal([("threshold", 80), ("threshold", 90)], Thresholds(alerts).Order());
        Assert.Equal([80L, 90L], alerts.Where(a => a!["kind"].Value<string>() == "threshold").Select(a => a!["used"].Value<long>()).Order());
        Assert.Single(Exceeded(alerts)); // from the grant that used the 100th unit, not from the 20 refusals
    }

    [Fact]
    public async Task CatalogThresholdsReplaceTheDefaultsAndASoftCapAlertsAtTheLimitOnce()
    {
        await using var app = await StartOwnAsync(ApiSetup.AlertsCatalog(), Start);
        await app.CustomerAsync("c1");
        await app.AdvanceAsync(TimeSpan.FromDays(27));

        await app.ConsumeAsync("c1", "messages", 60);
        await app.ConsumeAsync("c1", "messages", 60);
        await app.ConsumeAsync("c1", "messages", 60);
        var alerts = await AlertsOfAsync(app, "c1");

        Assert.Equal([("threshold", 50)], Thresholds(alerts)); // the call that passed 100 % passed the cap too: one alert, exceeded
        Assert.Equal("You have used 60 of 100 messages this month.", alerts.First(a => a!["threshold"].Value<int>() == 50)!["message"].Value<string>());
        var exceeded = Assert.Single(Exceeded(alerts)); // passing the soft cap, once; the third call adds overage only
        Assert.Equal(120L, exceeded["used"].Value<long>());
        Assert.Equal("You have gone past your 100 messages this month; what you use until Apr 1 is billed as overage.", exceeded["message"].Value<string>());
    }

    [Fact]
    public async Task FastUsageEarlyInThePeriodProjectsWhenTheLimitWillBeReachedOnce()
    {
        await using var app = await StartOwnAsync(ApiSetup.AlertsCatalog(), Start);
        await app.CustomerAsync("c1");

        // 3 of 10 CVs in the first 2 days of March: at that pace all 10 are gone after 6⅔ days, on Mar 7 at 16:00.
        await app.ConsumeAsync("c1", "cv_generate", 3);
        await app.AdvanceAsync(TimeSpan.FromHours(1));
        await app.ConsumeAsync("c1", "cv_generate");
        var alerts = await AlertsOfAsync(app, "c1");

        var projected = Assert.Single(alerts);
        Assert.Equal(("projected", "warning", "2026-03-07T16:00:00Z"),
            (projected!["kind"].Value<string>(), projected["severity"].Value<string>(), projected["projected_at"].Value<string>()));
        Assert.Equal("At this pace you will use all 10 CVs by Mar 7; your limit resets on Apr 1.", projected["message"].Value<string>());
    }

    [Fact]
    public async Task EventsAndCommittedReservationsFireAlertsToo()
    {
        await using var app = await StartOwnAsync(ApiSetup.AlertsCatalog(), Start);
        await app.CustomerAsync("c1");
        await app.AdvanceAsync(TimeSpan.FromDays(27));

        await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new[] { new { id = "e1", customer = "c1", feature = "cv_generate", amount = 8, timestamp = app.Clock.GetUtcNow() } },
        });
        var hold = await (await app.Admin.PostJsonAsync("/v1/entitlements/reserve",
            new { customer = "c1", feature = "cv_generate", amount = 2, ttl_seconds = 60 })).ReadAsync();
        var afterHold = await AlertsOfAsync(app, "c1");
        await app.Admin.PostJsonAsync($"/v1/reservations/{hold["id"].Value<string>()}/commit", new { amount = 1 });
        var alerts = await AlertsOfAsync(app, "c1");

        Assert.Equal([("threshold", 80)], Thresholds(afterHold)); // a hold is not use yet
        Assert.Equal([("threshold", 90), ("threshold", 80)], Thresholds(alerts));
    }

    [Fact]
    public async Task EventsOfOneRequestEachFireTheAlertTheirOwnCountCrossesAndAResentOneFiresNothing()
    {
        await using var app = await StartOwnAsync(ApiSetup.AlertsCatalog(), Start);
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        await app.AdvanceAsync(TimeSpan.FromDays(27));
        var now = app.Clock.GetUtcNow();

        // One request, one customer's events in a row with another customer's between: 7 of 10, then 9 (past 80 and
        // 90: only 90 fires), e2 again (counts nothing), then 11 (past the limit).
        var answer = await (await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new[]
            {
                new { id = "e1", customer = "c1", feature = "cv_generate", amount = 7, timestamp = now },
                new { id = "e2", customer = "c1", feature = "cv_generate", amount = 2, timestamp = now },
                new { id = "e2", customer = "c1", feature = "cv_generate", amount = 2, timestamp = now },
                new { id = "x1", customer = "c2", feature = "cv_generate", amount = 1, timestamp = now },
                new { id = "e3", customer = "c1", feature = "cv_generate", amount = 2, timestamp = now },
            },
        })).ReadAsync();
        var alerts = await AlertsOfAsync(app, "c1");
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();

        Assert.Equal((4, "e2"), (answer["accepted"].Value<int>(), answer["duplicates"]!.AsArray().Single()!.Value<string>()));
        Assert.Equal(11, usage["features"]!["cv_generate"]!["used"].Value<long>());
        Assert.Equal([("threshold", 90)], Thresholds(alerts));
        Assert.Equal(11, Assert.Single(Exceeded(alerts))["used"].Value<long>());
        Assert.Empty(await AlertsOfAsync(app, "c2"));
    }

    [Fact]
    public async Task UnreadListsOnlyAlertsNotMarkedReadAndMarkingTwiceKeepsTheFirstTime()
    {
        await using var app = await StartOwnAsync(ApiSetup.AlertsCatalog(), Start);
        await app.CustomerAsync("c1");
        await app.AdvanceAsync(TimeSpan.FromDays(27));
        await app.ConsumeAsync("c1", "cv_generate", 8);
        await app.ConsumeAsync("c1", "cv_generate");
        var all = await AlertsOfAsync(app, "c1");
        var eighty = all.Single(a => a!["threshold"].Value<int>() == 80)!["id"].Value<string>();

        var first = await (await app.Admin.PostAsync($"/v1/alerts/{eighty}/read", null)).ReadAsync();
        await app.AdvanceAsync(TimeSpan.FromMinutes(5));
        var again = await (await app.Admin.PostAsync($"/v1/alerts/{eighty}/read", null)).ReadAsync();
        var unread = await AlertsOfAsync(app, "c1", "?unread=true");
        var missing = await app.Admin.PostAsync("/v1/alerts/alr_nope/read", null);

        Assert.Equal(first["read_at"].Value<string>(), again["read_at"].Value<string>());
        Assert.Equal([("threshold", 90)], Thresholds(unread));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("/v1/customers/c1/alerts?limit=0", "limit")]
    [InlineData("/v1/customers/c1/alerts?limit=201", "limit")]
    [InlineData("/v1/customers/c1/alerts?unread=maybe", "unread")]
    public async Task BadQueryIsA400NamingTheParameter(string path, string field)
    {
        await using var app = await AlertsAsync();
        await app.CustomerAsync("c1");

        var response = await app.Admin.GetAsync(path);
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertsOfAnUnknownCustomerAreA404()
    {
        await using var app = await AlertsAsync();

        var response = await app.Admin.GetAsync("/v1/customers/ghost/alerts");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

public sealed class SqliteAlertsApiTests(SharedServer shared) : AlertsApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresAlertsApiTests(SharedServer shared) : AlertsApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
