using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Entitlements;

public abstract class EntitlementsApiContract(SharedServer shared) : ApiContract(shared)
{
    private Task<TollgateApp> RulesAsync() => StartAsync(ApiSetup.RulesCatalog());

    private Task<TollgateApp> RulesOwnAsync() => StartOwnAsync(ApiSetup.RulesCatalog());

    [Fact]
    public async Task ConsumeAnswersTheCounterAfterTheIncrement()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-consume");

        var response = await app.ConsumeAsync("ea-consume", "capped", 7);
        var body = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body["allowed"].Value<bool>());
        Assert.Equal(("within_quota", 100L, 7L, 93L, false), (body["reason"].Value<string>(), body["limit"].Value<long>(),
            body["used"].Value<long>(), body["remaining"].Value<long>(), body["unlimited"].Value<bool>()));
        Assert.Equal("2026-02-01T00:00:00Z", body["resets_at"].Value<string>());
    }

    [Fact]
    public async Task ConsumePastHardCapReturns429WithResetTime()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-hardcap");
        await app.ConsumeAsync("ea-hardcap", "capped", 100);

        var response = await app.ConsumeAsync("ea-hardcap", "capped", 1);
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(("quota_exceeded", "capped", "free", 100L, 100L, 0L), (problem["error"].Value<string>(), problem["feature"].Value<string>(),
            problem["plan"].Value<string>(), problem["limit"].Value<long>(), problem["used"].Value<long>(), problem["remaining"].Value<long>()));
        Assert.Equal("2026-02-01T00:00:00Z", problem["resets_at"].Value<string>());
        Assert.Equal("/pricing", problem["upgrade_url"].Value<string>());
        var retryAfter = (long)response.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.Equal((long)(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero) - TollgateApp.DefaultStart).TotalSeconds, retryAfter);
        Assert.Equal(retryAfter, problem["retry_after"].Value<long>());
        Assert.Equal("The quota of 100 for 'capped' is used up until 2026-02-01T00:00:00Z.", problem["detail"].Value<string>());
    }

    [Fact]
    public async Task AConsumeLargerThanWhatIsLeftSaysWhatIsLeftNotThatTheQuotaIsUsedUp()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-larger");
        await app.ConsumeAsync("ea-larger", "capped", 99);

        var problem = await (await app.ConsumeAsync("ea-larger", "capped", 2)).ReadAsync();

        Assert.Equal((1L, "The quota of 100 for 'capped' has 1 left, less than asked, until 2026-02-01T00:00:00Z."),
            (problem["remaining"].Value<long>(), problem["detail"].Value<string>()));
    }

    [Fact]
    public async Task CheckAnswersWithoutCounting()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-check");
        await app.ConsumeAsync("ea-check", "capped", 95);

        var fits = await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "ea-check", feature = "capped", amount = 5 })).ReadAsync();
        var tooMany = await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "ea-check", feature = "capped", amount = 6 })).ReadAsync();
        var usage = await (await app.Admin.GetAsync("/v1/customers/ea-check/usage")).ReadAsync();

        Assert.True(fits["allowed"].Value<bool>());
        Assert.Equal((false, "quota_exceeded"), (tooMany["allowed"].Value<bool>(), tooMany["reason"].Value<string>()));
        Assert.Equal(95, usage["features"]!["capped"]!["used"].Value<long>());
    }

    [Fact]
    public async Task FeatureNotInThePlanIs402AndCountsNothing()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-noplan");

        var response = await app.ConsumeAsync("ea-noplan", "gate");
        var problem = await response.ReadAsync();
        var check = await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "ea-noplan", feature = "gate" })).ReadAsync();

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Equal(("feature_not_in_plan", "gate", "/pricing"), (problem["error"].Value<string>(), problem["feature"].Value<string>(),
            problem["upgrade_url"].Value<string>()));
        // A gate has no window and no cap, denied as allowed: a month's window and hard_cap: true were answered.
        Assert.Equal((null, null), (problem["window_start"]?.ToString(), problem["resets_at"]?.ToString()));
        Assert.Equal((false, null, null), (check["hard_cap"].Value<bool>(), check["window_start"]?.ToString(), check["resets_at"]?.ToString()));
    }

    [Fact]
    public async Task BooleanFeatureInThePlanIsAllowedWithoutCounting()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-bool");
        await app.SubscribeAsync("ea-bool", "pro");

        var first = await (await app.ConsumeAsync("ea-bool", "gate")).ReadAsync();
        var second = await (await app.ConsumeAsync("ea-bool", "gate")).ReadAsync();

        Assert.Equal(("included", true, 0L), (second["reason"].Value<string>(), second["allowed"].Value<bool>(), second["used"].Value<long>()));
        Assert.False(second["hard_cap"].Value<bool>());
        Assert.Equal(first.ToJsonString(), second.ToJsonString());
        Assert.Null(second["resets_at"]);
    }

    [Fact]
    public async Task ValueFeatureIsReadByCheckWithNoWindowNoCapAndRefusedByConsume()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-value");
        await app.SubscribeAsync("ea-value", "pro");

        var check = await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "ea-value", feature = "seats" })).ReadAsync();
        var consume = await app.ConsumeAsync("ea-value", "seats");

        Assert.Equal(5, check["value"].Value<int>());
        Assert.Equal(("value", true, false), (check["reason"].Value<string>(), check["allowed"].Value<bool>(), check["unlimited"].Value<bool>()));
        Assert.Null(check["window_start"]);
        Assert.Null(check["resets_at"]);
        Assert.False(check["hard_cap"].Value<bool>());
        Assert.Equal(HttpStatusCode.BadRequest, consume.StatusCode);
        Assert.Equal("feature_not_consumable", (await consume.ReadAsync())["error"].Value<string>());
    }

    [Theory]
    [InlineData("{\"customer\": \"c1\", \"feature\": \"capped\", \"amount\": 0}", "amount")]
    [InlineData("{\"customer\": \"c1\", \"feature\": \"capped\", \"amount\": -5}", "amount")]
    [InlineData("{\"customer\": \"c1\", \"feature\": \"capped\", \"amount\": 1000000001}", "amount")]
    [InlineData("{\"customer\": \"c1\", \"feature\": \"capped\", \"amount\": 99999999999999999999}", "amount")]
    [InlineData("{\"customer\": \"c1\", \"feature\": \"capped\", \"amount\": 1.5}", "amount")]
    [InlineData("{\"customer\": \"c1\", \"feature\": \"capped\", \"amount\": \"2\"}", "amount")]
    [InlineData("{\"customer\": \"c 1\", \"feature\": \"capped\"}", "customer")]
    [InlineData("{\"feature\": \"capped\"}", "customer")]
    [InlineData("{\"customer\": \"c1\", \"feature\": \"capped\", \"idempotency_key\": \"\"}", "idempotency_key")]
    public async Task BadInputIsA400NamingTheFieldAndCountsNothing(string body, string field)
    {
        await using var app = await StartSharedAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");

        var response = await app.Admin.PostJsonAsync("/v1/entitlements/consume", body);
        var problem = await response.ReadAsync();
        var usage = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, problem["detail"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(0, usage["features"]!["capped"]!["used"].Value<long>());
    }

    [Fact]
    public async Task UnknownCustomerOrFeatureIs404()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-unknown");

        var customer = await app.ConsumeAsync("ghost", "capped");
        var feature = await app.ConsumeAsync("ea-unknown", "teleport");

        Assert.Equal(HttpStatusCode.NotFound, customer.StatusCode);
        Assert.Equal("customer", (await customer.ReadAsync())["resource"].Value<string>());
        Assert.Equal(HttpStatusCode.NotFound, feature.StatusCode);
        Assert.Equal("feature", (await feature.ReadAsync())["resource"].Value<string>());
    }

    [Fact]
    public async Task RetryWithTheSameKeyReturnsTheFirstAnswerAndCountsNothing()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-retry");

        var first = await app.ConsumeAsync("ea-retry", "capped", 3, "order-1");
        using var viaHeader = new HttpRequestMessage(HttpMethod.Post, "/v1/entitlements/consume")
        {
            Content = Json.Content(new { customer = "ea-retry", feature = "capped", amount = 3 }),
        };
        viaHeader.Headers.Add("Idempotency-Key", "order-1");
        var retry = await app.Admin.SendAsync(viaHeader);
        var mismatch = await app.ConsumeAsync("ea-retry", "capped", 4, "order-1");

        Assert.Equal((await first.ReadAsync()).ToJsonString(), (await retry.ReadAsync()).ToJsonString());
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(HttpStatusCode.Conflict, mismatch.StatusCode);
        Assert.Equal("idempotency_mismatch", (await mismatch.ReadAsync())["error"].Value<string>());
        Assert.Equal(3, (await (await app.Admin.GetAsync("/v1/customers/ea-retry/usage")).ReadAsync())["features"]!["capped"]!["used"].Value<long>());
    }

    [Fact]
    public async Task FiveHundredConcurrentRequestsGrantExactlyTheLimitAndRetriesCountOnce()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-plain");
        await app.CustomerAsync("ea-keyed");

        var plain = Enumerable.Range(0, 500).Select(_ => app.ConsumeAsync("ea-plain", "capped"));
        var retried = Enumerable.Range(0, 500).Select(i => app.ConsumeAsync("ea-keyed", "capped", 1, $"k{i % 60}"));
        var responses = await Task.WhenAll(plain.Concat(retried));

        Assert.Equal(100, responses.Take(500).Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(400, responses.Take(500).Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.All(responses.Skip(500), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var usage = await (await app.Admin.GetAsync("/v1/customers/ea-keyed/usage")).ReadAsync();
        Assert.Equal(60, usage["features"]!["capped"]!["used"].Value<long>());
    }

    [Fact]
    public async Task ReserveThenCommitSettlesAndReleaseGivesBack()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-reserve");

        var held = await (await app.Admin.PostJsonAsync("/v1/entitlements/reserve",
            new { customer = "ea-reserve", feature = "capped", amount = 40, ttl_seconds = 60 })).ReadAsync();
        var id = held["id"].Value<string>();
        var committed = await (await app.Admin.PostJsonAsync($"/v1/reservations/{id}/commit", new { amount = 25 })).ReadAsync();
        var second = await (await app.Admin.PostJsonAsync("/v1/entitlements/reserve",
            new { customer = "ea-reserve", feature = "capped", amount = 10 })).ReadAsync();
        var released = await (await app.Admin.PostAsync(new Uri($"/v1/reservations/{second["id"].Value<string>()}/release", UriKind.Relative), null)).ReadAsync();
        var again = await app.Admin.PostJsonAsync($"/v1/reservations/{second["id"].Value<string>()}/commit", new { amount = 1 });

        Assert.Equal((40L, 60L), (held["entitlement"]!["reserved"].Value<long>(), held["entitlement"]!["remaining"].Value<long>()));
        Assert.Equal("2026-01-15T12:01:00Z", held["expires_at"].Value<string>());
        Assert.Equal((25L, 0L, 75L), (committed["used"].Value<long>(), committed["reserved"].Value<long>(), committed["remaining"].Value<long>()));
        Assert.Equal((25L, 0L), (released["used"].Value<long>(), released["reserved"].Value<long>()));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("reservation_not_held", (await again.ReadAsync())["error"].Value<string>());
    }

    [Fact]
    public async Task ASettlementSentAgainGetsTheFirstAnswerAfterTheCountersMovedAndCountsNothing()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-settle-again");
        async Task<string> ReserveAsync() => (await (await app.Admin.PostJsonAsync("/v1/entitlements/reserve",
            new { customer = "ea-settle-again", feature = "capped", amount = 20 })).ReadAsync())["id"].Value<string>()!;
        Task<HttpResponseMessage> CommitAsync(string id, long amount) => app.Admin.PostJsonAsync($"/v1/reservations/{id}/commit", new { amount });
        Task<HttpResponseMessage> ReleaseAsync(string id) => app.Admin.PostAsync(new Uri($"/v1/reservations/{id}/release", UriKind.Relative), null);

        var (committedId, releasedId) = (await ReserveAsync(), await ReserveAsync());
        var committed = await CommitAsync(committedId, 15);
        var released = await ReleaseAsync(releasedId);
        await app.ConsumeAsync("ea-settle-again", "capped", 30);
        var commitAgain = await CommitAsync(committedId, 15);
        var releaseAgain = await ReleaseAsync(releasedId);
        var otherAmount = await CommitAsync(committedId, 16);

        Assert.Equal(((await committed.ReadAsync()).ToJsonString(), false), ((await commitAgain.ReadAsync()).ToJsonString(), committed.Headers.Contains("Idempotent-Replayed")));
        Assert.Equal("true", commitAgain.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((await released.ReadAsync()).ToJsonString(), (await releaseAgain.ReadAsync()).ToJsonString());
        Assert.Equal(15L, (await committed.ReadAsync())["used"].Value<long>());
        Assert.Equal((HttpStatusCode.Conflict, "reservation_not_held"), (otherAmount.StatusCode, (await otherAmount.ReadAsync())["error"].Value<string>()));
        Assert.Equal(45, (await (await app.Admin.GetAsync("/v1/customers/ea-settle-again/usage")).ReadAsync())["features"]!["capped"]!["used"].Value<long>());
    }

    [Fact]
    public async Task ARefusalThatHoldsAloneCauseSaysReservedAndRetriesWhenTheFirstHoldLapsesNotAtTheWindowsEnd()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-held");
        await app.ConsumeAsync("ea-held", "capped", 10);
        await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "ea-held", feature = "capped", amount = 60, ttl_seconds = 120 });
        await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "ea-held", feature = "capped", amount = 30, ttl_seconds = 600 });

        await app.CustomerAsync("ea-spent");
        await app.ConsumeAsync("ea-spent", "capped", 100);

        var refused = await app.ConsumeAsync("ea-held", "capped", 5);
        var body = await refused.ReadAsync();
        var usedUp = await (await app.ConsumeAsync("ea-spent", "capped", 1)).ReadAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(("quota_exceeded", 10L, 90L), (body["error"].Value<string>(), body["used"].Value<long>(), body["reserved"].Value<long>()));
        // The 60 held for 120 s lapse first: try again then, not at the end of the month.
        Assert.InRange(body["retry_after"].Value<long>(), 1, 120);
        Assert.Equal(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, body["retry_after"].Value<long>());
        Assert.Contains("held by reservations", body["detail"].Value<string>(), StringComparison.Ordinal);
        // A quota used up, with nothing held, is tried again at the window's end, as before.
        Assert.Null(usedUp["reserved"]);
        Assert.True(usedUp["retry_after"].Value<long>() > 86_400);
    }

    [Fact]
    public async Task ReservationPastTheCapIs429AndAnUnknownReservationIs404()
    {
        await using var app = await RulesAsync();
        await app.CustomerAsync("ea-reservecap");

        var denied = await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "ea-reservecap", feature = "capped", amount = 101 });
        var missing = await app.Admin.PostJsonAsync("/v1/reservations/rsv_nope/commit", new { amount = 1 });
        var badTtl = await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "ea-reservecap", feature = "capped", ttl_seconds = 0 });

        Assert.Equal(HttpStatusCode.TooManyRequests, denied.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badTtl.StatusCode);
    }

    [Fact]
    public async Task PublishableKeyCannotConsume()
    {
        await using var app = await RulesOwnAsync();
        var key = (await (await app.Admin.PostJsonAsync("/v1/admin/keys", new { name = "web", role = "publishable" })).ReadAsync())["key"].Value<string>()!;

        var response = await app.WithKey(key).PostJsonAsync("/v1/entitlements/consume", new { customer = "c1", feature = "capped" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}

public sealed class SqliteEntitlementsApiTests(SharedServer shared) : EntitlementsApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresEntitlementsApiTests(SharedServer shared) : EntitlementsApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
