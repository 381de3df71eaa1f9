using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>
/// Usage whose overage no amount can hold (10^12 GB at 10^11 cents, both inside their fields' bounds) made every read of
/// the customer's next invoice a 500, and its renewal threw in the loop that renews every subscription due, so no
/// subscription after it was renewed, dunned or expired.
/// </summary>
public abstract class UnbillableAmountContract : ApiContract
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "storage", "name": "Storage", "unit": "GB", "kind": "metered" } ],
          "metrics": [ { "code": "peak_gb", "name": "Peak storage", "event": "storage", "aggregation": "max", "property": "gb" } ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ], "features": [] },
            { "code": "big", "name": "Big", "prices": [ { "billing_period": "monthly", "price_cents": 10000 } ],
              "features": [ { "feature_code": "storage", "limit": 1, "hard_cap": false, "overage_unit_price_cents": 100000000000, "metric": "peak_gb" } ] }
          ]
        }
        """;

    private static readonly DateTimeOffset Oct1 = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AnOverageNoAmountCanHoldIsA422AndTheOtherSubscriptionsStillRenew()
    {
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("unbillable", Catalog), Oct1);
        foreach (var customer in new[] { "a-huge", "b-fine" })
        {
            await app.CustomerAsync(customer);
            await app.SubscribeAsync(customer, "big", collection: "send_invoice");
        }

        var tracked = await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new[] { new { id = "huge-1", customer = "a-huge", @event = "storage", properties = new { gb = 1_000_000_000_000L } } },
        });
        var upcoming = await app.Admin.GetAsync("/v1/customers/a-huge/upcoming-invoice");
        await app.AdvanceToAsync(Oct1.AddMonths(1).AddDays(1));

        Assert.Equal(HttpStatusCode.OK, tracked.StatusCode);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "amount_out_of_range"), (upcoming.StatusCode, (await upcoming.ReadAsync())["error"].Value<string>()));
        Assert.Equal(2, (await app.InvoicesAsync("b-fine")).Count); // renewed, though a-huge's id sorts first
        Assert.Single(await app.InvoicesAsync("a-huge"));
    }
}

public sealed class SqliteUnbillableAmountTests : UnbillableAmountContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresUnbillableAmountTests : UnbillableAmountContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same with the clock running, as it does in production.</summary>
public sealed class SqliteTickingUnbillableAmountTests : UnbillableAmountContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
