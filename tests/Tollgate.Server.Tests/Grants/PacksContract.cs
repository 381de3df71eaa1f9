using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Grants;

/// <summary>Credit packs: defined in the catalog, sold by the API with an invoice, or bought through Stripe Checkout, each granted once.</summary>
public abstract class PacksContract : ApiContract
{
    // The payments catalog plus two packs of api_calls: one sold through Stripe, one only by the API (its currency written as Stripe writes it).
    private static readonly string PacksCatalog = Catalogs.Payments.TrimEnd().TrimEnd('}') + """
        , "packs": [
            { "code": "calls_1k", "name": "1,000 calls", "feature": "api_calls", "amount": 1000, "price_cents": 1500, "currency": "USD",
              "expires_after_days": 30, "stripe_price_id": "price_pack_1k" },
            { "code": "calls_10k", "name": "10,000 calls", "feature": "api_calls", "amount": 10000, "price_cents": 9900, "currency": "usd" }
          ]
        }
        """;

    private Task<PaymentsHarness> StartPacksAsync() => PaymentsHarness.StartAsync(Kind, [.. PaymentsHarness.CatalogPrices, "price_pack_1k"],
        extra: new Dictionary<string, string?>(ApiSetup.CatalogOf("packs", PacksCatalog).Concat(ClockSettings ?? new Dictionary<string, string?>())));

    private static Task<HttpResponseMessage> SellAsync(TollgateApp app, string customer, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/customers/{customer}/packs", UriKind.Relative)) { Content = Json.Content(body) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return app.Admin.SendAsync(request);
    }

    private static string? Text(JsonNode? node, string name) => node?[name].Value<string>();

    [Fact]
    public async Task APackSoldPaidIssuesAOneLineInvoiceAndAGrantExpiringAfterThePacksDays()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");
        var now = h.App.Clock.GetUtcNow();

        var response = await SellAsync(h.App, "ada", new { pack = "calls_1k", paid = true });
        var body = await response.ReadAsync();
        var invoice = body["invoice"]!;
        var line = invoice["lines"]![0]!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(("paid", "pack", "USD", 1500L, 1500L, 1500L), (Text(invoice, "status"), Text(invoice, "billing_reason"), Text(invoice, "currency"),
            invoice["subtotal_cents"].Value<long>(), invoice["amount_due_cents"].Value<long>(), invoice["amount_paid_cents"].Value<long>()));
        Assert.Equal(("pack", 1500L, 1), (Text(line, "kind"), line["amount_cents"].Value<long>(), invoice["lines"]!.AsArray().Count));
        Assert.Equal(("calls_1k", "api_calls", 1000L, 1000L, "active"), (Text(body["grant"], "pack"), Text(body["grant"], "feature"),
            body["grant"]!["amount"].Value<long>(), body["grant"]!["remaining"].Value<long>(), Text(body["grant"], "status")));
        // 30 days from the sale: on a ticking clock the sale came a moment after the test read the clock.
        Assert.InRange(body["grant"]!["expires_at"].Value<DateTimeOffset>(), now.AddDays(30), now.AddDays(30) + (TickingClock ? TimeSpan.FromSeconds(5) : TimeSpan.Zero));
    }

    [Fact]
    public async Task TheCatalogsPacksAreListedByCodeAPageAtATime()
    {
        await using var h = await StartPacksAsync();

        var first = await (await h.App.Admin.GetAsync("/v1/packs?limit=1")).ReadAsync();
        var second = await (await h.App.Admin.GetAsync($"/v1/packs?limit=1&cursor={Text(first, "next_cursor")}")).ReadAsync();
        var badCursor = await h.App.Admin.GetAsync("/v1/packs?cursor=nonsense");

        Assert.Equal(("calls_10k", true), (Text(first["data"]![0], "code"), first["has_more"].Value<bool>()));
        Assert.Equal("""{"code":"calls_1k","name":"1,000 calls","feature":"api_calls","amount":1000,"price_cents":1500,"currency":"USD","expires_after_days":30,"stripe_price_id":"price_pack_1k","currency_options":null}""",
            second["data"]![0]!.ToJsonString());
        Assert.False(second["has_more"].Value<bool>());
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        Assert.NotNull((await badCursor.ReadAsync())["errors"]!["cursor"]);
    }

    [Fact]
    public async Task APackSoldUnpaidIssuesAnOpenInvoiceDueNowAndStillGrantsTheUnits()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");

        var body = await (await SellAsync(h.App, "ada", new { pack = "calls_10k" })).ReadAsync();
        var consumed = await h.App.ConsumeAsync("ada", "api_calls", 150);
        var grants = await h.App.Admin.PageAsync("/v1/customers/ada/grants");

        Assert.Equal(("open", 9900L, 0L), (Text(body["invoice"], "status"), body["invoice"]!["amount_due_cents"].Value<long>(),
            body["invoice"]!["amount_paid_cents"].Value<long>()));
        Assert.Null(body["grant"]!["expires_at"]);
        Assert.Equal(HttpStatusCode.OK, consumed.StatusCode);
        // The free plan's 100 calls go first; the other 50 come from the pack.
        Assert.Equal(("calls_10k", 9950L), (Text(grants[0], "pack"), grants[0]!["remaining"].Value<long>()));
    }

    [Fact]
    public async Task VoidingAPacksUnpaidInvoiceVoidsWhatItsGrantHasLeftAndKeepsWhatWasUsed()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");
        var sold = await (await SellAsync(h.App, "ada", new { pack = "calls_10k" })).ReadAsync();
        Assert.Equal(HttpStatusCode.OK, (await h.App.ConsumeAsync("ada", "api_calls", 150)).StatusCode); // 100 free, 50 from the pack

        var voided = await h.App.Admin.PostAsync(new Uri($"/v1/invoices/{Text(sold["invoice"], "id")}/void", UriKind.Relative), null);
        var grant = (await h.App.Admin.PageAsync("/v1/customers/ada/grants"))[0]!;
        var after = await h.App.ConsumeAsync("ada", "api_calls", 1);

        Assert.Equal(HttpStatusCode.OK, voided.StatusCode);
        Assert.Equal(("voided", 50L), (Text(grant, "status"), grant["used"].Value<long>()));
        Assert.Equal(HttpStatusCode.TooManyRequests, after.StatusCode); // the free plan's 100 are spent, and the pack no longer counts
    }

    [Fact]
    public async Task APackInvoiceUsesTheCustomersCreditFirstAndIsCollectedAsTheirSubscriptionIs()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");
        await h.App.CustomerAsync("bob");
        // ada is owed $30.00: a Pro month canceled at once with its unused time credited.
        var ada = await (await h.App.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "ada", plan = "pro" })).ReadAsync();
        await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{Text(ada, "id")}/cancel", new { at_period_end = false, credit_unused = true });
        await h.App.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "bob", plan = "team", collection_method = "charge_automatically" });
        var owed = (await (await h.App.Admin.GetAsync("/v1/customers/ada/invoices")).ReadAsync())["balance_cents"]!["USD"].Value<long>();

        var covered = (await (await SellAsync(h.App, "ada", new { pack = "calls_1k" })).ReadAsync())["invoice"]!;
        var partly = (await (await SellAsync(h.App, "ada", new { pack = "calls_10k", paid = true })).ReadAsync())["invoice"]!;
        var left = (await (await h.App.Admin.GetAsync("/v1/customers/ada/invoices")).ReadAsync())["balance_cents"]!["USD"].Value<long>();
        var bobs = (await (await SellAsync(h.App, "bob", new { pack = "calls_10k" })).ReadAsync())["invoice"]!;

        Assert.Equal(-3000L, owed);
        Assert.Equal(("paid", 1500L, 1500L, 0L, 0L), (Text(covered, "status"), covered["subtotal_cents"].Value<long>(),
            covered["credit_applied_cents"].Value<long>(), covered["amount_due_cents"].Value<long>(), covered["amount_paid_cents"].Value<long>()));
        Assert.Equal(("paid", 9900L, 1500L, 8400L, 8400L), (Text(partly, "status"), partly["subtotal_cents"].Value<long>(),
            partly["credit_applied_cents"].Value<long>(), partly["amount_due_cents"].Value<long>(), partly["amount_paid_cents"].Value<long>()));
        Assert.Equal(0L, left);
        Assert.Equal((0L, 0L), (covered["discount_cents"].Value<long>(), partly["discount_cents"].Value<long>()));
        // bob pays his subscription automatically, so his open pack invoice is due at once, as his renewals are.
        Assert.Equal(("open", 9900L), (Text(bobs, "status"), bobs["amount_due_cents"].Value<long>()));
        Assert.Equal(bobs["issued_at"].Value<DateTimeOffset>(), bobs["due_at"].Value<DateTimeOffset>());
        // Pack invoices take numbers from the one sequence: no gap, no repeat.
        var numbers = (await h.App.Admin.PageAsync("/v1/invoices?limit=100"))
            .Select(i => long.Parse(Text(i, "number")!.Split('-')[^1], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, numbers.Count).Select(n => (long)n), numbers);
    }

    [Fact]
    public async Task ARetriedSaleWithTheSameIdempotencyKeyAnswersTheFirstSaleAndBillsOnce()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");

        var first = await SellAsync(h.App, "ada", new { pack = "calls_1k", paid = true }, key: "order-77");
        var retry = await SellAsync(h.App, "ada", new { pack = "calls_1k", paid = true }, key: "order-77");
        var firstBody = await first.ReadAsync();
        var retryBody = await retry.ReadAsync();
        var otherPack = await SellAsync(h.App, "ada", new { pack = "calls_10k" }, key: "order-77");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.StatusCode, retry.StatusCode));
        Assert.Equal((false, "true"), (first.Headers.Contains("Idempotent-Replayed"), retry.Headers.GetValues("Idempotent-Replayed").Single()));
        Assert.Equal((Text(firstBody["grant"], "id"), Text(firstBody["invoice"], "id")), (Text(retryBody["grant"], "id"), Text(retryBody["invoice"], "id")));
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_mismatch"), (otherPack.StatusCode, Text(await otherPack.ReadAsync(), "error")));
        Assert.Equal((1L, 1L), (await h.ScalarAsync<long>("SELECT COUNT(*) FROM invoices"), await h.ScalarAsync<long>("SELECT COUNT(*) FROM credit_grants")));
    }

    [Fact]
    public async Task AnIdempotencyKeyReusedForAnotherCustomerOrWithPaidChangedIs409AndSellsNothing()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");
        await h.App.CustomerAsync("bob");

        var first = await SellAsync(h.App, "ada", new { pack = "calls_1k", paid = true }, key: "order-78");
        var otherCustomer = await SellAsync(h.App, "bob", new { pack = "calls_1k", paid = true }, key: "order-78");
        var nowOpen = await SellAsync(h.App, "ada", new { pack = "calls_1k", paid = false }, key: "order-78");
        var open = await SellAsync(h.App, "ada", new { pack = "calls_1k" }, key: "order-79");
        var nowPaid = await SellAsync(h.App, "ada", new { pack = "calls_1k", paid = true }, key: "order-79");
        var openAgain = await SellAsync(h.App, "ada", new { pack = "calls_1k", paid = false }, key: "order-79");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.OK), (first.StatusCode, open.StatusCode, openAgain.StatusCode));
        Assert.Equal(Enumerable.Repeat((HttpStatusCode.Conflict, (string?)"idempotency_mismatch"), 3),
            [(otherCustomer.StatusCode, Text(await otherCustomer.ReadAsync(), "error")), (nowOpen.StatusCode, Text(await nowOpen.ReadAsync(), "error")),
             (nowPaid.StatusCode, Text(await nowPaid.ReadAsync(), "error"))]);
        Assert.Equal((0L, 2L), (await h.ScalarAsync<long>("SELECT COUNT(*) FROM credit_grants WHERE customer_id = 'bob'"),
            await h.ScalarAsync<long>("SELECT COUNT(*) FROM invoices")));
    }

    [Fact]
    public async Task ARetryOfASaleMadeUnderTheEarlierPerCustomerSourceStillAnswersIt()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");
        var first = await (await SellAsync(h.App, "ada", new { pack = "calls_1k", paid = true }, key: "order-80")).ReadAsync();
        // As a sale made before keys were the server's recorded its key.
        await h.App.Get<TollgateDatabase>().WriteAsync((c, tx) =>
            c.ExecuteAsync("UPDATE credit_grants SET source_ref = 'api:ada:order-80'", transaction: tx));

        var retry = await SellAsync(h.App, "ada", new { pack = "calls_1k", paid = true }, key: "order-80");
        var otherPack = await SellAsync(h.App, "ada", new { pack = "calls_10k", paid = true }, key: "order-80");

        Assert.Equal((HttpStatusCode.OK, Text(first["grant"], "id")), (retry.StatusCode, Text((await retry.ReadAsync())["grant"], "id")));
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_mismatch"), (otherPack.StatusCode, Text(await otherPack.ReadAsync(), "error")));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM credit_grants"));
    }

    [Fact]
    public async Task TwentyConcurrentSalesWithOneIdempotencyKeyMakeOneInvoiceAndOneGrant()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SellAsync(h.App, "ada", new { pack = "calls_1k", paid = true }, key: "once")));
        var grants = await Task.WhenAll(responses.Select(async r => Text((await r.ReadAsync())["grant"], "id")));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Single(grants.Distinct());
        Assert.Equal((1L, 1L), (await h.ScalarAsync<long>("SELECT COUNT(*) FROM invoices"), await h.ScalarAsync<long>("SELECT COUNT(*) FROM credit_grants")));
    }

    [Fact]
    public async Task AnUnknownOrMissingPackIs400NamingPackAndAnUnknownCustomerIs404AndNeitherWritesAnything()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");

        var unknown = await SellAsync(h.App, "ada", new { pack = "calls_1m" });
        var missing = await SellAsync(h.App, "ada", new { paid = true });
        var badKey = await SellAsync(h.App, "ada", new { pack = "calls_1k" }, key: new string('k', 256));
        var nobody = await SellAsync(h.App, "nobody", new { pack = "calls_1k" });

        foreach (var (response, field) in new[] { (unknown, "pack"), (missing, "pack"), (badKey, "Idempotency-Key") })
        {
            var problem = await response.ReadAsync();
            Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (response.StatusCode, Text(problem, "error")));
            Assert.NotNull(problem["errors"]![field]);
        }

        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
        Assert.Equal((0L, 0L), (await h.ScalarAsync<long>("SELECT COUNT(*) FROM invoices"), await h.ScalarAsync<long>("SELECT COUNT(*) FROM credit_grants")));
    }

    [Fact]
    public async Task APackPaidThroughCheckoutIsGrantedOnceHoweverOftenStripeReportsIt()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");

        var opened = await h.App.Admin.PostJsonAsync("/v1/customers/ada/packs/checkout-sessions", new
        {
            pack = "calls_1k", success_url = "https://app.example.com/credits?ok=1", cancel_url = "https://app.example.com/credits",
        });
        var sessionId = Text(await opened.ReadAsync(), "session_id")!;
        var sent = h.Stripe.Session(sessionId);
        var completed = h.Stripe.Event("checkout.session.completed", h.Stripe.CompletePayment(sessionId));
        var first = await (await h.Stripe.SignedWebhookAsync(h.App.Anonymous, completed)).ReadAsync();
        var replay = await (await h.Stripe.SignedWebhookAsync(h.App.Anonymous, completed)).ReadAsync();
        var again = await h.DeliverAsync("checkout.session.completed", h.Stripe.Session(sessionId)); // a new event id, the same session
        var grants = await h.App.Admin.PageAsync("/v1/customers/ada/grants");

        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(("payment", "ada", "calls_1k"), (Text(sent, "mode"), Text(sent, "client_reference_id"), Text(sent["metadata"], "tollgate_pack")));
        Assert.Equal(("ok", false), (Text(first, "outcome"), first["replayed"].Value<bool>()));
        Assert.True(replay["replayed"].Value<bool>());
        Assert.Contains("already granted", Text(again, "detail"), StringComparison.Ordinal);
        Assert.Equal([("calls_1k", 1000L)], grants.Select(g => (Text(g, "pack"), g!["amount"].Value<long>())));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM invoices")); // Stripe bills a Checkout purchase itself
    }

    [Fact]
    public async Task APackPaidByBankDebitIsGrantedWhenTheLatePaymentSucceedsNotWhenTheSessionCompletesUnpaid()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");
        var opened = await h.App.Admin.PostJsonAsync("/v1/customers/ada/packs/checkout-sessions", new
        {
            pack = "calls_1k", success_url = "https://app.example.com/credits?ok=1", cancel_url = "https://app.example.com/credits",
        });
        var sessionId = Text(await opened.ReadAsync(), "session_id")!;
        var unpaid = h.Stripe.Session(sessionId);
        unpaid["status"] = "complete";
        unpaid["payment_status"] = "unpaid";

        var completed = await h.DeliverAsync("checkout.session.completed", unpaid);
        var before = await h.App.Admin.PageAsync("/v1/customers/ada/grants");
        var succeeded = await h.DeliverAsync("checkout.session.async_payment_succeeded", h.Stripe.CompletePayment(sessionId));
        var grants = await h.App.Admin.PageAsync("/v1/customers/ada/grants");

        Assert.Equal(("ignored", "ok"), (Text(completed, "outcome"), Text(succeeded, "outcome")));
        Assert.Empty(before);
        Assert.Equal([("calls_1k", 1000L)], grants.Select(g => (Text(g, "pack"), g!["amount"].Value<long>())));
    }

    [Fact]
    public async Task CheckoutForAPackWithoutAStripePriceIs422AndForAnUnknownPackIs400()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");
        var urls = new { success_url = "https://app.example.com/ok", cancel_url = "https://app.example.com/no" };

        var unlinked = await h.App.Admin.PostJsonAsync("/v1/customers/ada/packs/checkout-sessions",
            new { pack = "calls_10k", urls.success_url, urls.cancel_url });
        var unknown = await h.App.Admin.PostJsonAsync("/v1/customers/ada/packs/checkout-sessions",
            new { pack = "nope", success_url = "javascript:alert(1)", urls.cancel_url });
        var problem = await unknown.ReadAsync();

        Assert.Equal(((HttpStatusCode)422, "price_not_linked"), (unlinked.StatusCode, Text(await unlinked.ReadAsync(), "error")));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.NotNull(problem["errors"]!["pack"]);
        Assert.NotNull(problem["errors"]!["success_url"]);
    }

    [Fact]
    public async Task ThePortalListsThePacksAndItsBuyButtonOpensAPaymentModeCheckoutForThePack()
    {
        await using var h = await StartPacksAsync();
        await h.App.CustomerAsync("ada");
        var browser = h.App.NewBrowser();
        var link = (await (await h.App.Admin.PostJsonAsync("/v1/customers/ada/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;

        var page = await (await browser.GetAsync(new Uri(new Uri(link).PathAndQuery, UriKind.Relative))).Content.ReadAsStringAsync();
        var csrf = System.Text.RegularExpressions.Regex.Match(page, "name=\"csrf\" value=\"([^\"]+)\"").Groups[1].Value;
        var bought = await browser.PostAsync(new Uri("/portal/packs/checkout", UriKind.Relative),
            new FormUrlEncodedContent([new("pack", "calls_1k"), new("csrf", csrf)]));
        var landed = bought.RequestMessage!.RequestUri!;
        var session = h.Stripe.Session(landed.AbsolutePath["/c/pay/".Length..]);
        // A pack without a Stripe price, or none at all (a stale page, a crafted post), says so; neither blames Stripe.
        var unlinked = await browser.PostAsync(new Uri("/portal/packs/checkout", UriKind.Relative),
            new FormUrlEncodedContent([new("pack", "calls_10k"), new("csrf", csrf)]));
        var unknown = await browser.PostAsync(new Uri("/portal/packs/checkout", UriKind.Relative),
            new FormUrlEncodedContent([new("pack", "calls_1m"), new("csrf", csrf)]));

        Assert.Contains("Credit packs", page, StringComparison.Ordinal);
        Assert.Contains("1,000 calls", page, StringComparison.Ordinal);
        Assert.Contains("$99.00", page, StringComparison.Ordinal); // calls_10k is listed, without a Buy button: it has no Stripe price
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(page, "action=\"/portal/packs/checkout\""));
        Assert.Equal("checkout.stripe.com", landed.Host);
        Assert.Equal(("payment", "calls_1k"), (Text(session, "mode"), Text(session["metadata"], "tollgate_pack")));
        Assert.Equal(((HttpStatusCode)422, HttpStatusCode.BadRequest), (unlinked.StatusCode, unknown.StatusCode));
        Assert.Contains("is not sold online", await unlinked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("no such pack", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("Stripe is not available", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PacksExportCanonicallyWithCurrencyInCapitalsAndABadPackIsRefusedWithPathNamedErrors()
    {
        await using var h = await StartPacksAsync();
        var exported = await (await h.App.Admin.GetAsync("/v1/admin/catalog")).ReadAsync();
        var bad = (JsonObject)exported.DeepClone();
        bad["packs"] = JsonNode.Parse("""
            [ { "code": "x", "name": "X", "feature": "nope", "amount": 0, "price_cents": -1, "currency": "US$" },
              { "code": "x", "name": "Y", "feature": "api_calls", "amount": 5, "price_cents": 100, "currency": "USD", "expires_after_days": 0 } ]
            """);

        var refused = await h.App.Admin.PutJsonAsync("/v1/admin/catalog", bad);
        var problem = (await refused.ReadAsync()).ToJsonString();

        Assert.Equal(["calls_10k", "calls_1k"], exported["packs"]!.AsArray().Select(p => Text(p, "code")));
        Assert.Equal("USD", Text(exported["packs"]![0], "currency"));
        Assert.Equal("""{"code":"calls_1k","name":"1,000 calls","feature":"api_calls","amount":1000,"price_cents":1500,"currency":"USD","expires_after_days":30,"stripe_price_id":"price_pack_1k"}""",
            exported["packs"]![1]!.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        foreach (var path in new[] { "packs[0].feature", "packs[0].amount", "packs[0].price_cents", "packs[0].currency", "packs[1].expires_after_days" })
        {
            Assert.Contains(path, problem, StringComparison.Ordinal);
        }
    }
}

public sealed class SqlitePacksTests : PacksContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresPacksTests : PacksContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingPacksTests : PacksContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
