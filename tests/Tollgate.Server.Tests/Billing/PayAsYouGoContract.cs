using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>
/// A limit of 0 under a soft cap with a price is pay as you go: every unit is allowed and billed from the first, and every
/// answer (consume, check, usage, pricing, portal, invoice) says so alike.
/// </summary>
public abstract class PayAsYouGoContract : ApiContract
{
    // Metered: 10.00 a month, then every second of compute at 0.01; Tiered: the first 100 at 0.02, the rest at 0.01.
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "compute", "name": "Compute", "unit": "seconds", "kind": "metered" },
                        { "code": "jobs", "name": "Jobs", "unit": "jobs", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "compute", "limit": 0 }, { "feature_code": "jobs", "limit": 100, "reset": "calendar_month" } ] },
            { "code": "metered", "name": "Metered", "prices": [ { "billing_period": "monthly", "price_cents": 1000 } ],
              "features": [ { "feature_code": "compute", "limit": 0, "hard_cap": false, "overage_unit_price_cents": 1 },
                            { "feature_code": "jobs", "limit": 0, "hard_cap": false, "overage_unit_price_cents": 1, "reset": "calendar_month" } ] },
            { "code": "tiered", "name": "Tiered", "prices": [ { "billing_period": "monthly", "price_cents": 1000 } ],
              "features": [ { "feature_code": "compute", "limit": 0, "hard_cap": false, "tiers_mode": "graduated",
                              "overage_tiers": [ { "up_to": 100, "unit_price_cents": 2 }, { "up_to": null, "unit_price_cents": 1 } ] } ] }
          ]
        }
        """;

    // The test clock starts 2026-01-15 12:00; the first period ends 2026-02-15 12:00.
    private static readonly DateTimeOffset Renewed = new(2026, 2, 15, 13, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("pay-as-you-go", Catalog));

    private static (long Quantity, long Amount, string? Description)[] Usage(JsonNode invoice) =>
        [.. invoice["lines"]!.AsArray().Where(l => l!["kind"].Value<string>() == "overage")
            .Select(l => (l!["quantity"].Value<long>(), l["amount_cents"].Value<long>(), l["description"].Value<string>()))];

    [Fact]
    public async Task EveryUnitIsAllowedAndBilledFromTheFirstAndEveryAnswerSaysSo()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("payg1");
        await app.SubscribeAsync("payg1", "metered", collection: "charge_automatically");

        var consumed = await app.ConsumeAsync("payg1", "compute", 150);
        var check = await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "payg1", feature = "compute" })).ReadAsync();
        var usage = (await (await app.Admin.GetAsync("/v1/customers/payg1/usage")).ReadAsync())["features"]!["compute"]!;
        var plans = (await (await app.Anonymous.GetAsync("/v1/pricing/plans")).ReadAsync()).AsArray();
        var page = Pages.PageText.Visible(await app.Anonymous.GetStringAsync(new Uri("/pricing", UriKind.Relative)));
        using var portal = await Pages.PageText.PortalAsync(app, "payg1");
        var portalText = Pages.PageText.Visible(await portal.GetStringAsync(new Uri("/portal", UriKind.Relative)));
        await app.AdvanceToAsync(Renewed);
        var renewal = (await app.InvoicesAsync("payg1"))[^1];

        var body = await consumed.ReadAsync();
        Assert.Equal(HttpStatusCode.OK, consumed.StatusCode);
        Assert.Equal(("soft_cap_overage", 0L, 150L, false), (body["reason"].Value<string>(), body["limit"].Value<long>(), body["overage"].Value<long>(), body["hard_cap"].Value<bool>()));
        Assert.Equal((true, false), (check["allowed"].Value<bool>(), check["hard_cap"].Value<bool>()));
        Assert.Equal((150L, 150L, false), (usage["used"].Value<long>(), usage["overage"].Value<long>(), usage["hard_cap"].Value<bool>()));
        var terms = plans.Single(p => p!["code"].Value<string>() == "metered")!["features"]!.AsArray().Single(f => f!["feature_code"].Value<string>() == "compute")!;
        Assert.Equal(("Pay as you go", "$0.01 per second"), (terms["display_terms"].Value<string>(), terms["display_overage"]![0].Value<string>()));
        Assert.Contains("$0.01 per second (Compute)", page, StringComparison.Ordinal); // the card, where it read "Pay as you go seconds a month"
        Assert.Contains("150 seconds · pay as you go billed at $0.01 each", portalText, StringComparison.Ordinal);
        Assert.Equal([(150L, 150L, "Usage: 150 seconds of Compute")], Usage(renewal));
        Assert.Equal(1000L + 150, renewal["subtotal_cents"].Value<long>());
    }

    [Fact]
    public async Task UseOnTheFreePlanInACalendarMonthIsNotBilledByThePlanSubscribedInTheMiddleOfIt()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("payg3");

        await app.ConsumeAsync("payg3", "jobs", 100); // on the free plan, in January's window
        await app.SubscribeAsync("payg3", "metered", collection: "charge_automatically"); // Jan 15: inside that window
        await app.ConsumeAsync("payg3", "jobs", 10);
        await app.AdvanceToAsync(Renewed);
        var renewal = (await app.InvoicesAsync("payg3"))[^1];

        // January's window ended on Feb 1, inside the first period: only the 10 used after subscribing, not 110.
        Assert.Equal([(10L, 10L, "Usage: 10 jobs of Jobs")], Usage(renewal));
    }

    [Fact]
    public async Task UseInTheFreeTrialIsNotBilledByTheCalendarMonthItsTrialEndedIn()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("payg4");
        await app.SubscribeAsync("payg4", "metered", trialDays: 3, collection: "charge_automatically"); // the trial ends Jan 18

        await app.ConsumeAsync("payg4", "jobs", 40); // in the trial, in January's window
        await app.AdvanceToAsync(new DateTimeOffset(2026, 1, 20, 12, 0, 0, TimeSpan.Zero));
        await app.ConsumeAsync("payg4", "jobs", 5); // paid, in the same window
        await app.AdvanceToAsync(new DateTimeOffset(2026, 2, 18, 13, 0, 0, TimeSpan.Zero));
        var renewal = (await app.InvoicesAsync("payg4"))[^1];

        // January's window ended on Feb 1, inside the first paid period (Jan 18 to Feb 18): the 5 after the trial, not 45.
        Assert.Equal([(5L, 5L, "Usage: 5 jobs of Jobs")], Usage(renewal));
    }

    [Fact]
    public async Task CreditGrantsPayForTheFirstUnitsAndTheCheckSaysSoBeforeAnyIsBilled()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("payg5");
        await app.SubscribeAsync("payg5", "metered", collection: "charge_automatically");
        var granted = await app.Admin.PostJsonAsync("/v1/customers/payg5/grants", new { feature = "compute", amount = 100, reason = "welcome" });
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);

        async Task<JsonNode> CheckAsync(long amount) =>
            await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "payg5", feature = "compute", amount })).ReadAsync();
        var before = await CheckAsync(100);
        var past = await CheckAsync(101);
        var covered = await (await app.ConsumeAsync("payg5", "compute", 60)).ReadAsync();
        var after = await CheckAsync(40);
        var billed = await (await app.ConsumeAsync("payg5", "compute", 70)).ReadAsync();
        await app.AdvanceToAsync(Renewed);
        var renewal = (await app.InvoicesAsync("payg5"))[^1];

        // The consume draws the grant before it bills a unit; the check read no grants at a limit of 0, and said
        // soft_cap_overage with no granted_remaining for units the grant would pay for.
        static (string?, long?) Said(JsonNode d) => (d["reason"].Value<string>(), d["granted_remaining"]?.GetValue<long>());
        Assert.Equal(("credit_grant", 100L), Said(before));
        Assert.Equal(("soft_cap_overage", 100L), Said(past));
        Assert.Equal(("credit_grant", 40L), Said(covered));
        Assert.Equal((0L, 0L), (covered["used"].Value<long>(), covered["overage"].Value<long>()));
        Assert.Equal(("credit_grant", 40L), Said(after));
        Assert.Equal(("soft_cap_overage", 0L), Said(billed));
        Assert.Equal((30L, 30L), (billed["used"].Value<long>(), billed["overage"].Value<long>()));
        Assert.Equal([(30L, 30L, "Usage: 30 seconds of Compute")], Usage(renewal));
    }

    [Fact]
    public async Task AGrantGivenAfterUnitsWereBilledPaysForTheNextAndConsumeAndCheckSayCreditGrantAlike()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("payg6");
        await app.SubscribeAsync("payg6", "metered", collection: "charge_automatically");
        await app.ConsumeAsync("payg6", "compute", 5); // billed: no grant yet
        await app.Admin.PostJsonAsync("/v1/customers/payg6/grants", new { feature = "compute", amount = 100, reason = "sorry" });

        var check = await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "payg6", feature = "compute", amount = 1 })).ReadAsync();
        var consumed = await (await app.ConsumeAsync("payg6", "compute", 1)).ReadAsync();

        // The consume said soft_cap_overage for a unit the grant paid, as the window had 5 billed before it.
        Assert.Equal(("credit_grant", 100L), (check["reason"].Value<string>(), check["granted_remaining"].Value<long>()));
        Assert.Equal(("credit_grant", 99L, 5L), (consumed["reason"].Value<string>(), consumed["granted_remaining"].Value<long>(), consumed["overage"].Value<long>()));
    }

    [Fact]
    public async Task TieredPayAsYouGoPricesFromTheFirstUnitAndALimitOfZeroWithoutAPriceStaysNotIncluded()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("payg2");
        await app.CustomerAsync("free1");
        await app.SubscribeAsync("payg2", "tiered", collection: "charge_automatically");

        await app.ConsumeAsync("payg2", "compute", 130);
        var refused = await app.ConsumeAsync("free1", "compute");
        var page = Pages.PageText.Visible(await app.Anonymous.GetStringAsync(new Uri("/pricing", UriKind.Relative)));
        await app.AdvanceToAsync(Renewed);
        var renewal = (await app.InvoicesAsync("payg2"))[^1];

        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Contains("Every unit (", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Past the limit", page, StringComparison.Ordinal); // no limit to be past: every unit is priced
        Assert.Equal([(100L, 200L, "Usage: 130 seconds of Compute, tier 1 (1–100): 100 × 0.02"), (30L, 30L, "Usage: 130 seconds of Compute, tier 2 (101 and up): 30 × 0.01")],
            Usage(renewal));
    }
}

public sealed class SqlitePayAsYouGoTests : PayAsYouGoContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresPayAsYouGoTests : PayAsYouGoContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does.</summary>
public sealed class TickingClockPayAsYouGoTests : PayAsYouGoContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
