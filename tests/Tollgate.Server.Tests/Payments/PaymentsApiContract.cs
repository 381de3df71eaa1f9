using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Payments;

/// <summary>Checkout and the customer portal, against a fake Stripe that checks the wire format of every call.</summary>
public abstract partial class PaymentsApiContract : ApiContract
{
    [Fact]
    public async Task CheckoutCreatesTheStripeCustomerOnceAndReusesItOnTheNextCheckout()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        await h.App.CustomerAsync("ada");

        var first = await (await h.PostCheckoutAsync("ada", "pro")).ReadAsync();
        await h.CheckoutAsync("ada", "pro", "yearly");
        var customers = h.Stripe.Requests.Where(r => r.Path == "/v1/customers").ToList();
        var sessions = h.Stripe.Requests.Where(r => r.Path == "/v1/checkout/sessions").ToList();
        var linked = await h.ScalarAsync<string>("SELECT stripe_customer_id FROM customers WHERE id = 'ada'");

        var created = Assert.Single(customers);
        Assert.Equal(("ada@example.com", "ada", "tollgate-customer-ada"),
            (created.Form["email"], created.Form["metadata[tollgate_customer]"], created.IdempotencyKey));
        Assert.StartsWith("cus_", linked, StringComparison.Ordinal);
        Assert.Equal(2, sessions.Count);
        Assert.Equal(new Dictionary<string, string>
        {
            ["mode"] = "subscription", ["customer"] = linked!, ["line_items[0][price]"] = "price_pro_monthly", ["line_items[0][quantity]"] = "1",
            ["success_url"] = "https://app.example.com/billing/done?session={CHECKOUT_SESSION_ID}", ["cancel_url"] = "https://app.example.com/pricing",
            ["client_reference_id"] = "ada", ["metadata[tollgate_customer]"] = "ada", ["subscription_data[metadata][tollgate_customer]"] = "ada",
        }, sessions[0].Form);
        Assert.Equal(("price_pro_yearly", linked), (sessions[1].Form["line_items[0][price]"], sessions[1].Form["customer"]));
        Assert.All(h.Stripe.Requests, r => Assert.Equal(("Bearer " + FakeStripe.SecretKey, "2025-03-31.basil", 200),
            (r.Authorization, r.StripeVersion, r.Status)));
        Assert.All(h.Stripe.Requests, r => Assert.StartsWith("application/x-www-form-urlencoded", r.ContentType, StringComparison.Ordinal));
        Assert.NotEqual(sessions[0].IdempotencyKey, sessions[1].IdempotencyKey);
        Assert.All(sessions, s => Assert.False(string.IsNullOrEmpty(s.IdempotencyKey)));
        var sessionId = first["session_id"].Value<string>()!;
        Assert.StartsWith("cs_test_", sessionId, StringComparison.Ordinal);
        Assert.Equal($"https://checkout.stripe.com/c/pay/{sessionId}", first["checkout_url"].Value<string>());
    }

    [Fact]
    public async Task CheckoutOfAPriceWithATrialAsksStripeForTheTrialDays()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        await h.App.CustomerAsync("ada");

        await h.CheckoutAsync("ada", "basic");

        var session = h.Stripe.Requests.Single(r => r.Path == "/v1/checkout/sessions");
        Assert.Equal(("price_basic_monthly", "14"), (session.Form["line_items[0][price]"], session.Form["subscription_data[trial_period_days]"]));
    }

    [Fact]
    public async Task CheckoutRefusesBadInputNamingTheFieldAndCallsStripeForNoneOfIt()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        await h.App.CustomerAsync("ada");

        var unknownCustomer = await h.PostCheckoutAsync("nobody", "pro");
        var unknownPlan = await h.PostCheckoutAsync("ada", "platinum");
        var badPeriod = await h.PostCheckoutAsync("ada", "pro", "weekly");
        var noYearly = await h.PostCheckoutAsync("ada", "basic", "yearly");
        var unlinked = await h.PostCheckoutAsync("ada", "team");
        var badUrls = await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions",
            new { customer = "ada", plan = "pro", success_url = "/billing/done", cancel_url = "ftp://example.com/x" });

        Assert.Equal((HttpStatusCode.NotFound, "customer"), (unknownCustomer.StatusCode, (await unknownCustomer.ReadAsync())["resource"].Value<string>()));
        Assert.Equal((HttpStatusCode.NotFound, "plan"), (unknownPlan.StatusCode, (await unknownPlan.ReadAsync())["resource"].Value<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, badPeriod.StatusCode);
        Assert.NotNull((await badPeriod.ReadAsync())["errors"]!["billing_period"]);
        Assert.Equal("plan 'basic' has no yearly price", (await noYearly.ReadAsync())["errors"]!["billing_period"].Value<string>());
        var notLinked = await unlinked.ReadAsync();
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "price_not_linked"), (unlinked.StatusCode, notLinked["error"].Value<string>()));
        Assert.NotNull(notLinked["errors"]!["plan"]);
        var urls = (await badUrls.ReadAsync())["errors"]!;
        Assert.Equal(HttpStatusCode.BadRequest, badUrls.StatusCode);
        Assert.Equal(("must be an absolute http or https URL of at most 2048 characters, without a user name or password", "must be an absolute http or https URL of at most 2048 characters, without a user name or password"),
            (urls["success_url"].Value<string>(), urls["cancel_url"].Value<string>()));
        Assert.Empty(h.Stripe.Requests);
    }

    [Fact]
    public async Task CheckoutForACustomerAlreadyPayingThroughStripeIs409()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        await h.App.CustomerAsync("ada");
        await h.SubscribeAsync("ada", "basic");
        var before = h.Stripe.Requests.Count;

        var again = await h.PostCheckoutAsync("ada", "pro");

        var problem = await again.ReadAsync();
        Assert.Equal((HttpStatusCode.Conflict, "subscription_exists"), (again.StatusCode, problem["error"].Value<string>()));
        Assert.Contains("customer portal", problem["detail"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(before, h.Stripe.Requests.Count);
    }

    [Fact]
    public async Task CheckoutRetriesAStripeOutageWithTheSameIdempotencyKey()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        await h.App.CustomerAsync("ada");
        h.Stripe.FailNext(1, 503);

        var response = await h.PostCheckoutAsync("ada", "pro");

        var customers = h.Stripe.Requests.Where(r => r.Path == "/v1/customers").ToList();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([503, 200], customers.Select(r => r.Status));
        Assert.Equal(customers[0].IdempotencyKey, customers[1].IdempotencyKey);
    }

    [Fact]
    public async Task ACustomerIdOf255CharactersGetsItsStripeCustomerUnderAKeyWithinStripesLimit()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        var id = "org:" + new string('a', 251);
        await h.App.CustomerAsync(id, email: "long-id@example.com"); // {id}@example.com would pass the 254 characters an address may have

        var first = await h.PostCheckoutAsync(id, "pro");
        var key = h.Stripe.Requests.Single(r => r.Path == "/v1/customers").IdempotencyKey!;

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.InRange(key.Length, 1, 255);
        Assert.Equal(key, global::Tollgate.Server.Payments.StripeIdempotencyKey.For("tollgate-customer", id)); // the same key on every retry and node
        Assert.NotNull(await h.ScalarAsync<string>("SELECT stripe_customer_id FROM customers WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task StripeRefusingTheCheckoutIsA502CarryingStripesCodeAndParam()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, prices: ["price_pro_monthly"]);
        await h.App.CustomerAsync("ada");

        var response = await h.PostCheckoutAsync("ada", "pro", "yearly");

        var problem = await response.ReadAsync();
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(("stripe_error", 400, "resource_missing", "line_items[0][price]", "No such price: 'price_pro_yearly'"),
            (problem["error"].Value<string>(), problem["stripe_status"].Value<int>(), problem["stripe_code"].Value<string>(),
                problem["stripe_param"].Value<string>(), problem["detail"].Value<string>()));
        Assert.Single(h.Stripe.Requests, r => r.Path == "/v1/checkout/sessions"); // a 400 is not retried
    }

    [Fact]
    public async Task PortalOpensStripesPortalForTheLinkedStripeCustomer()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        await h.App.CustomerAsync("ada");
        await h.CheckoutAsync("ada", "pro");

        var response = await h.App.Admin.PostJsonAsync("/v1/billing/portal-sessions",
            new { customer = "ada", return_url = "https://app.example.com/account" });

        var portal = h.Stripe.Requests.Single(r => r.Path == "/v1/billing_portal/sessions");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("https://billing.stripe.com/p/session/", (await response.ReadAsync())["url"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal((await h.ScalarAsync<string>("SELECT stripe_customer_id FROM customers WHERE id = 'ada'"), "https://app.example.com/account"),
            (portal.Form["customer"], portal.Form["return_url"]));
        Assert.False(string.IsNullOrEmpty(portal.IdempotencyKey));
    }

    [Fact]
    public async Task PortalForACustomerWithoutAStripeCustomerIs409()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        await h.App.CustomerAsync("ada");

        var unlinked = await h.App.Admin.PostJsonAsync("/v1/billing/portal-sessions", new { customer = "ada", return_url = "https://app.example.com/" });
        var unknown = await h.App.Admin.PostJsonAsync("/v1/billing/portal-sessions", new { customer = "nobody", return_url = "https://app.example.com/" });
        var badUrl = await h.App.Admin.PostJsonAsync("/v1/billing/portal-sessions", new { customer = "ada", return_url = "account" });

        var problem = await unlinked.ReadAsync();
        Assert.Equal((HttpStatusCode.Conflict, "stripe_customer_missing"), (unlinked.StatusCode, problem["error"].Value<string>()));
        Assert.Contains("first checkout", problem["detail"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.NotNull((await badUrl.ReadAsync())["errors"]!["return_url"]);
        Assert.Empty(h.Stripe.Requests);
    }

    [Fact]
    public async Task BillingEndpointsNeedASecretKey()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        await h.App.CustomerAsync("ada");
        var publishable = await (await h.App.Admin.PostJsonAsync("/v1/admin/keys", new { role = "publishable", name = "web" })).ReadAsync();

        var anonymous = await h.App.Anonymous.PostJsonAsync("/v1/billing/checkout-sessions", new { customer = "ada", plan = "pro" });
        var withPublishable = await h.App.WithKey(publishable["key"].Value<string>()!).PostJsonAsync("/v1/billing/portal-sessions",
            new { customer = "ada", return_url = "https://app.example.com/" });

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden), (anonymous.StatusCode, withPublishable.StatusCode));
        Assert.Empty(h.Stripe.Requests);
    }

    [Fact]
    public async Task WithoutStripeKeysTheBillingEndpointsAnswer503AndEverythingElseWorks()
    {
        await using var app = await StartAsync(ApiSetup.PaymentsCatalog());
        await app.CustomerAsync("ada");

        var checkout = await app.Admin.PostJsonAsync("/v1/billing/checkout-sessions",
            new { customer = "ada", plan = "pro", success_url = "https://a.example/", cancel_url = "https://a.example/" });
        var portal = await app.Admin.PostJsonAsync("/v1/billing/portal-sessions", new { customer = "ada", return_url = "https://a.example/" });
        var webhook = await app.Anonymous.PostJsonAsync("/v1/billing/webhooks/stripe", new { id = "evt_1", type = "invoice.paid" });
        var subscription = await app.SubscribeAsync("ada", "pro");
        var consume = await app.ConsumeAsync("ada", "api_calls");

        foreach (var response in new[] { checkout, portal, webhook })
        {
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "payments_not_configured"),
                (response.StatusCode, (await response.ReadAsync())["error"].Value<string>()));
        }

        Assert.Contains("Tollgate:Stripe:SecretKey", (await checkout.ReadAsync())["detail"].Value<string>(), StringComparison.Ordinal);
        Assert.Contains("Tollgate:Stripe:WebhookSecret", (await webhook.ReadAsync())["detail"].Value<string>(), StringComparison.Ordinal);
        Assert.StartsWith("sub_", subscription, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "pro"), (consume.StatusCode, (await consume.ReadAsync())["plan"].Value<string>()));
    }
}

public sealed class SqlitePaymentsApiTests : PaymentsApiContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresPaymentsApiTests : PaymentsApiContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
