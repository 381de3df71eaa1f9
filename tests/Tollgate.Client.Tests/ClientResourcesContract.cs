using System.Net;
using System.Net.Http.Headers;
using Tollgate.Contracts;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>Customers, subscriptions, invoices and typed errors through the SDK, against a real server on each store.</summary>
public abstract class ClientResourcesContract
{
    protected abstract StoreKind Kind { get; }

    private async Task<(TollgateApp App, TollgateClient Client)> StartAsync(string key = TollgateApp.AdminKey)
    {
        var app = await TollgateApp.StartAsync(Kind, ApiSetup.BillingCatalog(), new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), kestrel: true);
        var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return (app, new TollgateClient(http));
    }

    [Fact]
    public async Task UnknownCustomerIsATypedNotFoundNamingTheCustomer()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;

        var consume = await Assert.ThrowsAsync<TollgateNotFoundException>(() => client.ConsumeAsync("ghost", "api_calls"));
        var read = await Assert.ThrowsAsync<TollgateNotFoundException>(() => client.GetCustomerAsync("ghost"));

        Assert.Equal(("customer", HttpStatusCode.NotFound, "not_found"), (consume.Resource, consume.Status, consume.Error));
        Assert.Equal("customer", read.Resource);
    }

    [Fact]
    public async Task WrongKeyIsATypedAuthenticationError()
    {
        var (app, client) = await StartAsync("tg_sk_not_a_real_key");
        await using var _ = app;

        var error = await Assert.ThrowsAsync<TollgateAuthenticationException>(() => client.GetCustomerAsync("c1"));

        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_api_key"), (error.Status, error.Error));
    }

    [Fact]
    public async Task CustomerIsCreatedThenReadBack()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;

        await client.Customers.UpsertAsync("c1", new UpsertCustomerRequest(Email: "c1@example.com", Name: "Ada"));
        var customer = await client.Customers.GetAsync("c1");

        Assert.Equal(("c1", "c1@example.com", "Ada"), (customer.Id, customer.Email, customer.Name));
    }

    [Fact]
    public async Task SubscriptionChangeIsPreviewedThenMadeThenTheSubscriptionIsCanceledAtPeriodEnd()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());
        var subscription = await client.CreateSubscriptionAsync(new CreateSubscriptionRequest("c1", "silver"));
        await app.AdvanceToAsync(new DateTimeOffset(2026, 4, 16, 0, 0, 0, TimeSpan.Zero));

        var preview = await client.PreviewSubscriptionChangeAsync(subscription.Id, new ChangeSubscriptionRequest("gold", Effective: "immediate"));
        var changed = await client.ChangeSubscriptionAsync(subscription.Id, new ChangeSubscriptionRequest("gold", Effective: "immediate"));
        var canceled = await client.Subscriptions.CancelAsync(subscription.Id);

        Assert.Equal(("gold", preview.AmountCents, preview.Lines.Count), (changed.Subscription.Plan, changed.AmountCents, changed.Lines.Count));
        Assert.True(changed.AmountCents > 0);
        Assert.Equal(("gold", true), (canceled.Subscription.Plan, canceled.Subscription.CancelAtPeriodEnd));
    }

    [Fact]
    public async Task InvoicesAreListedNewestFirstAndReadOneByOneWithTheirLines()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());
        var subscription = await client.CreateSubscriptionAsync(new CreateSubscriptionRequest("c1", "silver"));
        await app.AdvanceToAsync(new DateTimeOffset(2026, 4, 16, 0, 0, 0, TimeSpan.Zero));
        await client.ChangeSubscriptionAsync(subscription.Id, new ChangeSubscriptionRequest("gold", Effective: "immediate"));
        await app.AdvanceToAsync(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));

        var list = await client.Invoices.ListAsync("c1");
        var newest = await client.Invoices.GetAsync(list.Data[0].Id);

        Assert.Equal(["subscription_cycle", "subscription_create"], list.Data.Select(i => i.BillingReason));
        Assert.Equal((list.Data[0].Id, "c1", subscription.Id), (newest.Id, newest.Customer, newest.Subscription));
        Assert.Equal(["recurring", "proration_credit", "proration_charge"], newest.Lines.Select(l => l.Kind));
        await Assert.ThrowsAsync<TollgateNotFoundException>(() => client.GetInvoiceAsync("in_missing"));
    }

    [Fact]
    public async Task BillingDetailsRoundTripAndAnInvoiceComesAsPdfBytes()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;

        var customer = await client.Customers.UpsertAsync("c1", new UpsertCustomerRequest(Name: "Muster GmbH",
            Address: new CustomerAddress(Line1: "Friedrichstraße 123", City: "Berlin", PostalCode: "10117", Country: "DE"),
            TaxIds: [new CustomerTaxIdEntry("eu_vat", "DE987654321")], TaxExempt: "reverse"));
        await client.CreateSubscriptionAsync(new CreateSubscriptionRequest("c1", "silver"));
        var invoice = (await client.Invoices.ListAsync("c1")).Data[0];
        var pdf = await client.Invoices.PdfAsync(invoice.Id);
        var refused = await Assert.ThrowsAsync<TollgateException>(() =>
            client.Customers.UpsertAsync("c1", new UpsertCustomerRequest(Address: new CustomerAddress(Country: "Germany"))));

        Assert.Equal(("10117", "DE", "reverse"), (customer.Address?.PostalCode, customer.Address?.Country, customer.TaxExempt));
        Assert.Equal([new CustomerTaxIdEntry("eu_vat", "DE987654321")], customer.TaxIds);
        Assert.Equal("%PDF-"u8.ToArray(), pdf[..5]);
        Assert.Contains("Muster GmbH", await PdfText.ReadAsync(pdf), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, true), (refused.Status, refused.Message.Contains("address.country", StringComparison.Ordinal)));
        await Assert.ThrowsAsync<TollgateNotFoundException>(() => client.Invoices.PdfAsync("in_missing"));
    }
}

public sealed class SqliteClientResourcesTests : ClientResourcesContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresClientResourcesTests : ClientResourcesContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
