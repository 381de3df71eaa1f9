using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Customers;

/// <summary>GDPR deletion and access, asserted on the database rows: nothing personal is left, every id and amount stays.</summary>
public abstract class CustomerDeletionContract : ApiContract
{
    private const string Email = "ada@lovelace.example";
    private const string Name = "Ada Lovelace";

    private async Task<TollgateApp> CustomerWithHistoryAsync()
    {
        var app = await StartAsync(ApiSetup.LlmCatalog());
        await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints",
            new { url = "https://hooks.example.com/a", events = new[] { "customer.created", "customer.deleted" } });
        await app.Admin.PutJsonAsync("/v1/customers/ada", new
        {
            email = Email, name = Name, metadata = new { phone = "+44 20 7946 0000" },
            address = new { line1 = "12 St James's Square", city = "London", postal_code = "SW1Y 4JH", country = "GB" },
            tax_ids = new[] { new { type = "gb_vat", value = "GB111222333" } }, tax_exempt = "exempt",
        });
        await app.SubscribeAsync("ada", "pro");
        await app.ConsumeAsync("ada", "chat", 3);
        await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new[] { new { id = "e1", customer = "ada", feature = "export", amount = 2, properties = new { file = "ada-taxes.csv" } } },
        });
        await app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            customer = "ada", feature = "chat", model = "gpt-4o-mini", input_tokens = 1000, output_tokens = 500, request_id = "r1",
            metadata = new { prompt_owner = Email },
        });
        return app;
    }

    [Fact]
    public async Task DeleteErasesEveryPersonalFieldAndKeepsIdsAndAmounts()
    {
        await using var app = await CustomerWithHistoryAsync();
        var db = app.Get<TollgateDatabase>();
        var amountsBefore = await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COALESCE(SUM(amount_due_cents), 0) FROM invoices"));
        var costBefore = await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT SUM(cost_nano) FROM llm_calls WHERE customer_id = 'ada'"));
        var mailed = "SELECT COUNT(*) FROM email_messages WHERE recipient LIKE '%lovelace%' OR payload_json LIKE '%lovelace%'";
        Assert.True(await db.ReadAsync(c => c.ExecuteScalarAsync<long>(mailed)) > 0); // the subscription's invoice was mailed

        var response = await app.Admin.DeleteAsync(new Uri("/v1/customers/ada", UriKind.Relative));
        var body = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("ada", true), (body["id"].Value<string>(), body["deleted"].Value<bool>()));
        Assert.NotNull(body["canceled_subscription"].Value<string>());
        var customer = await db.ReadAsync(c => c.QuerySingleAsync<(string? Email, string? Name, string Metadata, string? Stripe, long? DeletedAt)>(
            "SELECT email, name, metadata_json, stripe_customer_id, deleted_at FROM customers WHERE id = 'ada'"));
        Assert.Equal((null, null, "{}", null), (customer.Email, customer.Name, customer.Metadata, customer.Stripe));
        // The billing address and tax ids go; whether tax applied stays beside the invoices it explains.
        var billing = await db.ReadAsync(c => c.QuerySingleAsync<(string? Address, string TaxIds, string TaxExempt)>(
            "SELECT address_json, tax_ids_json, tax_exempt FROM customers WHERE id = 'ada'"));
        Assert.Equal((null, "[]", "exempt"), (billing.Address, billing.TaxIds, billing.TaxExempt));
        Assert.NotNull(customer.DeletedAt);
        Assert.Equal(0L, await db.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM llm_calls WHERE customer_id = 'ada' AND metadata_json IS NOT NULL")));
        Assert.Equal(0L, await db.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM usage_events WHERE customer_id = 'ada' AND properties_json IS NOT NULL")));
        Assert.Equal(0L, await db.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM webhook_events WHERE payload_json LIKE '%lovelace%' OR payload_json LIKE '%7946%'")));
        Assert.Equal("canceled", await db.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT status FROM subscriptions WHERE customer_id = 'ada'")));
        Assert.Equal(0L, await db.ReadAsync(c => c.ExecuteScalarAsync<long>(mailed)));
        Assert.Equal(costBefore, await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT SUM(cost_nano) FROM llm_calls WHERE customer_id = 'ada'")));
        Assert.True(await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT SUM(amount_due_cents) FROM invoices")) >= amountsBefore);
        Assert.Equal(1L, await db.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM webhook_events WHERE type = 'customer.deleted' AND payload_json LIKE '%\"ada\"%'")));
    }

    [Fact]
    public async Task EveryLaterCallForTheIdIs404AndAPutIs409()
    {
        await using var app = await CustomerWithHistoryAsync();
        await app.Admin.DeleteAsync(new Uri("/v1/customers/ada", UriKind.Relative));

        var reads = await Task.WhenAll(
            app.Admin.GetAsync("/v1/customers/ada"), app.Admin.GetAsync("/v1/customers/ada/entitlements"),
            app.Admin.GetAsync("/v1/customers/ada/usage"), app.Admin.GetAsync("/v1/customers/ada/export"),
            app.Admin.GetAsync("/v1/customers/ada/invoices"), app.Admin.GetAsync("/v1/customers/ada/subscriptions"),
            app.ConsumeAsync("ada", "chat"),
            app.Admin.PostJsonAsync("/v1/customers/ada/portal-sessions", new { return_url = "https://app.example.com/" }),
            app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "ada", plan = "pro", billing_period = "monthly" }),
            app.Admin.DeleteAsync(new Uri("/v1/customers/ada", UriKind.Relative)));
        var put = await app.Admin.PutJsonAsync("/v1/customers/ada", new { email = Email });
        var listed = await (await app.Admin.GetAsync("/v1/customers?query=ada")).ReadAsync();

        Assert.All(reads, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Empty(listed["data"]!.AsArray()); // gone from the list too, as Stripe lists no deleted customer
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal("customer_deleted", (await put.ReadAsync())["error"].Value<string>());
        Assert.Null(await app.Get<TollgateDatabase>().ReadAsync(c => c.ExecuteScalarAsync<string?>("SELECT email FROM customers WHERE id = 'ada'")));
    }

    [Fact]
    public async Task ProrateTrueCreditsTheUnusedTimeAndTheDefaultDoesNot()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog());
        foreach (var id in new[] { "plain", "prorated" })
        {
            await app.CustomerAsync(id);
            await app.SubscribeAsync(id, "pro");
        }

        await app.AdvanceAsync(TimeSpan.FromDays(10));

        var plain = await (await app.Admin.DeleteAsync(new Uri("/v1/customers/plain", UriKind.Relative))).ReadAsync();
        var prorated = await (await app.Admin.DeleteAsync(new Uri("/v1/customers/prorated?prorate=true", UriKind.Relative))).ReadAsync();
        var db = app.Get<TollgateDatabase>();
        Task<long> CreditOfAsync(string? invoice) => db.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM invoice_lines WHERE invoice_id = @invoice AND amount_cents < 0", new { invoice }));

        Assert.Equal(0L, await CreditOfAsync(plain["final_invoice"].Value<string>()));
        Assert.True(await CreditOfAsync(prorated["final_invoice"].Value<string>()) < 0, prorated.ToJsonString());
    }

    [Fact]
    public async Task ExportHoldsTheCustomerAndEverythingRecordedAboutThem()
    {
        await using var app = await CustomerWithHistoryAsync();

        var response = await app.Admin.GetAsync("/v1/customers/ada/export");
        var export = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((Email, Name, "+44 20 7946 0000"), (export["customer"]!["email"].Value<string>(), export["customer"]!["name"].Value<string>(),
            export["customer"]!["metadata"]!["phone"].Value<string>()));
        Assert.Equal(("12 St James's Square", "SW1Y 4JH", "GB"), (export["customer"]!["address"]!["line1"].Value<string>(),
            export["customer"]!["address"]!["postal_code"].Value<string>(), export["customer"]!["address"]!["country"].Value<string>()));
        Assert.Equal(("gb_vat", "GB111222333", "exempt"), (export["customer"]!["tax_ids"]![0]!["type"].Value<string>(),
            export["customer"]!["tax_ids"]![0]!["value"].Value<string>(), export["customer"]!["tax_exempt"].Value<string>()));
        Assert.Equal("pro", export["subscriptions"]![0]!["plan_code"].Value<string>());
        Assert.Equal(Email, export["llm_calls"]![0]!["metadata"]!["prompt_owner"].Value<string>());
        Assert.Equal("ada-taxes.csv", export["usage_events"]![0]!["properties"]!["file"].Value<string>());
        Assert.Contains(export["usage_counters"]!.AsArray(), c => c!["feature_code"].Value<string>() == "chat" && c["used"].Value<long>() == 3);
        Assert.Equal("2026-01-15T12:00:00Z", app.Instant(export["customer"]!["created_at"]));
        var mail = export["email_messages"]!.AsArray();
        Assert.NotEmpty(mail); // the subscription's invoice was mailed
        Assert.All(mail, m => Assert.Equal(Email, m!["recipient"].Value<string>()));
        Assert.IsType<JsonObject>(mail[0]!["payload"]);
    }

    [Fact]
    public async Task DeleteErasesTheMembersEmailsAndNamesAndKeepsTheirIds()
    {
        await using var app = await CustomerWithHistoryAsync();
        await app.Admin.PutJsonAsync("/v1/customers/ada/members/charles", new { email = "charles@babbage.example", name = "Charles Babbage" });

        await app.Admin.DeleteAsync(new Uri("/v1/customers/ada", UriKind.Relative));

        var member = await app.Get<TollgateDatabase>().ReadAsync(c => c.QuerySingleAsync<(string Id, string Customer, string? Email, string? Name)>(
            "SELECT id, customer_id, email, name FROM members WHERE id = 'charles'"));
        Assert.Equal(("charles", "ada", null, null), member);
    }

    [Fact]
    public async Task EveryMemberCallOnAnErasedCustomerIs404AndWritesNothing()
    {
        await using var app = await CustomerWithHistoryAsync();
        await app.Admin.PutJsonAsync("/v1/customers/ada/members/charles", new { email = "charles@babbage.example", name = "Charles Babbage" });
        await app.Admin.DeleteAsync(new Uri("/v1/customers/ada", UriKind.Relative));
        var db = app.Get<TollgateDatabase>();
        var before = await db.ReadAsync(c => c.QueryAsync<(string Id, string? Email, string? Name, long UpdatedAt)>(
            "SELECT id, email, name, updated_at FROM members ORDER BY id"));

        var added = await app.Admin.PutJsonAsync("/v1/customers/ada/members/mary", new { email = "mary@somerville.example", name = "Mary" });
        var updated = await app.Admin.PutJsonAsync("/v1/customers/ada/members/charles", new { email = "charles@babbage.example", name = "Charles" });
        var removed = await app.Admin.DeleteAsync(new Uri("/v1/customers/ada/members/charles", UriKind.Relative));
        var listed = await app.Admin.GetAsync("/v1/customers/ada/members");
        var maryAsCustomer = await app.Admin.PutJsonAsync("/v1/customers/mary", new { });

        Assert.All([added, updated, removed, listed], r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal("customer", (await added.ReadAsync())["resource"].Value<string>());
        Assert.Equal("customer", (await removed.ReadAsync())["resource"].Value<string>());
        Assert.Equal(before, await db.ReadAsync(c => c.QueryAsync<(string Id, string? Email, string? Name, long UpdatedAt)>(
            "SELECT id, email, name, updated_at FROM members ORDER BY id")));
        Assert.Equal(1L, await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT member_count FROM customers WHERE id = 'ada'")));
        Assert.True(maryAsCustomer.IsSuccessStatusCode); // no member took the id
    }

    [Fact]
    public async Task ExportHoldsTheOrganisationsMembersAndTheirOwnShares()
    {
        await using var app = await StartAsync(ApiSetup.CatalogOf("teams", Teams.TeamsCatalog.Json));
        await app.CustomerAsync("org1");
        await app.Admin.PutJsonAsync("/v1/customers/org1/members/grace", new { email = "grace@hopper.example", name = "Grace Hopper", role = "admin" });
        await app.ConsumeAsync("grace", "reports", 2);

        var export = await (await app.Admin.GetAsync("/v1/customers/org1/export")).ReadAsync();

        var member = Assert.Single(export["members"]!.AsArray())!;
        Assert.Equal(("grace", "grace@hopper.example", "Grace Hopper", "admin"),
            (member["id"].Value<string>(), member["email"].Value<string>(), member["name"].Value<string>(), member["role"].Value<string>()));
        var share = Assert.Single(export["member_usage_counters"]!.AsArray())!;
        Assert.Equal(("grace", "reports", 2L), (share["customer_id"].Value<string>(), share["feature_code"].Value<string>(), share["used"].Value<long>()));
    }

    [Fact]
    public async Task ExportWritesFlagsAsJsonBooleansAndLeavesOutInternalCounters()
    {
        await using var app = await CustomerWithHistoryAsync();

        var export = await (await app.Admin.GetAsync("/v1/customers/ada/export")).ReadAsync();

        Assert.Equal(System.Text.Json.JsonValueKind.False, export["customer"]!["has_payment_method"]!.GetValueKind());
        Assert.Equal(System.Text.Json.JsonValueKind.False, export["subscriptions"]![0]!["cancel_at_period_end"]!.GetValueKind());
        Assert.Equal(System.Text.Json.JsonValueKind.False, export["llm_calls"]![0]!["unpriced"]!.GetValueKind());
        Assert.Equal(System.Text.Json.JsonValueKind.False, export["invoices"]![0]!["reverse_charge"]!.GetValueKind());
        Assert.False(export["customer"]!.AsObject().ContainsKey("context_version"));
    }

    [Fact]
    public async Task DeletingAnUnknownCustomerIs404()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());

        var response = await app.Admin.DeleteAsync(new Uri("/v1/customers/nobody", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

public sealed class SqliteCustomerDeletionTests : CustomerDeletionContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCustomerDeletionTests : CustomerDeletionContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does: two readings in one operation differ here.</summary>
public sealed class TickingClockCustomerDeletionTests : CustomerDeletionContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
