using System.Net;
using System.Net.Http.Headers;
using Tollgate.Contracts;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>Rate limits, quota windows, usage metadata and cancel feedback through the SDK, against a real server on each store.</summary>
public abstract class QuotaWindowsContract
{
    /// <summary>calls: 2 requests a minute on a monthly quota; lifetime: 3 units that never reset.</summary>
    internal const string Catalog = """
        {
          "default_plan": "free",
          "features": [
            { "code": "calls", "name": "Calls", "unit": "calls", "kind": "metered" },
            { "code": "lifetime", "name": "Lifetime", "unit": "runs", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [
                { "feature_code": "calls", "limit": 1000, "rate_limit": { "limit": 2, "per": "minute" } },
                { "feature_code": "lifetime", "limit": 3, "reset": "never" } ] },
            { "code": "pro", "name": "Pro", "prices": [ { "billing_period": "monthly", "price_cents": 1000 } ],
              "features": [ { "feature_code": "calls", "limit": 5000 }, { "feature_code": "lifetime", "limit": 30 } ] }
          ]
        }
        """;

    protected abstract StoreKind Kind { get; }

    private async Task<(TollgateApp App, TollgateClient Client)> StartAsync()
    {
        var app = await TollgateApp.StartAsync(Kind, ApiSetup.CatalogOf("client-windows", Catalog), kestrel: true);
        var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TollgateApp.AdminKey);
        var client = new TollgateClient(http);
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());
        return (app, client);
    }

    [Fact]
    public async Task ConsumePastARateLimitThrowsRateLimitedWithTheWindowsEndAndCountsNothing()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;

        await client.ConsumeAsync("c1", "calls");
        await client.ConsumeAsync("c1", "calls");
        var denied = await Assert.ThrowsAsync<RateLimitedException>(() => client.ConsumeAsync("c1", "calls"));
        var usage = await client.GetUsageAsync("c1");

        Assert.Equal((HttpStatusCode.TooManyRequests, "rate_limited", "calls", "free"), (denied.Status, denied.Error, denied.Feature, denied.Plan));
        Assert.Equal((2L, 0L, "/pricing"), (denied.Limit!.Value, denied.Remaining!.Value, denied.UpgradeUrl));
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 12, 1, 0, TimeSpan.Zero), denied.ResetAt);
        Assert.Equal(TimeSpan.FromSeconds(60), denied.RetryAfter);
        Assert.Null(denied.ResetsAt); // the quota's reset, which a rate limit does not send
        Assert.Null(denied.Used); // a rate limit counts requests, not units: no figure, as in Python and TypeScript
        Assert.Equal(("minute", "feature"), (denied.Per, denied.Scope));
        Assert.Equal(2, usage.Features["calls"].Used);
    }

    [Fact]
    public async Task DecisionsUsageAndEntitlementsCarryTheQuotasOwnWindowWithNoEndForALifetimeAllowance()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;

        var monthly = await client.ConsumeAsync("c1", "calls");
        var lifetime = (await client.ReserveAsync("c1", "lifetime", 2)).Entitlement;
        var usage = await client.Usage.GetAsync("c1");
        var features = (await client.GetEntitlementsAsync("c1")).Features.ToDictionary(f => f.Feature);

        Assert.Equal((new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)),
            (monthly.WindowStart, monthly.ResetsAt));
        Assert.NotNull(lifetime.WindowStart);
        Assert.Null(lifetime.ResetsAt);
        Assert.Equal((monthly.WindowStart, monthly.ResetsAt), (usage.Features["calls"].WindowStart, usage.Features["calls"].ResetsAt));
        Assert.Equal((2L, (DateTimeOffset?)null), (usage.Features["lifetime"].Reserved, usage.Features["lifetime"].ResetsAt));
        Assert.Equal(monthly.ResetsAt, features["calls"].ResetsAt);
        Assert.Equal((lifetime.WindowStart, (DateTimeOffset?)null), (features["lifetime"].WindowStart, features["lifetime"].ResetsAt));
    }

    [Fact]
    public async Task MetadataOnConsumeReserveAndTrackIsKeptOnTheUsageRecords()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;

        await client.ConsumeAsync(new ConsumeRequest("c1", "lifetime", Metadata: new Dictionary<string, string> { ["endpoint"] = "/run" }));
        var held = await client.ReserveAsync(new ReserveRequest("c1", "lifetime", 2, Metadata: new Dictionary<string, string> { ["endpoint"] = "/bulk" }));
        await held.CommitAsync(1);
        await client.TrackAsync([new UsageEvent("e1", "c1", "calls", 3, app.Clock.GetUtcNow(),
            Metadata: new Dictionary<string, string> { ["endpoint"] = "/import" })]);
        var records = (await client.Events.ListAsync(new EventQuery(Customer: "c1"))).Data.ToDictionary(e => e.Source);

        Assert.Equal("/run", records["consume"].Metadata!["endpoint"]);
        Assert.Equal(("/bulk", 1L), (records["reservation"].Metadata!["endpoint"], records["reservation"].Amount));
        Assert.Equal("/import", records["event"].Metadata!["endpoint"]);
    }

    [Fact]
    public async Task CancelKeepsItsReasonAndCommentAndUndoCancelClearsThem()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        var subscription = await client.Subscriptions.CreateAsync(new CreateSubscriptionRequest("c1", "pro"));

        var canceled = await client.Subscriptions.CancelAsync(subscription.Id, new CancelSubscriptionRequest(Reason: "too_expensive", Comment: "Cheaper elsewhere"));
        var undone = await client.Subscriptions.UndoCancelAsync(subscription.Id);

        Assert.Equal((true, "too_expensive", "Cheaper elsewhere"),
            (canceled.Subscription.CancelAtPeriodEnd, canceled.Subscription.CancelReason, canceled.Subscription.CancelComment));
        Assert.Equal((false, null, null), (undone.CancelAtPeriodEnd, undone.CancelReason, undone.CancelComment));
    }

    [Fact]
    public async Task UnknownCancelReasonIs400NamingTheReasonAndCancelsNothing()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        var subscription = await client.Subscriptions.CreateAsync(new CreateSubscriptionRequest("c1", "pro"));

        var refused = await Assert.ThrowsAsync<TollgateException>(() =>
            client.Subscriptions.CancelAsync(subscription.Id, new CancelSubscriptionRequest(Reason: "bored")));
        var after = await client.Subscriptions.GetAsync(subscription.Id);

        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (refused.Status, refused.Error));
        Assert.NotNull(refused.Problem["errors"]?["reason"]);
        Assert.False(after.CancelAtPeriodEnd);
    }
}

public sealed class SqliteQuotaWindowsTests : QuotaWindowsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresQuotaWindowsTests : QuotaWindowsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
