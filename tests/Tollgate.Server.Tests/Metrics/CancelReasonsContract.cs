using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Metrics;

/// <summary>A cancel says why (Stripe's feedback set) and what the customer wrote; the SaaS stats break churn down by it.</summary>
public abstract class CancelReasonsContract(SharedServer shared) : ApiContract(shared)
{
    private static DateTimeOffset Utc(int y, int m, int d) => new(y, m, d, 0, 0, 0, TimeSpan.Zero);

    private static Task<HttpResponseMessage> CancelAsync(TollgateApp app, string id, object body) =>
        app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", body);

    [Fact]
    public async Task CancelKeepsTheReasonAndCommentOnTheSubscriptionUntilTheCancelIsUndone()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog());
        await app.CustomerAsync("ada-undo");
        var id = await app.SubscribeAsync("ada-undo", "pro", trialDays: 0);

        var canceled = await (await CancelAsync(app, id, new { reason = "too_expensive", comment = "Half the price and I stay." })).ReadAsync();
        var read = await app.SubscriptionAsync(id);
        (await app.Admin.PostAsync($"/v1/subscriptions/{id}/undo-cancel", null)).EnsureSuccessStatusCode();
        var kept = await app.SubscriptionAsync(id);

        Assert.Equal(("too_expensive", "Half the price and I stay."),
            (canceled["subscription"]!["cancel_reason"].Value<string>(), canceled["subscription"]!["cancel_comment"].Value<string>()));
        Assert.Equal(("too_expensive", "Half the price and I stay."), (read["cancel_reason"].Value<string>(), read["cancel_comment"].Value<string>()));
        Assert.Equal((null, null), (kept["cancel_reason"].Value<string>(), kept["cancel_comment"].Value<string>()));
    }

    [Fact]
    public async Task EndingAtOnceAScheduledCancelWithoutAReasonKeepsTheReasonGivenFirst()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog());
        await app.CustomerAsync("ada-ending");
        var id = await app.SubscribeAsync("ada-ending", "pro", trialDays: 0);

        (await CancelAsync(app, id, new { reason = "switched_service", comment = "Moved to a rival." })).EnsureSuccessStatusCode();
        var ended = await CancelAsync(app, id, new { at_period_end = false });
        var read = await app.SubscriptionAsync(id);

        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Equal(("canceled", "switched_service", "Moved to a rival."),
            (read["status"].Value<string>(), read["cancel_reason"].Value<string>(), read["cancel_comment"].Value<string>()));
    }

    [Fact]
    public async Task ASecondCancelWithANewReasonReplacesReasonAndCommentAsAPair()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog());
        await app.CustomerAsync("ada-second");
        var id = await app.SubscribeAsync("ada-second", "pro", trialDays: 0);

        (await CancelAsync(app, id, new { reason = "too_expensive", comment = "Half the price and I stay." })).EnsureSuccessStatusCode();
        (await CancelAsync(app, id, new { reason = "unused" })).EnsureSuccessStatusCode();
        var newReason = await app.SubscriptionAsync(id);
        (await CancelAsync(app, id, new { comment = "Back in spring." })).EnsureSuccessStatusCode();
        var newComment = await app.SubscriptionAsync(id);

        Assert.Equal(("unused", null), (newReason["cancel_reason"].Value<string>(), newReason["cancel_comment"].Value<string>()));
        Assert.Equal(("unused", "Back in spring."), (newComment["cancel_reason"].Value<string>(), newComment["cancel_comment"].Value<string>()));
    }

    [Fact]
    public async Task ACommentIsMeasuredInCharactersSoAThousandEmojiFit()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog());
        await app.CustomerAsync("ada-emoji");
        var id = await app.SubscribeAsync("ada-emoji", "pro", trialDays: 0);
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 1000)); // 2,000 UTF-16 units

        var tooLong = await CancelAsync(app, id, new { reason = "other", comment = emoji + "x" });
        var fits = await CancelAsync(app, id, new { reason = "other", comment = emoji });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.OK), (tooLong.StatusCode, fits.StatusCode));
        Assert.Equal(emoji, (await app.SubscriptionAsync(id))["cancel_comment"].Value<string>());
    }

    [Theory]
    [InlineData("too_pricey", null, "reason")]
    [InlineData("other", 1001, "comment")]
    public async Task AnUnknownReasonOrTooLongACommentIsA400NamingItAndCancelsNothing(string reason, int? commentLength, string field)
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog());
        await app.CustomerAsync($"ada-{field}");
        var id = await app.SubscribeAsync($"ada-{field}", "pro", trialDays: 0);

        var response = await CancelAsync(app, id, new { reason, comment = commentLength is { } n ? new string('x', n) : null });
        var problem = await response.ReadAsync();
        var subscription = await app.SubscriptionAsync(id);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(problem["errors"]![field]);
        Assert.Equal((false, null), (subscription["cancel_at_period_end"].Value<bool>(), subscription["cancel_reason"].Value<string>()));
    }

    [Fact]
    public async Task SaasStatsBreakChurnDownByCancelReason()
    {
        await using var app = await StartOwnAsync(ApiSetup.BillingCatalog(), Utc(2026, 1, 10));
        var subscriptions = new Dictionary<string, string>();
        foreach (var customer in new[] { "ada", "bob", "cy", "dee" })
        {
            await app.CustomerAsync(customer);
            subscriptions[customer] = await app.SubscribeAsync(customer, "pro", trialDays: 0, collection: "charge_automatically");
        }

        await app.AdvanceToAsync(Utc(2026, 2, 20));
        (await CancelAsync(app, subscriptions["ada"], new { at_period_end = false, reason = "too_expensive" })).EnsureSuccessStatusCode();
        (await CancelAsync(app, subscriptions["bob"], new { at_period_end = false, reason = "too_expensive", comment = "pricey" })).EnsureSuccessStatusCode();
        (await CancelAsync(app, subscriptions["cy"], new { reason = "switched_service" })).EnsureSuccessStatusCode();
        (await CancelAsync(app, subscriptions["dee"], new { at_period_end = false })).EnsureSuccessStatusCode();
        await app.AdvanceToAsync(Utc(2026, 3, 15)); // cy's cancel takes effect at its period end, 2026-03-10

        var stats = await (await app.Admin.GetAsync("/v1/admin/stats/saas?from=2026-02-01&to=2026-04-01")).ReadAsync();
        var byReason = stats["churn_by_reason"]!.AsArray().ToDictionary(r => r!["reason"].Value<string>()!, r => r!);

        Assert.Equal(["switched_service", "too_expensive", "unspecified"], byReason.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((2, 1, 1), (byReason["too_expensive"]["customers"].Value<int>(), byReason["switched_service"]["customers"].Value<int>(),
            byReason["unspecified"]["customers"].Value<int>()));
        Assert.Equal((-60.00m, -30.00m, -30.00m), (byReason["too_expensive"]["mrr"].Value<decimal>(),
            byReason["switched_service"]["mrr"].Value<decimal>(), byReason["unspecified"]["mrr"].Value<decimal>()));
        Assert.Equal(stats["movements"]!["churn"].Value<decimal>(), byReason.Values.Sum(r => r["mrr"].Value<decimal>()));
        Assert.Equal(4, stats["churned_customers"].Value<int>());
    }
}

public sealed class SqliteCancelReasonsTests(SharedServer shared) : CancelReasonsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCancelReasonsTests(SharedServer shared) : CancelReasonsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingCancelReasonsTests(SharedServer shared) : CancelReasonsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
