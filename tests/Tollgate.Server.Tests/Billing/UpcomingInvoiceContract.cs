using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>
/// GET /v1/customers/{id}/upcoming-invoice: the invoice the next renewal would issue if it ran now, priced by the renewal's
/// own steps (so the renewal then issues exactly it), and nothing written by reading it.
/// </summary>
public abstract class UpcomingInvoiceContract : ApiContract
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "tokens", "name": "Tokens", "kind": "metered" } ],
          "metrics": [
            { "code": "llm_tokens", "name": "Tokens", "event": "llm_call", "aggregation": "sum", "property": "tokens", "group_by": ["model"] }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "tokens", "limit": 100, "metric": "llm_tokens" } ] },
            { "code": "pro", "name": "Pro", "prices": [ { "billing_period": "monthly", "price_cents": 2000 } ],
              "features": [
                { "feature_code": "tokens", "limit": 1000, "hard_cap": false, "overage_package": { "size": 1000, "price_cents": 500 },
                  "metric": "llm_tokens" } ] }
          ]
        }
        """;

    private static readonly DateTimeOffset May1 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("upcoming-invoice", Catalog), May1);

    private static Task<HttpResponseMessage> TrackAsync(TollgateApp app, params object[] events) =>
        app.Admin.PostJsonAsync("/v1/events", new { events });

    private static object Tokens(string id, string model, long tokens) =>
        new { id, customer = "c1", @event = "llm_call", properties = new { model, tokens } };

    private static IEnumerable<(string?, string?, long, long)> Lines(JsonNode invoice) =>
        invoice["lines"]!.AsArray().Select(l => (l!["kind"].Value<string>(), l["description"].Value<string>(), l["quantity"].Value<long>(),
            l["amount_cents"].Value<long>()));

    [Fact]
    public async Task UpcomingInvoiceShowsTheFeeAndOverageToDateAndTheRenewalThenIssuesExactlyIt()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro");
        await TrackAsync(app, Tokens("t1", "gpt-4o", 3000), Tokens("t2", "mini", 300));
        await app.AdvanceAsync(TimeSpan.FromDays(10));

        var response = await app.Admin.GetAsync("/v1/customers/c1/upcoming-invoice");
        var upcoming = await response.ReadAsync();
        var invoicesBefore = (await app.InvoicesAsync("c1")).Count;
        await app.AdvanceToAsync(new DateTimeOffset(2026, 6, 2, 0, 0, 0, TimeSpan.Zero));
        var issued = (await app.InvoicesAsync("c1"))[^1];

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("upcoming", null, "subscription_cycle"),
            (upcoming["status"].Value<string>(), upcoming["number"].Value<string>(), upcoming["billing_reason"].Value<string>()));
        Assert.Equal(2000L + 1500, upcoming["amount_due_cents"].Value<long>());
        Assert.Equal(issued["period_start"].Value<DateTimeOffset>(), upcoming["period_start"].Value<DateTimeOffset>());
        Assert.Equal(issued["issued_at"].Value<DateTimeOffset>(), upcoming["issued_at"].Value<DateTimeOffset>());
        Assert.Equal(Lines(issued), Lines(upcoming));
        Assert.Equal(issued["amount_due_cents"].Value<long>(), upcoming["amount_due_cents"].Value<long>());
        Assert.Equal(invoicesBefore + 1, (await app.InvoicesAsync("c1")).Count);
    }

    [Fact]
    public async Task ReadingTheUpcomingInvoiceTwiceWritesNothingAndAnswersTheSame()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro");
        await TrackAsync(app, Tokens("t1", "gpt-4o", 1500));

        var first = await (await app.Admin.GetAsync("/v1/customers/c1/upcoming-invoice")).ReadAsync();
        var invoices = await (await app.Admin.GetAsync("/v1/customers/c1/invoices")).ReadAsync();
        var second = await (await app.Admin.GetAsync("/v1/customers/c1/upcoming-invoice")).ReadAsync();

        Assert.Equal(Lines(first), Lines(second));
        Assert.Equal(first["amount_due_cents"].Value<long>(), second["amount_due_cents"].Value<long>());
        Assert.Single(invoices["data"]!.AsArray()); // the first period's invoice only
        Assert.Null(first["html_url"]);
    }

    [Fact]
    public async Task TheUpcomingInvoiceIsReadWhileAnotherTransactionHoldsTheWriteLock()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro");
        await TrackAsync(app, Tokens("t1", "gpt-4o", 1500));
        var database = app.Get<TollgateDatabase>();
        await using var connection = await database.OpenAsync();
        await using var writer = await database.BeginWriteAsync(connection);
        await connection.ExecuteAsync("UPDATE subscriptions SET updated_at = updated_at WHERE customer_id = 'c1'", transaction: writer);

        // A read that asked for the write lock would wait out the busy timeout here and fail.
        var response = await app.Admin.GetAsync("/v1/customers/c1/upcoming-invoice");
        await writer.RollbackAsync();

        Assert.Equal((HttpStatusCode.OK, 2000L + 500), (response.StatusCode, (await response.ReadAsync())["amount_due_cents"].Value<long>()));
    }

    [Fact]
    public async Task AnEndAtPeriodEndHasNoUpcomingInvoiceUntilItHasUsageToBillThenShowsWhatTheEndIssues()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro");
        Assert.Equal(HttpStatusCode.OK, (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = true })).StatusCode);

        // Nothing to bill at the end: no invoice will be issued, so none is upcoming (as Stripe answers).
        var nothing = await app.Admin.GetAsync("/v1/customers/c1/upcoming-invoice");
        await TrackAsync(app, Tokens("t1", "gpt-4o", 3000));
        var upcoming = await (await app.Admin.GetAsync("/v1/customers/c1/upcoming-invoice")).ReadAsync();
        var invoicesBefore = (await app.InvoicesAsync("c1")).Count;
        await app.AdvanceToAsync(new DateTimeOffset(2026, 6, 2, 0, 0, 0, TimeSpan.Zero));
        var issued = (await app.InvoicesAsync("c1"))[^1];

        Assert.Equal(HttpStatusCode.NotFound, nothing.StatusCode);
        Assert.Equal("upcoming_invoice", (await nothing.ReadAsync())["resource"].Value<string>());
        Assert.Equal(("subscription_cancel", 1000L), (upcoming["billing_reason"].Value<string>(), upcoming["subtotal_cents"].Value<long>()));
        Assert.Equal(invoicesBefore + 1, (await app.InvoicesAsync("c1")).Count);
        Assert.Equal(Lines(upcoming), Lines(issued));
    }

    [Fact]
    public async Task UnknownCustomerIs404CustomerAndACustomerWithoutASubscriptionIs404UpcomingInvoice()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("free1");

        var unknown = await app.Admin.GetAsync("/v1/customers/nobody/upcoming-invoice");
        var none = await app.Admin.GetAsync("/v1/customers/free1/upcoming-invoice");
        var problem = await none.ReadAsync();

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (unknown.StatusCode, none.StatusCode));
        Assert.Equal("customer", (await unknown.ReadAsync())["resource"].Value<string>());
        Assert.Equal(("not_found", "upcoming_invoice"), (problem["error"].Value<string>(), problem["resource"].Value<string>()));
        Assert.Contains("free1", problem["detail"].Value<string>(), StringComparison.Ordinal);
    }
}

public sealed class SqliteUpcomingInvoiceTests : UpcomingInvoiceContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresUpcomingInvoiceTests : UpcomingInvoiceContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does.</summary>
public sealed class TickingClockUpcomingInvoiceTests : UpcomingInvoiceContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
