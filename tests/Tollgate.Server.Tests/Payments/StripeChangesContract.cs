using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Server.Payments;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Payments;

/// <summary>
/// Plan changes of a Stripe-billed subscription, made in Stripe's portal or asked of Stripe through the API: the old
/// plan's overage and Tollgate's proration lines are billed once, whichever of Stripe's answer and its event comes first,
/// and when the answer never comes.
/// </summary>
public abstract class StripeChangesContract : ApiContract
{
    private static string? Text(JsonNode? node, string name) => node?[name].Value<string>();

    // The harness starts its own server, so ApiContract's ticking switch has to be handed to it.
    private Task<PaymentsHarness> StartHarnessAsync() => PaymentsHarness.StartAsync(Kind,
        extra: ClockSettings);

    [Fact]
    public async Task APlanChangeMadeInStripesPortalBillsTheOldPlansOverageUpToItAsAnInvoiceItemAndTheRenewalOnlyWhatCameAfter()
    {
        await using var h = await StartHarnessAsync();
        var stripe = await OnProTenDaysAfterAsync(h, 1200);

        var changed = h.Stripe.ChangePriceInPortal(Text(stripe, "id")!, "price_basic_monthly");
        var updated = await h.DeliverAsync("customer.subscription.updated", changed);
        var replayed = await h.DeliverAsync("customer.subscription.updated", changed);
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();
        var atChange = OverageItems(h);
        Assert.Equal(HttpStatusCode.OK, (await h.App.ConsumeAsync("ada", "api_calls", 100)).StatusCode);
        await h.App.AdvanceAsync(TimeSpan.FromDays(32));
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();

        // As the same change made through Tollgate's API bills it: pro's 200 calls past its 1,000 at 2¢ up to the change,
        // then basic's 100 after it at 3¢; once, though the event came twice.
        Assert.Equal(("ok", "basic"), (Text(updated, "outcome"), Text((await h.SubscriptionsAsync("ada"))[0], "plan")));
        Assert.EndsWith("unchanged", Text(replayed, "detail"), StringComparison.Ordinal);
        Assert.Equal([400L], atChange);
        Assert.Equal([400L, 300L], OverageItems(h));
    }

    [Fact]
    public async Task AChangeToYearlyMadeInStripesPortalBillsTheOverageUpToItOnTheChangeInvoiceAndTheRenewalNothingMore()
    {
        await using var h = await StartHarnessAsync();
        var stripe = await OnProTenDaysAfterAsync(h, 1007);

        await h.DeliverAsync("customer.subscription.updated", h.Stripe.ChangePriceInPortal(Text(stripe, "id")!, "price_pro_yearly"));
        var invoice = (await h.App.InvoicesAsync("ada"))[^1];
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();
        await h.App.AdvanceAsync(TimeSpan.FromDays(366));
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();

        var overage = invoice["lines"]!.AsArray().Single(l => Text(l, "kind") == "overage")!;
        Assert.Equal((14L, 7L), (overage["amount_cents"].Value<long>(), overage["quantity"].Value<long>()));
        Assert.Equal([14L], OverageItems(h));
    }

    [Fact]
    public async Task StripesEventForAChangeMadeThroughTheApiBillsTheOldPlansOverageNoSecondTime()
    {
        await using var h = await StartHarnessAsync();
        var stripe = await OnProTenDaysAfterAsync(h, 1200);
        var id = (await h.SubscriptionsAsync("ada"))[0]!["id"]!.GetValue<string>();

        var change = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "basic", proration = "none" });
        await h.DeliverAsync("customer.subscription.updated", h.Stripe.Subscription(Text(stripe, "id")!));
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();

        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Equal([400L], OverageItems(h));
    }

    [Fact]
    public async Task AChangeWhoseStripeAnswerIsLostIsBilledInFullWhenStripesEventForItArrivesAndARetryFindsItMade()
    {
        await using var h = await StartHarnessAsync();
        var stripe = await OnProTenDaysAfterAsync(h, 1200);
        var id = (await h.SubscriptionsAsync("ada"))[0]!["id"]!.GetValue<string>();
        var body = new { plan = "basic", proration = "create_prorations" };
        var preview = await (await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change/preview", body)).ReadAsync();
        h.Stripe.LoseNextAnswersTo("POST", $"/v1/subscriptions/{Text(stripe, "id")}", 3); // Stripe changes the price; no answer comes back

        // Under one Idempotency-Key, as the SDKs send a retry: the 502 applied nothing, so the key lets the retry run again.
        Task<HttpResponseMessage> ChangeAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/subscriptions/{id}/change") { Content = Json.Content(body) };
            request.Headers.Add("Idempotency-Key", "change-to-basic");
            return h.App.Admin.SendAsync(request);
        }

        var lost = await ChangeAsync();
        var before = Text((await h.SubscriptionsAsync("ada"))[0], "plan");
        await h.DeliverAsync("customer.subscription.updated", h.Stripe.Subscription(Text(stripe, "id")!));
        var retried = await ChangeAsync();
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();

        // The lines the change would have made had the answer come: the unused time on pro credited, basic's remaining time
        // charged (Stripe was asked not to prorate), and pro's overage up to the change; once, though the request came again.
        Assert.Equal(HttpStatusCode.BadGateway, lost.StatusCode);
        Assert.Equal((HttpStatusCode.Conflict, "no_change"), (retried.StatusCode, Text(await retried.ReadAsync(), "error")));
        Assert.Equal(("pro", "basic"), (before, Text((await h.SubscriptionsAsync("ada"))[0], "plan")));
        Assert.Equal(3, preview["lines"]!.AsArray().Count);
        Assert.Equal(LineAmounts(preview), ItemAmounts(h));
    }

    [Fact]
    public async Task AChangeWhoseStripeEventArrivesBeforeItsAnswerIsBilledOnce()
    {
        await using var h = await StartHarnessAsync();
        var stripe = await OnProTenDaysAfterAsync(h, 1200);
        var id = (await h.SubscriptionsAsync("ada"))[0]!["id"]!.GetValue<string>();
        var body = new { plan = "basic", proration = "create_prorations" };
        var preview = await (await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change/preview", body)).ReadAsync();
        var sid = Text(stripe, "id")!;
        h.Stripe.BeforePost = async (path, form) =>
        {
            if (path == $"/v1/subscriptions/{sid}" && form.TryGetValue("items[0][price]", out var price))
            {
                // Stripe acts, and its event reaches Tollgate while the answer is still on its way.
                h.Stripe.BeforePost = null;
                await h.DeliverAsync("customer.subscription.updated", h.Stripe.ChangePriceInPortal(sid, price));
            }
        };

        var change = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", body);
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();

        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Equal("basic", Text((await h.SubscriptionsAsync("ada"))[0], "plan"));
        Assert.Equal(LineAmounts(preview), ItemAmounts(h));
    }

    [Fact]
    public async Task AChangeWhoseLostAnswersEventIsDeliveredTwoDaysLateIsStillBilledAtTheChange()
    {
        await using var h = await StartHarnessAsync();
        var stripe = await OnProTenDaysAfterAsync(h, 1200);
        var id = (await h.SubscriptionsAsync("ada"))[0]!["id"]!.GetValue<string>();
        var body = new { plan = "basic", proration = "create_prorations" };
        var preview = await (await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change/preview", body)).ReadAsync();
        h.Stripe.LoseNextAnswersTo("POST", $"/v1/subscriptions/{Text(stripe, "id")}", 3);
        var changedAt = h.App.Clock.GetUtcNow();

        var lost = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", body);
        await h.App.AdvanceAsync(TimeSpan.FromDays(2)); // the endpoint was down; Stripe retries its event for up to 3 days
        await h.DeliverAsync("customer.subscription.updated", h.Stripe.Subscription(Text(stripe, "id")!), changedAt);
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();

        // The proration as of the change, not of the delivery: the same lines the preview showed then.
        Assert.Equal(HttpStatusCode.BadGateway, lost.StatusCode);
        Assert.Equal(LineAmounts(preview), ItemAmounts(h));
    }

    [Fact]
    public async Task AChangeStripeFailedWith500IsNotBilledWhenTheSamePlanIsChosenInStripesPortalLater()
    {
        await using var h = await StartHarnessAsync();
        var stripe = await OnProTenDaysAfterAsync(h, 1200);
        var id = (await h.SubscriptionsAsync("ada"))[0]!["id"]!.GetValue<string>();
        var sid = Text(stripe, "id")!;
        // Every attempt at the change fails with Stripe's 500 before it is made; reading the subscription still works.
        h.Stripe.BeforePost = (path, _) =>
        {
            if (path == $"/v1/subscriptions/{sid}")
            {
                h.Stripe.FailNext(1, 500);
            }

            return Task.CompletedTask;
        };

        var failed = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "basic", proration = "create_prorations" });
        h.Stripe.BeforePost = null;
        await h.App.AdvanceAsync(TimeSpan.FromMinutes(3));
        await h.DeliverAsync("customer.subscription.updated", h.Stripe.ChangePriceInPortal(sid, "price_basic_monthly"));
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();

        // The portal prorated in Stripe: Tollgate adds the old plan's overage only, not the failed request's lines.
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal("basic", Text((await h.SubscriptionsAsync("ada"))[0], "plan"));
        Assert.Equal([400L], h.Stripe.InvoiceItems.Select(i => i["amount"]!.GetValue<long>()));
    }

    [Fact]
    public async Task AChangeStripeRefusedIsNotBilledWhenTheSamePlanIsLaterChosenInStripesPortal()
    {
        await using var h = await StartHarnessAsync();
        var stripe = await OnProTenDaysAfterAsync(h, 1200);
        var id = (await h.SubscriptionsAsync("ada"))[0]!["id"]!.GetValue<string>();
        // Basic's price is one Stripe does not have yet: Stripe refuses the change with a 400.
        var relinked = SoftCaps.Replace("\"price_basic_monthly\"", "\"price_basic_2027\"", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await h.App.Admin.PutJsonAsync("/v1/admin/catalog", relinked)).StatusCode);

        var refused = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "basic", proration = "create_prorations" });
        h.Stripe.AddPrice("price_basic_2027", 1000);
        await h.DeliverAsync("customer.subscription.updated", h.Stripe.ChangePriceInPortal(Text(stripe, "id")!, "price_basic_2027"));
        await h.App.Get<StripeInvoiceItemSender>().SendDueAsync();

        // The portal prorates in Stripe itself: Tollgate adds only the old plan's overage, not the refused change's lines.
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Equal("basic", Text((await h.SubscriptionsAsync("ada"))[0], "plan"));
        Assert.Equal([400L], h.Stripe.InvoiceItems.Select(i => i["amount"]!.GetValue<long>()));
    }

    /// <summary>Ada subscribed to pro through Stripe on <see cref="SoftCaps"/>, used <paramref name="calls"/>, and 10 days passed; answers Stripe's subscription.</summary>
    private static async Task<JsonObject> OnProTenDaysAfterAsync(PaymentsHarness h, long calls)
    {
        Assert.Equal(HttpStatusCode.OK, (await h.App.Admin.PutJsonAsync("/v1/admin/catalog", SoftCaps)).StatusCode);
        await h.App.CustomerAsync("ada");
        var stripe = await h.SubscribeAsync("ada", "pro");
        Assert.Equal(HttpStatusCode.OK, (await h.App.ConsumeAsync("ada", "api_calls", calls)).StatusCode);
        await h.App.AdvanceAsync(TimeSpan.FromDays(10));
        return stripe;
    }

    /// <summary>The payments catalog with pro's 1,000 calls and basic's 500 as soft caps, 2¢ and 3¢ a call past them.</summary>
    private static string SoftCaps => Catalogs.Payments
        .Replace("\"monthly_quota\": 1000 }", "\"monthly_quota\": 1000, \"hard_cap\": false, \"overage_unit_price_cents\": 2 }", StringComparison.Ordinal)
        .Replace("\"monthly_quota\": 500 }", "\"monthly_quota\": 500, \"hard_cap\": false, \"overage_unit_price_cents\": 3 }", StringComparison.Ordinal);

    private static long[] OverageItems(PaymentsHarness h) =>
        [.. h.Stripe.InvoiceItems.Where(i => i["metadata"]!["tollgate_kind"]!.GetValue<string>() == "overage").Select(i => i["amount"]!.GetValue<long>())];

    private static IOrderedEnumerable<long> LineAmounts(JsonNode body) => body["lines"]!.AsArray().Select(l => l!["amount_cents"].Value<long>()).Order();

    private static IOrderedEnumerable<long> ItemAmounts(PaymentsHarness h) => h.Stripe.InvoiceItems.Select(i => i["amount"]!.GetValue<long>()).Order();
}

public sealed class SqliteStripeChangesTests : StripeChangesContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresStripeChangesTests : StripeChangesContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same changes with the clock running, as it does in production.</summary>
public sealed class SqliteTickingStripeChangesTests : StripeChangesContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
