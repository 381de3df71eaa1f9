using System.Net;
using System.Net.Http.Json;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>
/// Subscription and discount POSTs under an Idempotency-Key, as Stripe's: a retry replays the first answer (status and
/// body), another request under the key is 409 idempotency_mismatch, and duplicates sent at once make one change.
/// </summary>
public abstract partial class IdempotentBillingPostsContract : ApiContract
{
    private static readonly DateTimeOffset Apr1 = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.BillingCatalog(), Apr1);

    private static Task<HttpResponseMessage> KeyedAsync(TollgateApp app, string path, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return app.Admin.SendAsync(request);
    }

    private static async Task<(HttpStatusCode, string)> AnswerAsync(HttpResponseMessage response) =>
        (response.StatusCode, await response.Content.ReadAsStringAsync());

    [Fact]
    public async Task ARetriedCreateUnderTheSameKeyReplaysThe201AndAnotherBodyUnderItIs409()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var body = new { customer = "c1", plan = "silver", billing_period = "monthly" };

        var first = await KeyedAsync(app, "/v1/subscriptions", body, "create-1");
        var retry = await KeyedAsync(app, "/v1/subscriptions", body, "create-1");
        var other = await KeyedAsync(app, "/v1/subscriptions", new { customer = "c1", plan = "gold", billing_period = "monthly" }, "create-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(await AnswerAsync(first), await AnswerAsync(retry));
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal((false, "true"), (first.Headers.Contains("Idempotent-Replayed"), retry.Headers.GetValues("Idempotent-Replayed").Single()));
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_mismatch"), (other.StatusCode, (await other.ReadAsync())["error"].Value<string>()));
        Assert.Single((await (await app.Admin.GetAsync("/v1/customers/c1/subscriptions")).ReadAsync())["data"]!.AsArray());
        Assert.Single(await app.InvoicesAsync("c1"));
    }

    [Fact]
    public async Task AKeyLongerThan255CharactersOrWithAControlCharacterIsA400NamingItAndWritesNothing()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var body = new { customer = "c1", plan = "silver", billing_period = "monthly" };

        var tooLong = await KeyedAsync(app, "/v1/subscriptions", body, new string('k', 3_000));
        var control = await KeyedAsync(app, "/v1/subscriptions", body, "key\tone");

        foreach (var refused in new[] { tooLong, control })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.NotNull((await refused.ReadAsync())["errors"]!["Idempotency-Key"]);
        }

        Assert.Empty((await (await app.Admin.GetAsync("/v1/customers/c1/subscriptions")).ReadAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task AnEmptyKeyIsA400NamingItNotARequestRunWithoutOne()
    {
        // On a real socket: the in-memory test server drops a header with no value. It ran unkeyed, so a client's
        // retries under an empty key each subscribed.
        await using var app = await TollgateApp.StartAsync(Kind, ApiSetup.BillingCatalog(), Apr1, kestrel: true);
        await app.CustomerAsync("c1");

        var empty = await KeyedAsync(app, "/v1/subscriptions", new { customer = "c1", plan = "silver", billing_period = "monthly" }, "");

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("must be 1-255 printable characters", (await empty.ReadAsync())["errors"]!["Idempotency-Key"].Value<string>());
        Assert.Empty((await (await app.Admin.GetAsync("/v1/customers/c1/subscriptions")).ReadAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task APromotionCodeSentThreeTimesUnderOneKeyIsRedeemedOnceAndAnsweredAlike()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        (await app.Admin.PostJsonAsync("/v1/admin/coupons", new { id = "TEN", name = "Ten", percent_off = 10, duration = "forever" })).EnsureSuccessStatusCode();
        (await app.Admin.PostJsonAsync("/v1/admin/promotion-codes", new { code = "IDEM2", coupon = "TEN" })).EnsureSuccessStatusCode();
        var id = await app.SubscribeAsync("c1", "silver");

        var answers = new List<(HttpStatusCode, string)>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await AnswerAsync(await KeyedAsync(app, $"/v1/subscriptions/{id}/discount", new { promotion_code = "IDEM2" }, "discount-1")));
        }

        var code = await (await app.Admin.GetAsync("/v1/admin/promotion-codes/IDEM2")).ReadAsync();

        Assert.True(answers[0].Item1 is HttpStatusCode.OK or HttpStatusCode.Created, answers[0].Item2);
        Assert.All(answers, a => Assert.Equal(answers[0], a));
        Assert.Equal(1L, code["times_redeemed"].Value<long>());
    }

    [Fact]
    public async Task TwentyIdenticalKeyedUpgradesSentAtOnceMakeOneChangeAndAllAnswerTheSame()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "silver");
        await app.AdvanceToAsync(new DateTimeOffset(2026, 4, 16, 0, 0, 0, TimeSpan.Zero));

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
            await AnswerAsync(await KeyedAsync(app, $"/v1/subscriptions/{id}/change", new { plan = "gold" }, "upgrade-1"))));
        var retry = await AnswerAsync(await KeyedAsync(app, $"/v1/subscriptions/{id}/change", new { plan = "gold" }, "upgrade-1"));
        await app.AdvanceToAsync(new DateTimeOffset(2026, 5, 2, 0, 0, 0, TimeSpan.Zero));
        var renewal = (await app.InvoicesAsync("c1"))[^1];

        Assert.Equal(HttpStatusCode.OK, answers[0].Item1);
        Assert.All(answers, a => Assert.Equal(answers[0], a));
        Assert.Equal(answers[0], retry);
        Assert.Equal(["recurring", "proration_credit", "proration_charge"], renewal["lines"]!.AsArray().Select(l => l!["kind"].Value<string>()));
    }
}

public sealed class SqliteIdempotentBillingPostsTests : IdempotentBillingPostsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresIdempotentBillingPostsTests : IdempotentBillingPostsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does.</summary>
public sealed class TickingClockIdempotentBillingPostsTests : IdempotentBillingPostsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
