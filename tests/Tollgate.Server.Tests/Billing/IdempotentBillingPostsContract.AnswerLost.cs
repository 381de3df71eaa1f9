using System.Net;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>
/// A keyed POST whose change committed and whose answer was then lost (its save failed, or the process died): the change
/// is made once, whatever the retries; a claim whose request wrote nothing is still taken over and run. Failures are real
/// database errors, raised by triggers made on the server's own database.
/// </summary>
public abstract partial class IdempotentBillingPostsContract
{
    private const string AnswerSave = "UPDATE OF status_code ON idempotent_requests";
    private const string EndMark = "UPDATE OF answered_at ON idempotent_requests";

    [Fact]
    public async Task AnAnswerWhoseSaveFailsStillReachesTheClientAndARetryIsToldTheChangeWasMadeWithoutMakingItAgain()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await PromotionCodeAsync(app, "LOST1");
        var body = new { customer = "c1", plan = "silver", billing_period = "monthly", promotion_code = "LOST1" };
        await FailAsync(app, "answer_save", AnswerSave);

        var first = await KeyedAsync(app, "/v1/subscriptions", body, "create-lost");
        var retry = await KeyedAsync(app, "/v1/subscriptions", body, "create-lost");
        await HealAsync(app, "answer_save");
        var healed = await KeyedAsync(app, "/v1/subscriptions", body, "create-lost");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await first.ReadAsync();
        Assert.Equal($"/v1/subscriptions/{created["id"].Value<string>()}", first.Headers.Location?.ToString());
        foreach (var again in new[] { retry, healed })
        {
            Assert.Equal((HttpStatusCode.Conflict, "idempotency_answer_lost"), (again.StatusCode, (await again.ReadAsync())["error"].Value<string>()));
        }

        Assert.Single((await (await app.Admin.GetAsync("/v1/customers/c1/subscriptions")).ReadAsync())["data"]!.AsArray());
        Assert.Equal(1L, (await (await app.Admin.GetAsync("/v1/admin/promotion-codes/LOST1")).ReadAsync())["times_redeemed"].Value<long>());
    }

    [Fact]
    public async Task AClaimAppliedWithNoAnswerIsNotTakenOverAfterTwoMinutesAndItsCodeStaysRedeemedOnce()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await PromotionCodeAsync(app, "LOST2");
        var id = await app.SubscribeAsync("c1", "silver");
        // As a process that died after the change committed: neither the answer nor the request's end is written.
        await FailAsync(app, "answer_save", AnswerSave);
        await FailAsync(app, "end_mark", EndMark);

        var first = await KeyedAsync(app, $"/v1/subscriptions/{id}/discount", new { promotion_code = "LOST2" }, "discount-lost");
        await HealAsync(app, "answer_save");
        await HealAsync(app, "end_mark");
        await app.AdvanceAsync(TimeSpan.FromMinutes(3));
        var retry = await KeyedAsync(app, $"/v1/subscriptions/{id}/discount", new { promotion_code = "LOST2" }, "discount-lost");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_answer_lost"), (retry.StatusCode, (await retry.ReadAsync())["error"].Value<string>()));
        Assert.Equal(1L, (await (await app.Admin.GetAsync("/v1/admin/promotion-codes/LOST2")).ReadAsync())["times_redeemed"].Value<long>());
    }

    [Fact]
    public async Task A5xxAfterTheChangeCommittedKeepsTheKeySoARetryIsToldTheChangeWasMadeInsteadOfRunningIt()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var experiment = (await (await app.Admin.PostJsonAsync("/v1/admin/experiments", new
        {
            name = "Silver at $9.99",
            variants = new object[]
            {
                new { key = "control", weight = 1 },
                new { key = "cheaper", weight = 1, prices = new object[] { new { plan = "silver", billing_period = "monthly", price_cents = 999 } } },
            },
        })).ReadAsync())["id"].Value<string>()!;
        (await app.Admin.PostAsync($"/v1/admin/experiments/{experiment}/start", null)).EnsureSuccessStatusCode();
        await SqlAsync(app, $"INSERT INTO experiment_exposures (experiment_id, visitor_id, variant, exposed_at) VALUES ('{experiment}', 'v1', 'control', 0)");
        // The subscription commits; the conversion counted after it, in a transaction of its own, fails.
        await FailAsync(app, "conversion", "INSERT ON experiment_conversions");
        var body = new { customer = "c1", plan = "silver", billing_period = "monthly", visitor_id = "v1" };

        var first = await KeyedAsync(app, "/v1/subscriptions", body, "create-then-fail");
        var retry = await KeyedAsync(app, "/v1/subscriptions", body, "create-then-fail");

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_answer_lost"), (retry.StatusCode, (await retry.ReadAsync())["error"].Value<string>()));
        Assert.Single((await (await app.Admin.GetAsync("/v1/customers/c1/subscriptions")).ReadAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task AClaimWhoseRequestWroteNothingAndWasLostIsTakenOverAfterTwoMinutesAndRunsOnce()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var body = new { customer = "c1", plan = "silver", billing_period = "monthly" };
        // As a process that died before its change committed: the change fails, and the key is neither let go nor ended.
        await FailAsync(app, "change", "INSERT ON subscriptions");
        await FailAsync(app, "let_go", "DELETE ON idempotent_requests");
        await FailAsync(app, "end_mark", EndMark);

        var first = await KeyedAsync(app, "/v1/subscriptions", body, "create-abandoned");
        foreach (var name in new[] { "change", "let_go", "end_mark" })
        {
            await HealAsync(app, name);
        }

        await app.AdvanceAsync(TimeSpan.FromMinutes(3));
        var retry = await KeyedAsync(app, "/v1/subscriptions", body, "create-abandoned");
        var replay = await KeyedAsync(app, "/v1/subscriptions", body, "create-abandoned");

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal((HttpStatusCode.Created, "true"), (replay.StatusCode, replay.Headers.GetValues("Idempotent-Replayed").Single()));
        Assert.Single((await (await app.Admin.GetAsync("/v1/customers/c1/subscriptions")).ReadAsync())["data"]!.AsArray());
    }

    private static async Task PromotionCodeAsync(TollgateApp app, string code)
    {
        (await app.Admin.PostJsonAsync("/v1/admin/coupons", new { id = $"C{code}", name = "Ten", percent_off = 10, duration = "forever" })).EnsureSuccessStatusCode();
        (await app.Admin.PostJsonAsync("/v1/admin/promotion-codes", new { code, coupon = $"C{code}" })).EnsureSuccessStatusCode();
    }

    /// <summary>A trigger that fails every <paramref name="when"/> (such as "DELETE ON t") with a database error.</summary>
    private Task FailAsync(TollgateApp app, string name, string when) => SqlAsync(app, Kind == StoreKind.Postgres
        ? $"""
            CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$;
            CREATE TRIGGER injected_{name} BEFORE {when} FOR EACH ROW EXECUTE FUNCTION injected_failure();
            """
        : $"CREATE TRIGGER injected_{name} BEFORE {when} BEGIN SELECT RAISE(ABORT, 'injected'); END");

    private Task HealAsync(TollgateApp app, string name) => SqlAsync(app, Kind == StoreKind.Postgres
        ? $"DO $$ DECLARE t text; BEGIN SELECT tgrelid::regclass::text INTO t FROM pg_trigger WHERE tgname = 'injected_{name}'; "
            + $"EXECUTE format('DROP TRIGGER injected_{name} ON %s', t); END $$"
        : $"DROP TRIGGER injected_{name}");

    private static Task SqlAsync(TollgateApp app, string sql) =>
        app.Get<TollgateDatabase>().WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(sql, transaction: tx)));
}
