using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Core.Time;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>
/// The overage an immediate plan change bills when the old plan prices it by graduated or volume tiers, per package or
/// over a metric of event properties: the change bills what the window counted so far on the old plan's terms, and the
/// renewal only what came after, so the two add up to what one bill over the whole window would have charged.
/// </summary>
/// <remarks>
/// A quota window is the customer's, not the plan's: the new plan's limit counts the usage before the change too, so its
/// tiers and packages go on where the window stood at the change, as a Stripe subscription whose metered price stays the
/// same keeps counting the period's usage when its fee changes. Lago and Stripe start a new plan's metered usage at zero,
/// but they have no quota shared across the change: there the allowance would be granted twice.
/// </remarks>
public abstract class ChangeOverageKindsContract : ApiContract
{
    // Every "_plus" plan keeps its plan's overage terms at three times the fee, so the change is an upgrade that moves no
    // overage price; "vol_cheap" prices the same volume tiers at 8¢ and 5¢; "meter_plus" halves the token price and takes
    // 20¢ a GB instead of 25¢.
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "calls", "name": "API calls", "unit": "calls", "kind": "metered" },
                        { "code": "tokens", "name": "Tokens", "unit": "tokens", "kind": "metered" },
                        { "code": "storage", "name": "Storage", "unit": "GB", "kind": "metered" } ],
          "metrics": [
            { "code": "llm_tokens", "name": "Tokens", "event": "llm_call", "aggregation": "sum", "property": "tokens" },
            { "code": "peak_gb", "name": "Peak storage", "event": "storage_measured", "aggregation": "max", "property": "gb" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "calls", "limit": 10 } ] },
            { "code": "grad", "name": "Graduated", "prices": [ { "billing_period": "monthly", "price_cents": 1000 } ],
              "features": [ { "feature_code": "calls", "limit": 100, "hard_cap": false, "tiers_mode": "graduated",
                "overage_tiers": [ { "up_to": 50, "unit_price_cents": 10 }, { "up_to": null, "unit_price_cents": 4, "flat_cents": 100 } ] } ] },
            { "code": "grad_plus", "name": "Graduated plus", "prices": [ { "billing_period": "monthly", "price_cents": 3000 } ],
              "features": [ { "feature_code": "calls", "limit": 100, "hard_cap": false, "tiers_mode": "graduated",
                "overage_tiers": [ { "up_to": 50, "unit_price_cents": 10 }, { "up_to": null, "unit_price_cents": 4, "flat_cents": 100 } ] } ] },
            { "code": "vol", "name": "Volume", "prices": [ { "billing_period": "monthly", "price_cents": 1000 } ],
              "features": [ { "feature_code": "calls", "limit": 100, "hard_cap": false, "tiers_mode": "volume",
                "overage_tiers": [ { "up_to": 50, "unit_price_cents": 10 }, { "up_to": null, "unit_price_cents": 6 } ] } ] },
            { "code": "vol_plus", "name": "Volume plus", "prices": [ { "billing_period": "monthly", "price_cents": 3000 } ],
              "features": [ { "feature_code": "calls", "limit": 100, "hard_cap": false, "tiers_mode": "volume",
                "overage_tiers": [ { "up_to": 50, "unit_price_cents": 10 }, { "up_to": null, "unit_price_cents": 6 } ] } ] },
            { "code": "vol_cheap", "name": "Volume, cheaper past 50", "prices": [ { "billing_period": "monthly", "price_cents": 3000 } ],
              "features": [ { "feature_code": "calls", "limit": 100, "hard_cap": false, "tiers_mode": "volume",
                "overage_tiers": [ { "up_to": 50, "unit_price_cents": 8 }, { "up_to": null, "unit_price_cents": 5 } ] } ] },
            { "code": "pack", "name": "Packages", "prices": [ { "billing_period": "monthly", "price_cents": 1000 } ],
              "features": [ { "feature_code": "calls", "limit": 100, "hard_cap": false, "overage_package": { "size": 50, "price_cents": 500 } } ] },
            { "code": "pack_plus", "name": "Packages plus", "prices": [ { "billing_period": "monthly", "price_cents": 3000 } ],
              "features": [ { "feature_code": "calls", "limit": 100, "hard_cap": false, "overage_package": { "size": 50, "price_cents": 500 } } ] },
            { "code": "meter", "name": "Metered", "prices": [ { "billing_period": "monthly", "price_cents": 1000 } ],
              "features": [ { "feature_code": "tokens", "limit": 1000, "hard_cap": false, "overage_unit_price_cents": 2, "metric": "llm_tokens" },
                            { "feature_code": "storage", "limit": 10, "hard_cap": false, "overage_unit_price_cents": 25, "metric": "peak_gb" } ] },
            { "code": "meter_plus", "name": "Metered plus", "prices": [ { "billing_period": "monthly", "price_cents": 3000 } ],
              "features": [ { "feature_code": "tokens", "limit": 1000, "hard_cap": false, "overage_unit_price_cents": 1, "metric": "llm_tokens" },
                            { "feature_code": "storage", "limit": 10, "hard_cap": false, "overage_unit_price_cents": 20, "metric": "peak_gb" } ] }
          ]
        }
        """;

    private static readonly DateTimeOffset May1 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset May16 = new(2026, 5, 16, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Jun1 = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("change-overage-kinds", Catalog), May1);

    private static List<(long Quantity, long Amount, string? Description)> Overage(JsonNode node) =>
        [.. node["lines"]!.AsArray().Where(l => l!["kind"].Value<string>() == "overage")
            .Select(l => (l!["quantity"].Value<long>(), l["amount_cents"].Value<long>(), l["description"].Value<string>()))];

    /// <summary>
    /// Subscribes, runs <paramref name="before"/>, changes to <paramref name="to"/> on May 16 without prorations (the proration
    /// lines are ChangeInvoiceContract's; here only the overage moves), runs <paramref name="after"/> and renews on June 1.
    /// Answers the change's answer (whose overage its preview showed), the upcoming invoice just before the renewal and the renewal.
    /// </summary>
    private static async Task<(JsonNode Change, JsonNode Upcoming, JsonNode Renewal)> ChangeMidPeriodAsync(
        TollgateApp app, string customer, string from, string to, Func<Task> before, Func<Task> after)
    {
        await app.CustomerAsync(customer);
        var id = await app.SubscribeAsync(customer, from, trialDays: 0);
        await before();
        await app.AdvanceToAsync(May16);
        var body = new { plan = to, effective = "immediate", proration = "none" };
        var preview = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change/preview", body)).ReadAsync();
        var response = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(Overage(preview), Overage(await response.ReadAsync()));
        await after();
        var upcoming = await (await app.Admin.GetAsync($"/v1/customers/{customer}/upcoming-invoice")).ReadAsync();
        await app.AdvanceToAsync(Jun1);
        return (await response.ReadAsync(), upcoming, (await app.InvoicesAsync(customer))[^1]);
    }

    private static async Task TrackAsync(TollgateApp app, string customer, string id, string name, object properties)
    {
        var response = await app.Admin.PostJsonAsync("/v1/events",
            new { events = new[] { new { id, customer, @event = name, properties } } });
        Assert.Equal(1, (await response.ReadAsync())["accepted"].Value<int>());
    }

    [Fact]
    public async Task GraduatedOverageCrossingATierAtTheChangeGoesOnInTheTierWhereTheChangeLeftItAndAddsUpToOneBill()
    {
        await using var app = await AppAsync();

        var (change, upcoming, renewal) = await ChangeMidPeriodAsync(app, "c1", "grad", "grad_plus",
            () => app.ConsumeAsync("c1", "calls", 130), () => app.ConsumeAsync("c1", "calls", 60));

        // Before: 130 used, 30 past 100, all in tier 1: 30 × 10¢ = 300. After: 60 more, 90 past; units 31-50 finish tier 1
        // (20 × 10¢ = 200) and 51-90 open tier 2 with its flat fee (40 × 4¢ + 100¢ = 260). 300 + 200 + 260 = 760, one bill
        // over the 90: 50 × 10¢ + 40 × 4¢ + 100¢. The renewal lists its own lines, then the change's pending one.
        (long, long, string?)[] atChange = [(30L, 300L, "Overage: 30 calls of API calls past 100, tier 1 (1–50): 30 × 0.10")];
        Assert.Equal(atChange, Overage(change));
        Assert.Equal([
            (20L, 200L, "Overage: 60 calls of API calls past 100, tier 1 (31–50): 20 × 0.10"),
            (40L, 260L, "Overage: 60 calls of API calls past 100, tier 2 (51 and up): 40 × 0.04 + 1.00 flat"),
            .. atChange], Overage(renewal));
        Assert.Equal(3000L + 760, renewal["subtotal_cents"].Value<long>());
        Assert.Equal(Overage(renewal), Overage(upcoming));
    }

    [Fact]
    public async Task VolumeOverageCrossingATierAtTheChangeIsRepricedWholeAtTheTierReachedLessWhatTheChangeBilled()
    {
        await using var app = await AppAsync();

        var (change, upcoming, renewal) = await ChangeMidPeriodAsync(app, "c1", "vol", "vol_plus",
            () => app.ConsumeAsync("c1", "calls", 130), () => app.ConsumeAsync("c1", "calls", 60));

        // Before: 30 past, volume tier 1: 30 × 10¢ = 300. After: 90 past reach tier 2, where every unit costs 6¢: 90 × 6¢ = 540,
        // less the 300 billed at the change = 240. 300 + 240 = 540, one volume bill over the 90, as Stripe's volume price over
        // the period's whole quantity would charge.
        (long, long, string?)[] atChange = [(30L, 300L, "Overage: 30 calls of API calls past 100, tier 1 (volume): 30 × 0.10")];
        Assert.Equal(atChange, Overage(change));
        Assert.Equal([(60L, 240L, "Overage: 60 calls of API calls past 100, tier 2 (volume): 90 × 0.06 less 3.00 for the 30 billed before"),
            .. atChange], Overage(renewal));
        Assert.Equal(3000L + 540, renewal["subtotal_cents"].Value<long>());
        Assert.Equal(Overage(renewal), Overage(upcoming));
    }

    [Fact]
    public async Task VolumeOverageOnANewPlanWithOtherPricesBillsOnlyTheNewPlansPriceForTheUnitsAfterTheChange()
    {
        await using var app = await AppAsync();

        var (change, _, renewal) = await ChangeMidPeriodAsync(app, "c1", "vol", "vol_cheap",
            () => app.ConsumeAsync("c1", "calls", 130), () => app.ConsumeAsync("c1", "calls", 60));

        // The old plan bills its 30 units at its own price (30 × 10¢ = 300). The new plan prices the window's 90 at its tier 2
        // (90 × 5¢ = 450) less what its own tiers charge for the 30 the change settled (30 × 8¢ = 240): 210 for the 60 after.
        // Taking off the 300 the old plan charged instead would reprice the old plan's usage at the new plan's price.
        Assert.Equal([(30L, 300L, "Overage: 30 calls of API calls past 100, tier 1 (volume): 30 × 0.10")], Overage(change));
        Assert.Equal([(60L, 210L, "Overage: 60 calls of API calls past 100, tier 2 (volume): 90 × 0.05 less 2.40 for the 30 billed before"),
            (30L, 300L, "Overage: 30 calls of API calls past 100, tier 1 (volume): 30 × 0.10")], Overage(renewal));
    }

    [Fact]
    public async Task PackageOverageAtTheChangeChargesTheStartedPackageOnceAndTheRenewalOnlyThePackagesStartedAfter()
    {
        await using var app = await AppAsync();
        await using var other = await AppAsync();

        // c1 goes on past the started package after the change, c2 stays inside it.
        var (change, upcoming, renewal) = await ChangeMidPeriodAsync(app, "c1", "pack", "pack_plus",
            () => app.ConsumeAsync("c1", "calls", 130), () => app.ConsumeAsync("c1", "calls", 60));
        var (_, _, inside) = await ChangeMidPeriodAsync(other, "c2", "pack", "pack_plus",
            () => other.ConsumeAsync("c2", "calls", 130), () => other.ConsumeAsync("c2", "calls", 15));

        // Before: 30 past start package 1 of 50: 500. c1 after: 90 past, packages 1 and 2 of the whole count, 1 new: 500.
        // c2 after: 45 past, still package 1: nothing more (Lago's package charge, never one package twice).
        (long, long, string?)[] atChange = [(1L, 500L, "Overage: 30 calls of API calls past 100 (1 started package of 50)")];
        Assert.Equal(atChange, Overage(change));
        Assert.Equal([(1L, 500L, "Overage: 60 calls of API calls past 100 (1 started package of 50)"), .. atChange], Overage(renewal));
        Assert.Equal(Overage(renewal), Overage(upcoming));
        Assert.Equal(atChange, Overage(inside));
        Assert.Equal(3000L + 500, inside["subtotal_cents"].Value<long>());
    }

    [Fact]
    public async Task MetricOverageOfASumAndAPeakIsBilledUpToTheChangeOnTheOldPricesAndAfterItOnlyForWhatTheWindowAdded()
    {
        await using var app = await AppAsync();

        var (change, upcoming, renewal) = await ChangeMidPeriodAsync(app, "c1", "meter", "meter_plus",
            async () =>
            {
                await TrackAsync(app, "c1", "t1", "llm_call", new { tokens = 700 });
                await TrackAsync(app, "c1", "t2", "llm_call", new { tokens = 600 });
                await TrackAsync(app, "c1", "s1", "storage_measured", new { gb = 8 });
                await TrackAsync(app, "c1", "s2", "storage_measured", new { gb = 14 });
            },
            async () =>
            {
                await TrackAsync(app, "c1", "t3", "llm_call", new { tokens = 500 });
                await TrackAsync(app, "c1", "s3", "storage_measured", new { gb = 12 });
                await TrackAsync(app, "c1", "s4", "storage_measured", new { gb = 17 });
            });

        // Tokens (sum): 1,300 at the change, 300 past 1,000 at 2¢ = 600; then 1,800, 800 past, 500 of them new at 1¢ = 500.
        // Storage (max): a 14 GB peak at the change, 4 past 10 at 25¢ = 100; a 12 GB reading after it raises nothing, the 17 GB
        // peak 3 more at 20¢ = 60. The peak is the window's, so the 4 GB billed at the change are not billed again (Lago's new
        // subscription would take its own max of 17 and bill 7).
        (long, long, string?)[] atChange =
            [(300L, 600L, "Overage: 300 tokens of Tokens past 1,000"), (4L, 100L, "Overage: 4 GB of Storage past 10")];
        Assert.Equal(atChange, Overage(change));
        Assert.Equal([(500L, 500L, "Overage: 500 tokens of Tokens past 1,000"), (3L, 60L, "Overage: 3 GB of Storage past 10"), .. atChange],
            Overage(renewal));
        Assert.Equal(3000L + 1260, renewal["subtotal_cents"].Value<long>());
        Assert.Equal(Overage(renewal), Overage(upcoming));
    }

    [Fact]
    public async Task ACancelAfterTheChangeBillsTheRestOfTheWindowInTheTiersWhereTheChangeLeftIt()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "grad", trialDays: 0);
        await app.ConsumeAsync("c1", "calls", 130);
        await app.AdvanceToAsync(May16);
        (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "grad_plus", proration = "none" }))
            .EnsureSuccessStatusCode();
        await app.ConsumeAsync("c1", "calls", 60);
        await app.AdvanceToAsync(new DateTimeOffset(2026, 5, 20, 0, 0, 0, TimeSpan.Zero));

        var cancel = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = false })).ReadAsync();
        var final = (await app.InvoicesAsync("c1"))[^1];

        // The final invoice sweeps in the change's 300 and bills units 31-90 past 100 where tier 1 stopped: 200 + 260.
        Assert.Equal([(20L, 200L, "Overage: 60 calls of API calls past 100, tier 1 (31–50): 20 × 0.10"),
            (40L, 260L, "Overage: 60 calls of API calls past 100, tier 2 (51 and up): 40 × 0.04 + 1.00 flat"),
            (30L, 300L, "Overage: 30 calls of API calls past 100, tier 1 (1–50): 30 × 0.10")], Overage(final));
        Assert.Equal(("subscription_cancel", 760L), (final["billing_reason"].Value<string>(), final["subtotal_cents"].Value<long>()));
        Assert.Equal(Overage(final), Overage(cancel));
    }

    [Fact]
    public async Task AChangeAfterThePeriodEndedBillsTheEndedPeriodsTieredOverageOnTheOldPlanFirstAndNothingOfItAgain()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "grad", trialDays: 0);
        await app.ConsumeAsync("c1", "calls", 190); // 90 past 100 in May
        // June 1 01:00 by the wall clock, before the billing worker renewed May (it runs every few seconds).
        ((ManualClock)app.Services.GetRequiredService<TimeProvider>()).Advance(TimeSpan.FromDays(31) + TimeSpan.FromHours(1));

        var change = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "grad_plus", proration = "none" }))
            .ReadAsync();
        var renewed = await app.InvoicesAsync("c1");
        await app.ConsumeAsync("c1", "calls", 120); // 20 past 100 in June, on grad_plus
        await app.AdvanceToAsync(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero));
        var july = (await app.InvoicesAsync("c1"))[^1];

        // May renews on grad: 50 × 10¢ + 40 × 4¢ + 100¢ = 760 from tier 1. The change then finds June's window empty, and July
        // bills June's 20 past 100 from tier 1 of June's own window: 200.
        Assert.Empty(Overage(change));
        Assert.Equal(2, renewed.Count);
        Assert.Equal([(50L, 500L, "Overage: 90 calls of API calls past 100, tier 1 (1–50): 50 × 0.10"),
            (40L, 260L, "Overage: 90 calls of API calls past 100, tier 2 (51 and up): 40 × 0.04 + 1.00 flat")], Overage(renewed[1]));
        Assert.Equal("grad", renewed[1]["lines"]![0]!["plan"].Value<string>());
        Assert.Equal([(20L, 200L, "Overage: 20 calls of API calls past 100, tier 1 (1–50): 20 × 0.10")], Overage(july));
        Assert.Equal(3000L + 200, july["subtotal_cents"].Value<long>());
    }
}

public sealed class SqliteChangeOverageKindsTests : ChangeOverageKindsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresChangeOverageKindsTests : ChangeOverageKindsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does.</summary>
public sealed class TickingClockChangeOverageKindsTests : ChangeOverageKindsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
