using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Payments;

/// <summary>Stripe's webhook with real signed deliveries: signatures, replays, arrival order, and each event's effect.</summary>
public abstract class StripeWebhookContract : ApiContract
{
    private static string? Text(JsonNode? node, string name) => node?[name].Value<string>();

    [Fact]
    public async Task ABadSignatureAWrongSecretOrAStaleTimestampIs400AndWritesNothing()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var session = await h.CheckoutAsync("ada", "pro");
        var payload = h.Stripe.Event("customer.subscription.created", h.Stripe.CompleteCheckout(session));
        var now = h.App.Clock.GetUtcNow();

        var unsigned = await h.App.Anonymous.PostAsync(new Uri("/v1/billing/webhooks/stripe", UriKind.Relative), Json.Content(payload));
        var wrongSecret = await h.Stripe.SignedWebhookAsync(h.App.Anonymous, payload, secret: "whsec_someone_else");
        // Each past the 300 s tolerance from the instant it is sent: on a ticking clock the requests before it took time, and
        // a signature's whole seconds drop up to one more (a future one at "now + 301" read earlier passed as within it).
        var stale = await h.Stripe.SignedWebhookAsync(h.App.Anonymous, payload, at: h.App.Clock.GetUtcNow().AddSeconds(-301));
        var future = await h.Stripe.SignedWebhookAsync(h.App.Anonymous, payload, at: h.App.Clock.GetUtcNow().AddSeconds(302));
        var genuine = await h.Stripe.SignedWebhookAsync(h.App.Anonymous, payload);
        using var altered = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/billing/webhooks/stripe", UriKind.Relative))
        {
            Content = Json.Content(payload.Replace("price_pro_monthly", "price_basic_monthly", StringComparison.Ordinal)),
        };
        altered.Headers.TryAddWithoutValidation("Stripe-Signature", FakeStripe.Sign(payload, FakeStripe.WebhookSecret, now.ToUnixTimeSeconds()));
        var alteredBody = await h.App.Anonymous.SendAsync(altered);

        foreach (var response in new[] { unsigned, wrongSecret, stale, future, alteredBody })
        {
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_signature"), (response.StatusCode, Text(await response.ReadAsync(), "error")));
        }

        Assert.Contains("tolerance", Text(await stale.ReadAsync(), "detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode); // the same payload, properly signed, goes through
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM stripe_events"));
    }

    [Fact]
    public async Task ASecondPaidCheckoutIsReportedAsADuplicateAndTheFirstSubscriptionIsKept()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var first = await h.CheckoutAsync("ada", "pro");
        // A second session opened before the first was paid (another tab): Tollgate's own guard cannot see it yet.
        var second = h.Stripe.OpenCheckout(Text(h.Stripe.Session(first), "customer")!, "price_basic_monthly", "ada", 1000);

        h.Stripe.CompleteCheckout(first);
        await h.DeliverAsync("checkout.session.completed", h.Stripe.Session(first));
        var duplicate = h.Stripe.CompleteCheckout(second);
        var answer = await h.DeliverAsync("customer.subscription.created", duplicate);
        var subscriptions = await h.SubscriptionsAsync("ada");

        Assert.Equal("duplicate_subscription", Text(answer, "outcome"));
        Assert.Contains(Text(duplicate, "id")!, Text(answer, "detail"), StringComparison.Ordinal);
        Assert.Equal([("pro", "active")], subscriptions.Select(s => (Text(s, "plan"), Text(s, "status"))));
    }

    [Fact]
    public async Task UsageDatedBetweenStripesStartAndALateSyncIsKeptForTheSubscriptionNotRefusedAsEarlierThanIt()
    {
        // Stripe starts the period when the checkout completes; its webhook reached Tollgate 10 minutes later, and a
        // property event dated in between was refused as "before the customer's subscription began".
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        var catalog = Catalogs.Payments
            .Replace("""{ "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],""",
                """{ "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" }, { "code": "storage", "name": "Storage", "unit": "GB", "kind": "metered" } ], "metrics": [ { "code": "peak_gb", "name": "Peak storage", "event": "storage", "aggregation": "max", "property": "gb" } ],""",
                StringComparison.Ordinal)
            .Replace("""{ "feature_code": "api_calls", "monthly_quota": 1000 }""",
                """{ "feature_code": "api_calls", "monthly_quota": 1000 }, { "feature_code": "storage", "limit": 5, "hard_cap": false, "overage_unit_price_cents": 25, "metric": "peak_gb" }""",
                StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await h.App.Admin.PutAsync(new Uri("/v1/admin/catalog", UriKind.Relative), Json.Content(catalog))).StatusCode);
        await h.App.CustomerAsync("ada");
        var session = await h.CheckoutAsync("ada", "pro");
        var started = h.App.Clock.GetUtcNow();
        var subscription = h.Stripe.CompleteCheckout(session);
        await h.App.AdvanceAsync(TimeSpan.FromMinutes(10));
        await h.DeliverAsync("customer.subscription.created", subscription);

        var tracked = await (await h.App.Admin.PostJsonAsync("/v1/events", new
        {
            events = new[] { new { id = "s1", customer = "ada", @event = "storage", timestamp = started.AddMinutes(5), properties = new { gb = 7 } } },
        })).ReadAsync();
        var usage = await (await h.App.Admin.GetAsync("/v1/customers/ada/usage")).ReadAsync();

        Assert.Equal((1, 0), (tracked["accepted"].Value<int>(), tracked["rejected"]!.AsArray().Count));
        Assert.Equal(7L, usage["features"]!["storage"]!["used"].Value<long>());
    }

    [Fact]
    public async Task AnUnsignedOrBadlySignedEventChangesNoState()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var session = await h.CheckoutAsync("ada", "pro");
        var payload = h.Stripe.Event("customer.subscription.created", h.Stripe.CompleteCheckout(session));

        await h.Stripe.SignedWebhookAsync(h.App.Anonymous, payload, secret: "whsec_someone_else");

        Assert.Empty(await h.SubscriptionsAsync("ada"));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM stripe_events"));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM subscription_events"));
    }

    [Fact]
    public async Task AMalformedBodyWithAValidSignatureIs400()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);

        var notJson = await h.Stripe.SignedWebhookAsync(h.App.Anonymous, "{\"id\": \"evt_1\", ");
        var notEvent = await h.Stripe.SignedWebhookAsync(h.App.Anonymous, """{"id": "evt_2", "object": "event", "created": 1767000000}""");
        var noData = await h.Stripe.SignedWebhookAsync(h.App.Anonymous,
            """{"id": "evt_3", "object": "event", "type": "invoice.paid", "created": 1767000000, "data": {}}""");

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_json"), (notJson.StatusCode, Text(await notJson.ReadAsync(), "error")));
        var missingType = await notEvent.ReadAsync();
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_event"), (notEvent.StatusCode, Text(missingType, "error")));
        Assert.NotNull(missingType["errors"]!["event.type"]);
        Assert.NotNull((await noData.ReadAsync())["errors"]!["event.data.object"]);
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM stripe_events"));
    }

    [Fact]
    public async Task AWebhookBodyOverTheServersLimitIs413()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        var huge = h.Stripe.Event("charge.refunded", new JsonObject { ["id"] = "ch_1", ["description"] = new string('x', 1024 * 1024) });

        var response = await h.Stripe.SignedWebhookAsync(h.App.Anonymous, huge);

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "body_too_large"), (response.StatusCode, Text(await response.ReadAsync(), "error")));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM stripe_events"));
    }

    [Fact]
    public async Task AReplayedEventIsProcessedOnce()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var subscription = h.Stripe.CompleteCheckout(await h.CheckoutAsync("ada", "basic"));
        var created = h.Stripe.Event("customer.subscription.created", subscription);
        var trialEnding = h.Stripe.Event("customer.subscription.trial_will_end", subscription);

        var first = await (await h.Stripe.SignedWebhookAsync(h.App.Anonymous, created)).ReadAsync();
        await h.Stripe.SignedWebhookAsync(h.App.Anonymous, trialEnding);
        await h.App.AdvanceAsync(TimeSpan.FromMinutes(1));
        var replay = await h.Stripe.SignedWebhookAsync(h.App.Anonymous, created);
        var replayedNote = await h.Stripe.SignedWebhookAsync(h.App.Anonymous, trialEnding);

        var again = await replay.ReadAsync();
        Assert.Equal(("ok", false), (Text(first, "outcome"), first["replayed"].Value<bool>()));
        Assert.Equal((HttpStatusCode.OK, "ok", true), (replay.StatusCode, Text(again, "outcome"), again["replayed"].Value<bool>()));
        Assert.True((await replayedNote.ReadAsync())["replayed"].Value<bool>());
        Assert.Single(await h.SubscriptionsAsync("ada"));
        Assert.Equal(2L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM stripe_events"));
        Assert.Equal(["trial_started", "trial_will_end"],
            (await h.App.Get<Tollgate.Storage.Database.TollgateDatabase>().ReadAsync(c => Dapper.SqlMapper.QueryAsync<string>(c,
                "SELECT reason FROM subscription_events ORDER BY at, sequence, reason"))).ToList());
    }

    [Fact]
    public async Task DeliveriesArrivingTogetherMakeOneSubscriptionAndProcessEachEventOnce()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var session = await h.CheckoutAsync("ada", "pro");
        var subscription = h.Stripe.CompleteCheckout(session);
        var created = h.Stripe.Event("customer.subscription.created", subscription);
        var completed = h.Stripe.Event("checkout.session.completed", h.Stripe.Session(session));

        var responses = await Task.WhenAll(new[] { created, completed, created, completed }.Select(payload =>
            h.Stripe.SignedWebhookAsync(h.App.Anonymous, payload)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(2, (await Task.WhenAll(responses.Select(r => r.ReadAsync()))).Count(a => !a["replayed"].Value<bool>()));
        Assert.Single(await h.SubscriptionsAsync("ada"));
        Assert.Single(await h.App.InvoicesAsync("ada"));
        Assert.Equal(2L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM stripe_events"));
    }

    [Fact]
    public async Task EventsOutOfOrderKeepTheNewerState()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var subscription = await h.SubscribeAsync("ada", "pro");
        var start = h.App.Clock.GetUtcNow();
        await h.App.AdvanceAsync(TimeSpan.FromSeconds(30));
        var newer = (JsonObject)subscription.DeepClone();
        newer["cancel_at_period_end"] = true;
        newer["canceled_at"] = start.AddSeconds(20).ToUnixTimeSeconds();
        var older = (JsonObject)subscription.DeepClone();
        older["status"] = "past_due";

        var applied = await h.DeliverAsync("customer.subscription.updated", newer, start.AddSeconds(20));
        var skipped = await h.DeliverAsync("customer.subscription.updated", older, start.AddSeconds(10));

        var stored = (await h.SubscriptionsAsync("ada")).Single()!;
        Assert.Equal(("ok", "stale"), (Text(applied, "outcome"), Text(skipped, "outcome")));
        Assert.Equal(("active", true), (Text(stored, "status"), stored["cancel_at_period_end"].Value<bool>()));
    }

    [Fact]
    public async Task APaymentThatFailsAndThenSucceedsGoesPastDueThenActiveAndRecordsTheRevenue()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = "https://hooks.example.com/tollgate", events = new[] { "invoice.payment_failed" } });
        await h.App.CustomerAsync("ada");
        var session = await h.CheckoutAsync("ada", "pro");
        var subscription = h.Stripe.CompleteCheckout(session);

        var completed = await h.DeliverAsync("checkout.session.completed", h.Stripe.Session(session));
        var created = (await h.SubscriptionsAsync("ada")).Single()!;
        var opened = Assert.Single(await h.App.InvoicesAsync("ada"));
        await h.App.AdvanceAsync(TimeSpan.FromHours(1));
        var failedAt = h.App.Clock.GetUtcNow();
        await h.DeliverAsync("invoice.payment_failed", h.Stripe.Invoice(subscription, paid: false));
        var pastDue = (await h.SubscriptionsAsync("ada")).Single()!;
        await h.App.AdvanceAsync(TimeSpan.FromDays(2));
        var invoice = h.Stripe.Invoice(subscription, paid: true);
        var paid = await h.DeliverAsync("invoice.paid", invoice);
        var recovered = (await h.SubscriptionsAsync("ada")).Single()!;
        var settled = Assert.Single(await h.App.InvoicesAsync("ada"));
        var revenue = await (await h.App.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost")).ReadAsync();

        Assert.Equal("ok", Text(completed, "outcome"));
        Assert.Single(h.Stripe.Requests, r => r.Method == "GET" && r.Path == $"/v1/subscriptions/{subscription["id"]}");
        Assert.Equal(("pro", "active", "charge_automatically"), (Text(created, "plan"), Text(created, "status"), Text(created, "collection_method")));
        Assert.Equal(("open", 3000L), (Text(opened, "status"), opened["amount_due_cents"].Value<long>()));
        Assert.Equal(("past_due", "payment_failed"), (Text(pastDue, "status"), Text(pastDue, "dunning_state")));
        Assert.Equal(failedAt.ToUnixTimeSeconds(), pastDue["past_due_since"].Value<DateTimeOffset>().ToUnixTimeSeconds());
        Assert.Equal("ok", Text(paid, "outcome"));
        Assert.Equal(("active", null), (Text(recovered, "status"), Text(recovered, "dunning_state")));
        Assert.Equal(("paid", 3000L), (Text(settled, "status"), settled["amount_paid_cents"].Value<long>()));
        Assert.Equal(invoice["id"].Value<string>(), await h.ScalarAsync<string>("SELECT stripe_invoice_id FROM invoices"));
        Assert.Equal(30.00m, revenue["total_payments_usd"].Value<decimal>());
        var announced = JsonNode.Parse((await h.ScalarAsync<string>("SELECT payload_json FROM webhook_events WHERE type = 'invoice.payment_failed'"))!)!["data"];
        Assert.Equal((Text(opened, "id"), "open"), (Text(announced, "id"), Text(announced, "status"))); // the app hears which invoice failed
    }

    [Fact]
    public async Task AFirstPaymentThatArrivesBeforeItsSubscriptionFetchesTheSubscriptionAndPaysItsInvoice()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var session = await h.CheckoutAsync("ada", "pro");
        var subscription = h.Stripe.CompleteCheckout(session);

        // Stripe does not promise order: the payment first, then the subscription's events.
        var paid = await h.DeliverAsync("invoice.paid", h.Stripe.Invoice(subscription, paid: true));
        var created = await h.DeliverAsync("customer.subscription.created", subscription);
        var completed = await h.DeliverAsync("checkout.session.completed", h.Stripe.Session(session));

        // It answered 200 unmatched_invoice, so Stripe never sent it again and the invoice stayed open, its money lost.
        Assert.Equal("ok", Text(paid, "outcome"));
        Assert.Contains("paid", Text(paid, "detail"), StringComparison.Ordinal);
        Assert.Contains(Text(created, "outcome"), new[] { "stale", "ok" }); // "ok" unchanged when sent at the same instant
        Assert.Equal("ok", Text(completed, "outcome"));
        var invoice = Assert.Single(await h.App.InvoicesAsync("ada"));
        Assert.Equal(("paid", 3000L), (Text(invoice, "status"), invoice["amount_paid_cents"].Value<long>()));
        var stored = Assert.Single(await h.SubscriptionsAsync("ada"))!;
        Assert.Equal(("pro", "active"), (Text(stored, "plan"), Text(stored, "status")));
    }

    [Fact]
    public async Task ARenewalPaidBeforeItsSubscriptionUpdateRenewsTheSubscriptionAndPaysTheNewPeriod()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("hank");
        var subscription = await h.SubscribeAsync("hank", "pro");
        await h.DeliverAsync("invoice.paid", h.Stripe.Invoice(subscription, paid: true));
        await h.App.AdvanceAsync(TimeSpan.FromDays(31));
        var renewed = h.Stripe.Renew(subscription["id"]!.GetValue<string>());
        var renewal = h.Stripe.Invoice(renewed, paid: true);
        renewal["billing_reason"] = "subscription_cycle";

        var paid = await h.DeliverAsync("invoice.paid", renewal);
        var updated = await h.DeliverAsync("customer.subscription.updated", renewed, h.App.Clock.GetUtcNow().AddSeconds(-1));

        Assert.Equal("ok", Text(paid, "outcome"));
        Assert.Contains(Text(updated, "outcome"), new[] { "stale", "ok" });
        var invoices = await h.App.InvoicesAsync("hank");
        Assert.Equal(2, invoices.Count);
        Assert.All(invoices, i => Assert.Equal(("paid", 3000L), (Text(i, "status"), i!["amount_paid_cents"].Value<long>())));
        Assert.Equal(renewed["items"]!["data"]![0]!["current_period_start"]!.GetValue<long>(),
            (await h.SubscriptionsAsync("hank")).Single()!["current_period_start"].Value<DateTimeOffset>().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task AProrationsPaymentInsideTheCurrentPeriodFetchesNothingFromStripe()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("pat");
        var subscription = await h.SubscribeAsync("pat", "pro");
        var gets = h.Stripe.Requests.Count(r => r.Method == "GET");
        var proration = h.Stripe.Invoice(subscription, paid: true, amount: 1500);
        var period = proration["lines"]!["data"]![0]!["period"]!;
        period["start"] = period["start"]!.GetValue<long>() + (10 * 86_400); // an upgrade ten days into the period

        await h.DeliverAsync("invoice.paid", proration);

        Assert.Equal(gets, h.Stripe.Requests.Count(r => r.Method == "GET"));
    }

    [Fact]
    public async Task ALatePastDueUpdateSentBeforeThePaymentThatEndedDunningIsStale()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("jen");
        var subscription = await h.SubscribeAsync("jen", "pro");
        var t0 = h.App.Clock.GetUtcNow();
        await h.App.AdvanceAsync(TimeSpan.FromSeconds(30));
        var failed = h.Stripe.Invoice(subscription, paid: false);
        await h.DeliverAsync("invoice.payment_failed", failed, t0.AddSeconds(10));
        var paid = (JsonObject)failed.DeepClone();
        paid["status"] = "paid";
        paid["amount_paid"] = paid["amount_due"]!.DeepClone();
        paid["amount_remaining"] = 0;
        await h.DeliverAsync("invoice.paid", paid, t0.AddSeconds(20));
        var pastDue = (JsonObject)subscription.DeepClone();
        pastDue["status"] = "past_due";

        var late = await h.DeliverAsync("customer.subscription.updated", pastDue, t0.AddSeconds(10));

        // It answered ok and put the subscription back into dunning, its invoice paid, until grace ran out.
        Assert.Equal("stale", Text(late, "outcome"));
        var stored = (await h.SubscriptionsAsync("jen")).Single()!;
        Assert.Equal(("active", null), (Text(stored, "status"), Text(stored, "dunning_state")));
    }

    [Fact]
    public async Task InvoicePaymentSucceededPaysTheInvoiceAndWithInvoicePaidForTheSameInvoiceAppliesOnce()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var subscription = await h.SubscribeAsync("ada", "pro");
        var invoice = h.Stripe.Invoice(subscription, paid: true);

        var succeeded = await h.DeliverAsync("invoice.payment_succeeded", invoice);
        var paid = await h.DeliverAsync("invoice.paid", invoice);

        var settled = Assert.Single(await h.App.InvoicesAsync("ada"));
        var revenue = await (await h.App.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost")).ReadAsync();
        Assert.Equal(("ok", "ok"), (Text(succeeded, "outcome"), Text(paid, "outcome")));
        Assert.Contains("already recorded", Text(paid, "detail"), StringComparison.Ordinal);
        Assert.Equal(("paid", 3000L), (Text(settled, "status"), settled["amount_paid_cents"].Value<long>()));
        Assert.Equal(30.00m, revenue["total_payments_usd"].Value<decimal>());
    }

    [Fact]
    public async Task ACheckoutThatCompletesForAnUnknownPriceRecordsTheOutcomeAndCreatesNoSubscription()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        await h.CheckoutAsync("ada", "pro");
        var stripeCustomer = (await h.ScalarAsync<string>("SELECT stripe_customer_id FROM customers WHERE id = 'ada'"))!;
        var session = h.Stripe.OpenCheckout(stripeCustomer, "price_from_a_payment_link", "ada");
        h.Stripe.CompleteCheckout(session);

        var answer = await h.DeliverAsync("checkout.session.completed", h.Stripe.Session(session));

        Assert.Equal("unknown_price", Text(answer, "outcome"));
        Assert.Contains("price_from_a_payment_link", Text(answer, "detail"), StringComparison.Ordinal);
        Assert.Empty(await h.SubscriptionsAsync("ada"));
        Assert.Equal("unknown_price", await h.ScalarAsync<string>("SELECT outcome FROM stripe_events WHERE type = 'checkout.session.completed'"));
        Assert.Equal("free", Text(await (await h.App.ConsumeAsync("ada", "api_calls")).ReadAsync(), "plan"));
    }

    [Fact]
    public async Task ADeletedSubscriptionFallsBackToTheFreePlan()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var subscription = await h.SubscribeAsync("ada", "pro");
        var before = await (await h.App.ConsumeAsync("ada", "api_calls")).ReadAsync();
        await h.App.AdvanceAsync(TimeSpan.FromDays(3));
        subscription["status"] = "canceled";
        subscription["canceled_at"] = h.App.Clock.GetUtcNow().ToUnixTimeSeconds();
        subscription["ended_at"] = h.App.Clock.GetUtcNow().ToUnixTimeSeconds();

        var deleted = await h.DeliverAsync("customer.subscription.deleted", subscription);
        var after = await (await h.App.ConsumeAsync("ada", "api_calls")).ReadAsync();

        var ended = (await h.SubscriptionsAsync("ada")).Single()!;
        Assert.Equal("ok", Text(deleted, "outcome"));
        Assert.Equal(("pro", 1000L), (Text(before, "plan"), before["limit"].Value<long>()));
        // Ended when the event was applied: on a ticking clock, the moments before the test read the clock.
        var now = h.App.Clock.GetUtcNow();
        Assert.Equal("canceled", Text(ended, "status"));
        Assert.InRange(ended["ended_at"].Value<DateTimeOffset>(), now - (TickingClock ? TimeSpan.FromSeconds(5) : TimeSpan.Zero), now);
        Assert.Equal(("free", 100L), (Text(after, "plan"), after["limit"].Value<long>()));
    }

    [Fact]
    public async Task ATrialFromCheckoutStartsTrialingAndItsEndingIsRecorded()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var subscription = await h.SubscribeAsync("ada", "basic");
        await h.App.AdvanceAsync(TimeSpan.FromDays(11));

        var note = await h.DeliverAsync("customer.subscription.trial_will_end", subscription);
        var again = await h.DeliverAsync("customer.subscription.trial_will_end", subscription); // a second event id, as Stripe may send
        await h.App.CustomerAsync("dee");
        var paying = await h.SubscribeAsync("dee", "pro"); // no trial
        var noTrial = await h.DeliverAsync("customer.subscription.trial_will_end", paying);

        var trialing = (await h.SubscriptionsAsync("ada")).Single()!;
        Assert.Equal(("basic", "trialing"), (Text(trialing, "plan"), Text(trialing, "status")));
        Assert.Equal(subscription["trial_end"]!.GetValue<long>(), trialing["trial_end"].Value<DateTimeOffset>().ToUnixTimeSeconds());
        Assert.Empty(await h.App.InvoicesAsync("ada"));
        Assert.Equal(("ok", "ignored", "ignored"), (Text(note, "outcome"), Text(again, "outcome"), Text(noTrial, "outcome")));
        // Once for the trial, and never for a subscription that has none (its e-mail read "Your trial of Pro ends on .").
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM subscription_events WHERE reason = 'trial_will_end'"));
        Assert.True(await h.ScalarAsync<bool>("SELECT has_payment_method FROM customers WHERE id = 'ada'"));
    }

    [Fact]
    public async Task ATrialStripeExtendsIsAnnouncedAgainBeforeItsNewEnd()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var subscription = await h.SubscribeAsync("ada", "basic");
        await h.App.AdvanceAsync(TimeSpan.FromDays(11));
        var first = await h.DeliverAsync("customer.subscription.trial_will_end", subscription);
        var extended = (JsonObject)subscription.DeepClone();
        extended["trial_end"] = subscription["trial_end"]!.GetValue<long>() + (7 * 86_400);
        await h.DeliverAsync("customer.subscription.updated", extended, h.App.Clock.GetUtcNow());
        await h.App.AdvanceAsync(TimeSpan.FromDays(7));

        var second = await h.DeliverAsync("customer.subscription.trial_will_end", extended);

        Assert.Equal(("ok", "ok"), (Text(first, "outcome"), Text(second, "outcome")));
        Assert.Equal(2L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM subscription_events WHERE reason = 'trial_will_end'"));
    }

    [Fact]
    public async Task ASubscriptionWhoseOwnEventCameFirstIsNotFetchedAgainAtCheckout()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var session = await h.CheckoutAsync("ada", "pro");
        var subscription = h.Stripe.CompleteCheckout(session);

        var created = await h.DeliverAsync("customer.subscription.created", subscription);
        var completed = await h.DeliverAsync("checkout.session.completed", h.Stripe.Session(session));

        Assert.Equal(("ok", "ok"), (Text(created, "outcome"), Text(completed, "outcome")));
        Assert.DoesNotContain(h.Stripe.Requests, r => r.Method == "GET");
        Assert.Equal("pro", Text((await h.SubscriptionsAsync("ada")).Single(), "plan"));
    }

    [Fact]
    public async Task ACheckoutWhoseSubscriptionStripeDoesNotHaveIsAppliedFromTheEventNotA502StripeRetriesForDays()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var session = await h.CheckoutAsync("ada", "pro");
        h.Stripe.CompleteCheckout(session);
        h.Stripe.FailNext(1, 404, """{"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such subscription"}}""");

        var completed = await h.DeliverAsync("checkout.session.completed", h.Stripe.Session(session)); // throws unless 200

        Assert.False(completed["replayed"].Value<bool>());
        Assert.Single(h.Stripe.Requests, r => r.Method == "GET"); // a 404 is not retried
        Assert.Equal("cus_", (await h.ScalarAsync<string>("SELECT stripe_customer_id FROM customers WHERE id = 'ada'"))![..4]); // the checkout's customer is linked
    }

    [Fact]
    public async Task AnUpdateKeepsTheGrandfatheredVersionThatStillSellsThePrice()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        await h.App.CustomerAsync("bob");
        var ada = await h.SubscribeAsync("ada", "pro");
        var raised = Catalogs.Payments.Replace("\"monthly_quota\": 1000", "\"monthly_quota\": 2000", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await h.App.Admin.PutJsonAsync("/v1/admin/catalog", raised)).StatusCode);
        ada["cancel_at_period_end"] = true;

        await h.DeliverAsync("customer.subscription.updated", ada);
        await h.SubscribeAsync("bob", "pro");

        Assert.Equal((1, true), ((await h.SubscriptionsAsync("ada")).Single()!["plan_version"].Value<int>(),
            (await h.SubscriptionsAsync("ada")).Single()!["cancel_at_period_end"].Value<bool>()));
        Assert.Equal(2, (await h.SubscriptionsAsync("bob")).Single()!["plan_version"].Value<int>());
    }

    [Fact]
    public async Task AnEventTypeTollgateDoesNotHandleIsAcknowledgedAndRecordedAsIgnored()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);

        var answer = await h.DeliverAsync("charge.refunded", new JsonObject { ["id"] = "ch_1", ["object"] = "charge" });

        Assert.Equal(("ignored", false), (Text(answer, "outcome"), answer["replayed"].Value<bool>()));
        Assert.Equal("ignored", await h.ScalarAsync<string>("SELECT outcome FROM stripe_events"));
    }
}

public sealed class SqliteStripeWebhookTests : StripeWebhookContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresStripeWebhookTests : StripeWebhookContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingStripeWebhookTests : StripeWebhookContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
