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
            { "code": "daily", "name": "Daily", "unit": "calls", "kind": "metered" },
            { "code": "api", "name": "API calls", "unit": "calls", "kind": "metered" },
            { "code": "burst", "name": "Bursts", "unit": "bursts", "kind": "metered" },
            { "code": "exports", "name": "Exports", "unit": "exports", "kind": "metered" },
            { "code": "seats", "name": "Lifetime seats", "unit": "seats", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "cv", "limit": 2, "reset": "month" } ] },
            { "code": "pro", "name": "Pro",
              "prices": [ { "billing_period": "monthly", "price_cents": 2999 }, { "billing_period": "yearly", "price_cents": 29900 } ],
              "features": [ { "feature_code": "cv", "limit": 30, "reset": "month" }, { "feature_code": "daily", "limit": 5, "reset": "day" },
                { "feature_code": "api", "limit": 10, "reset": "month", "hard_cap": false, "overage_unit_price_cents": 5 },
                { "feature_code": "burst", "limit": 5, "reset": "day", "hard_cap": false, "overage_unit_price_cents": 1 },
                { "feature_code": "exports", "limit": 3, "reset": "year", "hard_cap": false, "overage_unit_price_cents": 3 },
                { "feature_code": "seats", "limit": 2, "reset": "never", "hard_cap": false, "overage_unit_price_cents": 7 } ] }
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

    // Monthly → yearly: January's 2 units were billed at the February renewal, so the change bills March's 4 over the
    // month it cuts short; yearly → monthly: the yearly period ends at the change, so January's and March's windows
    // (2 + 4) are both billed with it, over the year so far.
    [Theory]
    [InlineData("monthly", "yearly", -2032L, 29900L, 4L, 12, "2026-03-15T12:00:00Z")]
    [InlineData("yearly", "monthly", -24248L, 2999L, 6L, 1, "2026-01-15T12:00:00Z")]
    public async Task AReanchoringChangeBillsTheOverageUpToTheChangeOnItsInvoiceAndTheRenewalOnlyWhatCameAfter(
        string from, string to, long credit, long fee, long apiUnits, int monthsToRenewal, string periodStart)
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro", from, collection: "charge_automatically");
        var changedAt = Start.AddMonths(2).AddDays(10); // 2026-03-25T12:00Z
        await app.AdvanceToAsync(Start.AddDays(1));
        await app.ConsumeAsync("c1", "api", 12);
        await app.AdvanceToAsync(changedAt.AddDays(-1));
        await app.ConsumeAsync("c1", "api", 14);
        await app.AdvanceToAsync(changedAt.AddHours(-1));
        await app.ConsumeAsync("c1", "burst", 7);

        await app.AdvanceToAsync(changedAt);
        await ChangeAsync(app, id, to);
        var change = (await app.InvoicesAsync("c1"))[^1];
        await app.ConsumeAsync("c1", "api", 12); // the new month window: 2 units past 10
        await app.ConsumeAsync("c1", "burst", 1); // the same day window: 1 more unit past 5
        await app.AdvanceToAsync(changedAt.AddMonths(monthsToRenewal));
        var renewal = (await app.InvoicesAsync("c1"))[^1];

        Assert.Equal("subscription_update", Text(change, "billing_reason"));
        Assert.Equal([("proration_credit", credit, 1L), ("recurring", fee, 1L), ("overage", apiUnits * 5, apiUnits), ("overage", 2L, 2L)], Lines(change));
        Assert.Equal(credit + fee + apiUnits * 5 + 2, change["subtotal_cents"].Value<long>());
        Assert.Equal((periodStart, "2026-03-25T12:00:00Z"), (Text(change["lines"]![2]!, "period_start"), Text(change["lines"]![2]!, "period_end")));
        Assert.Equal(("subscription_cycle", Text(change, "period_end")), (Text(renewal, "billing_reason"), Text(renewal, "period_start")));
        Assert.Equal([("recurring", fee, 1L), ("overage", 10L, 2L), ("overage", 1L, 1L)], Lines(renewal));
    }

    [Fact]
    public async Task APreviewOfAReanchoringChangeShowsTheOverageItWouldBillAndBillsNothing()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro", "monthly", collection: "charge_automatically");
        await app.AdvanceToAsync(Start.AddDays(3));
        await app.ConsumeAsync("c1", "api", 13);

        var preview = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change/preview",
            new { plan = "pro", billing_period = "yearly", effective = "immediate" })).ReadAsync();
        await ChangeAsync(app, id, "yearly");
        var change = (await app.InvoicesAsync("c1"))[^1];

        var shown = preview["lines"]!.AsArray().Single(l => Text(l!, "kind") == "overage")!;
        Assert.Equal((15L, 3L), (shown["amount_cents"].Value<long>(), shown["quantity"].Value<long>()));
        Assert.Equal(15L, change["lines"]!.AsArray().Single(l => Text(l!, "kind") == "overage")!["amount_cents"].Value<long>());
    }

    // A lifetime window never ends, so each renewal bills in arrears what it counted past its limit since the last;
    // a year window waits for the period in which it ends.
    [Fact]
    public async Task ALifetimeWindowsOverageIsBilledAtEachRenewalOnlyForWhatItAddedAndAYearWindowWaitsForItsEnd()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro", "monthly", collection: "charge_automatically");
        await app.AdvanceToAsync(Start.AddDays(3));
        await app.ConsumeAsync("c1", "seats", 4);
        await app.ConsumeAsync("c1", "exports", 5);
        await app.AdvanceToAsync(Start.AddMonths(1).AddDays(3));
        await app.ConsumeAsync("c1", "seats", 1);
        await app.AdvanceToAsync(Start.AddMonths(3));

        var invoices = await app.InvoicesAsync("c1");

        Assert.Equal([("recurring", 2999L, 1L), ("overage", 14L, 2L)], Lines(invoices[1]));
        Assert.Equal([("recurring", 2999L, 1L), ("overage", 7L, 1L)], Lines(invoices[2]));
        Assert.Equal([("recurring", 2999L, 1L)], Lines(invoices[3]));
        Assert.Equal(("2026-01-15T12:00:00Z", "2026-02-15T12:00:00Z"), (Text(invoices[1]["lines"]![1]!, "period_start"), Text(invoices[1]["lines"]![1]!, "period_end")));
    }

    // An immediate cancel ends the period now, a scheduled one at its end: either way the final invoice bills the month
    // and day windows that ended in it and every window open then, up to that instant.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ACancelBillsTheOverageOfEveryWindowOpenAtTheEndOnTheFinalInvoice(bool atPeriodEnd)
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro", "monthly", collection: "charge_automatically");
        await app.AdvanceToAsync(Start.AddDays(3));
        await app.ConsumeAsync("c1", "api", 12);     // month window: 2 past 10
        await app.ConsumeAsync("c1", "burst", 7);    // day window: 2 past 5
        await app.ConsumeAsync("c1", "exports", 5);  // year window, ends in 2027: 2 past 3
        await app.ConsumeAsync("c1", "seats", 4);    // lifetime window: 2 past 2

        await app.AdvanceAsync(TimeSpan.FromHours(1));
        var cancel = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = atPeriodEnd, credit_unused = false });
        await app.AdvanceToAsync(Start.AddMonths(1));
        var final = (await app.InvoicesAsync("c1"))[^1];
        await app.AdvanceToAsync(Start.AddMonths(3));

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(("subscription_cancel", "canceled"), (Text(final, "billing_reason"), Text(await app.SubscriptionAsync(id), "status")));
        Assert.Equal([("overage", 10L, 2L), ("overage", 2L, 2L), ("overage", 6L, 2L), ("overage", 14L, 2L)], Lines(final));
        Assert.Equal(final["number"].Value<string>(), (await app.InvoicesAsync("c1"))[^1]["number"].Value<string>());
        Assert.Equal(4L, await app.Get<TollgateDatabase>().ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT SUM(overage_billed) FROM usage_counters WHERE customer_id = 'c1' AND feature_code IN ('exports', 'seats')")));
    }

    private static string? Text(System.Text.Json.Nodes.JsonNode node, string field) => node[field]?.GetValue<string>();

    private static List<(string?, long, long)> Lines(System.Text.Json.Nodes.JsonNode invoice) =>
        [.. invoice["lines"]!.AsArray().Select(l => (Text(l!, "kind"), l!["amount_cents"].Value<long>(), l!["quantity"].Value<long>()))];

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
