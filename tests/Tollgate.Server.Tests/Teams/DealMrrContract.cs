using System.Net;
using Tollgate.Server.Tests.Discounts;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Teams;

/// <summary>A negotiated price is what MRR counts: the deal price, not the plan's list price, net of the discounts on it.</summary>
public abstract class DealMrrContract : ApiContract
{
    private static async Task<string> DealAsync(TollgateApp app, string customer, long cents)
    {
        await app.CustomerAsync(customer);
        var response = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer, plan = "enterprise", price_override_cents = cents, price_override_note = "deal" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadAsync())["id"].Value<string>()!;
    }

    [Fact]
    public async Task ADealSubscriptionsMrrIsTheDealPriceNetOfItsDiscount()
    {
        // The enterprise plan lists at 500.00 a month; both deals are 420.00, and megaco's has 20% off forever.
        await using var app = await StartAsync(ApiSetup.CatalogOf("teams", TeamsCatalog.Json));
        await app.CouponAsync(new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        await DealAsync(app, "bigco", 42000);
        var megaco = await DealAsync(app, "megaco", 42000);
        await app.AdvanceAsync(TimeSpan.FromDays(1));
        (await app.Admin.PostJsonAsync($"/v1/subscriptions/{megaco}/discount", new { coupon = "TWENTY" })).EnsureSuccessStatusCode();

        var stats = await (await app.Admin.GetAsync("/v1/admin/stats/saas?from=2026-01-01&to=2026-02-01")).ReadAsync();

        Assert.Equal((840m, -84m, 756m), (stats["movements"]!["new"].Value<decimal>(), stats["movements"]!["contraction"].Value<decimal>(),
            stats["mrr"].Value<decimal>()));
    }
}

public sealed class SqliteDealMrrTests : DealMrrContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresDealMrrTests : DealMrrContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingDealMrrTests : DealMrrContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
