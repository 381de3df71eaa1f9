using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Tollgate.Server.Payments;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Payments;

/// <summary>Tollgate's own lines on a Stripe-billed subscription (prorations, soft-cap overage) reach Stripe as invoice items, once.</summary>
public abstract class StripeInvoiceItemContract : ApiContract
{
    private static string? Text(JsonNode? node, string name) => node?[name].Value<string>();

    [Fact]
    public async Task AChangesProrationLinesGoToStripeAsInvoiceItemsOnTheSubscription()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var stripe = await h.SubscribeAsync("ada", "pro");
        var id = Text((await h.SubscriptionsAsync("ada"))[0], "id");
        await h.App.AdvanceAsync(TimeSpan.FromDays(10));
        var before = h.App.Clock.GetUtcNow().ToUnixTimeSeconds();

        var body = await (await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "basic", proration = "create_prorations" }))
            .ReadAsync();
        var after = h.App.Clock.GetUtcNow().ToUnixTimeSeconds();

        var lines = body["lines"]!.AsArray();
        var items = h.Stripe.InvoiceItems;
        var posts = h.Stripe.Requests.Where(r => r.Path == "/v1/invoiceitems").ToList();
        Assert.Equal(lines.Select(l => l!["amount_cents"].Value<long>()), items.Select(i => i["amount"]!.GetValue<long>()));
        Assert.Contains(items, i => i["amount"]!.GetValue<long>() < 0); // the unused time on pro is a credit
        Assert.All(items, i =>
        {
            Assert.Equal(Text(stripe, "customer"), Text(i, "customer"));
            Assert.Equal(Text(stripe, "id"), i["parent"]!["subscription_details"]!["subscription"]!.GetValue<string>());
            Assert.Equal("usd", Text(i, "currency"));
            // The change's instant: on a ticking clock a second may turn between it and this read.
            Assert.InRange(i["period"]!["start"]!.GetValue<long>(), before, after);
        });
        Assert.Equal(lines.Select(l => Text(l, "description")), items.Select(i => Text(i, "description")));
        Assert.All(posts, p => Assert.StartsWith("tollgate-invoiceitem-", p.IdempotencyKey, StringComparison.Ordinal));
        Assert.Equal(2L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM stripe_invoice_items WHERE status = 'sent' AND stripe_invoice_item_id LIKE 'ii_%'"));
    }

    [Fact]
    public async Task SoftCapOverageOfAStripeSubscriptionGoesToStripeAsAnInvoiceItemWhenThePeriodRenews()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        var soft = Catalogs.Payments.Replace("\"monthly_quota\": 1000 }", "\"monthly_quota\": 1000, \"hard_cap\": false, \"overage_unit_price_cents\": 2 }",
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await h.App.Admin.PutJsonAsync("/v1/admin/catalog", soft)).StatusCode);
        await h.App.CustomerAsync("ada");
        var stripe = await h.SubscribeAsync("ada", "pro");
        Assert.Equal(HttpStatusCode.OK, (await h.App.ConsumeAsync("ada", "api_calls", 1005)).StatusCode);

        await h.App.AdvanceAsync(TimeSpan.FromDays(32));
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync(); // the background sender's next tick

        var item = Assert.Single(h.Stripe.InvoiceItems);
        var renewal = (await h.App.InvoicesAsync("ada"))[^1];
        var overage = renewal["lines"]!.AsArray().Single(l => Text(l, "kind") == "overage")!;
        Assert.Equal((10L, 10L), (item["amount"]!.GetValue<long>(), overage["amount_cents"].Value<long>()));
        Assert.Equal(Text(stripe, "id"), item["parent"]!["subscription_details"]!["subscription"]!.GetValue<string>());
        Assert.Equal(stripe["items"]!["data"]![0]!["current_period_start"]!.GetValue<long>(), item["period"]!["start"]!.GetValue<long>());
        Assert.DoesNotContain(h.Stripe.InvoiceItems, i => i["amount"]!.GetValue<long>() == 3000); // Stripe bills the recurring price itself
    }

    [Fact]
    public async Task AStripeBilledChangeToYearlyBillsTheOverageUpToTheChangeAsAnInvoiceItemAndTheRenewalNothingMore()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        var soft = Catalogs.Payments.Replace("\"monthly_quota\": 1000 }", "\"monthly_quota\": 1000, \"hard_cap\": false, \"overage_unit_price_cents\": 2 }",
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await h.App.Admin.PutJsonAsync("/v1/admin/catalog", soft)).StatusCode);
        await h.App.CustomerAsync("ada");
        await h.SubscribeAsync("ada", "pro");
        var id = (await h.SubscriptionsAsync("ada"))[0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await h.App.ConsumeAsync("ada", "api_calls", 1007)).StatusCode);
        await h.App.AdvanceAsync(TimeSpan.FromDays(10));

        var change = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "pro", billing_period = "yearly" });
        var overage = (await change.ReadAsync())["lines"]!.AsArray().Single(l => Text(l, "kind") == "overage")!;
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();
        var sent = h.Stripe.InvoiceItems.Where(i => i["metadata"]!["tollgate_kind"]!.GetValue<string>() == "overage").ToList();
        await h.App.AdvanceAsync(TimeSpan.FromDays(366));
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();

        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Equal((14L, 7L), (overage["amount_cents"].Value<long>(), overage["quantity"].Value<long>()));
        Assert.Equal(14L, Assert.Single(sent)["amount"]!.GetValue<long>());
        Assert.Single(h.Stripe.InvoiceItems, i => i["metadata"]!["tollgate_kind"]!.GetValue<string>() == "overage");
    }

    [Fact]
    public async Task AStripeBilledChangeThatKeepsThePeriodBillsTheOldPlansOverageUpToItAsAnInvoiceItemAndTheRenewalOnlyWhatCameAfter()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        var soft = Catalogs.Payments
            .Replace("\"monthly_quota\": 1000 }", "\"monthly_quota\": 1000, \"hard_cap\": false, \"overage_unit_price_cents\": 2 }", StringComparison.Ordinal)
            .Replace("\"monthly_quota\": 500 }", "\"monthly_quota\": 500, \"hard_cap\": false, \"overage_unit_price_cents\": 3 }", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await h.App.Admin.PutJsonAsync("/v1/admin/catalog", soft)).StatusCode);
        await h.App.CustomerAsync("ada");
        await h.SubscribeAsync("ada", "pro");
        var id = (await h.SubscriptionsAsync("ada"))[0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await h.App.ConsumeAsync("ada", "api_calls", 1200)).StatusCode);
        await h.App.AdvanceAsync(TimeSpan.FromDays(10));

        var body = new { plan = "basic", proration = "none" };
        var preview = await (await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change/preview", body)).ReadAsync();
        var change = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", body);
        Assert.Equal(HttpStatusCode.OK, (await h.App.ConsumeAsync("ada", "api_calls", 100)).StatusCode);
        await h.App.AdvanceAsync(TimeSpan.FromDays(32));
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();

        // Pro bills the 1,200 calls before the change past its 1,000 at 2¢: 200 × 2 = 400, as Tollgate's own change does and
        // its preview shows. Basic's 500 count the whole window, so the 100 after the change are billed at 3¢ = 300: not
        // 800 × 3 = 2,400 for the usage pro had already covered and billed.
        (long, long)[] atChange = [(200L, 400L)];
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Equal(atChange, Overage(preview));
        Assert.Equal(atChange, Overage(await change.ReadAsync()));
        Assert.Equal([400L, 300L], h.Stripe.InvoiceItems.Where(i => i["metadata"]!["tollgate_kind"]!.GetValue<string>() == "overage")
            .Select(i => i["amount"]!.GetValue<long>()));
    }

    private static (long Quantity, long Amount)[] Overage(JsonNode body) =>
        [.. body["lines"]!.AsArray().Where(l => Text(l, "kind") == "overage").Select(l => (l!["quantity"].Value<long>(), l["amount_cents"].Value<long>()))];

    [Fact]
    public async Task ALineStripeRefusesIsRecordedAsFailedWithStripesMessageAndNotSentAgain()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        var soft = Catalogs.Payments.Replace("\"monthly_quota\": 1000 }", "\"monthly_quota\": 1000, \"hard_cap\": false, \"overage_unit_price_cents\": 2 }",
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await h.App.Admin.PutJsonAsync("/v1/admin/catalog", soft)).StatusCode);
        await h.App.CustomerAsync("ada");
        var stripe = await h.SubscribeAsync("ada", "pro");
        await h.App.ConsumeAsync("ada", "api_calls", 1005);
        h.Stripe.CancelInDashboard(Text(stripe, "id")!);

        await h.App.AdvanceAsync(TimeSpan.FromDays(32));
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();
        var again = await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();

        Assert.Empty(h.Stripe.InvoiceItems);
        Assert.Equal(0, again);
        Assert.Equal("failed", await h.ScalarAsync<string>("SELECT status FROM stripe_invoice_items"));
        Assert.Contains("No such active subscription", await h.ScalarAsync<string>("SELECT last_error FROM stripe_invoice_items"),
            StringComparison.Ordinal);
        Assert.Single(h.Stripe.Requests, r => r.Path == "/v1/invoiceitems");
    }

    [Fact]
    public async Task ALineIsSentOnceWhenItsAnswerIsLostOrTwoSendersRace()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        await h.SubscribeAsync("ada", "pro");
        var id = Text((await h.SubscriptionsAsync("ada"))[0], "id");
        await h.App.AdvanceAsync(TimeSpan.FromDays(10));
        await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "basic", proration = "create_prorations" });
        var sent = h.Stripe.InvoiceItems;

        // A node that crashed after Stripe answered but before it recorded the answer: the lines look unsent again.
        await h.App.Get<TollgateDatabase>().WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE stripe_invoice_items SET status = 'pending', stripe_invoice_item_id = NULL, locked_until = NULL", null, tx)));
        var sender = h.App.Get<StripeInvoiceItemSender>();
        var attempted = await Task.WhenAll(sender.SendDueAsync(), sender.SendDueAsync(), sender.SendDueAsync());

        var keys = h.Stripe.Requests.Where(r => r.Path == "/v1/invoiceitems").Select(r => r.IdempotencyKey).ToList();
        Assert.Equal(2, sent.Count);
        Assert.Equal(sent.Select(i => Text(i, "id")), h.Stripe.InvoiceItems.Select(i => Text(i, "id"))); // Stripe still holds two
        Assert.InRange(attempted.Sum(), 0, 2);
        Assert.Equal(2, keys.Distinct().Count());
        Assert.Equal(sent.Select(i => Text(i, "id")).Order(),
            (await h.App.Get<TollgateDatabase>().ReadAsync(async c =>
                (await c.QueryAsync<string>("SELECT stripe_invoice_item_id FROM stripe_invoice_items WHERE status = 'sent'")).ToList())).Order());
    }

    [Fact]
    public async Task CancelNowWithCreditSendsTheCreditToTheCustomersNextStripeInvoice()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        var stripe = await h.SubscribeAsync("ada", "pro");
        var id = Text((await h.SubscriptionsAsync("ada"))[0], "id");
        await h.App.AdvanceAsync(TimeSpan.FromDays(10));
        await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = false, credit_unused = true });

        var item = Assert.Single(h.Stripe.InvoiceItems);
        Assert.True(item["amount"]!.GetValue<long>() < 0);
        Assert.Null(item["parent"]); // the subscription ended in Stripe: the credit waits on the customer's next invoice
        Assert.Equal(Text(stripe, "customer"), Text(item, "customer"));
        Assert.Equal(0, await h.App.Get<StripeInvoiceItemSender>().SendDueAsync());
    }
}

public sealed class SqliteStripeInvoiceItemTests : StripeInvoiceItemContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresStripeInvoiceItemTests : StripeInvoiceItemContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingStripeInvoiceItemTests : StripeInvoiceItemContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
