using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Payments;

/// <summary>Changes and cancels of a Stripe-billed subscription through Tollgate's API, which asks Stripe and stores its answer.</summary>
public abstract class StripeSubscriptionContract : ApiContract
{
    private static string? Text(JsonNode? node, string name) => node?[name].Value<string>();

    private async Task<(PaymentsHarness H, JsonObject Stripe, string Id)> SubscribedAsync(StoreKind kind, string plan = "pro")
    {
        var h = await PaymentsHarness.StartAsync(kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var stripe = await h.SubscribeAsync("ada", plan);
        return (h, stripe, Text((await h.SubscriptionsAsync("ada"))[0], "id")!);
    }

    [Fact]
    public async Task AChangeUpdatesTheStripeItemsPriceWithoutStripeProrationsAndTheLaterWebhookAppliesNothingTwice()
    {
        var (h, stripe, id) = await SubscribedAsync(Kind);
        await using var _ = h;
        await h.App.AdvanceAsync(TimeSpan.FromDays(10));

        var response = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "basic", proration = "create_prorations" });
        var body = await response.ReadAsync();
        var update = h.Stripe.Requests.Single(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{stripe["id"]}");
        var events = await h.ScalarAsync<long>("SELECT COUNT(*) FROM subscription_events");
        var updated = await h.DeliverAsync("customer.subscription.updated", h.Stripe.Subscription(Text(stripe, "id")!));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("basic", "immediate"), (Text(body["subscription"], "plan"), Text(body, "effective")));
        Assert.Equal(stripe["items"]!["data"]![0]!["id"]!.GetValue<string>(), update.Form["items[0][id]"]);
        Assert.Equal(("price_basic_monthly", "none"), (update.Form["items[0][price]"], update.Form["proration_behavior"]));
        Assert.NotNull(update.IdempotencyKey);
        Assert.Equal("price_basic_monthly", h.Stripe.Subscription(Text(stripe, "id")!)["items"]!["data"]![0]!["price"]!["id"]!.GetValue<string>());
        Assert.Equal(2, body["lines"]!.AsArray().Count);
        Assert.Equal("ok", Text(updated, "outcome"));
        Assert.Equal(events, await h.ScalarAsync<long>("SELECT COUNT(*) FROM subscription_events"));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM subscription_events WHERE reason = 'plan_changed'"));
        Assert.Equal(2L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM pending_invoice_items"));
        Assert.Equal("basic", Text((await h.SubscriptionsAsync("ada")).Single(), "plan"));
    }

    [Fact]
    public async Task AChangeToAPlanWithoutAStripePriceIsRefusedNamingItAndStripeIsNotCalled()
    {
        var (h, _, id) = await SubscribedAsync(Kind);
        await using var _h = h;
        var before = h.Stripe.Requests.Count;

        var response = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "team", proration = "create_prorations" });
        var problem = await response.ReadAsync();

        Assert.Equal(((HttpStatusCode)422, "price_not_linked"), (response.StatusCode, Text(problem, "error")));
        Assert.Contains("'team'", problem["errors"]!["plan"].Value<string>(), StringComparison.Ordinal);
        Assert.Contains("stripe_price_id", Text(problem, "detail"), StringComparison.Ordinal);
        Assert.Equal(before, h.Stripe.Requests.Count);
        Assert.Equal("pro", Text((await h.SubscriptionsAsync("ada")).Single(), "plan"));
    }

    [Fact]
    public async Task AScheduledChangeIsRefusedBecauseStripeChangesAtOnce()
    {
        var (h, _, id) = await SubscribedAsync(Kind);
        await using var _h = h;

        var response = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change",
            new { plan = "basic", effective = "period_end", proration = "create_prorations" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.ReadAsync())["errors"]!["effective"]);
        Assert.DoesNotContain(h.Stripe.Requests, r => r.Method == "POST" && r.Path.StartsWith("/v1/subscriptions/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CancelAtPeriodEndAsksStripeAndUndoKeepsTheSubscription()
    {
        var (h, stripe, id) = await SubscribedAsync(Kind);
        await using var _ = h;

        var cancel = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = true });
        var scheduled = (await h.SubscriptionsAsync("ada")).Single()!;
        var undo = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/undo-cancel", new { });
        var kept = (await h.SubscriptionsAsync("ada")).Single()!;

        var calls = h.Stripe.Requests.Where(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{stripe["id"]}").ToList();
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (cancel.StatusCode, undo.StatusCode));
        Assert.Equal(["true", "false"], calls.Select(c => c.Form["cancel_at_period_end"]));
        Assert.Equal(("period_end", true), (Text(await cancel.ReadAsync(), "effective"), scheduled["cancel_at_period_end"].Value<bool>()));
        Assert.Equal(("active", false), (Text(kept, "status"), kept["cancel_at_period_end"].Value<bool>()));
        Assert.False(h.Stripe.Subscription(Text(stripe, "id")!)["cancel_at_period_end"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ACancelStripesPortalSchedulesByDateAtThePeriodEndIsACancelAtPeriodEndAndUndoUnsetsTheDate()
    {
        var (h, stripe, id) = await SubscribedAsync(Kind);
        await using var _h = h;
        var stripeId = Text(stripe, "id")!;
        // Flexible billing and newer API versions: the portal sets cancel_at to the period's end and leaves the flag false.
        var portal = h.Stripe.CancelInPortalByDate(stripeId, "too_expensive");

        var synced = await h.DeliverAsync("customer.subscription.updated", portal, h.App.Clock.GetUtcNow().AddSeconds(1));
        var scheduled = (await h.SubscriptionsAsync("ada")).Single()!;
        await h.App.AdvanceAsync(TimeSpan.FromSeconds(2));
        var undo = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/undo-cancel", new { });
        var kept = (await h.SubscriptionsAsync("ada")).Single()!;

        var calls = h.Stripe.Requests.Where(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{stripeId}").ToList();
        Assert.Equal(("ok", false), (Text(synced, "outcome"), portal["cancel_at_period_end"]!.GetValue<bool>()));
        Assert.Equal((true, "too_expensive"), (scheduled["cancel_at_period_end"].Value<bool>(), Text(scheduled, "cancel_reason")));
        Assert.Equal(HttpStatusCode.OK, undo.StatusCode);
        Assert.Equal(("false", ""), (calls[^2].Form["cancel_at_period_end"], calls[^1].Form["cancel_at"]));
        Assert.Null(h.Stripe.Subscription(stripeId)["cancel_at"]);
        Assert.Equal(("active", false), (Text(kept, "status"), kept["cancel_at_period_end"].Value<bool>()));
    }

    [Fact]
    public async Task ACancelStripeSchedulesOnAnotherDateIsNotTakenForOneAtThePeriodEnd()
    {
        var (h, stripe, _) = await SubscribedAsync(Kind);
        await using var _h = h;
        var portal = h.Stripe.Subscription(Text(stripe, "id")!);
        portal["cancel_at"] = portal["items"]!["data"]![0]!["current_period_end"]!.GetValue<long>() - 86_400 * 10;

        await h.DeliverAsync("customer.subscription.updated", portal, h.App.Clock.GetUtcNow().AddSeconds(1));

        Assert.False((await h.SubscriptionsAsync("ada")).Single()!["cancel_at_period_end"].Value<bool>());
    }

    [Fact]
    public async Task ACancelUndoneInStripesPortalTakesItsReasonWithIt()
    {
        var (h, stripe, id) = await SubscribedAsync(Kind);
        await using var _ = h;

        var cancel = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = true, reason = "too_expensive" });
        var scheduled = (await h.SubscriptionsAsync("ada")).Single()!;
        var undone = h.Stripe.Subscription(Text(stripe, "id")!);
        undone["cancel_at_period_end"] = false;
        undone["cancel_at"] = null; // Stripe clears the date the flag set
        undone["canceled_at"] = null;
        await h.DeliverAsync("customer.subscription.updated", undone);
        var kept = (await h.SubscriptionsAsync("ada")).Single()!;

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("too_expensive", Text(scheduled, "cancel_reason"));
        Assert.Equal((false, null), (kept["cancel_at_period_end"].Value<bool>(), Text(kept, "cancel_reason")));
    }

    [Fact]
    public async Task AnUndoStripeStampsInTheSameSecondAsTollgatesCancelIsAppliedNotDroppedAsStale()
    {
        var (h, stripe, id) = await SubscribedAsync(Kind);
        await using var _ = h;
        var second = DateTimeOffset.FromUnixTimeSeconds(h.App.Clock.GetUtcNow().ToUnixTimeSeconds() + 1);
        h.App.Clock.SetUtcNow(second.AddMilliseconds(450)); // Tollgate's cancel lands at .450 of a second; Stripe stamps whole ones

        await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = true, reason = "too_expensive" });
        var undone = h.Stripe.Subscription(Text(stripe, "id")!);
        undone["cancel_at_period_end"] = false;
        undone["cancel_at"] = null; // Stripe clears the date the flag set
        undone["canceled_at"] = null;
        var outcome = await h.DeliverAsync("customer.subscription.updated", undone, created: second);
        var kept = (await h.SubscriptionsAsync("ada")).Single()!;

        Assert.Equal("ok", Text(outcome, "outcome"));
        Assert.False(kept["cancel_at_period_end"].Value<bool>());
    }

    [Fact]
    public async Task ACancelAtPeriodEndSendsItsReasonAndCommentToStripeAsCancellationDetailsAndKeepsThem()
    {
        var (h, stripe, id) = await SubscribedAsync(Kind);
        await using var _ = h;

        var cancel = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel",
            new { at_period_end = true, reason = "missing_features", comment = "No SSO & no audit log" });
        var answer = await cancel.ReadAsync();
        var scheduled = (await h.SubscriptionsAsync("ada")).Single()!;

        var call = h.Stripe.Requests.Single(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{stripe["id"]}");
        var details = h.Stripe.Subscription(Text(stripe, "id")!)["cancellation_details"]!;
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(("true", "missing_features", "No SSO & no audit log"),
            (call.Form["cancel_at_period_end"], call.Form["cancellation_details[feedback]"], call.Form["cancellation_details[comment]"]));
        Assert.Equal(("missing_features", "No SSO & no audit log"), (Text(details, "feedback"), Text(details, "comment")));
        Assert.Equal(("missing_features", "No SSO & no audit log"), (Text(answer["subscription"], "cancel_reason"), Text(answer["subscription"], "cancel_comment")));
        Assert.Equal(("missing_features", "No SSO & no audit log"), (Text(scheduled, "cancel_reason"), Text(scheduled, "cancel_comment")));
    }

    [Fact]
    public async Task ARetriedCancelAtPeriodEndThatChangesOnlyTheCommentGetsItsOwnIdempotencyKeyAndSucceeds()
    {
        var (h, stripe, id) = await SubscribedAsync(Kind);
        await using var _ = h;
        h.Stripe.LoseNextAnswers(3); // Stripe acts on the first cancel, but none of its three attempts hears back

        var lost = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = true, reason = "too_expensive", comment = "Too dear" });
        var retry = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel",
            new { at_period_end = true, reason = "too_expensive", comment = "Too dear for three seats" });
        var scheduled = (await h.SubscriptionsAsync("ada")).Single()!;

        var calls = h.Stripe.Requests.Where(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{stripe["id"]}").ToList();
        Assert.Equal((HttpStatusCode.BadGateway, HttpStatusCode.OK), (lost.StatusCode, retry.StatusCode));
        Assert.Equal([503, 503, 503, 200], calls.Select(c => c.Status));
        Assert.NotEqual(calls[0].IdempotencyKey, calls[3].IdempotencyKey);
        Assert.Equal("Too dear for three seats", Text(h.Stripe.Subscription(Text(stripe, "id")!)["cancellation_details"], "comment"));
        Assert.Equal((true, "too_expensive", "Too dear for three seats"),
            (scheduled["cancel_at_period_end"].Value<bool>(), Text(scheduled, "cancel_reason"), Text(scheduled, "cancel_comment")));
    }

    [Fact]
    public async Task ACancelNowSendsCancellationDetailsWithTheDeleteAndALaterCancelWithoutAReasonKeepsTheFirst()
    {
        var (h, stripe, id) = await SubscribedAsync(Kind);
        await using var _ = h;
        await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = true, reason = "too_expensive", comment = "Half the price" });

        var cancel = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = false });
        var ended = (await h.SubscriptionsAsync("ada")).Single()!;

        var delete = h.Stripe.Requests.Single(r => r.Method == "DELETE" && r.Path == $"/v1/subscriptions/{stripe["id"]}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.False(delete.Form.ContainsKey("cancellation_details[feedback]")); // nothing new to tell Stripe
        Assert.Equal(("canceled", "too_expensive", "Half the price"), (Text(ended, "status"), Text(ended, "cancel_reason"), Text(ended, "cancel_comment")));
    }

    [Fact]
    public async Task ACancelNowWithAReasonSendsItAsCancellationDetailsInTheDeleteQuery()
    {
        var (h, stripe, id) = await SubscribedAsync(Kind);
        await using var _ = h;

        var cancel = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = false, reason = "switched_service", comment = "Moved" });
        var ended = (await h.SubscriptionsAsync("ada")).Single()!;

        var delete = h.Stripe.Requests.Single(r => r.Method == "DELETE" && r.Path == $"/v1/subscriptions/{stripe["id"]}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(("switched_service", "Moved"), (delete.Form["cancellation_details[feedback]"], delete.Form["cancellation_details[comment]"]));
        Assert.Equal("switched_service", Text(h.Stripe.Subscription(Text(stripe, "id")!)["cancellation_details"], "feedback"));
        Assert.Equal(("canceled", "switched_service", "Moved"), (Text(ended, "status"), Text(ended, "cancel_reason"), Text(ended, "cancel_comment")));
    }

    [Fact]
    public async Task ACancelMadeInStripesPortalBringsItsFeedbackAsTheReasonAndADeletedEventKeepsAReasonTollgateHas()
    {
        var (h, stripe, _) = await SubscribedAsync(Kind);
        await using var _h = h;
        var portal = h.Stripe.Subscription(Text(stripe, "id")!);
        portal["cancel_at_period_end"] = true;
        portal["canceled_at"] = h.App.Clock.GetUtcNow().ToUnixTimeSeconds();
        portal["cancellation_details"] = new JsonObject { ["feedback"] = "low_quality", ["comment"] = "Too many bugs", ["reason"] = "cancellation_requested" };

        await h.DeliverAsync("customer.subscription.updated", portal);
        var scheduled = (await h.SubscriptionsAsync("ada")).Single()!;
        portal["status"] = "canceled";
        portal["cancellation_details"]!["feedback"] = "other";
        var deleted = await h.DeliverAsync("customer.subscription.deleted", portal, h.App.Clock.GetUtcNow().AddSeconds(1));
        var ended = (await h.SubscriptionsAsync("ada")).Single()!;

        Assert.Equal((true, "low_quality", "Too many bugs"), (scheduled["cancel_at_period_end"].Value<bool>(), Text(scheduled, "cancel_reason"), Text(scheduled, "cancel_comment")));
        Assert.Equal(("ok", "canceled", "low_quality"), (Text(deleted, "outcome"), Text(ended, "status"), Text(ended, "cancel_reason")));
    }

    [Fact]
    public async Task AStripeDeletedEventWithFeedbackSetsTheReasonOfASubscriptionThatHasNone()
    {
        var (h, stripe, _) = await SubscribedAsync(Kind);
        await using var _h = h;
        var gone = h.Stripe.Subscription(Text(stripe, "id")!);
        gone["status"] = "canceled";
        gone["cancellation_details"] = new JsonObject { ["feedback"] = "unused", ["comment"] = null, ["reason"] = "cancellation_requested" };

        var deleted = await h.DeliverAsync("customer.subscription.deleted", gone);
        var ended = (await h.SubscriptionsAsync("ada")).Single()!;

        Assert.Equal(("ok", "canceled", "unused", null), (Text(deleted, "outcome"), Text(ended, "status"), Text(ended, "cancel_reason"), Text(ended, "cancel_comment")));
    }

    [Fact]
    public async Task ADeletedEventDeliveredLateEndsTheSubscriptionWhenStripeEndedItNotWhenItArrived()
    {
        var (h, stripe, _) = await SubscribedAsync(Kind);
        await using var _h = h;
        await h.App.AdvanceAsync(TimeSpan.FromDays(5));
        var endedInStripe = h.App.Clock.GetUtcNow().AddDays(-2);
        var gone = h.Stripe.Subscription(Text(stripe, "id")!);
        gone["status"] = "canceled";
        gone["ended_at"] = endedInStripe.ToUnixTimeSeconds();
        gone["canceled_at"] = endedInStripe.ToUnixTimeSeconds();

        // Stripe retried the event for two days before it got through.
        var deleted = await h.DeliverAsync("customer.subscription.deleted", gone, endedInStripe);
        var ended = (await h.SubscriptionsAsync("ada")).Single()!;

        var at = DateTimeOffset.FromUnixTimeSeconds(endedInStripe.ToUnixTimeSeconds());
        Assert.Equal(("ok", "canceled"), (Text(deleted, "outcome"), Text(ended, "status")));
        Assert.Equal(at, DateTimeOffset.Parse(Text(ended, "ended_at")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(at.ToUnixTimeMilliseconds(), await h.ScalarAsync<long>("SELECT at FROM subscription_events WHERE reason = 'canceled'"));
    }

    [Fact]
    public async Task AnEndDatedBeforeTheSubscriptionsLastChangeIsKeptAtThatChange()
    {
        var (h, stripe, _) = await SubscribedAsync(Kind);
        await using var _h = h;
        var created = (await h.SubscriptionsAsync("ada")).Single()!;
        var gone = h.Stripe.Subscription(Text(stripe, "id")!);
        gone["status"] = "canceled";
        gone["ended_at"] = DateTimeOffset.Parse(Text(created, "current_period_start")!, System.Globalization.CultureInfo.InvariantCulture).AddDays(-30).ToUnixTimeSeconds();
        await h.App.AdvanceAsync(TimeSpan.FromHours(1));

        await h.DeliverAsync("customer.subscription.deleted", gone);
        var ended = (await h.SubscriptionsAsync("ada")).Single()!;

        // Ending before the last recorded change would replay the history out of order, and MRR with it.
        var last = await h.ScalarAsync<long>("SELECT MAX(at) FROM subscription_events WHERE reason <> 'canceled'");
        Assert.Equal(last, await h.ScalarAsync<long>("SELECT at FROM subscription_events WHERE reason = 'canceled'"));
        Assert.True(DateTimeOffset.Parse(Text(ended, "ended_at")!, System.Globalization.CultureInfo.InvariantCulture) >= DateTimeOffset.Parse(Text(created, "current_period_start")!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task CancelNowDeletesTheStripeSubscriptionAndStripesDeletedEventChangesNothingMore()
    {
        var (h, stripe, id) = await SubscribedAsync(Kind);
        await using var _ = h;
        await h.App.AdvanceAsync(TimeSpan.FromDays(3));

        var cancel = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = false });
        var deleted = await h.DeliverAsync("customer.subscription.deleted", h.Stripe.Subscription(Text(stripe, "id")!));
        var consume = await (await h.App.ConsumeAsync("ada", "api_calls")).ReadAsync();

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Single(h.Stripe.Requests, r => r.Method == "DELETE" && r.Path == $"/v1/subscriptions/{stripe["id"]}");
        Assert.Equal("canceled", h.Stripe.Subscription(Text(stripe, "id")!)["status"]!.GetValue<string>());
        Assert.Contains(Text(deleted, "outcome"), new[] { "stale", "ignored" });
        Assert.Equal("canceled", Text((await h.SubscriptionsAsync("ada")).Single(), "status"));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM subscription_events WHERE reason = 'canceled'"));
        Assert.Equal("free", Text(consume, "plan"));
    }

    [Fact]
    public async Task AddingAStripePriceIdLinksTheCurrentVersionInPlaceSoItsSubscribersStayOnALinkedVersion()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, [.. PaymentsHarness.CatalogPrices, "price_team_monthly"], extra: ClockSettings);
        await h.App.CustomerAsync("bob");
        await h.App.CustomerAsync("cy");
        var bob = await h.App.SubscribeAsync("bob", "team");
        var linked = Catalogs.Payments.Replace("\"price_cents\": 5000 }", "\"price_cents\": 5000, \"stripe_price_id\": \"price_team_monthly\" }",
            StringComparison.Ordinal);

        var dryRun = await (await h.App.Admin.PutJsonAsync("/v1/admin/catalog?dry_run=true", linked)).ReadAsync();
        var apply = await h.App.Admin.PutJsonAsync("/v1/admin/catalog", linked);
        var again = await h.App.Admin.PutJsonAsync("/v1/admin/catalog", linked);
        await h.SubscribeAsync("cy", "team");

        // The dry run's diff said new_version: true beside "stripe_price_id set on version 1".
        Assert.False(dryRun["diff"]!["plans"]!.AsArray().Single(p => Text(p, "code") == "team")!["new_version"].Value<bool>());
        Assert.Equal(HttpStatusCode.OK, apply.StatusCode);
        Assert.Contains("stripe_price_id set on version 1", (await apply.ReadAsync()).ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM plan_versions WHERE plan_code = 'team'"));
        Assert.Equal("price_team_monthly", await h.ScalarAsync<string>(
            "SELECT p.stripe_price_id FROM plan_prices p JOIN subscriptions s ON s.plan_version_id = p.plan_version_id WHERE s.id = @bob", new { bob }));
        Assert.Equal(("team", 1), (Text((await h.SubscriptionsAsync("cy")).Single(), "plan"),
            (await h.SubscriptionsAsync("cy")).Single()!["plan_version"].Value<int>()));
        Assert.Contains(h.Stripe.Requests, r => r.Path == "/v1/checkout/sessions" && r.Form["line_items[0][price]"] == "price_team_monthly");
    }

    [Fact]
    public async Task ChangingAPriceStillMakesANewVersion()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        var raised = Catalogs.Payments.Replace("\"price_cents\": 5000 }", "\"price_cents\": 6000 }", StringComparison.Ordinal);

        var apply = await h.App.Admin.PutJsonAsync("/v1/admin/catalog", raised);

        Assert.Equal(HttpStatusCode.OK, apply.StatusCode);
        Assert.Equal(2L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM plan_versions WHERE plan_code = 'team'"));
    }
}

public sealed class SqliteStripeSubscriptionTests : StripeSubscriptionContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresStripeSubscriptionTests : StripeSubscriptionContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingStripeSubscriptionTests : StripeSubscriptionContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
