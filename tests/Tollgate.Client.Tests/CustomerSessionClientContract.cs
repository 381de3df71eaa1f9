using System.Net.Http.Headers;
using Tollgate.Client;
using Tollgate.Contracts;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>The .NET SDK's Customers.CreateSessionAsync and RevokeSessionAsync against a real server.</summary>
public abstract class CustomerSessionClientContract
{
    protected abstract StoreKind Kind { get; }

    [Fact]
    public async Task AMintedSessionReadsItsCustomersUsageUntilItIsRevoked()
    {
        await using var app = await TollgateApp.StartAsync(Kind, ApiSetup.RulesCatalog(), kestrel: true);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TollgateApp.AdminKey);
        var client = new TollgateClient(http);
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());

        var session = await client.Customers.CreateSessionAsync("c1", ttlSeconds: 600);
        using var browser = new HttpClient { BaseAddress = app.BaseAddress };
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session.Token);
        var before = await browser.GetAsync(new Uri("v1/customers/c1/usage", UriKind.Relative));
        await client.Customers.RevokeSessionAsync("c1", session.Id);
        var after = await browser.GetAsync(new Uri("v1/customers/c1/usage", UriKind.Relative));

        Assert.Equal(("c1", TollgateApp.DefaultStart.AddMinutes(10)), (session.Customer, session.ExpiresAt));
        Assert.Equal((System.Net.HttpStatusCode.OK, System.Net.HttpStatusCode.Unauthorized), (before.StatusCode, after.StatusCode));
        await Assert.ThrowsAsync<TollgateNotFoundException>(() => client.Customers.RevokeSessionAsync("c1", session.Id));
    }
}

public sealed class SqliteCustomerSessionClientTests : CustomerSessionClientContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCustomerSessionClientTests : CustomerSessionClientContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
