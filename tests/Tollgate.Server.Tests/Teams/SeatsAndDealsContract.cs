using System.Net;
using Tollgate.Server.Tests.Discounts;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Teams;

/// <summary>Per-seat prices bill quantity × seat price; seats are added at once with proration and removed at the period end; deal prices bill.</summary>
public abstract class SeatsAndDealsContract(SharedServer shared) : ApiContract(shared)
{
    // The test clock starts 2026-01-15 12:00, so the first period is 31 days long.
    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("teams", TeamsCatalog.Json));

    private Task<TollgateApp> OwnAppAsync() => StartOwnAsync(ApiSetup.CatalogOf("teams", TeamsCatalog.Json));

    private static async Task<string> SubscribeAsync(TollgateApp app, object body)
    {
        var response = await app.Admin.PostJsonAsync("/v1/subscriptions", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadAsync())["id"].Value<string>()!;
    }

    [Fact]
    public async Task APerSeatInvoiceShowsQuantityTimesTheSeatPrice()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("acme");

        var id = await SubscribeAsync(app, new { customer = "acme", plan = "team", seats = 3 });
        var line = (await app.InvoicesAsync("acme"))[0]["lines"]![0]!;
        var subscription = await app.SubscriptionAsync(id);

        Assert.Equal((3L, 1000L, 3000L), (line["quantity"].Value<long>(), line["unit_amount_cents"].Value<long>(), line["amount_cents"].Value<long>()));
        Assert.Equal(3, subscription["seats"].Value<int>());
    }

    [Fact]
    public async Task SeatsOutsideThePricesRangeOrOnAPlanNotSoldPerSeatAre400NamingSeats()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("acme-range");

        var tooFew = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "acme-range", plan = "team", seats = 1 });
        var tooMany = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "acme-range", plan = "team", seats = 6 });
        var notPerSeat = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "acme-range", plan = "enterprise", seats = 2 });

        foreach (var response in new[] { tooFew, tooMany, notPerSeat })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.NotNull((await response.ReadAsync())["errors"]!["seats"]);
        }

        Assert.Empty(await app.InvoicesAsync("acme-range"));

        // A change to 0 seats is told the plan's range, as one past its top is; a negative count is a malformed one.
        var id = (await (await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "acme-range", plan = "team", seats = 2 })).ReadAsync())["id"]
            .Value<string>();
        var none = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 0 })).ReadAsync();
        var negative = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = -1 })).ReadAsync();
        Assert.StartsWith("Plan 'team' sells from 2 to", none["errors"]!["seats"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal("must be a whole number from 0 to 1,000,000", negative["errors"]!["seats"].Value<string>());
    }

    [Fact]
    public async Task AddedSeatsAreChargedForTheRestOfThePeriodAndRemovedSeatsLeaveAtItsEnd()
    {
        await using var app = await OwnAppAsync();
        await app.CustomerAsync("acme");
        var id = await SubscribeAsync(app, new { customer = "acme", plan = "team", seats = 2 });
        await app.AdvanceAsync(TimeSpan.FromHours(31 * 12)); // half of the 31-day period

        var added = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 4 })).ReadAsync();
        var removed = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 3 })).ReadAsync();
        var entitlements = await (await app.Admin.GetAsync("/v1/customers/acme/entitlements")).ReadAsync();
        await app.AdvanceToAsync(new DateTimeOffset(2026, 2, 15, 13, 0, 0, TimeSpan.Zero));
        var renewal = (await app.InvoicesAsync("acme"))[^1];
        var after = await app.SubscriptionAsync(id);

        Assert.Equal(("immediate", 1000L), (added["effective"].Value<string>(), added["amount_cents"].Value<long>()));
        Assert.Equal(4, added["subscription"]!["seats"].Value<int>());
        Assert.Equal(("period_end", 4, 3), (removed["effective"].Value<string>(), removed["subscription"]!["seats"].Value<int>(),
            removed["subscription"]!["pending_seats"].Value<int>()));
        Assert.Equal(40L, entitlements["features"]!.AsArray().Single(f => f!["feature"].Value<string>() == "reports")!["limit"].Value<long>());
        var lines = renewal["lines"]!.AsArray();
        Assert.Contains(lines, l => l!["kind"].Value<string>() == "proration_charge" && l["amount_cents"].Value<long>() == 1000);
        Assert.Contains(lines, l => l!["kind"].Value<string>() == "recurring" && l["quantity"].Value<long>() == 3 && l["amount_cents"].Value<long>() == 3000);
        Assert.Equal((3, (int?)null), (after["seats"].Value<int>(), after["pending_seats"]?.GetValue<int>()));
    }

    [Fact]
    public async Task SeatsAddedWithAlwaysInvoiceAreInvoicedNowNotAtTheRenewal()
    {
        await using var app = await OwnAppAsync();
        await app.CustomerAsync("acme");
        var id = await SubscribeAsync(app, new { customer = "acme", plan = "team", seats = 2 });
        await app.AdvanceAsync(TimeSpan.FromHours(31 * 12)); // half of the 31-day period

        var added = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 4, proration = "always_invoice" })).ReadAsync();
        var invoice = (await app.InvoicesAsync("acme"))[^1];
        var upcoming = await (await app.Admin.GetAsync("/v1/customers/acme/upcoming-invoice")).ReadAsync();

        Assert.Equal((1000L, invoice["id"].Value<string>()), (added["amount_cents"].Value<long>(), added["invoice_id"].Value<string>()));
        Assert.Equal([("proration_charge", 1000L)], invoice["lines"]!.AsArray().Select(l => (l!["kind"].Value<string>(), l["amount_cents"].Value<long>())));
        Assert.DoesNotContain(upcoming["lines"]!.AsArray(), l => l!["kind"].Value<string>() == "proration_charge");
    }

    [Fact]
    public async Task ASeatLineCountsOneSeatAsASeatAndMoreAsSeats()
    {
        await using var app = await OwnAppAsync();
        await app.CustomerAsync("acme");
        var id = await SubscribeAsync(app, new { customer = "acme", plan = "team", seats = 2 });
        await app.AdvanceAsync(TimeSpan.FromDays(10));

        await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 3 });
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 5 });
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 4, effective = "immediate" });
        await app.AdvanceAsync(TimeSpan.FromDays(31));

        var lines = (await app.InvoicesAsync("acme"))[^1]["lines"]!.AsArray()
            .Where(l => l!["kind"].Value<string>()!.StartsWith("proration", StringComparison.Ordinal)).ToList();

        Assert.Equal(["Added 1 seat on team for the rest of the period", "Added 2 seats on team for the rest of the period",
            "Removed 1 seat on team for the rest of the period"], lines.Select(l => l!["description"].Value<string>()));
        // The seats are the quantity, as on Stripe's line; a seat's share is the unit price only in whole cents.
        Assert.Equal([1L, 2L, 1L], lines.Select(l => l!["quantity"].Value<long>()));
        Assert.All(lines, l => Assert.True(l!["unit_amount_cents"].Value<long>() is var unit
            && (unit == 0 || unit * l["quantity"].Value<long>() == l["amount_cents"].Value<long>())));
    }

    [Fact]
    public async Task AddedSeatsTakeTheSubscriptionsDiscountOnTheirProrationAndTheUpcomingInvoiceAgreesWithTheRenewal()
    {
        await using var app = await OwnAppAsync();
        await app.CouponAsync(new { id = "SEATS20", name = "20% off", percent_off = 20, duration = "forever" });
        await app.CustomerAsync("acme-off");
        var id = await SubscribeAsync(app, new { customer = "acme-off", plan = "team", seats = 2, coupon = "SEATS20" });
        await app.AdvanceAsync(TimeSpan.FromHours(31 * 12)); // half of the 31-day period

        var added = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 4 })).ReadAsync();
        var upcoming = await (await app.Admin.GetAsync("/v1/customers/acme-off/upcoming-invoice")).ReadAsync();
        await app.AdvanceToAsync(new DateTimeOffset(2026, 2, 15, 13, 0, 0, TimeSpan.Zero));
        var renewal = (await app.InvoicesAsync("acme-off"))[^1];

        // As Stripe discounts a quantity change's proration: 20 % of the 1,000 charged for two seats over half the period.
        var charge = added["lines"]!.AsArray().Single()!;
        Assert.Equal((1000L, 200L), (charge["amount_cents"].Value<long>(), charge["discount_cents"].Value<long>()));
        var renewed = renewal["lines"]!.AsArray().Single(l => l!["kind"].Value<string>() == "proration_charge")!;
        Assert.Equal((1000L, 200L), (renewed["amount_cents"].Value<long>(), renewed["discount_cents"].Value<long>()));
        // The fee for four seats (4,000, 800 off) and the proration: the preview taken before is the invoice issued.
        Assert.Equal((5000L, 1000L, 4000L), (renewal["subtotal_cents"].Value<long>(), renewal["discount_cents"].Value<long>(),
            renewal["amount_due_cents"].Value<long>()));
        Assert.Equal((5000L, 1000L), (upcoming["subtotal_cents"].Value<long>(), upcoming["discount_cents"].Value<long>()));
    }

    [Fact]
    public async Task SeatsRemovedAtOnceAreCreditedAsTheChargeThatAddedThemWasBilledAndTheAnswerSaysTheNet()
    {
        // Two seats billed in full, 50 % off given after, two seats added (2,000 less 1,000) and removed at the same
        // instant: the credit returns the 1,000 paid, not 2,000, and the answer's amount is that net. The fee's line and
        // the add's charge start at the same instant; the credit followed the fee (a billing trial: add and remove again
        // and again, each pair a credit of 1,000).
        await using var app = await OwnAppAsync();
        await app.CouponAsync(new { id = "HALF", name = "50% off", percent_off = 50, duration = "forever" });
        await app.CustomerAsync("acme-half");
        var id = await SubscribeAsync(app, new { customer = "acme-half", plan = "team", seats = 2 });
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/discount", new { coupon = "HALF" });

        var added = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 4 })).ReadAsync();
        var removed = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 2, effective = "immediate" })).ReadAsync();

        var charge = added["lines"]!.AsArray().Single()!;
        var credit = removed["lines"]!.AsArray().Single()!;
        Assert.Equal((2000L, 1000L), (charge["amount_cents"].Value<long>(), charge["discount_cents"].Value<long>()));
        Assert.Equal((-2000L, -1000L), (credit["amount_cents"].Value<long>(), credit["discount_cents"].Value<long>()));
        Assert.Equal((1000L, 1000L), (added["amount_cents"].Value<long>(), added["discount_cents"].Value<long>()));
        Assert.Equal((-1000L, -1000L), (removed["amount_cents"].Value<long>(), removed["discount_cents"].Value<long>()));
    }

    [Fact]
    public async Task SeatsCannotGoBelowTheMembersHoldingThem()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("acme-held");
        var id = await SubscribeAsync(app, new { customer = "acme-held", plan = "team", seats = 3 });
        foreach (var member in new[] { "alice", "bob", "carol" })
        {
            await app.Admin.PutJsonAsync($"/v1/customers/acme-held/members/{member}", new { email = $"{member}@example.com" });
        }

        var refused = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 2, effective = "immediate" });

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("seats_in_use", (await refused.ReadAsync())["error"].Value<string>());
        Assert.Equal(3, (await app.SubscriptionAsync(id))["seats"].Value<int>());
    }

    [Fact]
    public async Task ADealPriceWithANoteIsWhatInvoicesAndRenewalsCharge()
    {
        await using var app = await OwnAppAsync();
        await app.CustomerAsync("bigco");

        var id = await SubscribeAsync(app, new { customer = "bigco", plan = "enterprise", price_override_cents = 42000, price_override_note = "3-year deal, signed by J." });
        await app.AdvanceToAsync(new DateTimeOffset(2026, 2, 15, 13, 0, 0, TimeSpan.Zero));
        var invoices = await app.InvoicesAsync("bigco");
        var subscription = await app.SubscriptionAsync(id);
        var badNote = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "bigco", plan = "enterprise", price_override_note = "no price" });

        Assert.Equal([42000L, 42000L], invoices.Select(i => i["lines"]![0]!["amount_cents"].Value<long>()));
        Assert.Equal((42000L, "3-year deal, signed by J."), (subscription["price_override_cents"].Value<long>(), subscription["price_override_note"].Value<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, badNote.StatusCode);
        Assert.NotNull((await badNote.ReadAsync())["errors"]!["price_override_note"]);
    }
}

public sealed class SqliteSeatsAndDealsTests(SharedServer shared) : SeatsAndDealsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresSeatsAndDealsTests(SharedServer shared) : SeatsAndDealsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingSeatsAndDealsTests(SharedServer shared) : SeatsAndDealsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
