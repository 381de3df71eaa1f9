using System.Net;
using Dapper;
using Tollgate.Server.Clock;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Customers;

public abstract class CustomersApiContract(SharedServer shared) : ApiContract(shared)
{
    private Task<TollgateApp> RulesAsync() => StartAsync(ApiSetup.RulesCatalog());

    [Fact]
    public async Task UpsertCreatesThenUpdatesKeepingFieldsLeftOut()
    {
        await using var app = await RulesAsync();

        var created = await app.Admin.PutJsonAsync("/v1/customers/acme-42", new { email = "ops@acme.test", name = "Acme", metadata = new { tier = "gold" } });
        var updated = await app.Admin.PutJsonAsync("/v1/customers/acme-42", new { name = "Acme Inc" });
        var read = await (await app.Admin.GetAsync("/v1/customers/acme-42")).ReadAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(("ops@acme.test", "Acme Inc", "gold"), (read["email"].Value<string>(), read["name"].Value<string>(),
            read["metadata"]!["tier"].Value<string>()));
    }

    [Fact]
    public async Task ConcurrentFirstPutsCreateTheCustomerOnceAnnounceItOnceAndLoseNoField()
    {
        await using var app = await StartOwnAsync(ApiSetup.RulesCatalog());
        await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = "https://hooks.example.com/a", events = new[] { "customer.created" } });

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => app.Admin.PutJsonAsync("/v1/customers/racer",
            i % 2 == 0 ? new { email = "racer@example.com" } : (object)new { name = "Racer" })));
        var read = await (await app.Admin.GetAsync("/v1/customers/racer")).ReadAsync();
        var announced = await app.Get<TollgateDatabase>().ReadAsync(c =>
            c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM webhook_events WHERE type = 'customer.created'"));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(("racer@example.com", "Racer"), (read["email"].Value<string>(), read["name"].Value<string>()));
        Assert.Equal(1L, announced);
    }

    [Fact]
    public async Task BillingDetailsAreSetByPutReturnedByGetAndKeptWhenLeftOut()
    {
        await using var app = await RulesAsync();

        var created = await (await app.Admin.PutJsonAsync("/v1/customers/acme", new
        {
            name = "Acme GmbH",
            address = new { line1 = "Unter den Linden 1", city = "Berlin", postal_code = "10117", country = "DE" },
            tax_ids = new[] { new { type = "eu_vat", value = "DE123456789" } },
            tax_exempt = "reverse",
        })).ReadAsync();
        await app.Admin.PutJsonAsync("/v1/customers/acme", new { email = "ap@acme.example" });
        var kept = await (await app.Admin.GetAsync("/v1/customers/acme")).ReadAsync();
        await app.Admin.PutJsonAsync("/v1/customers/acme", new { tax_ids = Array.Empty<object>(), tax_exempt = "none" });
        var cleared = await (await app.Admin.GetAsync("/v1/customers/acme")).ReadAsync();
        var plain = await (await app.Admin.PutJsonAsync("/v1/customers/plain", new { })).ReadAsync();

        Assert.Equal(("Unter den Linden 1", null, "Berlin", "10117", null, "DE"), (created["address"]!["line1"].Value<string>(),
            created["address"]!["line2"].Value<string>(), created["address"]!["city"].Value<string>(), created["address"]!["postal_code"].Value<string>(),
            created["address"]!["state"].Value<string>(), created["address"]!["country"].Value<string>()));
        Assert.Equal(("eu_vat", "DE123456789", "reverse"), (created["tax_ids"]![0]!["type"].Value<string>(), created["tax_ids"]![0]!["value"].Value<string>(),
            created["tax_exempt"].Value<string>()));
        Assert.Equal(("ap@acme.example", "Berlin", "DE123456789", "reverse"), (kept["email"].Value<string>(), kept["address"]!["city"].Value<string>(),
            kept["tax_ids"]![0]!["value"].Value<string>(), kept["tax_exempt"].Value<string>()));
        Assert.Equal((0, "none", "Berlin"), (cleared["tax_ids"]!.AsArray().Count, cleared["tax_exempt"].Value<string>(), cleared["address"]!["city"].Value<string>()));
        Assert.Equal((null, 0, "none"), (plain["address"], plain["tax_ids"]!.AsArray().Count, plain["tax_exempt"].Value<string>()));
    }

    [Theory]
    [InlineData("{\"address\": {\"line1\": \"1 Main St\", \"country\": \"XX\"}}", "address.country")]
    [InlineData("{\"address\": {\"line1\": \"1 Main St\", \"country\": \"de\"}}", "address.country")]
    [InlineData("{\"address\": {\"line1\": \"1 Main St\"}}", "address.country")]
    [InlineData("{\"tax_ids\": [{\"type\": \"xx_vat\", \"value\": \"1\"}]}", "tax_ids[0].type")]
    [InlineData("{\"tax_ids\": [{\"type\": \"eu_vat\", \"value\": \"\"}]}", "tax_ids[0].value")]
    [InlineData("{\"tax_exempt\": \"partly\"}", "tax_exempt")]
    [InlineData("{\"email\": \"not-an-email\"}", "email")]
    [InlineData("{\"metadata\": {\"\": \"x\"}}", "metadata")]
    [InlineData("{\"metadata\": {\"k\": 5}}", "metadata")]
    [InlineData("{\"metadata\": {\"a\": null}}", "metadata.a")]
    public async Task InvalidCustomerFieldsAreNamedAndNothingIsWritten(string body, string field)
    {
        await using var app = await StartSharedAsync(ApiSetup.RulesCatalog());

        var response = await app.Admin.PutJsonAsync("/v1/customers/c1", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (await response.ReadAsync())["detail"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Admin.GetAsync("/v1/customers/c1")).StatusCode);
    }

    [Fact]
    public async Task SubscriptionPutsTheCustomerOnThePlanWithAnniversaryPeriods()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-yearly");

        var id = await app.SubscribeAsync("c1-yearly", "pro", "yearly");
        var subscription = await (await app.Admin.GetAsync($"/v1/subscriptions/{id}")).ReadAsync();
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1-yearly/usage")).ReadAsync();

        Assert.Equal(("pro", 1, "yearly", "active"), (subscription["plan"].Value<string>(), subscription["plan_version"].Value<int>(),
            subscription["billing_period"].Value<string>(), subscription["status"].Value<string>()));
        Assert.Equal(("2026-01-15T12:00:00Z", "2027-01-15T12:00:00Z"), (subscription["current_period_start"].Value<string>(),
            subscription["current_period_end"].Value<string>()));
        Assert.Equal(("pro", 1000L), (usage["plan"].Value<string>(), usage["features"]!["capped"]!["limit"].Value<long>()));
    }

    [Fact]
    public async Task APlanSoldOnlyByTheYearIsBoughtYearlyWhenNoPeriodIsNamed()
    {
        // Its own server: the class shares one on the rules catalog, which has no yearly-only plan.
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("yearly-only", YearlyOnly));
        await app.CustomerAsync("y1");
        await app.CustomerAsync("m1");

        var yearly = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "y1", plan = "annual" });
        var monthly = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "m1", plan = "both" });
        var link = await app.Admin.PostJsonAsync("/v1/admin/plans/annual/offer-links", new { expires_at = app.Clock.GetUtcNow().AddDays(7) });
        var named = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "m1", plan = "annual", billing_period = "monthly" });
        var monthlyId = (await monthly.ReadAsync())["id"].Value<string>();
        var changed = await app.Admin.PostJsonAsync($"/v1/subscriptions/{monthlyId}/change", new { plan = "annual" });

        var bought = await yearly.ReadAsync();
        Assert.Equal((HttpStatusCode.Created, "yearly", "2027-01-15T12:00:00Z"), (yearly.StatusCode, bought["billing_period"].Value<string>(),
            bought["current_period_end"].Value<string>()));
        Assert.Equal("monthly", (await monthly.ReadAsync())["billing_period"].Value<string>());
        Assert.Equal(HttpStatusCode.Created, link.StatusCode);
        // A period asked for by name is still held to: the plan has no monthly price.
        Assert.Equal("plan 'annual' has no monthly price", (await named.ReadAsync())["errors"]!["billing_period"].Value<string>());
        // A change that names no period keeps the monthly one where it can; to a plan sold only by the year, it goes yearly.
        Assert.Equal((HttpStatusCode.OK, "yearly"), (changed.StatusCode, (await changed.ReadAsync())["subscription"]!["billing_period"].Value<string>()));
    }

    private const string YearlyOnly = """
        {
          "features": [ { "code": "calls", "name": "Calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "annual", "name": "Annual", "prices": [ { "billing_period": "yearly", "price_cents": 120000 } ],
              "features": [ { "feature_code": "calls", "monthly_quota": 100 } ] },
            { "code": "both", "name": "Both", "prices": [ { "billing_period": "yearly", "price_cents": 20000 }, { "billing_period": "monthly", "price_cents": 2000 } ],
              "features": [ { "feature_code": "calls", "monthly_quota": 100 } ] }
          ]
        }
        """;

    [Fact]
    public async Task SecondLiveSubscriptionIsAConflictAndBadPlansAreNamed()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-second");
        await app.SubscribeAsync("c1-second", "pro");

        var again = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1-second", plan = "pro", billing_period = "monthly" });
        var unknownPlan = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1-second", plan = "gold", billing_period = "monthly" });
        var noPrice = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1-second", plan = "free", billing_period = "yearly" });
        var noCustomer = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "ghost", plan = "pro", billing_period = "monthly" });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("subscription_exists", (await again.ReadAsync())["error"].Value<string>());
        Assert.Equal("no active plan 'gold'", (await unknownPlan.ReadAsync())["errors"]!["plan"].Value<string>());
        Assert.Equal("plan 'free' has no yearly price", (await noPrice.ReadAsync())["errors"]!["billing_period"].Value<string>());
        Assert.Equal(HttpStatusCode.NotFound, noCustomer.StatusCode);
    }

    [Fact]
    public async Task UsageHasTheResumeTailorsShapeExtended()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-usage");
        await app.ConsumeAsync("c1-usage", "soft", 12);
        await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "c1-usage", feature = "capped", amount = 4 });

        var usage = await (await app.Admin.GetAsync("/v1/customers/c1-usage/usage")).ReadAsync();

        Assert.Equal(("c1-usage", "free", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"), (usage["customer"].Value<string>(),
            usage["plan"].Value<string>(), usage["period_start"].Value<string>(), usage["period_end"].Value<string>()));
        var soft = usage["features"]!["soft"]!;
        Assert.Equal((10L, 12L, 0L, false, false, 2L), (soft["limit"].Value<long>(), soft["used"].Value<long>(),
            soft["remaining"].Value<long>(), soft["unlimited"].Value<bool>(), soft["hard_cap"].Value<bool>(), soft["overage"].Value<long>()));
        Assert.Equal((4L, 96L), (usage["features"]!["capped"]!["reserved"].Value<long>(), usage["features"]!["capped"]!["remaining"].Value<long>()));
        Assert.Null(usage["features"]!["gate"]);
    }

    [Fact]
    public async Task EntitlementsListEveryFeatureWithAccessLimitOrValue()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-entitlements");
        await app.SubscribeAsync("c1-entitlements", "pro");

        var list = (await (await app.Admin.GetAsync("/v1/customers/c1-entitlements/entitlements")).ReadAsync())["features"]!.AsArray();

        var byCode = list.ToDictionary(f => f!["feature"].Value<string>()!, f => f!);
        Assert.Equal(6, byCode.Count);
        Assert.True(byCode["gate"]["access"].Value<bool>());
        Assert.Equal(5, byCode["seats"]["value"].Value<int>());
        Assert.Equal((true, 1000L), (byCode["capped"]["access"].Value<bool>(), byCode["capped"]["limit"].Value<long>()));
        Assert.True(byCode["tracked"]["unlimited"].Value<bool>());
    }

    [Fact]
    public async Task EventBatchCountsValidEventsOnceAndRejectsBadOnesByIndex()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-events");
        var events = new object[]
        {
            new { id = "e1", customer = "c1-events", feature = "tracked", amount = 4, timestamp = "2026-01-15T11:00:00Z", properties = new { rows = 4 } },
            new { id = "e1", customer = "c1-events", feature = "tracked", amount = 4 },
            new { id = "e2", customer = "c1-events", feature = "tracked", amount = -1 },
            new { id = "e3", customer = "c1-events", feature = "seats" },
            new { id = "e4", customer = "nobody", feature = "tracked" },
            new { id = "e5", customer = "c1-events", feature = "tracked", timestamp = "2026-01-15 11:00" },
            new { id = "e6", customer = "c1-events", feature = "tracked", amount = 10 },
        };

        var result = await (await app.Admin.PostJsonAsync("/v1/events", new { events })).ReadAsync();
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1-events/usage")).ReadAsync();

        Assert.Equal(2, result["accepted"].Value<int>());
        Assert.Equal(["e1"], result["duplicates"]!.AsArray().Select(d => d.Value<string>()));
        Assert.Equal([2, 3, 4, 5], result["rejected"]!.AsArray().Select(r => r!["index"].Value<int>()));
        Assert.StartsWith("amount: must be a whole number from 1 to 1,000,000,000", result["rejected"]![0]!["reason"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(14, usage["features"]!["tracked"]!["used"].Value<long>()); // past the hard cap of 5: tracked, never denied
    }

    [Fact]
    public async Task MoreThanOneThousandEventsIsA400AndNothingIsCounted()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-batch");
        var events = Enumerable.Range(0, 1001).Select(i => new { id = $"e{i}", customer = "c1-batch", feature = "tracked" }).ToArray();

        var response = await app.Admin.PostJsonAsync("/v1/events", new { events });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("events", (await response.ReadAsync())["detail"].Value<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredReservationIsReleasedByTheWorker()
    {
        await using var app = await StartOwnAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");
        var id = (await (await app.Admin.PostJsonAsync("/v1/entitlements/reserve",
            new { customer = "c1", feature = "capped", amount = 30, ttl_seconds = 10 })).ReadAsync())["id"].Value<string>();

        app.Clock.Advance(TimeSpan.FromSeconds(11));
        await app.Get<UsageMaintenance>().RunOnceAsync(); // the worker's own timer may have run it already
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();

        Assert.Equal(0, usage["features"]!["capped"]!["reserved"].Value<long>());
        var commit = await app.Admin.PostJsonAsync($"/v1/reservations/{id}/commit", new { amount = 5 });
        Assert.Equal("expired", (await commit.ReadAsync())["reservation_status"].Value<string>());
    }
}

public sealed class SqliteCustomersApiTests(SharedServer shared) : CustomersApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCustomersApiTests(SharedServer shared) : CustomersApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
