using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>A per-seat soft cap bills overage past the seats × the limit, the limit the entitlement answered with.</summary>
public abstract class PerSeatOverageContract(SharedServer shared) : ApiContract(shared)
{
    // Team: 12.00 a seat, 100 calls a seat, then 0.10 a call. Crew: the same quota, then volume tiers (0.05, 0.04, 0.03).
    // Squad: 15.00 a seat, 200 calls a seat, then 0.05 a call.
    internal const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "calls", "name": "Calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "calls", "limit": 1 } ] },
            { "code": "team", "name": "Team",
              "prices": [ { "billing_period": "monthly", "price_cents": 1200, "per_seat": true, "included_seats": 1, "max_seats": 50 } ],
              "features": [ { "feature_code": "calls", "limit": 100, "per_seat": true, "reset": "billing_period", "hard_cap": false,
                              "overage_unit_price_cents": 10 } ] },
            { "code": "crew", "name": "Crew",
              "prices": [ { "billing_period": "monthly", "price_cents": 1200, "per_seat": true, "included_seats": 1, "max_seats": 50 } ],
              "features": [ { "feature_code": "calls", "limit": 100, "per_seat": true, "reset": "billing_period", "hard_cap": false,
                              "tiers_mode": "volume", "overage_tiers": [ { "up_to": 10, "unit_price_cents": 5 }, { "up_to": 50, "unit_price_cents": 4 },
                                                                        { "up_to": null, "unit_price_cents": 3 } ] } ] },
            { "code": "squad", "name": "Squad",
              "prices": [ { "billing_period": "monthly", "price_cents": 1500, "per_seat": true, "included_seats": 1, "max_seats": 50 } ],
              "features": [ { "feature_code": "calls", "limit": 200, "per_seat": true, "reset": "billing_period", "hard_cap": false,
                              "overage_unit_price_cents": 5 } ] }
          ]
        }
        """;

    // The test clock starts 2026-01-15 12:00; the first period ends 2026-02-15 12:00.
    private static readonly DateTimeOffset Renewed = new(2026, 2, 15, 13, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> OwnAppAsync() => StartOwnAsync(ApiSetup.CatalogOf("per-seat-overage", Catalog));

    private static async Task<string> SubscribeAsync(TollgateApp app, string customer, string plan, int seats)
    {
        await app.CustomerAsync(customer);
        var response = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer, plan, billing_period = "monthly", seats });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadAsync())["id"].Value<string>()!;
    }

    private static (long Quantity, long Amount, string? Description)[] Overage(JsonNode invoice) =>
        [.. invoice["lines"]!.AsArray().Where(l => l!["kind"].Value<string>() == "overage")
            .Select(l => (l!["quantity"].Value<long>(), l["amount_cents"].Value<long>(), l["description"].Value<string>()))];

    private static async Task<JsonNode> UpcomingAsync(TollgateApp app, string customer) =>
        await (await app.Admin.GetAsync($"/v1/customers/{customer}/upcoming-invoice")).ReadAsync();

    [Fact]
    public async Task APerSeatSoftCapIsBilledPastTheSeatsTimesTheLimitOnTheUpcomingAndTheRenewalInvoice()
    {
        await using var app = await OwnAppAsync();
        await SubscribeAsync(app, "seat1", "team", seats: 3);

        var consumed = await (await app.ConsumeAsync("seat1", "calls", 320)).ReadAsync();
        var upcoming = await UpcomingAsync(app, "seat1");
        await app.AdvanceToAsync(Renewed);
        var renewal = (await app.InvoicesAsync("seat1"))[^1];

        Assert.Equal((300L, 20L), (consumed["limit"].Value<long>(), consumed["overage"].Value<long>()));
        (long, long, string?)[] expected = [(20L, 200L, "Overage: 20 calls of Calls past 300")];
        Assert.Equal(expected, Overage(upcoming));
        Assert.Equal(expected, Overage(renewal));
        Assert.Equal(3 * 1200L + 200, renewal["subtotal_cents"].Value<long>());
    }

    [Fact]
    public async Task VolumeTieredPerSeatOverageIsPricedAtTheTierItsUnitsPastTheSeatsTimesTheLimitReach()
    {
        await using var app = await OwnAppAsync();
        await SubscribeAsync(app, "crew1", "crew", seats: 3);

        await app.ConsumeAsync("crew1", "calls", 320);
        var upcoming = await UpcomingAsync(app, "crew1");
        await app.AdvanceToAsync(Renewed);
        var renewal = (await app.InvoicesAsync("crew1"))[^1];

        // 20 units reach tier 2 (11–50) at 0.04 each: not 220 units at tier 3.
        Assert.Equal([(20L, 80L)], Overage(upcoming).Select(l => (l.Quantity, l.Amount)));
        Assert.Equal([(20L, 80L)], Overage(renewal).Select(l => (l.Quantity, l.Amount)));
    }

    [Fact]
    public async Task SeatsAddedInThePeriodRaiseTheBilledLimitAndSeatsRemovedAtItsEndDoNotLowerIt()
    {
        await using var app = await OwnAppAsync();
        var added = await SubscribeAsync(app, "grow", "team", seats: 2);
        var removed = await SubscribeAsync(app, "shrink", "team", seats: 3);

        // Grow: 250 calls on 2 seats are 50 past 200, until a third seat makes the limit 300.
        await app.ConsumeAsync("grow", "calls", 250);
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{added}/seats", new { seats = 3 });
        // Shrink: a removal waits for the period end, so its 320 calls count against 300 all period.
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{removed}/seats", new { seats = 2 });
        var shrinking = await (await app.ConsumeAsync("shrink", "calls", 320)).ReadAsync();
        var growing = await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "grow", feature = "calls" })).ReadAsync();
        await app.AdvanceToAsync(Renewed);

        Assert.Equal((300L, 0L), (growing["limit"].Value<long>(), growing["overage"].Value<long>()));
        Assert.Empty(Overage((await app.InvoicesAsync("grow"))[^1]));
        Assert.Equal((300L, 20L), (shrinking["limit"].Value<long>(), shrinking["overage"].Value<long>()));
        Assert.Equal([(20L, 200L)], Overage((await app.InvoicesAsync("shrink"))[^1]).Select(l => (l.Quantity, l.Amount)));
    }

    [Fact]
    public async Task APlanChangeBillsPerSeatOverageUpToItPastTheOldLimitTimesTheSeatsAndTheNewPlanPastItsOwnForWhatCameAfter()
    {
        await using var app = await OwnAppAsync();
        var id = await SubscribeAsync(app, "move", "team", seats: 3);
        await app.ConsumeAsync("move", "calls", 350);

        var change = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change",
            new { plan = "squad", effective = "immediate" })).ReadAsync();
        var consumed = await (await app.ConsumeAsync("move", "calls", 300)).ReadAsync();
        await app.AdvanceToAsync(Renewed);
        var renewal = (await app.InvoicesAsync("move"))[^1];

        // Team bills the 350 calls before the change past 3 × 100 at 10¢: 50 × 10 = 500. Squad's limit is 3 × 200 = 600 for the
        // whole window, so of the 650 by the period end it bills the 50 past it at 5¢ = 250, and the 50 team billed never again.
        Assert.Equal([(50L, 500L, "Overage: 50 calls of Calls past 300")], Overage(change));
        Assert.Equal((600L, 50L), (consumed["limit"].Value<long>(), consumed["overage"].Value<long>()));
        Assert.Equal([(50L, 250L, "Overage: 50 calls of Calls past 600"), (50L, 500L, "Overage: 50 calls of Calls past 300")],
            Overage(renewal));
    }

    [Fact]
    public async Task SeatsRemovedAtOnceLowerTheBilledLimitForTheWholeWindow()
    {
        await using var app = await OwnAppAsync();
        var id = await SubscribeAsync(app, "cut", "team", seats: 5);
        await app.ConsumeAsync("cut", "calls", 420); // inside 5 × 100

        var removed = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 3, effective = "immediate" });
        var upcoming = await UpcomingAsync(app, "cut");
        await app.AdvanceToAsync(Renewed);

        // The 420 used are now counted against 3 × 100, as the entitlement answers from the removal on: 120 past, 1,200.
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal([(120L, 1200L, "Overage: 120 calls of Calls past 300")], Overage(upcoming));
        Assert.Equal([(120L, 1200L, "Overage: 120 calls of Calls past 300")], Overage((await app.InvoicesAsync("cut"))[^1]));
    }
}

public sealed class SqlitePerSeatOverageTests(SharedServer shared) : PerSeatOverageContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresPerSeatOverageTests(SharedServer shared) : PerSeatOverageContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does.</summary>
public sealed class TickingClockPerSeatOverageTests(SharedServer shared) : PerSeatOverageContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
