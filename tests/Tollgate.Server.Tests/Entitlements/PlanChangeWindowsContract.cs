using System.Net;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Entitlements;

/// <summary>
/// A change of billing period re-anchors the subscription, so month windows restart at the change: the closed window
/// keeps its usage in its counter row, the new one starts empty under the new plan's limit, as Stripe resets the cycle.
/// </summary>
public abstract class PlanChangeWindowsContract : ApiContract
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [
            { "code": "cv", "name": "CVs", "unit": "CVs", "kind": "metered" },
            { "code": "daily", "name": "Daily", "unit": "calls", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "cv", "limit": 2, "reset": "month" } ] },
            { "code": "pro", "name": "Pro",
              "prices": [ { "billing_period": "monthly", "price_cents": 2999 }, { "billing_period": "yearly", "price_cents": 29900 } ],
              "features": [ { "feature_code": "cv", "limit": 30, "reset": "month" }, { "feature_code": "daily", "limit": 5, "reset": "day" } ] }
          ]
        }
        """;

    private static readonly DateTimeOffset Start = TollgateApp.DefaultStart; // 2026-01-15T12:00Z

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("plan-change-windows", Catalog));

    private static async Task ChangeAsync(TollgateApp app, string id, string period)
    {
        var response = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "pro", billing_period = period, effective = "immediate" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("monthly", "yearly")]
    [InlineData("yearly", "monthly")]
    public async Task ChangingTheBillingPeriodStartsANewMonthWindowAtTheChange(string from, string to)
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro", from, collection: "charge_automatically");
        var changedAt = Start.AddMonths(2).AddDays(10);
        await app.AdvanceToAsync(changedAt.AddDays(-1));
        await app.ConsumeAsync("c1", "cv", 25);

        await app.AdvanceToAsync(changedAt);
        await ChangeAsync(app, id, to);
        var whole = await app.ConsumeAsync("c1", "cv", 30);
        var refused = await (await app.ConsumeAsync("c1", "cv")).ReadAsync();

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(("2026-03-25T12:00:00Z", "2026-04-25T12:00:00Z"), (refused["window_start"].Value<string>(), refused["resets_at"].Value<string>()));
        Assert.Equal(30L, refused["used"].Value<long>());
    }

    [Fact]
    public async Task UsageAtAnInstantBeforeAReanchoringChangeShowsTheWindowThatHeldItWithItsCount()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro", "monthly", collection: "charge_automatically");
        await app.AdvanceToAsync(Start.AddDays(10));
        await app.ConsumeAsync("c1", "cv", 25);
        await app.AdvanceAsync(TimeSpan.FromMinutes(1));
        await ChangeAsync(app, id, "yearly");
        await app.ConsumeAsync("c1", "cv", 3);

        var before = await (await app.Admin.GetAsync("/v1/customers/c1/usage?at=2026-01-20T12:00:00Z")).ReadAsync();
        var current = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();

        var cv = before["features"]!["cv"]!;
        Assert.Equal((25L, "2026-01-15T12:00:00Z", "2026-02-15T12:00:00Z"),
            (cv["used"].Value<long>(), cv["window_start"].Value<string>(), cv["resets_at"].Value<string>()));
        Assert.Equal(3L, current["features"]!["cv"]!["used"].Value<long>());
    }

    [Fact]
    public async Task TheClosedWindowKeepsItsUsageAndDayWindowsAreNotReanchored()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro", "monthly", collection: "charge_automatically");
        await app.AdvanceToAsync(Start.AddDays(10));
        await app.ConsumeAsync("c1", "cv", 25);
        await app.ConsumeAsync("c1", "daily", 4);

        await app.AdvanceAsync(TimeSpan.FromMinutes(1));
        await ChangeAsync(app, id, "yearly");
        var closed = await app.Get<TollgateDatabase>().ReadAsync(c => c.QuerySingleAsync<(long, long)>(
            "SELECT period_start, used FROM usage_counters WHERE customer_id = 'c1' AND feature_code = 'cv' ORDER BY period_start LIMIT 1"));
        var after = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();
        var daily = await app.ConsumeAsync("c1", "daily", 2);

        Assert.Equal((Start.ToUnixTimeMilliseconds(), 25L), closed);
        Assert.Equal(("2026-01-25T12:01:00Z", 0L), (after["features"]!["cv"]!["window_start"].Value<string>(), after["features"]!["cv"]!["used"].Value<long>()));
        Assert.Equal(4L, after["features"]!["daily"]!["used"].Value<long>());
        Assert.Equal(HttpStatusCode.TooManyRequests, daily.StatusCode);
    }
}

public sealed class SqlitePlanChangeWindowsTests : PlanChangeWindowsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresPlanChangeWindowsTests : PlanChangeWindowsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
