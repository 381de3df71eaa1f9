using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Client.Webhooks;
using Tollgate.Server.Webhooks;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Webhooks;

public abstract class WebhooksApiContract(SharedServer shared) : ApiContract(shared, wholeClass: false)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 30, 0, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> AppAsync(bool allowPrivateTargets = true) => StartAsync(ApiSetup.AlertsCatalog(allowPrivateTargets), Start);

    private static async Task<(string Id, string Secret)> EndpointAsync(TollgateApp app, WebhookReceiver receiver, params string[] events)
    {
        var created = await (await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints",
            new { url = receiver.Url.ToString(), description = "the app", events })).ReadAsync();
        return (created["id"].Value<string>()!, created["secret"].Value<string>()!);
    }

    private static async Task<JsonNode> DeliveryAsync(TollgateApp app, string id) =>
        await (await app.Admin.GetAsync($"/v1/admin/webhook-deliveries/{id}")).ReadAsync();

    /// <summary>Every delivery, all pages read, newest first.</summary>
    protected static Task<JsonArray> DeliveriesAsync(TollgateApp app, string query = "") =>
        app.Admin.ReadAllAsync($"/v1/admin/webhook-deliveries{query}");

    /// <summary>Waits (real time) until the delivery's attempts reach <paramref name="attempts"/>.</summary>
    private static Task<JsonNode> AttemptedAsync(TollgateApp app, string id, int attempts) =>
        RealTime.UntilAsync(() => DeliveryAsync(app, id), delivery => delivery["attempts"].Value<int>() >= attempts,
            delivery => $"delivery {id} did not reach {attempts} attempts: it is {delivery.ToJsonString()}");

    [Fact]
    public async Task ThresholdCrossingIsDeliveredSignedWithTheAlertAsData()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var (_, secret) = await EndpointAsync(app, receiver);

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var request = (await receiver.WaitForAsync(1))[0];
        var verified = TollgateWebhook.Verify(request.Body, request.Headers[TollgateWebhook.SignatureHeader], secret, now: app.Clock.GetUtcNow());
        // The receiver has the request before the dispatcher records the answer: wait for the attempt, not only the request.
        await AttemptedAsync(app, (await DeliveriesAsync(app))[0]!["id"].Value<string>()!, 1);
        var log = await DeliveriesAsync(app);

        Assert.Equal("usage.threshold_crossed", verified.Type);
        Assert.Equal((verified.Id, "usage.threshold_crossed"), (request.Headers["Tollgate-Event-Id"], request.Headers["Tollgate-Event-Type"]));
        Assert.Equal(("c1", 80, "You have used 8 of 10 CVs this month."), (verified.Data.GetProperty("customer").GetString(),
            verified.Data.GetProperty("threshold").GetInt32(), verified.Data.GetProperty("message").GetString()));
        Assert.Equal(("succeeded", 1), (log[0]!["status"].Value<string>(), log[0]!["attempts"].Value<int>()));
        Assert.Throws<TollgateWebhookSignatureException>(() =>
            TollgateWebhook.Verify(request.Body.Replace("c1", "c2"), request.Headers[TollgateWebhook.SignatureHeader], secret, now: app.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task AFailedDeliveryIsRetriedAfterItsBackoffAndThenSucceeds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Script(500);
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await EndpointAsync(app, receiver);

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var id = (await DeliveriesAsync(app))[0]!["id"].Value<string>()!;
        var failed = await AttemptedAsync(app, id, 1);
        var next = DateTimeOffset.Parse(failed["next_attempt_at"].Value<string>()!, System.Globalization.CultureInfo.InvariantCulture);
        await app.AdvanceAsync(TimeSpan.FromSeconds(10));
        var early = await DeliveryAsync(app, id);
        await app.AdvanceToAsync(next);
        var delivered = await AttemptedAsync(app, id, 2);

        Assert.Equal(("pending", 500, "HTTP 500"), (failed["status"].Value<string>(), failed["last_status"].Value<int>(), failed["last_error"].Value<string>()));
        Assert.InRange(next - Start, TimeSpan.FromSeconds(24), TimeSpan.FromSeconds(36)); // 30 s ± 20 %
        Assert.Equal(1, early["attempts"].Value<int>());
        Assert.Equal("succeeded", delivered["status"].Value<string>());
        Assert.Equal([500, 200], delivered["attempt_log"]!.AsArray().Select(a => a!["status_code"].Value<int>()));
        Assert.Single((await receiver.WaitForAsync(2)).Select(r => r.Headers["Tollgate-Event-Id"]).Distinct()); // a retry is the same event
    }

    [Fact]
    public async Task ADeliveryThatKeepsFailingIsGivenUpAfterTwentyFourHoursAndCanBeReplayed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = 503;
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await EndpointAsync(app, receiver);
        await app.ConsumeAsync("c1", "cv_generate", 8);
        var id = (await DeliveriesAsync(app))[0]!["id"].Value<string>()!;

        var delivery = await AttemptedAsync(app, id, 1);
        while (delivery["status"].Value<string>() == "pending")
        {
            var attempts = delivery["attempts"].Value<int>();
            await app.AdvanceToAsync(DateTimeOffset.Parse(delivery["next_attempt_at"].Value<string>()!, System.Globalization.CultureInfo.InvariantCulture));
            delivery = await AttemptedAsync(app, id, attempts + 1);
        }

        receiver.Status = 200;
        var replay = await app.Admin.PostAsync($"/v1/admin/webhook-deliveries/{id}/replay", null);
        var replayId = (await replay.ReadAsync())["id"].Value<string>()!;
        var replayed = await AttemptedAsync(app, replayId, 1);
        var dead = await DeliveriesAsync(app, "?status=dead");

        Assert.Equal("dead", delivery["status"].Value<string>());
        Assert.InRange(delivery["attempts"].Value<int>(), 9, 11); // 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, then 8 h steps, within 24 h
        Assert.True(DateTimeOffset.Parse(delivery["last_attempt_at"].Value<string>()!, System.Globalization.CultureInfo.InvariantCulture) - Start
            <= TimeSpan.FromHours(24));
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(("succeeded", delivery["event"].Value<string>()), (replayed["status"].Value<string>(), replayed["event"].Value<string>()));
        Assert.Equal([id], dead.Select(d => d!["id"].Value<string>()));
    }

    [Fact]
    public async Task AReceiverThatIsDownForAWhileGetsEveryEventWithItsIdWhenItComesBack()
    {
        int port;
        await using (var probe = await WebhookReceiver.StartAsync())
        {
            port = probe.Url.Port;
        }

        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints",
            new { url = $"http://127.0.0.1:{port}/hook", events = new[] { "usage.threshold_crossed", "quota.exceeded" } });

        // 80 %, 90 % and the cap while nothing listens: each first attempt is refused at connect.
        foreach (var amount in new[] { 8, 1, 1 })
        {
            await app.ConsumeAsync("c1", "cv_generate", amount);
        }

        var queued = await DeliveriesAsync(app);
        foreach (var d in queued)
        {
            await AttemptedAsync(app, d!["id"].Value<string>()!, 1);
        }

        await using var receiver = await WebhookReceiver.StartAsync(port);
        await app.AdvanceAsync(TimeSpan.FromMinutes(1)); // past every retry (30 s ± 20 %)
        var received = await receiver.WaitForAsync(3);
        foreach (var d in queued)
        {
            await AttemptedAsync(app, d!["id"].Value<string>()!, 2);
        }

        var after = await DeliveriesAsync(app);
        Assert.Equal(3, queued.Count);
        Assert.Equal(queued.Select(d => d!["event"].Value<string>()).Order(), received.Select(r => r.Headers["Tollgate-Event-Id"]).Order());
        Assert.All(after, d => Assert.Equal(("succeeded", 2), (d!["status"].Value<string>(), d["attempts"].Value<int>())));
        Assert.Equal(["quota.exceeded", "usage.threshold_crossed", "usage.threshold_crossed"],
            received.Select(r => r.Headers["Tollgate-Event-Type"]).Order());
    }

    [Fact]
    public async Task ASlowReceiverIsTimedOutAndTriedAgain()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromSeconds(4); // the tests' Timeout is 2 s
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await EndpointAsync(app, receiver);

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var id = (await DeliveriesAsync(app))[0]!["id"].Value<string>()!;
        var slow = await AttemptedAsync(app, id, 1);
        receiver.Delay = TimeSpan.Zero;
        await app.AdvanceToAsync(DateTimeOffset.Parse(slow["next_attempt_at"].Value<string>()!, System.Globalization.CultureInfo.InvariantCulture));
        var delivered = await AttemptedAsync(app, id, 2);

        Assert.Equal(("pending", "no answer within 2 s"), (slow["status"].Value<string>(), slow["last_error"].Value<string>()));
        Assert.Equal("succeeded", delivered["status"].Value<string>());
    }

    [Fact]
    public async Task AnEndpointThatNeverAnswersHoldsOnlyItsOwnSlotsAndAnotherGetsEveryDeliveryMeanwhile()
    {
        await using var slow = await WebhookReceiver.StartAsync();
        await using var healthy = await WebhookReceiver.StartAsync();
        slow.Delay = TimeSpan.FromMinutes(5);
        var settings = ApiSetup.AlertsCatalog();
        settings["Tollgate:Webhooks:Timeout"] = "00:01:00";
        await using var app = await StartAsync(settings, Start);
        var (slowId, _) = await EndpointAsync(app, slow, "customer.created");
        await EndpointAsync(app, healthy, "customer.created");

        for (var i = 0; i < 20; i++)
        {
            await app.CustomerAsync($"c{i}");
        }

        // The dispatcher waited for a claimed batch of 8 as a whole: the healthy endpoint got about 4 per timeout of the slow one.
        var received = await healthy.WaitForAsync(20);
        var slowDeliveries = await DeliveriesAsync(app, $"?endpoint={slowId}");

        Assert.Equal(20, received.Count);
        Assert.Equal(20, slowDeliveries.Count);
        Assert.All(slowDeliveries, d => Assert.Equal(0, d!["attempts"].Value<int>())); // not one of its sends has ended yet
    }

    [Fact]
    public async Task ANewCustomerAndAUsedUpQuotaAreAnnouncedTheQuotaOncePerPeriod()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await AppAsync();
        await EndpointAsync(app, receiver, "customer.created", "quota.exceeded");

        await app.CustomerAsync("c1");
        await app.ConsumeAsync("c1", "cv_generate", 10);
        var refused = await app.ConsumeAsync("c1", "cv_generate");
        await app.ConsumeAsync("c1", "cv_generate");
        var received = await receiver.WaitForAsync(2);
        var alerts = (await (await app.Admin.GetAsync("/v1/customers/c1/alerts")).ReadAsync())["data"]!.AsArray();

        static JsonNode Event(WebhookReceiver.Received r) => JsonNode.Parse(r.Body)!;
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(["customer.created", "quota.exceeded"], received.Select(r => Event(r)["type"].Value<string>()).Order());
        var exceeded = Event(received.Single(r => Event(r)["type"].Value<string>() == "quota.exceeded"))["data"]!;
        Assert.Equal(("exceeded", "critical", "You have reached your limit of 10 CVs this month; it resets on Apr 1."),
            (exceeded["kind"].Value<string>(), exceeded["severity"].Value<string>(), exceeded["message"].Value<string>()));
        Assert.Single(alerts, a => a!["kind"].Value<string>() == "exceeded");
        Assert.Equal("c1@example.com", Event(received.Single(r => Event(r)["type"].Value<string>() == "customer.created"))["data"]!["email"].Value<string>());
    }

    [Fact]
    public async Task AGivenSecretSignsDeliveriesIsShownOnlyOnCreationAndADisabledEndpointGetsNothingUntilEnabled()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        var created = await (await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints",
            new { url = receiver.Url.ToString(), secret = "my_own_signing_secret_42" })).ReadAsync();
        var id = created["id"].Value<string>()!;
        var read = await (await app.Admin.GetAsync($"/v1/admin/webhook-endpoints/{id}")).ReadAsync();

        var disabled = await (await app.Admin.PostAsync($"/v1/admin/webhook-endpoints/{id}/disable", null)).ReadAsync();
        await app.ConsumeAsync("c1", "cv_generate", 8);
        var whileDisabled = await DeliveriesAsync(app);
        var enabled = await (await app.Admin.PostAsync($"/v1/admin/webhook-endpoints/{id}/enable", null)).ReadAsync();
        await app.ConsumeAsync("c2", "cv_generate", 8);
        var request = (await receiver.WaitForAsync(1))[0];

        Assert.Equal("my_own_signing_secret_42", created["secret"].Value<string>());
        Assert.Null(read["secret"]);
        Assert.Equal((false, true), (disabled["enabled"].Value<bool>(), enabled["enabled"].Value<bool>()));
        Assert.Empty(whileDisabled);
        Assert.Equal("c2", TollgateWebhook.Verify(request.Body, request.Headers[TollgateWebhook.SignatureHeader], "my_own_signing_secret_42",
            now: app.Clock.GetUtcNow()).Data.GetProperty("customer").GetString());
    }

    [Fact]
    public async Task SubscriptionAndInvoiceChangesAreAnnouncedToEndpointsThatTakeThem()
    {
        await using var all = await WebhookReceiver.StartAsync();
        await using var invoicesOnly = await WebhookReceiver.StartAsync();
        await using var app = await AppAsync();
        await EndpointAsync(app, all);
        await EndpointAsync(app, invoicesOnly, "invoice.created", "invoice.paid");
        await app.CustomerAsync("c1");

        await app.SubscribeAsync("c1", "pro");
        var invoice = (await app.InvoicesAsync("c1"))[0]["id"].Value<string>();
        await app.Admin.PostAsync($"/v1/invoices/{invoice}/mark-paid", null);
        var toAll = await all.WaitForAsync(4);
        var toInvoices = await invoicesOnly.WaitForAsync(2);

        static string? TypeOf(WebhookReceiver.Received r) => JsonNode.Parse(r.Body)!["type"].Value<string>();
        Assert.Equal(["customer.created", "invoice.created", "invoice.paid", "subscription.created"], toAll.Select(TypeOf).Order());
        Assert.Equal(["invoice.created", "invoice.paid"], toInvoices.Select(TypeOf).Order());
        var created = JsonNode.Parse(toAll.Single(r => TypeOf(r) == "subscription.created").Body)!["data"]!;
        Assert.Equal(("c1", "pro", "active", "created"), (created["customer"].Value<string>(), created["plan"].Value<string>(),
            created["status"].Value<string>(), created["reason"].Value<string>()));
    }

    [Fact]
    public async Task ATollgateTrialIsAnnouncedThreeDaysBeforeItEndsOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await AppAsync();
        await EndpointAsync(app, receiver, "subscription.trial_will_end");
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro", trialDays: 14);

        await app.AdvanceAsync(TimeSpan.FromDays(10) + TimeSpan.FromHours(23)); // 3 days and an hour before the end
        var early = receiver.Requests.Count;
        await app.AdvanceAsync(TimeSpan.FromHours(2));
        var warned = await receiver.WaitForAsync(1);
        await app.AdvanceAsync(TimeSpan.FromDays(5)); // past the trial's end
        await Task.Delay(300); // time for a second announcement to arrive, were there one

        var data = JsonNode.Parse(warned[0].Body)!["data"]!;
        Assert.Equal(0, early);
        Assert.Single(receiver.Requests);
        Assert.Equal(("trialing", "trial_will_end", "2026-04-13T00:00:00Z"),
            (data["status"].Value<string>(), data["reason"].Value<string>(), data["trial_end"].Value<string>()));
    }

    [Fact]
    public async Task AnEndpointWhoseEventTypesHoldANullIsRefusedNotSubscribedToEverything()
    {
        // The null passed as "no unknown type", and an endpoint left with no event types takes every event (a fuzz trial).
        await using var app = await AppAsync();

        var response = await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints",
            new { url = "https://example.com/hook", events = new[] { "subscription.created", null } });
        var listed = await (await app.Admin.GetAsync("/v1/admin/webhook-endpoints")).ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("must hold event types, not null", (await response.ReadAsync())["errors"]!["events"].Value<string>());
        Assert.Empty(listed["data"]!.AsArray());
    }

    [Fact]
    public async Task InternalAddressesAreRefusedWhenRegisteredAndWhenConnectingUnlessAllowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await AppAsync(allowPrivateTargets: false);
        await app.CustomerAsync("c1");

        var literal = await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = receiver.Url.ToString() });
        var named = await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = "http://localhost:9/hook" });
        var metadata = await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = "http://169.254.169.254/latest/meta-data" });
        // A fully qualified name or address (a trailing dot) is the same host; it passed registration (a trial, stop 60).
        var dotted = await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = $"http://127.0.0.1.:{receiver.Url.Port}/hook" });
        var dottedName = await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = "http://localhost.:9/hook" });
        // An endpoint stored anyway (as one whose name resolved elsewhere when it was registered) is still refused at connect time.
        await app.Get<WebhookStore>().CreateEndpointAsync(receiver.Url.ToString(), null, [], CancellationToken.None);
        await app.ConsumeAsync("c1", "cv_generate", 8);
        var id = (await DeliveriesAsync(app))[0]!["id"].Value<string>()!;
        var refused = await AttemptedAsync(app, id, 1);

        foreach (var response in new[] { literal, named, metadata, dotted, dottedName })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("internal address", (await response.ReadAsync())["errors"]!["url"].Value<string>(), StringComparison.Ordinal);
        }

        Assert.Contains("internal addresses", refused["last_error"].Value<string>(), StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task DeletingAnEndpointCancelsItsPendingDeliveriesAndKeepsItsLog()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = 500;
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var (endpoint, _) = await EndpointAsync(app, receiver);
        await app.ConsumeAsync("c1", "cv_generate", 8);
        var id = (await DeliveriesAsync(app))[0]!["id"].Value<string>()!;
        await AttemptedAsync(app, id, 1);

        var deleted = await app.Admin.DeleteAsync($"/v1/admin/webhook-endpoints/{endpoint}");
        var listed = (await (await app.Admin.GetAsync("/v1/admin/webhook-endpoints")).ReadAsync())["data"]!.AsArray();
        await app.ConsumeAsync("c1", "cv_generate", 1); // 90 %: no endpoint takes it now
        var log = await DeliveriesAsync(app);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(listed);
        Assert.Equal([("canceled", id)], log.Select(d => (d!["status"].Value<string>(), d["id"].Value<string>())));
    }

    [Theory]
    [InlineData("{\"url\": \"ftp://example.com/hook\"}", "url")]
    [InlineData("{\"url\": \"https://user:pw@example.com/hook\"}", "url")]
    [InlineData("{\"url\": \"https://example.com/hook\", \"events\": [\"usage.everything\"]}", "events")]
    [InlineData("{\"events\": []}", "url")]
    [InlineData("{\"url\": \"https://example.com/hook\", \"colour\": \"red\"}", "colour")]
    [InlineData("{\"url\": \"https://example.com/hook\", \"secret\": \"short\"}", "secret")]
    public async Task BadEndpointIsA400NamingTheFieldAndNothingIsCreated(string body, string field)
    {
        await using var app = await StartSharedAsync(ApiSetup.AlertsCatalog(), Start);

        var response = await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", body);
        var endpoints = (await (await app.Admin.GetAsync("/v1/admin/webhook-endpoints")).ReadAsync())["data"]!.AsArray();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadAsync();
        // A rule the endpoint checks lists the field under errors; a body that does not bind says it first in its detail.
        Assert.True(problem["errors"]?[field] is not null || problem["detail"].Value<string>()!.StartsWith(field + ":", StringComparison.Ordinal),
            problem.ToJsonString());
        Assert.Empty(endpoints);
    }

    [Fact]
    public async Task WebhookAdministrationNeedsTheAdminKeyAndUnknownIdsAre404()
    {
        await using var app = await AppAsync();
        var secretKey = (await (await app.Admin.PostJsonAsync("/v1/admin/keys", new { name = "app", role = "secret" })).ReadAsync())["key"].Value<string>()!;

        var withSecret = await app.WithKey(secretKey).GetAsync("/v1/admin/webhook-endpoints");
        var missingEndpoint = await app.Admin.GetAsync("/v1/admin/webhook-endpoints/we_nope");
        var missingDelivery = await app.Admin.PostAsync("/v1/admin/webhook-deliveries/whd_nope/replay", null);

        Assert.Equal(HttpStatusCode.Forbidden, withSecret.StatusCode);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (missingEndpoint.StatusCode, missingDelivery.StatusCode));
    }
}

public sealed class SqliteWebhooksApiTests(SharedServer shared) : WebhooksApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresWebhooksApiTests(SharedServer shared) : WebhooksApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;

    [Fact]
    public async Task TwoNodesSendEachDeliveryExactlyOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var first = await StartAsync(ApiSetup.AlertsCatalog());
        await using var second = await TollgateApp.StartAsync(Kind, ApiSetup.AlertsCatalog(), TollgateApp.DefaultStart, first.ConnectionString);
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => first.CustomerAsync($"c{i}")));
        await first.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = receiver.Url.ToString() });

        // 30 customers each cross 80 %, half through each node; both nodes' dispatchers poll the one outbox.
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => (i % 2 == 0 ? first : second).ConsumeAsync($"c{i}", "cv_generate", 8)));
        var received = await receiver.WaitForAsync(30);
        // The receiver answers before the sender records the attempt.
        var delivered = await RealTime.LastAsync(() => DeliveriesAsync(first, "?status=succeeded"), d => d.Count >= 30);

        // Every delivery succeeded on its first attempt, and each was sent once: a second send would be a second request.
        Assert.Equal(30, delivered.Count);
        Assert.All(delivered, d => Assert.Equal(1, d!["attempts"].Value<int>()));
        Assert.Equal(30, received.Select(r => r.Headers["Tollgate-Delivery-Id"]).Distinct().Count());
        Assert.Equal(30, receiver.Requests.Count);
    }
}
