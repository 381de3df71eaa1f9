using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Entitlements;

/// <summary>Rate limits are decided before the quota, in the same transaction, and a refused request counts nothing.</summary>
public abstract class RateLimitsContract(SharedServer shared) : ApiContract(shared)
{
    internal const string Catalog = """
        {
          "default_plan": "free",
          "rate_limit_feature": "requests",
          "features": [
            { "code": "requests", "name": "Requests", "kind": "boolean" },
            { "code": "calls", "name": "Calls", "unit": "calls", "kind": "metered" },
            { "code": "capped", "name": "Capped", "unit": "calls", "kind": "metered" },
            { "code": "other", "name": "Other", "unit": "calls", "kind": "metered" },
            { "code": "shared", "name": "Shared", "unit": "calls", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [
                { "feature_code": "requests", "rate_limit": { "limit": 10, "per": "minute" } },
                { "feature_code": "calls", "limit": 1000, "rate_limit": { "limit": 5, "per": "second" } },
                { "feature_code": "capped", "limit": 2 },
                { "feature_code": "other", "limit": 1000 } ] },
            { "code": "solo", "name": "Solo", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [
                { "feature_code": "calls", "limit": 1000, "rate_limit": { "limit": 5, "per": "second" } },
                { "feature_code": "capped", "limit": 10, "rate_limit": { "limit": 3, "per": "second" } },
                { "feature_code": "other", "limit": 1000, "rate_limit": { "limit": 4, "per": "hour" } },
                { "feature_code": "shared", "limit": 1000, "per_member_limit": 100, "rate_limit": { "limit": 4, "per": "second" } } ] }
          ]
        }
        """;

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("rates", Catalog));

    private Task<TollgateApp> OwnAppAsync() => StartOwnAsync(ApiSetup.CatalogOf("rates", Catalog));

    private static long Header(HttpResponseMessage response, string name) => long.Parse(response.Headers.GetValues(name).Single(),
        System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task ConsumePastTheRateLimitIs429RateLimitedAndCountsNothing()
    {
        await using var app = await OwnAppAsync();
        await app.CustomerAsync("c1");

        var granted = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            granted.Add(await app.ConsumeAsync("c1", "calls"));
        }

        var refused = await app.ConsumeAsync("c1", "calls");
        var problem = await refused.ReadAsync();
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();
        await app.AdvanceAsync(TimeSpan.FromSeconds(1));
        var nextSecond = await app.ConsumeAsync("c1", "calls");

        Assert.All(granted, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal([4L, 3L, 2L, 1L, 0L], granted.Select(r => Header(r, "RateLimit-Remaining")));
        Assert.All(granted, r => Assert.Equal((5L, 1L), (Header(r, "RateLimit-Limit"), Header(r, "RateLimit-Reset"))));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(("rate_limited", 5L, 0L), (problem["error"].Value<string>(), problem["limit"].Value<long>(), problem["remaining"].Value<long>()));
        Assert.Equal(("feature", "second"), (problem["scope"].Value<string>(), problem["per"].Value<string>()));
        Assert.Equal("Too many requests for 'calls': at most 5 a second, until 2026-01-15T12:00:01.000Z.", problem["detail"].Value<string>());
        Assert.Equal("2026-01-15T12:00:01Z", problem["reset_at"].Value<string>());
        Assert.Equal(1, (long)refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds);
        Assert.Equal(5L, usage["features"]!["calls"]!["used"].Value<long>());
        Assert.Equal(HttpStatusCode.OK, nextSecond.StatusCode);
    }

    [Fact]
    public async Task PlanWideLimitCountsEveryFeatureAndARequestTheQuotaRefusesGivesItsTurnBack()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("rl-planwide");

        var capped = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++)
        {
            capped.Add(await app.ConsumeAsync("rl-planwide", "capped"));
        }

        var other = new List<HttpResponseMessage>();
        for (var i = 0; i < 9; i++)
        {
            other.Add(await app.ConsumeAsync("rl-planwide", "other"));
        }

        var problem = await other[^1].ReadAsync();

        Assert.Equal(2, capped.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(10, capped.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests)); // quota_exceeded: their turns go back
        Assert.All(other.Take(8), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(("rate_limited", 10L), (problem["error"].Value<string>(), problem["limit"].Value<long>()));
        Assert.Equal(("plan", "minute"), (problem["scope"].Value<string>(), problem["per"].Value<string>()));
        Assert.Equal("Too many requests on the free plan: at most 10 a minute across all features, until 2026-01-15T12:01:00.000Z.",
            problem["detail"].Value<string>());
        Assert.Equal("2026-01-15T12:01:00Z", problem["reset_at"].Value<string>());
    }

    [Fact]
    public async Task AMeteredRateLimitFeatureCountsItsOwnRequestsInThePlanWideWindow()
    {
        // "calls" (5 a second on the free plan) is the plan-wide limit here, so "other" and "calls" share its 5.
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("rates",
            Catalog.Replace("\"rate_limit_feature\": \"requests\"", "\"rate_limit_feature\": \"calls\"")));
        await app.CustomerAsync("c1");

        var answers = new List<HttpResponseMessage>();
        foreach (var feature in new[] { "other", "other", "other", "calls", "calls", "calls", "other" })
        {
            answers.Add(await app.ConsumeAsync("c1", feature));
        }

        var refused = await answers[5].ReadAsync();

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            answers.Select(r => r.StatusCode));
        Assert.Equal([4L, 3L, 2L, 1L, 0L], answers.Take(5).Select(r => Header(r, "RateLimit-Remaining")));
        Assert.Equal(("rate_limited", "plan", 5L), (refused["error"].Value<string>(), refused["scope"].Value<string>(), refused["limit"].Value<long>()));
    }

    [Fact]
    public async Task ARateLimitedRefusalIsNotKeptUnderItsIdempotencyKeySoTheRetryIsDecidedAfresh()
    {
        await using var app = await OwnAppAsync();
        await app.CustomerAsync("c1");
        for (var i = 0; i < 5; i++)
        {
            await app.ConsumeAsync("c1", "calls");
        }

        var refused = await app.ConsumeAsync("c1", "calls", key: "retry-1");
        var again = await app.ConsumeAsync("c1", "calls", key: "retry-1");
        await app.AdvanceAsync(TimeSpan.FromSeconds(1));
        var afterReset = await app.ConsumeAsync("c1", "calls", key: "retry-1");
        var replayed = await app.ConsumeAsync("c1", "calls", key: "retry-1");
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();

        Assert.Equal((HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests), (refused.StatusCode, again.StatusCode));
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal((HttpStatusCode.OK, false), (afterReset.StatusCode, afterReset.Headers.Contains("Idempotent-Replayed")));
        Assert.Equal((HttpStatusCode.OK, "true"), (replayed.StatusCode, replayed.Headers.GetValues("Idempotent-Replayed").Single()));
        Assert.Equal(6L, usage["features"]!["calls"]!["used"].Value<long>());
    }

    [Fact]
    public async Task WithoutAPlanWideLimitAQuotaRefusalGivesItsRateLimitTurnBack()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("rl-quota");
        await app.SubscribeAsync("rl-quota", "solo");

        var first = await app.ConsumeAsync("rl-quota", "capped", 9);
        var refused = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            refused.Add(await app.ConsumeAsync("rl-quota", "capped", 2));
        }

        var last = await app.ConsumeAsync("rl-quota", "capped");
        var usage = await (await app.Admin.GetAsync("/v1/customers/rl-quota/usage")).ReadAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.Equal(Enumerable.Repeat("quota_exceeded", 5), await Task.WhenAll(refused.Select(async r => (await r.ReadAsync())["error"].Value<string>()!)));
        Assert.Equal((HttpStatusCode.OK, 1L), (last.StatusCode, Header(last, "RateLimit-Remaining")));
        Assert.Equal(10L, usage["features"]!["capped"]!["used"].Value<long>());
    }

    [Fact]
    public async Task ConcurrentConsumesNeverPassTheRateLimit()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("rl-concurrent");

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => app.ConsumeAsync("rl-concurrent", "calls")));
        var usage = await (await app.Admin.GetAsync("/v1/customers/rl-concurrent/usage")).ReadAsync();

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(35, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(5L, usage["features"]!["calls"]!["used"].Value<long>());
    }

    [Fact]
    public async Task EachNewWindowStartsAgainOnTheFeaturesCounterRow()
    {
        await using var app = await OwnAppAsync();
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "solo");

        var seconds = new List<HttpStatusCode[]>();
        for (var second = 0; second < 3; second++)
        {
            var answers = new List<HttpStatusCode>();
            for (var i = 0; i < 6; i++)
            {
                answers.Add((await app.ConsumeAsync("c1", "calls")).StatusCode);
            }

            seconds.Add([.. answers]);
            await app.AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        var (onRow, inTable) = await app.Get<Tollgate.Storage.Database.TollgateDatabase>().ReadAsync(async c => (
            await Dapper.SqlMapper.QueryAsync<(long, long)>(c,
                "SELECT rate_used, rate_start FROM usage_counters WHERE customer_id = 'c1' AND feature_code = 'calls'"),
            await Dapper.SqlMapper.ExecuteScalarAsync<long>(c, "SELECT COUNT(*) FROM rate_counters WHERE feature_code = 'calls'")));

        HttpStatusCode[] expected = [.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests];
        Assert.All(seconds, answers => Assert.Equal(expected, answers));
        // The quota's own row holds the window, moved to the third second: one row written per consume, none piling up.
        Assert.Equal([(5L, app.Clock.GetUtcNow().AddSeconds(-1).ToUnixTimeMilliseconds())], onRow);
        Assert.Equal(0, inTable);
    }

    [Fact]
    public async Task ARateWindowAcrossTheQuotaWindowsEdgeGrantsItsLimitOnceOverBothSides()
    {
        await using var app = await OwnAppAsync();
        await app.CustomerAsync("c1");
        await app.AdvanceAsync(TimeSpan.FromMinutes(30));
        await app.SubscribeAsync("c1", "solo"); // anchored at 12:30, so each quota window starts at half past an hour
        await app.AdvanceToAsync(new DateTimeOffset(2026, 2, 15, 12, 10, 0, TimeSpan.Zero));

        // The hour from 12:00 crosses the quota windows' edge at 12:30: 3 requests before it, then 2 more after it.
        var before = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            before.Add((await app.ConsumeAsync("c1", "other")).StatusCode);
        }

        await app.AdvanceAsync(TimeSpan.FromMinutes(30));
        var after = new[] { await app.ConsumeAsync("c1", "other"), await app.ConsumeAsync("c1", "other") };
        var refused = await after[1].ReadAsync();
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();
        await app.AdvanceAsync(TimeSpan.FromMinutes(20));
        var nextHour = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            nextHour.Add((await app.ConsumeAsync("c1", "other")).StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 3), before);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], after.Select(r => r.StatusCode));
        Assert.Equal((4L, 0L), (Header(after[0], "RateLimit-Limit"), Header(after[0], "RateLimit-Remaining")));
        Assert.Equal(("rate_limited", "2026-02-15T13:00:00Z"), (refused["error"].Value<string>(), refused["reset_at"].Value<string>()));
        Assert.Equal(("2026-02-15T12:30:00Z", 1L), (usage["features"]!["other"]!["window_start"].Value<string>(), usage["features"]!["other"]!["used"].Value<long>()));
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 4), HttpStatusCode.TooManyRequests], nextHour);
    }

    [Fact]
    public async Task AnOrganisationAndItsMembersSpendOneRateLimitOnAFeatureWithMembersShares()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("acme");
        await app.SubscribeAsync("acme", "solo");
        var added = await app.Admin.PutJsonAsync("/v1/customers/acme/members/alice", new { email = "alice@example.com", name = "Alice", role = "member" });

        var answers = new List<HttpResponseMessage>();
        foreach (var caller in new[] { "acme", "alice", "acme", "alice", "acme", "alice" })
        {
            answers.Add(await app.ConsumeAsync(caller, "shared"));
        }

        var usage = await (await app.Admin.GetAsync("/v1/customers/acme/usage")).ReadAsync();

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 4), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            answers.Select(r => r.StatusCode));
        Assert.Equal(["rate_limited", "rate_limited"], await Task.WhenAll(answers.Skip(4).Select(async r => (await r.ReadAsync())["error"].Value<string>()!)));
        Assert.Equal(4L, usage["features"]!["shared"]!["used"].Value<long>());
    }

    [Fact]
    public async Task ReserveIsRateLimitedLikeConsume()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("rl-reserve");

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            responses.Add(await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "rl-reserve", feature = "calls", amount = 1 }));
        }

        Assert.All(responses.Take(5), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal("rate_limited", (await responses[5].ReadAsync())["error"].Value<string>());
    }
}

public sealed class SqliteRateLimitsTests(SharedServer shared) : RateLimitsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresRateLimitsTests(SharedServer shared) : RateLimitsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
