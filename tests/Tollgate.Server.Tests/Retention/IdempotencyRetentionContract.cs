using System.Net;
using System.Net.Http.Json;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Storage.Retention;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Retention;

/// <summary>
/// Idempotency keys are kept Tollgate:Retention:IdempotencyKeysHours (48 by default), the keyed billing POSTs' as the
/// consumes': a retry within that window gets the first answer back, and past it the key is gone and a request under it is new.
/// </summary>
public abstract class IdempotencyRetentionContract : ApiContract
{
    private static readonly DateTimeOffset Apr1 = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> StartWithRetentionAsync(string batchSize = "5000")
    {
        var settings = ApiSetup.BillingCatalog();
        settings["Tollgate:Retention:BatchSize"] = batchSize;
        settings["Tollgate:Retention:Interval"] = "3650.00:00:00"; // the test prunes by hand
        return StartAsync(settings, Apr1);
    }

    private static Task<HttpResponseMessage> SubscribeAsync(TollgateApp app, string customer, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/subscriptions")
        {
            Content = JsonContent.Create(new { customer, plan = "silver", billing_period = "monthly" }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return app.Admin.SendAsync(request);
    }

    private static Task<RetentionReport> PruneAsync(TollgateApp app) => app.Get<RetentionPruner>().PruneAsync(app.Clock.GetUtcNow());

    private static Task<List<string>> KeysAsync(TollgateApp app) =>
        app.Get<TollgateDatabase>().ReadAsync(async c => (await c.QueryAsync<string>("SELECT idempotency_key FROM idempotent_requests ORDER BY idempotency_key")).ToList());

    private static bool Replayed(HttpResponseMessage response) => response.Headers.Contains("Idempotent-Replayed");

    [Fact]
    public async Task AKeyedPostRetriedWithinFortyEightHoursReplaysAndPastThemItsKeyIsGoneAndARequestUnderItIsNew()
    {
        await using var app = await StartWithRetentionAsync();
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        var first = await SubscribeAsync(app, "c1", "sub-key");

        await app.AdvanceAsync(TimeSpan.FromHours(47));
        var within = await PruneAsync(app);
        var retry = await SubscribeAsync(app, "c1", "sub-key");
        var otherBody = await SubscribeAsync(app, "c2", "sub-key");
        await app.AdvanceAsync(TimeSpan.FromHours(2));
        var past = await PruneAsync(app);
        var keysAfter = await KeysAsync(app);
        var fresh = await SubscribeAsync(app, "c2", "sub-key");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal((0L, HttpStatusCode.Created, true), (within.IdempotentRequests, retry.StatusCode, Replayed(retry)));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_mismatch"), (otherBody.StatusCode, (await otherBody.ReadAsync())["error"].Value<string>()));
        Assert.Equal((1L, 0), (past.IdempotentRequests, keysAfter.Count));
        // Past the window the key names nothing: the other body runs and subscribes c2, and the key is kept again for it.
        Assert.Equal((HttpStatusCode.Created, false), (fresh.StatusCode, Replayed(fresh)));
        Assert.Equal("c2", (await fresh.ReadAsync())["customer"].Value<string>());
        Assert.Equal(["sub-key"], await KeysAsync(app));
    }

    [Fact]
    public async Task AConsumeKeyRetriedWithinFortyEightHoursReplaysAndPastThemCountsAgain()
    {
        await using var app = await StartWithRetentionAsync();
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "silver");
        await app.ConsumeAsync("c1", "api_calls", key: "consume-key");

        await app.AdvanceAsync(TimeSpan.FromHours(47));
        await PruneAsync(app);
        var retry = await (await app.ConsumeAsync("c1", "api_calls", key: "consume-key")).ReadAsync();
        await app.AdvanceAsync(TimeSpan.FromHours(2));
        var past = await PruneAsync(app);
        var fresh = await (await app.ConsumeAsync("c1", "api_calls", key: "consume-key")).ReadAsync();

        Assert.Equal(1L, retry["used"].Value<long>());
        Assert.Equal(1L, past.IdempotencyKeys);
        Assert.Equal(2L, fresh["used"].Value<long>());
    }

    [Fact]
    public async Task KeyedPostsPastTheWindowArePrunedInBatchesAndRecentOnesKept()
    {
        await using var app = await StartWithRetentionAsync(batchSize: "2");
        var now = app.Clock.GetUtcNow();
        await app.Get<TollgateDatabase>().WriteAsync((c, tx) => c.ExecuteAsync("""
            INSERT INTO idempotent_requests (scope, idempotency_key, request_hash, status_code, body, created_at, answered_at)
            VALUES (@scope, @key, 'h', 200, '{}', @at, @at)
            """, Enumerable.Range(0, 5).Select(i => new { scope = $"key_{i % 2}", key = $"old-{i}", at = now.AddHours(-49 - i).ToUnixTimeMilliseconds() })
                .Append(new { scope = "key_0", key = "recent", at = now.AddHours(-47).ToUnixTimeMilliseconds() }), tx));

        var report = await PruneAsync(app);

        Assert.Equal(5L, report.IdempotentRequests);
        Assert.Equal(["recent"], await KeysAsync(app));
    }
}

public sealed class SqliteIdempotencyRetentionTests : IdempotencyRetentionContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresIdempotencyRetentionTests : IdempotencyRetentionContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
