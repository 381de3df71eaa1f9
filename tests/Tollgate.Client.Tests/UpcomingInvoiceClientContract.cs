using System.Net.Http.Headers;
using Tollgate.Client;
using Tollgate.Contracts;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>The .NET SDK's Invoices.UpcomingAsync against a real server.</summary>
public abstract class UpcomingInvoiceClientContract
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "tokens", "name": "Tokens", "kind": "metered" } ],
          "metrics": [ { "code": "llm_tokens", "name": "Tokens", "event": "llm_call", "aggregation": "sum", "property": "tokens" } ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "tokens", "limit": 100, "metric": "llm_tokens" } ] },
            { "code": "pro", "name": "Pro", "prices": [ { "billing_period": "monthly", "price_cents": 2000 } ],
              "features": [ { "feature_code": "tokens", "limit": 1000, "hard_cap": false, "overage_unit_price_cents": 1, "metric": "llm_tokens" } ] } ]
        }
        """;

    protected abstract StoreKind Kind { get; }

    [Fact]
    public async Task UpcomingInvoiceCarriesTheNextFeeAndTheOverageSoFarAndAFreeCustomerIsNotFound()
    {
        await using var app = await TollgateApp.StartAsync(Kind, ApiSetup.CatalogOf("client-upcoming", Catalog), kestrel: true);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TollgateApp.AdminKey);
        var client = new TollgateClient(http);
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());
        await client.UpsertCustomerAsync("free1", new UpsertCustomerRequest());
        await client.Subscriptions.CreateAsync(new CreateSubscriptionRequest("c1", "pro"));
        await client.Events.TrackAsync("c1", "llm_call", new Dictionary<string, object> { ["tokens"] = 1250 }, id: "t1");

        var upcoming = await client.Invoices.UpcomingAsync("c1");
        var none = await Assert.ThrowsAsync<TollgateNotFoundException>(() => client.Invoices.UpcomingAsync("free1"));

        Assert.Equal(("upcoming", null), (upcoming.Status, upcoming.Number));
        Assert.Equal([("recurring", 2000L), ("overage", 250L)], upcoming.Lines.Select(l => (l.Kind, l.AmountCents)));
        Assert.Equal(2250, upcoming.AmountDueCents);
        Assert.Equal("upcoming_invoice", none.Resource);
    }
}

public sealed class SqliteUpcomingInvoiceClientTests : UpcomingInvoiceClientContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresUpcomingInvoiceClientTests : UpcomingInvoiceClientContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
