using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Grants;

/// <summary>Credit grants through the API: spent after the allowance, before overage, in priority then expiry order.</summary>
public abstract class CreditGrantsContract(SharedServer shared) : ApiContract(shared)
{
    private Task<TollgateApp> RulesAsync() => StartAsync(ApiSetup.RulesCatalog());

    /// <summary>A server of the test's own: for a test that moves the clock, which every later test would find moved.</summary>
    private Task<TollgateApp> OwnRulesAsync() => StartOwnAsync(ApiSetup.RulesCatalog());

    private static async Task<JsonNode> GrantAsync(TollgateApp app, string customer, object body)
    {
        var response = await app.Admin.PostJsonAsync($"/v1/customers/{customer}/grants", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsync();
    }

    private static async Task<Dictionary<string, long>> UsedByGrantAsync(TollgateApp app, string customer) =>
        (await (await app.Admin.GetAsync($"/v1/customers/{customer}/grants")).ReadAsync())["data"]!.AsArray()
            .ToDictionary(g => g!["reason"].Value<string>()!, g => g!["used"].Value<long>());

    private static Task<HttpResponseMessage> GrantWithKeyAsync(TollgateApp app, string customer, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/customers/{customer}/grants", UriKind.Relative)) { Content = Json.Content(body) };
        request.Headers.Add("Idempotency-Key", key);
        return app.Admin.SendAsync(request);
    }

    [Fact]
    public async Task AGrantRetriedWithItsIdempotencyKeyIsMadeOnceAndAnswersTheFirstGrant()
    {
        // A client retries a create whose answer was lost: the second call must find the first grant, not grant twice.
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-grant-key");
        var body = new { feature = "capped", amount = 50, reason = "support", expires_at = TollgateApp.DefaultStart.AddDays(30).AddTicks(1234) };

        var first = await GrantWithKeyAsync(app, "c1-grant-key", body, "grant-key-1");
        var retries = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => GrantWithKeyAsync(app, "c1-grant-key", body, "grant-key-1")));
        var grants = (await (await app.Admin.GetAsync("/v1/customers/c1-grant-key/grants")).ReadAsync())["data"]!.AsArray();

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.All(retries, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var id = (await first.ReadAsync())["id"].Value<string>();
        Assert.All(await Task.WhenAll(retries.Select(r => r.ReadAsync())), r => Assert.Equal(id, r["id"].Value<string>()));
        Assert.Equal((1, 50L), (grants.Count, grants[0]!["remaining"].Value<long>()));
    }

    [Fact]
    public async Task AGrantRetriedWithItsKeyAfterTheGrantExpiredAnswersTheGrantAndANewExpiredOneIsStillA400()
    {
        // The first answer was lost, and the retry comes after the grant's expiry: it is the same request, made once.
        await using var app = await OwnRulesAsync();
        await app.CustomerAsync("c1-grant-late");
        var body = new { feature = "capped", amount = 50, expires_at = TollgateApp.DefaultStart.AddHours(1) };
        var first = await GrantWithKeyAsync(app, "c1-grant-late", body, "grant-key-late");
        await app.AdvanceAsync(TimeSpan.FromHours(2));

        var retry = await GrantWithKeyAsync(app, "c1-grant-late", body, "grant-key-late");
        var otherKey = await GrantWithKeyAsync(app, "c1-grant-late", body, "grant-key-late-2");
        var otherAmount = await GrantWithKeyAsync(app, "c1-grant-late", new { feature = "capped", amount = 60, expires_at = body.expires_at }, "grant-key-late");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "true"), (retry.StatusCode, retry.Headers.GetValues("Idempotent-Replayed").Single()));
        Assert.Equal((await first.ReadAsync())["id"].Value<string>(), (await retry.ReadAsync())["id"].Value<string>());
        Assert.Equal(HttpStatusCode.BadRequest, otherKey.StatusCode);
        Assert.NotNull((await otherKey.ReadAsync())["errors"]!["expires_at"]);
        Assert.Equal(HttpStatusCode.BadRequest, otherAmount.StatusCode);
        Assert.Single((await (await app.Admin.GetAsync("/v1/customers/c1-grant-late/grants")).ReadAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task AGrantsIdempotencyKeyUsedForAnotherGrantOrCustomerIsAConflictAndWritesNothing()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-grant-reuse");
        await app.CustomerAsync("c2-grant-reuse");
        var body = new { feature = "capped", amount = 50 };
        Assert.Equal(HttpStatusCode.Created, (await GrantWithKeyAsync(app, "c1-grant-reuse", body, "grant-key-2")).StatusCode);

        var otherAmount = await GrantWithKeyAsync(app, "c1-grant-reuse", new { feature = "capped", amount = 60 }, "grant-key-2");
        var otherCustomer = await GrantWithKeyAsync(app, "c2-grant-reuse", body, "grant-key-2");
        var badKey = await GrantWithKeyAsync(app, "c1-grant-reuse", body, new string('k', 256));

        Assert.Equal((HttpStatusCode.Conflict, "idempotency_mismatch"), (otherAmount.StatusCode, (await otherAmount.ReadAsync())["error"].Value<string>()));
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_mismatch"), (otherCustomer.StatusCode, (await otherCustomer.ReadAsync())["error"].Value<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.NotNull((await badKey.ReadAsync())["errors"]!["Idempotency-Key"]);
        Assert.Single((await (await app.Admin.GetAsync("/v1/customers/c1-grant-reuse/grants")).ReadAsync())["data"]!.AsArray());
        Assert.Empty((await (await app.Admin.GetAsync("/v1/customers/c2-grant-reuse/grants")).ReadAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task HardCappedFeatureAllowsConsumeWhileGrantsRemainThenRefusesWithGrantedRemaining()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1");
        await app.ConsumeAsync("c1", "capped", 100);
        await GrantAsync(app, "c1", new { feature = "capped", amount = 30, reason = "support" });

        var covered = await app.ConsumeAsync("c1", "capped", 20);
        var coveredBody = await covered.ReadAsync();
        var tooMany = await app.ConsumeAsync("c1", "capped", 15);
        var problem = await tooMany.ReadAsync();
        var last = await (await app.ConsumeAsync("c1", "capped", 10)).ReadAsync();

        Assert.Equal(HttpStatusCode.OK, covered.StatusCode);
        Assert.Equal(("credit_grant", 100L, 0L, 10L), (coveredBody["reason"].Value<string>(), coveredBody["used"].Value<long>(),
            coveredBody["remaining"].Value<long>(), coveredBody["granted_remaining"].Value<long>()));
        Assert.Equal(HttpStatusCode.TooManyRequests, tooMany.StatusCode);
        Assert.Equal(("quota_exceeded", 10L), (problem["error"].Value<string>(), problem["granted_remaining"].Value<long>()));
        Assert.Equal(("credit_grant", 0L), (last["reason"].Value<string>(), last["granted_remaining"].Value<long>()));
        Assert.Equal(30L, (await UsedByGrantAsync(app, "c1"))["support"]);
    }

    [Fact]
    public async Task ConsumeStraddlingTheAllowanceUsesTheAllowanceFirstAndTheRestFromGrants()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-straddle");
        await app.ConsumeAsync("c1-straddle", "capped", 95);
        await GrantAsync(app, "c1-straddle", new { feature = "capped", amount = 10, reason = "promo" });

        var body = await (await app.ConsumeAsync("c1-straddle", "capped", 8)).ReadAsync();
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1-straddle/usage")).ReadAsync();

        Assert.Equal((100L, 7L), (body["used"].Value<long>(), body["granted_remaining"].Value<long>()));
        Assert.Equal((100L, 7L), (usage["features"]!["capped"]!["used"].Value<long>(), usage["features"]!["capped"]!["granted_remaining"].Value<long>()));
        Assert.Equal(3L, (await UsedByGrantAsync(app, "c1-straddle"))["promo"]);
    }

    [Fact]
    public async Task GrantsAreSpentByPriorityThenEarliestExpiryThenNeverExpiring()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-priority");
        await app.ConsumeAsync("c1-priority", "capped", 100);
        var now = TollgateApp.DefaultStart;
        await GrantAsync(app, "c1-priority", new { feature = "capped", amount = 5, reason = "late", expires_at = now.AddDays(10) });
        await GrantAsync(app, "c1-priority", new { feature = "capped", amount = 5, reason = "never" });
        await GrantAsync(app, "c1-priority", new { feature = "capped", amount = 5, reason = "soon", expires_at = now.AddDays(5) });
        await GrantAsync(app, "c1-priority", new { feature = "capped", amount = 5, reason = "first", priority = 10 });

        await app.ConsumeAsync("c1-priority", "capped", 12);
        var used = await UsedByGrantAsync(app, "c1-priority");

        Assert.Equal((5L, 5L, 2L, 0L), (used["first"], used["soon"], used["late"], used["never"]));
    }

    [Fact]
    public async Task GrantStopsCountingExactlyAtItsExpiry()
    {
        await using var app = await OwnRulesAsync();
        await app.CustomerAsync("c1");
        await app.ConsumeAsync("c1", "capped", 100);
        await GrantAsync(app, "c1", new { feature = "capped", amount = 10, reason = "trial", expires_at = TollgateApp.DefaultStart.AddHours(1) });

        // A second before the expiry, then onto it; on a ticking clock a minute before, so the steps' own seconds cannot
        // reach it, and a minute on, which passes it by those seconds.
        var step = TimeSpan.FromSeconds(TickingClock ? 60 : 1);
        await app.AdvanceAsync(TimeSpan.FromHours(1) - step);
        var before = await app.ConsumeAsync("c1", "capped", 1);
        await app.AdvanceAsync(step);
        var at = await app.ConsumeAsync("c1", "capped", 1);
        var grants = await (await app.Admin.GetAsync("/v1/customers/c1/grants")).ReadAsync();

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, at.StatusCode);
        Assert.Equal(0L, (await at.ReadAsync())["granted_remaining"].Value<long>());
        Assert.Equal(("expired", 1L, 9L), (grants["data"]![0]!["status"].Value<string>(), grants["data"]![0]!["used"].Value<long>(),
            grants["data"]![0]!["remaining"].Value<long>()));
    }

    [Fact]
    public async Task SoftCapOverageIsCoveredByGrantsBeforeItCountsAsOverage()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-soft");
        await GrantAsync(app, "c1-soft", new { feature = "soft", amount = 5, reason = "bonus" });

        var covered = await (await app.ConsumeAsync("c1-soft", "soft", 12)).ReadAsync();
        var past = await (await app.ConsumeAsync("c1-soft", "soft", 5)).ReadAsync();

        Assert.Equal(("credit_grant", 10L, 0L, 3L), (covered["reason"].Value<string>(), covered["used"].Value<long>(),
            covered["overage"].Value<long>(), covered["granted_remaining"].Value<long>()));
        Assert.Equal(("soft_cap_overage", 12L, 2L, 0L), (past["reason"].Value<string>(), past["used"].Value<long>(),
            past["overage"].Value<long>(), past["granted_remaining"].Value<long>()));
    }

    [Fact]
    public async Task VoidedGrantStopsCountingAtOnceAndKeepsWhatWasUsed()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-void");
        await app.ConsumeAsync("c1-void", "capped", 100);
        var grant = await GrantAsync(app, "c1-void", new { feature = "capped", amount = 10, reason = "oops" });
        await app.ConsumeAsync("c1-void", "capped", 4);

        var voided = await (await app.Admin.PostAsync(new Uri($"/v1/customers/c1-void/grants/{grant["id"].Value<string>()}/void", UriKind.Relative), null)).ReadAsync();
        var after = await app.ConsumeAsync("c1-void", "capped", 1);
        var missing = await app.Admin.PostAsync(new Uri("/v1/customers/c1-void/grants/cgr_nope/void", UriKind.Relative), null);

        Assert.Equal(("voided", 4L), (voided["status"].Value<string>(), voided["used"].Value<long>()));
        Assert.Equal(HttpStatusCode.TooManyRequests, after.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ReservationPastTheAllowanceHoldsGrantUnitsAndReleaseOrASmallerCommitGivesThemBack()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-reserve");
        await app.ConsumeAsync("c1-reserve", "capped", 95);
        await GrantAsync(app, "c1-reserve", new { feature = "capped", amount = 20, reason = "hold" });

        var first = await (await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "c1-reserve", feature = "capped", amount = 15 })).ReadAsync();
        var whileHeld = (await UsedByGrantAsync(app, "c1-reserve"))["hold"];
        await app.Admin.PostAsync(new Uri($"/v1/reservations/{first["id"].Value<string>()}/release", UriKind.Relative), null);
        var afterRelease = (await UsedByGrantAsync(app, "c1-reserve"))["hold"];
        var second = await (await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "c1-reserve", feature = "capped", amount = 15 })).ReadAsync();
        var committed = await (await app.Admin.PostJsonAsync($"/v1/reservations/{second["id"].Value<string>()}/commit", new { amount = 8 })).ReadAsync();
        var afterCommit = (await UsedByGrantAsync(app, "c1-reserve"))["hold"];

        Assert.Equal(("credit_grant", 5L, 10L), (first["entitlement"]!["reason"].Value<string>(), first["entitlement"]!["reserved"].Value<long>(),
            first["entitlement"]!["granted_remaining"].Value<long>()));
        Assert.Equal((10L, 0L, 3L), (whileHeld, afterRelease, afterCommit));
        Assert.Equal((100L, 0L), (committed["used"].Value<long>(), committed["reserved"].Value<long>()));
    }

    [Fact]
    public async Task CheckUsageAndEntitlementsShowWhatTheGrantsHaveLeft()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-check");
        await app.ConsumeAsync("c1-check", "capped", 100);
        await GrantAsync(app, "c1-check", new { feature = "capped", amount = 6, reason = "x" });

        var fits = await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "c1-check", feature = "capped", amount = 6 })).ReadAsync();
        var tooMany = await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "c1-check", feature = "capped", amount = 7 })).ReadAsync();
        var entitlements = await (await app.Admin.GetAsync("/v1/customers/c1-check/entitlements")).ReadAsync();
        var capped = entitlements["features"]!.AsArray().Single(f => f!["feature"].Value<string>() == "capped")!;

        Assert.Equal((true, "credit_grant", 6L), (fits["allowed"].Value<bool>(), fits["reason"].Value<string>(), fits["granted_remaining"].Value<long>()));
        Assert.Equal((false, "quota_exceeded"), (tooMany["allowed"].Value<bool>(), tooMany["reason"].Value<string>()));
        Assert.Equal((true, 6L), (capped["access"].Value<bool>(), capped["granted_remaining"].Value<long>()));
    }

    [Fact]
    public async Task BadGrantIs400NamingEachFieldAndWritesNothing()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-bad");

        var response = await app.Admin.PostJsonAsync("/v1/customers/c1-bad/grants",
            new { feature = "gate", amount = 0, priority = 101, expires_at = TollgateApp.DefaultStart.AddSeconds(-1), reason = new string('r', 501) });
        var problem = await response.ReadAsync();
        var unknown = await app.Admin.PostJsonAsync("/v1/customers/nobody/grants", new { feature = "capped", amount = 1 });
        var list = await (await app.Admin.GetAsync("/v1/customers/c1-bad/grants")).ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["amount", "expires_at", "feature", "priority", "reason"],
            problem["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Empty(list["data"]!.AsArray());
    }

    [Fact]
    public async Task ListPagesNewestFirstWithACursor()
    {
        await using var app = await OwnRulesAsync();
        await app.CustomerAsync("c1");
        foreach (var i in Enumerable.Range(1, 3))
        {
            await GrantAsync(app, "c1", new { feature = "capped", amount = i, reason = $"g{i}" });
            await app.AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        var first = await (await app.Admin.GetAsync("/v1/customers/c1/grants?limit=2")).ReadAsync();
        var second = await (await app.Admin.GetAsync($"/v1/customers/c1/grants?limit=2&cursor={first["next_cursor"].Value<string>()}")).ReadAsync();

        Assert.Equal(["g3", "g2"], first["data"]!.AsArray().Select(g => g!["reason"].Value<string>()));
        Assert.True(first["has_more"].Value<bool>());
        Assert.Equal(["g1"], second["data"]!.AsArray().Select(g => g!["reason"].Value<string>()));
        Assert.False(second["has_more"].Value<bool>());
    }

    [Fact]
    public async Task ConcurrentConsumesNeverSpendMoreThanTheGrants()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("c1-concurrent");
        await GrantAsync(app, "c1-concurrent", new { feature = "capped", amount = 30, reason = "a" });
        await GrantAsync(app, "c1-concurrent", new { feature = "capped", amount = 20, reason = "b" });

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => app.ConsumeAsync("c1-concurrent", "capped")));
        var used = await UsedByGrantAsync(app, "c1-concurrent");

        Assert.Equal(150, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal((30L, 20L), (used["a"], used["b"]));
    }
}

public sealed class SqliteCreditGrantsTests(SharedServer shared) : CreditGrantsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCreditGrantsTests(SharedServer shared) : CreditGrantsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingCreditGrantsTests(SharedServer shared) : CreditGrantsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
