using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>Tiered overage through the real billing cycle, the public pricing API and the pricing page.</summary>
public abstract class TieredOverageContract : ApiContract
{
    // Pro: 1,000 calls a month, then graduated 1 cent per 1,000 calls up to 100,000 extra, then half that with a 2.00 flat fee;
    // Pro's bursts: 5 a day, then graduated 1.00 each for 3, then 0.50 each with a 0.20 flat fee;
    // Team: the same quota, then volume tiers from Stripe's Typographic example (7.00, 6.50, 6.00 per unit).
    public const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "calls", "name": "API calls", "unit": "calls", "kind": "metered" },
                        { "code": "bursts", "name": "Bursts", "unit": "bursts", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "calls", "limit": 100 } ] },
            { "code": "pro", "name": "Pro",
              "prices": [ { "billing_period": "monthly", "price_cents": 2000 }, { "billing_period": "yearly", "price_cents": 20000 } ],
              "features": [ { "feature_code": "calls", "limit": 1000, "hard_cap": false, "tiers_mode": "graduated",
                "overage_tiers": [ { "up_to": 100000, "unit_price_cents": 1, "per_units": 1000 },
                                   { "up_to": "inf", "unit_price_cents": 1, "per_units": 2000, "flat_cents": 200 } ] },
                { "feature_code": "bursts", "limit": 5, "reset": "day", "hard_cap": false, "tiers_mode": "graduated",
                  "overage_tiers": [ { "up_to": 3, "unit_price_cents": 100 }, { "up_to": null, "unit_price_cents": 50, "flat_cents": 20 } ] } ] },
            { "code": "team", "name": "Team", "prices": [ { "billing_period": "monthly", "price_cents": 5000 } ],
              "features": [ { "feature_code": "calls", "limit": 1000, "hard_cap": false, "tiers_mode": "volume",
                "overage_tiers": [ { "up_to": 5, "unit_price_cents": 700 }, { "up_to": 10, "unit_price_cents": 650 },
                                   { "up_to": null, "unit_price_cents": 600 } ] } ] }
          ]
        }
        """;

    private Task<TollgateApp> TieredAsync() => StartAsync(ApiSetup.CatalogOf("tiered", Catalog), new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));

    private static JsonNode[] OverageLines(JsonNode invoice) =>
        [.. invoice["lines"]!.AsArray().Where(l => l!["kind"].Value<string>() == "overage").Select(l => l!)];

    [Fact]
    public async Task GraduatedOverageIsInvoicedAsOneLinePerTierUsed()
    {
        await using var app = await TieredAsync();
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro");
        await app.ConsumeAsync("c1", "calls", 1_000 + 100_000 + 5_000);

        await app.AdvanceToAsync(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var invoice = (await app.InvoicesAsync("c1"))[^1];
        var lines = OverageLines(invoice);

        // 100,000 × 1¢/1,000 = 100¢; 5,000 × 1¢/2,000 = 2.5¢ → 3¢ (half-up) + 200¢ flat.
        Assert.Equal([(100_000L, 100L), (5_000L, 203L)], lines.Select(l => (l["quantity"].Value<long>(), l["amount_cents"].Value<long>())));
        Assert.Contains("tier 2 (100,001 and up)", lines[1]["description"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(2000L + 100 + 203, invoice["amount_due_cents"].Value<long>());
    }

    [Fact]
    public async Task VolumeOverageIsOneLineAtTheTierReachedAsInStripesExample()
    {
        await using var app = await TieredAsync();
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "team");
        await app.ConsumeAsync("c1", "calls", 1_006);

        await app.AdvanceToAsync(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var lines = OverageLines((await app.InvoicesAsync("c1"))[^1]);

        Assert.Equal([(6L, 3900L)], lines.Select(l => (l["quantity"].Value<long>(), l["amount_cents"].Value<long>())));
    }

    [Fact]
    public async Task ADayWindowBilledInPartAtAPlanChangeGoesOnInTheTiersWhereThatPartStoppedOnTheNextInvoice()
    {
        await using var app = await TieredAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro", "yearly", collection: "charge_automatically");
        await app.AdvanceToAsync(new DateTimeOffset(2026, 5, 11, 6, 0, 0, TimeSpan.Zero));
        await app.ConsumeAsync("c1", "bursts", 7); // 2 past the day's 5

        await app.AdvanceToAsync(new DateTimeOffset(2026, 5, 11, 12, 0, 0, TimeSpan.Zero));
        var change = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "pro", billing_period = "monthly", effective = "immediate" });
        await app.ConsumeAsync("c1", "bursts", 3); // units 3 to 5 past the limit, in the same day window
        await app.AdvanceToAsync(new DateTimeOffset(2026, 6, 11, 12, 0, 0, TimeSpan.Zero));
        var invoices = await app.InvoicesAsync("c1");

        Assert.Equal(System.Net.HttpStatusCode.OK, change.StatusCode);
        Assert.Equal([(2L, 200L, "Overage: 2 bursts of Bursts past 5, tier 1 (1–3): 2 × 1.00")], Described(OverageLines(invoices[^2])));
        // Unit 3 finishes tier 1; units 4 and 5 open tier 2 with its flat fee: not 3 × 1.00 from tier 1 again.
        Assert.Equal([(1L, 100L, "Overage: 3 bursts of Bursts past 5, tier 1 (3–3): 1 × 1.00"),
            (2L, 120L, "Overage: 3 bursts of Bursts past 5, tier 2 (4 and up): 2 × 0.50 + 0.20 flat")], Described(OverageLines(invoices[^1])));
    }

    private static (long, long, string?)[] Described(JsonNode[] lines) =>
        [.. lines.Select(l => (l["quantity"].Value<long>(), l["amount_cents"].Value<long>(), l["description"].Value<string>()))];

    [Fact]
    public async Task PricingApiAndPageShowTheTiers()
    {
        await using var app = await TieredAsync();

        var plans = await (await app.Anonymous.GetAsync("/v1/pricing/plans")).ReadAsync();
        var page = await (await app.Anonymous.GetAsync("/pricing")).Content.ReadAsStringAsync();
        var pro = plans.AsArray().Single(p => p!["code"].Value<string>() == "pro")!["features"]!.AsArray()[0]!;

        Assert.Equal("graduated", pro["tiers_mode"].Value<string>());
        Assert.Equal([(100_000L, 1L, 1_000L, 0L), ((long?)null, 1L, 2_000L, 200L)], pro["overage_tiers"]!.AsArray()
            .Select(t => (t!["up_to"]?.GetValue<long>(), t["unit_price_cents"].Value<long>(), t["per_units"].Value<long>(), t["flat_cents"].Value<long>())));
        Assert.Contains("1–100,000: $0.01 per 1,000 calls", page, StringComparison.Ordinal);
        Assert.Contains("data-tiers-mode=\"volume\"", page, StringComparison.Ordinal);
    }
}

public sealed class SqliteTieredOverageTests : TieredOverageContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresTieredOverageTests : TieredOverageContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does: two readings in one operation differ here.</summary>
public sealed class TickingClockTieredOverageTests : TieredOverageContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
