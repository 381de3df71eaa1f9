using System.Net;
using Tollgate.Server.Billing;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>Kill Bill-style: set the day, act, advance the clock, assert the exact invoice lines.</summary>
public abstract class BillingApiContract(SharedServer shared) : ApiContract(shared)
{
    private static DateTimeOffset Utc(int y, int m, int d, int h = 0) => new(y, m, d, h, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> StartAtAsync(DateTimeOffset start, string? key = null, string? value = null) =>
        StartAsync(ApiSetup.BillingCatalog(key, value), start);

    /// <summary>
    /// A server of the test's own: for a test that moves the clock, starts at an instant of its own, or reads what the class's
    /// other tests write (an invoice's number, the catalog).
    /// </summary>
    private Task<TollgateApp> OwnAtAsync(DateTimeOffset start, string? key = null, string? value = null) =>
        StartOwnAsync(ApiSetup.BillingCatalog(key, value), start);

    private static (string Kind, long Amount) Line(System.Text.Json.Nodes.JsonNode line) =>
        (line["kind"].Value<string>()!, line["amount_cents"].Value<long>());

    private static (long Quantity, long Unit, long Amount) Shape(System.Text.Json.Nodes.JsonNode line) =>
        (line["quantity"].Value<long>(), line["unit_amount_cents"].Value<long>(), line["amount_cents"].Value<long>());

    [Fact]
    public async Task KillBillUpgradeOnApril26CreditsTenAndChargesFifteenOnTheNextInvoice()
    {
        await using var app = await OwnAtAsync(Utc(2013, 4, 11));
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "silver", collection: "charge_automatically");

        await app.AdvanceToAsync(Utc(2013, 4, 26));
        var change = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "gold" })).ReadAsync();
        await app.AdvanceToAsync(Utc(2013, 5, 11));
        var invoices = await app.InvoicesAsync("c1");

        Assert.Equal(("immediate", 500L), (change["effective"].Value<string>(), change["amount_cents"].Value<long>()));
        Assert.Equal([("proration_credit", -1000L), ("proration_charge", 1500L)], change["lines"]!.AsArray().Select(l => Line(l!)));
        Assert.Equal(["TG-2013-000001", "TG-2013-000002"], invoices.Select(i => i["number"].Value<string>()));
        Assert.Equal([("recurring", 2000L)], invoices[0]["lines"]!.AsArray().Select(l => Line(l!)));
        Assert.Equal([("recurring", 3000L), ("proration_credit", -1000L), ("proration_charge", 1500L)],
            invoices[1]["lines"]!.AsArray().Select(l => Line(l!)));
        Assert.Equal((3500L, "2013-05-11T00:00:00Z", "2013-06-11T00:00:00Z"), (invoices[1]["amount_due_cents"].Value<long>(),
            app.Instant(invoices[1]["period_start"]), app.Instant(invoices[1]["period_end"])));
    }

    [Fact]
    public async Task TheSameUpgradeSentEightTimesAtOnceIsMadeOnceAndTheOthersAre409()
    {
        await using var app = await OwnAtAsync(Utc(2026, 4, 1));
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "silver");
        await app.AdvanceToAsync(Utc(2026, 4, 16));

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "gold" })));
        await app.AdvanceToAsync(Utc(2026, 5, 2));
        var renewal = (await app.InvoicesAsync("c1"))[^1];

        // One change made, with its two lines; every other answer says why it made none (none answers 200 with no lines).
        Assert.Single(answers, a => a.StatusCode == System.Net.HttpStatusCode.OK);
        foreach (var refused in answers.Where(a => a.StatusCode != System.Net.HttpStatusCode.OK))
        {
            Assert.Equal(System.Net.HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains((await refused.ReadAsync())["error"].Value<string>(), new[] { "no_change", "concurrent_change" });
        }

        Assert.Equal([("recurring", 3000L), ("proration_credit", -1000L), ("proration_charge", 1500L)],
            renewal["lines"]!.AsArray().Select(l => Line(l!)));
    }

    [Fact]
    public async Task PreviewShowsTheChangesLinesAndChangesNothing()
    {
        await using var app = await OwnAtAsync(Utc(2026, 4, 1));
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "silver");
        await app.AdvanceToAsync(Utc(2026, 4, 16));

        var preview = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change/preview", new { plan = "gold" })).ReadAsync();
        var after = await app.SubscriptionAsync(id);

        Assert.Equal([-1000L, 1500L], preview["lines"]!.AsArray().Select(l => l!["amount_cents"].Value<long>()));
        Assert.Equal("gold", preview["subscription"]!["plan"].Value<string>());
        Assert.Equal("silver", after["plan"].Value<string>());
    }

    [Fact]
    public async Task TrialBillsNothingUntilItEndsThenStartsTheFirstPaidPeriod()
    {
        await using var app = await OwnAtAsync(Utc(2026, 1, 1));
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "basic");

        var trialing = await app.SubscriptionAsync(id);
        var during = await (await app.ConsumeAsync("c1", "api_calls", 500)).ReadAsync();
        await app.AdvanceToAsync(Utc(2026, 1, 15));
        var active = await app.SubscriptionAsync(id);
        var invoices = await app.InvoicesAsync("c1");

        Assert.Equal(("trialing", "2026-01-15T00:00:00Z"), (trialing["status"].Value<string>(), app.Instant(trialing["trial_end"])));
        Assert.Equal(("basic", 500L), (during["plan"].Value<string>(), during["limit"].Value<long>()));
        Assert.Equal(("active", "2026-01-15T00:00:00Z", "2026-02-15T00:00:00Z"), (active["status"].Value<string>(),
            app.Instant(active["current_period_start"]), app.Instant(active["current_period_end"])));
        var invoice = Assert.Single(invoices);
        Assert.Equal(("2026-01-15T00:00:00Z", 1000L), (app.Instant(invoice["issued_at"]), invoice["amount_due_cents"].Value<long>()));
    }

    [Fact]
    public async Task CancelAtPeriodEndDuringATrialEndsItAtTheTrialsEndWithoutAnInvoice()
    {
        await using var app = await OwnAtAsync(Utc(2026, 1, 1));
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "basic");

        var cancel = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = true })).ReadAsync();
        var stillTrialing = await app.SubscriptionAsync(id);
        await app.AdvanceToAsync(Utc(2026, 1, 20));
        var after = await app.SubscriptionAsync(id);

        Assert.Equal(("period_end", "2026-01-15T00:00:00Z"), (cancel["effective"].Value<string>(), app.Instant(cancel["effective_at"])));
        Assert.Equal(("trialing", true), (stillTrialing["status"].Value<string>(), stillTrialing["cancel_at_period_end"].Value<bool>()));
        Assert.Equal(("canceled", "2026-01-15T00:00:00Z"), (after["status"].Value<string>(), app.Instant(after["ended_at"])));
        Assert.Empty(await app.InvoicesAsync("c1"));
    }

    [Fact]
    public async Task TrialWithoutPaymentMethodEndsCanceledWhenSoConfigured()
    {
        await using var app = await OwnAtAsync(Utc(2026, 1, 1), "Tollgate:Billing:TrialEndWithoutPaymentMethod", "cancel");
        await app.CustomerAsync("card");
        await app.Admin.PutJsonAsync("/v1/customers/card", new { has_payment_method = true });
        await app.CustomerAsync("nocard");
        var withCard = await app.SubscribeAsync("card", "basic");
        var without = await app.SubscribeAsync("nocard", "basic");

        await app.AdvanceToAsync(Utc(2026, 1, 20));

        Assert.Equal("active", (await app.SubscriptionAsync(withCard))["status"].Value<string>());
        Assert.Equal("canceled", (await app.SubscriptionAsync(without))["status"].Value<string>());
        Assert.Equal("free", (await (await app.ConsumeAsync("nocard", "api_calls")).ReadAsync())["plan"].Value<string>());
        Assert.Empty(await app.InvoicesAsync("nocard"));
    }

    [Fact]
    public async Task DowngradeWaitsForThePeriodEndAndKeepsThePeriodsUsage()
    {
        await using var app = await OwnAtAsync(Utc(2026, 3, 1));
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro");
        await app.ConsumeAsync("c1", "api_calls", 400);
        await app.AdvanceToAsync(Utc(2026, 3, 10));

        var change = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "basic" })).ReadAsync();
        var stillPro = await (await app.ConsumeAsync("c1", "api_calls")).ReadAsync();
        await app.AdvanceToAsync(Utc(2026, 4, 1));
        var renewed = await app.InvoicesAsync("c1");

        Assert.Equal(("period_end", "2026-04-01T00:00:00Z"), (change["effective"].Value<string>(), app.Instant(change["effective_at"])));
        Assert.Equal("basic", change["subscription"]!["pending_change"]!["plan"].Value<string>());
        Assert.Equal(("pro", 401L), (stillPro["plan"].Value<string>(), stillPro["used"].Value<long>()));
        Assert.Equal([("recurring", 1000L)], renewed[^1]["lines"]!.AsArray().Select(l => Line(l!)));
        Assert.Equal("basic", (await app.SubscriptionAsync(id))["plan"].Value<string>());
    }

    [Fact]
    public async Task ChangingBackToTheCurrentPlanDropsTheScheduledDowngradeWithoutProrationAndAgainIs409NoChange()
    {
        await using var app = await OwnAtAsync(Utc(2026, 3, 1));
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro");
        await app.AdvanceToAsync(Utc(2026, 3, 10));
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "basic" });

        var preview = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change/preview", new { plan = "pro" })).ReadAsync();
        var back = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "pro" })).ReadAsync();
        var again = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "pro" });
        await app.AdvanceToAsync(Utc(2026, 4, 1));
        var renewed = await app.InvoicesAsync("c1");

        Assert.Empty(preview["lines"]!.AsArray());
        Assert.Equal(("pro", null), (back["subscription"]!["plan"].Value<string>(), back["subscription"]!["pending_change"]));
        Assert.Empty(back["lines"]!.AsArray());
        Assert.Equal((HttpStatusCode.Conflict, "no_change"), (again.StatusCode, (await again.ReadAsync())["error"].Value<string>()));
        Assert.Equal([("recurring", 3000L)], renewed[0]["lines"]!.AsArray().Select(l => Line(l!)));
    }

    [Fact]
    public async Task UpgradeAppliesTheNewLimitsAtOnceAndKeepsThePeriodsUsage()
    {
        await using var app = await StartAtAsync(Utc(2026, 3, 1));
        await app.CustomerAsync("c1-upgrade");
        var id = await app.SubscribeAsync("c1-upgrade", "silver");
        await app.ConsumeAsync("c1-upgrade", "api_calls", 1000);
        var capped = await app.ConsumeAsync("c1-upgrade", "api_calls");

        await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "gold" });
        var after = await (await app.ConsumeAsync("c1-upgrade", "api_calls")).ReadAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, capped.StatusCode);
        Assert.Equal((5000L, 1001L), (after["limit"].Value<long>(), after["used"].Value<long>()));
    }

    [Fact]
    public async Task SoftCapOverageIsBilledInArrearsOnTheNextInvoice()
    {
        await using var app = await OwnAtAsync(Utc(2026, 5, 1));
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro");
        await app.ConsumeAsync("c1", "api_calls", 1200);
        await app.ConsumeAsync("c1", "api_calls", 300);

        await app.AdvanceToAsync(Utc(2026, 6, 1));
        var invoice = (await app.InvoicesAsync("c1"))[^1];
        var overage = invoice["lines"]!.AsArray().Single(l => l!["kind"].Value<string>() == "overage")!;

        Assert.Equal((500L, 1L, 500L), (overage["quantity"].Value<long>(), overage["unit_amount_cents"].Value<long>(), overage["amount_cents"].Value<long>()));
        Assert.Equal(("2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z"), (app.Instant(overage["period_start"]), app.Instant(overage["period_end"])));
        Assert.Equal(3500L, invoice["amount_due_cents"].Value<long>());
    }

    [Fact]
    public async Task OverageUsedInTheInstantASubscriptionStartedIsBilledWhenItIsCancelledOrItsCustomerDeletedInThatInstant()
    {
        // The test clock stands still: sign-up, usage and the end all happen at one instant, the window's first.
        await using var app = await OwnAtAsync(Utc(2026, 5, 1));
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        var first = await app.SubscribeAsync("c1", "pro");
        await app.SubscribeAsync("c2", "pro");
        await app.ConsumeAsync("c1", "api_calls", 1200);
        await app.ConsumeAsync("c2", "api_calls", 1300);

        var canceled = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{first}/cancel", new { at_period_end = false })).ReadAsync();
        var deleted = await app.Admin.DeleteAsync(new Uri("/v1/customers/c2", UriKind.Relative));
        var finalInvoice = (await deleted.ReadAsync())["final_invoice"].Value<string>();
        var c2Final = await (await app.Admin.GetAsync($"/v1/invoices/{finalInvoice}")).ReadAsync();

        Assert.Equal([("overage", 200L)], canceled["lines"]!.AsArray().Select(l => Line(l!)));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal([("overage", 300L)], c2Final["lines"]!.AsArray().Select(l => Line(l!)).Where(l => l.Kind == "overage"));
    }

    [Fact]
    public async Task CancelAtPeriodEndCanBeUndoneUntilThePeriodEnds()
    {
        await using var app = await OwnAtAsync(Utc(2026, 1, 10));
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro");

        var scheduled = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = true })).ReadAsync();
        var undone = await (await app.Admin.PostAsync(new Uri($"/v1/subscriptions/{id}/undo-cancel", UriKind.Relative), null)).ReadAsync();
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = true });
        await app.AdvanceToAsync(Utc(2026, 2, 11));
        var ended = await app.SubscriptionAsync(id);
        var tooLate = await app.Admin.PostAsync(new Uri($"/v1/subscriptions/{id}/undo-cancel", UriKind.Relative), null);

        Assert.True(scheduled["subscription"]!["cancel_at_period_end"].Value<bool>());
        Assert.False(undone["cancel_at_period_end"].Value<bool>());
        Assert.Equal(("canceled", "2026-02-10T00:00:00Z"), (ended["status"].Value<string>(), app.Instant(ended["ended_at"])));
        Assert.Equal(HttpStatusCode.Conflict, tooLate.StatusCode);
        Assert.Single(await app.InvoicesAsync("c1"));
        Assert.Equal("free", (await (await app.ConsumeAsync("c1", "api_calls")).ReadAsync())["plan"].Value<string>());
    }

    [Fact]
    public async Task AChangeOrItsPreviewOnACanceledSubscriptionIs409NotLiveForItsOwnPlanAsForAnyOther()
    {
        await using var app = await OwnAtAsync(Utc(2026, 1, 10));
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro");
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = false });

        foreach (var path in new[] { "change", "change/preview" })
        {
            foreach (var plan in new[] { "pro", "basic" })
            {
                var response = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/{path}", new { plan });
                Assert.Equal((HttpStatusCode.Conflict, "subscription_not_live"), (response.StatusCode, (await response.ReadAsync())["error"].Value<string>()));
            }
        }
    }

    [Fact]
    public async Task ImmediateCancelWithCreditBecomesBalanceThatTheNextInvoiceUses()
    {
        await using var app = await OwnAtAsync(Utc(2026, 4, 1));
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro");
        await app.AdvanceToAsync(Utc(2026, 4, 16));

        var canceled = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = false, credit_unused = true })).ReadAsync();
        var afterCancel = await (await app.Admin.GetAsync("/v1/customers/c1/invoices")).ReadAsync();
        await app.SubscribeAsync("c1", "silver");
        var afterNew = await (await app.Admin.GetAsync("/v1/customers/c1/invoices")).ReadAsync();
        var newest = afterNew["data"]![0]!;

        Assert.Equal([("proration_credit", -1500L)], canceled["lines"]!.AsArray().Select(l => Line(l!)));
        Assert.Equal(-1500, afterCancel["balance_cents"]!["USD"].Value<long>());
        Assert.Equal(("paid", -1500L, 0L), (afterCancel["data"]![0]!["status"].Value<string>(),
            afterCancel["data"]![0]!["subtotal_cents"].Value<long>(), afterCancel["data"]![0]!["amount_due_cents"].Value<long>()));
        Assert.Equal((2000L, 1500L, 500L), (newest["subtotal_cents"].Value<long>(), newest["credit_applied_cents"].Value<long>(),
            newest["amount_due_cents"].Value<long>()));
        Assert.Equal(0, afterNew["balance_cents"]!["USD"].Value<long>());
    }

    [Fact]
    public async Task ImmediateCancelCreditLineIsOneUnitPricedAtItsAmountOnTheInvoiceAndItsPrint()
    {
        await using var app = await OwnAtAsync(Utc(2026, 4, 1));
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro");
        await app.AdvanceToAsync(Utc(2026, 4, 16));

        var canceled = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel",
            new { at_period_end = false, credit_unused = true })).ReadAsync();
        var invoice = (await app.InvoicesAsync("c1"))[^1];
        var html = await (await app.Admin.GetAsync($"/v1/invoices/{invoice["id"].Value<string>()}/html")).Content.ReadAsStringAsync();

        Assert.Equal((1L, -1500L, -1500L), Shape(canceled["lines"]![0]!));
        Assert.Equal((1L, -1500L, -1500L), Shape(invoice["lines"]!.AsArray().Single()!));
        Assert.Contains("""<td class="num">1</td><td class="num">-$15.00</td><td class="num">-$15.00</td>""", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PastDueKeepsEntitlementsThroughGraceThenLosesThemUntilPaid()
    {
        await using var app = await OwnAtAsync(Utc(2026, 1, 1));
        await app.CustomerAsync("c1");
        var id = (await (await app.Admin.PostJsonAsync("/v1/subscriptions",
            new { customer = "c1", plan = "pro", days_until_due = 10 })).ReadAsync())["id"].Value<string>()!;

        await app.AdvanceToAsync(Utc(2026, 1, 12));
        var pastDue = await app.SubscriptionAsync(id);
        var inGrace = await (await app.ConsumeAsync("c1", "api_calls")).ReadAsync();
        await app.AdvanceToAsync(Utc(2026, 1, 19));
        var suspended = await app.SubscriptionAsync(id);
        var lost = await (await app.ConsumeAsync("c1", "api_calls")).ReadAsync();
        var invoice = (await app.InvoicesAsync("c1"))[0]["id"].Value<string>();
        await app.Admin.PostAsync(new Uri($"/v1/invoices/{invoice}/mark-paid", UriKind.Relative), null);
        var recovered = await app.SubscriptionAsync(id);
        var back = await (await app.ConsumeAsync("c1", "api_calls")).ReadAsync();

        Assert.Equal(("past_due", BillingCycle.Overdue, "2026-01-11T00:00:00Z"), (pastDue["status"].Value<string>(),
            pastDue["dunning_state"].Value<string>(), app.Instant(pastDue["past_due_since"])));
        Assert.Equal("pro", inGrace["plan"].Value<string>());
        Assert.Equal(BillingCycle.Suspended, suspended["dunning_state"].Value<string>());
        Assert.Equal("free", lost["plan"].Value<string>());
        Assert.Equal(("active", null), (recovered["status"].Value<string>(), recovered["dunning_state"].Value<string>()));
        Assert.Equal("pro", back["plan"].Value<string>());
    }

    [Fact]
    public async Task WithOnSuspensionDenyASuspendedCustomerIsRefused402SubscriptionInactiveUntilTheInvoiceIsPaid()
    {
        await using var app = await OwnAtAsync(Utc(2026, 1, 1));
        var catalog = (await (await app.Admin.GetAsync("/v1/admin/catalog")).ReadAsync()).AsObject();
        catalog["on_suspension"] = "deny";
        var applied = await app.Admin.PutJsonAsync("/v1/admin/catalog", catalog);
        await app.CustomerAsync("c1");
        var id = (await (await app.Admin.PostJsonAsync("/v1/subscriptions",
            new { customer = "c1", plan = "pro", days_until_due = 10 })).ReadAsync())["id"].Value<string>()!;

        await app.AdvanceToAsync(Utc(2026, 1, 12));
        var inGrace = await app.ConsumeAsync("c1", "api_calls");
        await app.AdvanceToAsync(Utc(2026, 1, 19));
        var consume = await app.ConsumeAsync("c1", "api_calls");
        var check = await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "c1", feature = "api_calls" });
        var invoice = (await app.InvoicesAsync("c1"))[0]["id"].Value<string>();
        await app.Admin.PostAsync(new Uri($"/v1/invoices/{invoice}/mark-paid", UriKind.Relative), null);
        var back = await (await app.ConsumeAsync("c1", "api_calls")).ReadAsync();
        var exported = await (await app.Admin.GetAsync("/v1/admin/catalog")).ReadAsync();

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, inGrace.StatusCode);
        Assert.Equal(HttpStatusCode.PaymentRequired, consume.StatusCode);
        var problem = await consume.ReadAsync();
        Assert.Equal(("subscription_inactive", "api_calls"), (problem["error"].Value<string>(), problem["feature"].Value<string>()));
        Assert.False(string.IsNullOrEmpty(problem["upgrade_url"].Value<string>()));
        // check answers every decision, refusals included, as a 200 decision; consume and reserve answer problems.
        var decision = await check.ReadAsync();
        Assert.Equal((HttpStatusCode.OK, false, "subscription_inactive"), (check.StatusCode, decision["allowed"].Value<bool>(), decision["reason"].Value<string>()));
        Assert.Equal(("pro", 2L), (back["plan"].Value<string>(), back["used"].Value<long>()));
        Assert.Equal("deny", exported["on_suspension"].Value<string>());
    }

    [Fact]
    public async Task AnUnknownOnSuspensionIsRefusedNamingTheField()
    {
        await using var app = await OwnAtAsync(Utc(2026, 1, 1));
        var catalog = (await (await app.Admin.GetAsync("/v1/admin/catalog")).ReadAsync()).AsObject();
        catalog["on_suspension"] = "block";

        var applied = await app.Admin.PutJsonAsync("/v1/admin/catalog", catalog);

        Assert.Equal(HttpStatusCode.BadRequest, applied.StatusCode);
        Assert.Contains("on_suspension", await applied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvoiceNumbersRunPerYearWithoutGaps()
    {
        await using var app = await OwnAtAsync(Utc(2026, 11, 1));
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        await app.SubscribeAsync("c1", "silver");
        await app.SubscribeAsync("c2", "gold");

        await app.AdvanceToAsync(Utc(2027, 1, 2));
        var numbers = (await app.InvoicesAsync("c1")).Concat(await app.InvoicesAsync("c2")).Select(i => i["number"].Value<string>()).Order().ToList();

        // Two invoices at subscription on Nov 1, two renewals on Dec 1, then a new year's sequence on Jan 1.
        Assert.Equal(["TG-2026-000001", "TG-2026-000002", "TG-2026-000003", "TG-2026-000004", "TG-2027-000001", "TG-2027-000002"], numbers);
    }

    [Fact]
    public async Task PrintableInvoiceShowsSellerBuyerLinesAndTotals()
    {
        await using var app = await OwnAtAsync(Utc(2026, 3, 1), "Tollgate:Billing:Seller:Name", "Acme Career Coach Ltd");
        await app.Admin.PutJsonAsync("/v1/customers/c1", new { name = "Ada Lovelace", email = "ada@example.com" });
        await app.SubscribeAsync("c1", "gold");
        var invoice = (await app.InvoicesAsync("c1"))[0];

        var response = await app.Admin.GetAsync($"/v1/invoices/{invoice["id"].Value<string>()}/html");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        foreach (var expected in new[] { "TG-2026-000001", "Acme Career Coach Ltd", "Ada Lovelace", "ada@example.com", "Gold (monthly)", "$30.00", "1 Mar 2026" })
        {
            Assert.Contains(expected, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task InvoiceStatusesMoveOnlyForward()
    {
        await using var app = await StartAtAsync(Utc(2026, 3, 1));
        await app.CustomerAsync("c1-statuses");
        await app.SubscribeAsync("c1-statuses", "gold");
        var id = (await app.InvoicesAsync("c1-statuses"))[0]["id"].Value<string>();

        var paid = await (await app.Admin.PostAsync(new Uri($"/v1/invoices/{id}/mark-paid", UriKind.Relative), null)).ReadAsync();
        var again = await app.Admin.PostAsync(new Uri($"/v1/invoices/{id}/mark-paid", UriKind.Relative), null);
        var voided = await app.Admin.PostAsync(new Uri($"/v1/invoices/{id}/void", UriKind.Relative), null);

        Assert.Equal(("paid", 3000L), (paid["status"].Value<string>(), paid["amount_paid_cents"].Value<long>()));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, voided.StatusCode);
        Assert.Equal("invalid_invoice_status", (await voided.ReadAsync())["error"].Value<string>());
    }

    [Fact]
    public async Task AnInvoiceNamedByItsNumberIsVoidedMarkedUncollectibleAndPaidAsByItsId()
    {
        await using var app = await OwnAtAsync(Utc(2026, 3, 1));
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "gold");
        await app.AdvanceToAsync(Utc(2026, 4, 1, 1));
        var invoices = await app.InvoicesAsync("c1");
        var (first, second) = (invoices[^1]["number"].Value<string>(), invoices[0]["number"].Value<string>());

        var voided = await (await app.Admin.PostAsync(new Uri($"/v1/invoices/{first}/void", UriKind.Relative), null)).ReadAsync();
        var uncollectible = await (await app.Admin.PostAsync(new Uri($"/v1/invoices/{second}/mark-uncollectible", UriKind.Relative), null)).ReadAsync();
        var paid = await (await app.Admin.PostAsync(new Uri($"/v1/invoices/{second}/mark-paid", UriKind.Relative), null)).ReadAsync();
        var stored = await (await app.Admin.GetAsync($"/v1/invoices/{invoices[^1]["id"].Value<string>()}")).ReadAsync();

        Assert.Equal(("void", "void"), (voided["status"].Value<string>(), stored["status"].Value<string>()));
        Assert.Equal(("uncollectible", "paid"), (uncollectible["status"].Value<string>(), paid["status"].Value<string>()));
        Assert.NotNull(voided["voided_at"].Value<string>());
    }

    [Fact]
    public async Task ClockMovesOnlyForwardAndIsReadable()
    {
        await using var app = await OwnAtAsync(Utc(2026, 3, 1));

        var back = await app.Admin.PostJsonAsync("/v1/admin/clock/advance", new { to = "2026-02-01T00:00:00Z" });
        var forward = await (await app.Admin.PostJsonAsync("/v1/admin/clock/advance", new { seconds = 3600 })).ReadAsync();
        var read = await (await app.Admin.GetAsync("/v1/admin/clock")).ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, back.StatusCode);
        Assert.Equal("2026-03-01T01:00:00Z", app.Instant(forward["now"]));
        Assert.Equal("2026-03-01T01:00:00Z", app.Instant(read["now"]));
    }

    [Fact]
    public async Task BadChangesAreRefusedNamingTheField()
    {
        await using var app = await StartAtAsync(Utc(2026, 3, 1));
        await app.CustomerAsync("c1-bad");
        var id = await app.SubscribeAsync("c1-bad", "silver");

        var badPlan = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "platinum" });
        var badEffective = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "gold", effective = "tomorrow" });
        var noYearly = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "gold", billing_period = "yearly" });
        var same = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "silver" });
        var missing = await app.Admin.PostJsonAsync("/v1/subscriptions/sub_nope/change", new { plan = "gold" });

        Assert.Equal("no active plan 'platinum'", (await badPlan.ReadAsync())["errors"]!["plan"].Value<string>());
        Assert.Equal("must be immediate or period_end", (await badEffective.ReadAsync())["errors"]!["effective"].Value<string>());
        Assert.Equal("plan 'gold' has no yearly price", (await noYearly.ReadAsync())["errors"]!["billing_period"].Value<string>());
        Assert.Equal(HttpStatusCode.Conflict, same.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Single(await app.InvoicesAsync("c1-bad"));
    }
}

public sealed class SqliteBillingApiTests(SharedServer shared) : BillingApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresBillingApiTests(SharedServer shared) : BillingApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does: two readings in one operation differ here.</summary>
public sealed class TickingClockBillingApiTests(SharedServer shared) : BillingApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
