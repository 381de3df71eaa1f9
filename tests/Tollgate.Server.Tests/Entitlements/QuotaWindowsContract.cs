using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Entitlements;

/// <summary>Each quota counts in its own reset window, whatever the billing period; the test clock moves through them.</summary>
public abstract class QuotaWindowsContract : ApiContract
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [
            { "code": "cv", "name": "CVs", "unit": "CVs", "kind": "metered" },
            { "code": "daily", "name": "Daily", "unit": "calls", "kind": "metered" },
            { "code": "weekly", "name": "Weekly", "unit": "scans", "kind": "metered" },
            { "code": "lifetime", "name": "Lifetime", "unit": "exports", "kind": "metered" },
            { "code": "rolling", "name": "Rolling", "unit": "credits", "kind": "metered" },
            { "code": "calendar", "name": "Calendar", "unit": "reports", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [
                { "feature_code": "cv", "limit": 2, "reset": "month" },
                { "feature_code": "daily", "limit": 3, "reset": "day" },
                { "feature_code": "weekly", "limit": 5, "reset": "week" },
                { "feature_code": "lifetime", "limit": 2, "reset": "never" },
                { "feature_code": "rolling", "limit": 10, "reset": "month", "rollover": true },
                { "feature_code": "calendar", "limit": 2, "reset": "calendar_month" } ] },
            { "code": "pro", "name": "Pro",
              "prices": [ { "billing_period": "monthly", "price_cents": 2999 }, { "billing_period": "yearly", "price_cents": 29900 } ],
              "features": [ { "feature_code": "cv", "monthly_quota": 30 }, { "feature_code": "calendar", "limit": 5, "reset": "calendar_month" } ] }
          ]
        }
        """;

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("windows", Catalog));

    [Fact]
    public async Task YearlyPlanWithAMonthlyLimitGivesTheLimitInEachOfTwelveMonths()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro", "yearly", collection: "charge_automatically"); // no unpaid invoice to suspend it
        var subscription = await (await app.Admin.GetAsync($"/v1/subscriptions/{id}")).ReadAsync(); // a ticking clock anchors it late
        var anchor = DateTimeOffset.Parse(subscription["current_period_start"].Value<string>()!, System.Globalization.CultureInfo.InvariantCulture);

        for (var month = 0; month < 12; month++)
        {
            await app.AdvanceToAsync(anchor.AddMonths(month).AddHours(1));
            var granted = await app.ConsumeAsync("c1", "cv", 30);
            var refused = await app.ConsumeAsync("c1", "cv");
            var problem = await refused.ReadAsync();

            Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(anchor.AddMonths(month + 1), DateTimeOffset.Parse(problem["resets_at"].Value<string>()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(anchor.AddMonths(month), DateTimeOffset.Parse(problem["window_start"].Value<string>()!, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task ThePortalSaysWhenEachQuotaResetsByItsOwnWindowAndNothingForALifetimeAllowance()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c-portal");
        await app.ConsumeAsync("c-portal", "daily");
        using var portal = await Pages.PageText.PortalAsync(app, "c-portal");

        var text = Pages.PageText.Visible(await portal.GetStringAsync(new Uri("/portal", UriKind.Relative)));

        // Thursday Jan 15, 2026 at noon (on a ticking clock, minutes later): the day ends at midnight, the week on Monday.
        Assert.Contains("2 left · resets Jan 16, 2026", text, StringComparison.Ordinal);
        Assert.Contains("5 left · resets Jan 19, 2026", text, StringComparison.Ordinal);
        Assert.Matches("Lifetime 0 of 2 exports 2 left(?! · resets)", text);
    }

    [Fact]
    public async Task DayWindowsResetAtMidnightUtcAndWeekWindowsOnMonday()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");

        var day = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.ConsumeAsync("c1", "daily")));
        var dayProblem = await day.Single(r => r.StatusCode == HttpStatusCode.TooManyRequests).ReadAsync();
        var week = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => app.ConsumeAsync("c1", "weekly")));
        var weekProblem = await week.Single(r => r.StatusCode == HttpStatusCode.TooManyRequests).ReadAsync();
        await app.AdvanceToAsync(new DateTimeOffset(2026, 1, 16, 0, 0, 0, TimeSpan.Zero));
        var nextDay = await app.ConsumeAsync("c1", "daily");
        var sameWeek = await app.ConsumeAsync("c1", "weekly");
        await app.AdvanceToAsync(new DateTimeOffset(2026, 1, 19, 0, 0, 0, TimeSpan.Zero)); // Monday
        var nextWeek = await app.ConsumeAsync("c1", "weekly");

        Assert.Equal(3, day.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal("2026-01-16T00:00:00Z", dayProblem["resets_at"].Value<string>());
        Assert.Equal(5, week.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(("2026-01-12T00:00:00Z", "2026-01-19T00:00:00Z"), (weekProblem["window_start"].Value<string>(), weekProblem["resets_at"].Value<string>()));
        Assert.Equal(HttpStatusCode.OK, nextDay.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, sameWeek.StatusCode);
        Assert.Equal(HttpStatusCode.OK, nextWeek.StatusCode);
    }

    [Fact]
    public async Task ACalendarMonthQuotaCountsFromTheFirstWhateverTheAnchorAndKeepsItsCountAcrossAnUpgrade()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");

        var free = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => app.ConsumeAsync("c1", "calendar")));
        await app.SubscribeAsync("c1", "pro", "monthly", collection: "charge_automatically"); // anchored on Jan 15
        var pro = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.ConsumeAsync("c1", "calendar")));
        var problem = await pro.Single(r => r.StatusCode == HttpStatusCode.TooManyRequests).ReadAsync();
        await app.AdvanceToAsync(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero));
        var february = await (await app.ConsumeAsync("c1", "calendar")).ReadAsync();
        var plans = (await (await app.Anonymous.GetAsync("/v1/pricing/plans")).ReadAsync()).AsArray();

        Assert.Equal(2, free.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(3, pro.Count(r => r.StatusCode == HttpStatusCode.OK)); // the 2 used on free count against pro's 5
        Assert.Equal(("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", 5L), (problem["window_start"].Value<string>(), problem["resets_at"].Value<string>(), problem["limit"].Value<long>()));
        Assert.Equal((1L, "2026-03-01T00:00:00Z"), (february["used"].Value<long>(), february["resets_at"].Value<string>()));
        var terms = plans.Single(p => p!["code"].Value<string>() == "pro")!["features"]!.AsArray().Single(f => f!["feature_code"].Value<string>() == "calendar")!;
        Assert.Equal(("calendar_month", "5 a calendar month"), (terms["reset"].Value<string>(), terms["display_terms"].Value<string>()));
    }

    [Fact]
    public async Task LifetimeAllowanceNeverResetsAndSaysSo()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");

        await app.ConsumeAsync("c1", "lifetime", 2);
        await app.AdvanceAsync(TimeSpan.FromDays(400));
        var refused = await app.ConsumeAsync("c1", "lifetime");
        var problem = await refused.ReadAsync();
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Null(problem["resets_at"]);
        Assert.Null(refused.Headers.RetryAfter);
        Assert.Equal((2L, 0L), (usage["features"]!["lifetime"]!["used"].Value<long>(), usage["features"]!["lifetime"]!["remaining"].Value<long>()));
        Assert.Null(usage["features"]!["lifetime"]!["resets_at"]);
    }

    [Fact]
    public async Task RolloverShowsInCheckAndUsageBeforeTheWindowIsFirstUsed()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await app.ConsumeAsync("c1", "rolling", 4);

        await app.AdvanceToAsync(new DateTimeOffset(2026, 2, 1, 0, 0, 1, TimeSpan.Zero));
        var check = await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "c1", feature = "rolling", amount = 16 })).ReadAsync();
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();
        var consumed = await (await app.ConsumeAsync("c1", "rolling")).ReadAsync();

        Assert.Equal((true, 16L), (check["allowed"].Value<bool>(), check["limit"].Value<long>()));
        Assert.Equal((16L, 0L), (usage["features"]!["rolling"]!["limit"].Value<long>(), usage["features"]!["rolling"]!["used"].Value<long>()));
        Assert.Equal("2026-02-01T00:00:00Z", usage["features"]!["rolling"]!["window_start"].Value<string>());
        Assert.Equal(16L, consumed["limit"].Value<long>());
    }

    [Fact]
    public async Task AnIdleWindowCarriesItsWholeLimitOnceButTheFirstWindowAndThreeIdleOnesCarryOneWindowsLimit()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("calendar"); // default plan, calendar months: created in January's window
        await app.CustomerAsync("subscribed");
        await app.SubscribeAsync("subscribed", "free"); // anchored at Jan 15, 12:00
        async Task<long> LimitAsync(string customer) => (await (await app.Admin.PostJsonAsync("/v1/entitlements/check",
            new { customer, feature = "rolling" })).ReadAsync())["limit"].Value<long>();

        var firstWindow = (await LimitAsync("calendar"), await LimitAsync("subscribed"));
        await app.AdvanceToAsync(new DateTimeOffset(2026, 2, 1, 0, 0, 1, TimeSpan.Zero));
        await app.CustomerAsync("newcomer"); // created in February's window: nothing before it was theirs
        var february = (await LimitAsync("calendar"), await LimitAsync("subscribed"), await LimitAsync("newcomer"));
        await app.AdvanceToAsync(new DateTimeOffset(2026, 2, 15, 12, 0, 1, TimeSpan.Zero));
        var secondSubscribedWindow = await LimitAsync("subscribed");
        await app.AdvanceToAsync(new DateTimeOffset(2026, 4, 20, 0, 0, 0, TimeSpan.Zero));
        var consumed = await (await app.ConsumeAsync("calendar", "rolling", 20)).ReadAsync();

        Assert.Equal((10L, 10L), firstWindow);
        Assert.Equal((20L, 10L, 10L), february);
        Assert.Equal(20L, secondSubscribedWindow);
        Assert.Equal((true, 20L, 0L), (consumed["allowed"].Value<bool>(), consumed["limit"].Value<long>(), consumed["remaining"].Value<long>()));
    }
}

public sealed class SqliteQuotaWindowsTests : QuotaWindowsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresQuotaWindowsTests : QuotaWindowsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

public sealed class SqliteTickingQuotaWindowsTests : QuotaWindowsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
