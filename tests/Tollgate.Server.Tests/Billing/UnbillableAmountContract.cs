using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>
/// Usage whose overage no amount can hold (10^12 GB at 10^11 cents, both inside their fields' bounds) made every read of
/// the customer's next invoice a 500, and its renewal threw in the loop that renews every subscription due, so no
/// subscription after it was renewed, dunned or expired.
/// </summary>
public abstract class UnbillableAmountContract : ApiContract
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "storage", "name": "Storage", "unit": "GB", "kind": "metered" } ],
          "metrics": [ { "code": "peak_gb", "name": "Peak storage", "event": "storage", "aggregation": "max", "property": "gb" } ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ], "features": [] },
            { "code": "big", "name": "Big", "prices": [ { "billing_period": "monthly", "price_cents": 10000 } ],
              "features": [ { "feature_code": "storage", "limit": 1, "hard_cap": false, "overage_unit_price_cents": 100000000000, "metric": "peak_gb" } ] },
            { "code": "bigger", "name": "Bigger", "prices": [ { "billing_period": "monthly", "price_cents": 20000 } ],
              "features": [ { "feature_code": "storage", "limit": 2, "hard_cap": false, "overage_unit_price_cents": 100000000000, "metric": "peak_gb" } ] }
          ]
        }
        """;

    private static readonly DateTimeOffset Oct1 = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AnOverageNoAmountCanHoldIsA422AndTheOtherSubscriptionsStillRenew()
    {
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("unbillable", Catalog), Oct1);
        foreach (var customer in new[] { "a-huge", "b-fine" })
        {
            await app.CustomerAsync(customer);
            await app.SubscribeAsync(customer, "big", collection: "send_invoice");
        }

        var tracked = await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new[] { new { id = "huge-1", customer = "a-huge", @event = "storage", properties = new { gb = 1_000_000_000_000L } } },
        });
        var upcoming = await app.Admin.GetAsync("/v1/customers/a-huge/upcoming-invoice");
        await app.AdvanceToAsync(Oct1.AddMonths(1).AddDays(1));

        Assert.Equal(HttpStatusCode.OK, tracked.StatusCode);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "amount_out_of_range"), (upcoming.StatusCode, (await upcoming.ReadAsync())["error"].Value<string>()));
        Assert.Equal(2, (await app.InvoicesAsync("b-fine")).Count); // renewed, though a-huge's id sorts first
        Assert.Single(await app.InvoicesAsync("a-huge"));
    }

    [Fact]
    public async Task ASubscriptionWhoseUsageNoAmountCanHoldIsCanceledOrDeletedWithItsUsageWaived()
    {
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("unbillable", Catalog), Oct1);
        var subscriptions = new Dictionary<string, string>();
        foreach (var customer in new[] { "a-huge", "b-huge" })
        {
            await app.CustomerAsync(customer);
            subscriptions[customer] = await app.SubscribeAsync(customer, "big", collection: "send_invoice");
            await app.Admin.PostJsonAsync("/v1/events", new
            {
                events = new[] { new { id = $"{customer}-1", customer, @event = "storage", properties = new { gb = 1_000_000_000_000L } } },
            });
        }

        var cancelUrl = $"/v1/subscriptions/{subscriptions["a-huge"]}/cancel";
        var billed = await app.Admin.PostJsonAsync(cancelUrl, new { at_period_end = false });
        var atPeriodEnd = await app.Admin.PostJsonAsync(cancelUrl, new { bill_usage = false });
        var waived = await app.Admin.PostJsonAsync(cancelUrl, new { at_period_end = false, bill_usage = false });
        var deleted = await app.Admin.DeleteAsync("/v1/customers/b-huge?bill_usage=false");

        var refusal = await billed.ReadAsync();
        Assert.Equal("amount_out_of_range", refusal["error"].Value<string>());
        Assert.Contains("with at_period_end false and bill_usage false, or DELETE /v1/customers/{id}?bill_usage=false", refusal["detail"].Value<string>(),
            StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "bill_usage"), (atPeriodEnd.StatusCode, (await atPeriodEnd.ReadAsync())["errors"]!.AsObject().Single().Key));
        Assert.Equal(HttpStatusCode.OK, waived.StatusCode);
        var answer = await waived.ReadAsync();
        Assert.Equal("canceled", answer["subscription"]!["status"]!.Value<string>());
        Assert.DoesNotContain(answer["lines"]!.AsArray(), l => l!["kind"]!.Value<string>() == "overage");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("canceled", (await (await app.Admin.GetAsync($"/v1/subscriptions/{subscriptions["b-huge"]}")).ReadAsync())["status"]!.Value<string>());
    }

    [Fact]
    public async Task ThePortalOfACustomerWhoseUsageNoAmountCanHoldShowsItsPageSayingTheNextInvoiceCannotBeShown()
    {
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("unbillable", Catalog), Oct1);
        await app.CustomerAsync("a-huge");
        await app.SubscribeAsync("a-huge", "big", collection: "send_invoice");
        await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new[] { new { id = "huge-1", customer = "a-huge", @event = "storage", properties = new { gb = 1_000_000_000_000L } } },
        });
        using var portal = await Pages.PageText.PortalAsync(app, "a-huge");

        var home = await portal.GetAsync(new Uri("/portal", UriKind.Relative));
        var html = await home.Content.ReadAsStringAsync();
        var csrf = System.Text.RegularExpressions.Regex.Match(html, "name=\"csrf\" value=\"([^\"]+)\"").Groups[1].Value;
        var preview = await portal.PostAsync(new Uri("/portal/change/preview", UriKind.Relative),
            new FormUrlEncodedContent([new("choice", "bigger:monthly"), new("csrf", csrf)]));
        var previewHtml = await preview.Content.ReadAsStringAsync();
        var previewText = Pages.PageText.Visible(previewHtml);

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Your next invoice cannot be shown", Pages.PageText.Visible(html), StringComparison.Ordinal);
        Assert.Contains("Big", Pages.PageText.Visible(html), StringComparison.Ordinal);
        // An upgrade's preview bills the usage so far: a page at the problem's status, worded for the customer.
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "text/html"), (preview.StatusCode, preview.Content.Headers.ContentType?.MediaType));
        Assert.Contains("Please contact us to have it corrected", previewText, StringComparison.Ordinal);
        Assert.DoesNotContain("bill_usage", previewText, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/portal\" data-testid=\"back\">Back</a>", previewHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheConsoleNamesItsOwnChoiceThatWaivesTheUsageAndRefusesAnUnknownTimeToEnd()
    {
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("unbillable", Catalog), Oct1);
        await app.CustomerAsync("a-huge");
        var subscription = await app.SubscribeAsync("a-huge", "big", collection: "send_invoice");
        await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new[] { new { id = "huge-1", customer = "a-huge", @event = "storage", properties = new { gb = 1_000_000_000_000L } } },
        });
        using var browser = app.NewBrowser();
        (await browser.PostAsync(new Uri("/admin/login", UriKind.Relative),
            new FormUrlEncodedContent([new("key", TollgateApp.AdminKey)]))).EnsureSuccessStatusCode();
        var html = await browser.GetStringAsync(new Uri("/admin/customers/a-huge", UriKind.Relative));
        var csrf = System.Text.RegularExpressions.Regex.Match(html, "name=\"csrf\" value=\"([^\"]+)\"").Groups[1].Value;
        Task<HttpResponseMessage> CancelAsync(string when) => browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/admin/customers/a-huge/cancel")
        {
            Content = new FormUrlEncodedContent([new("reason", "other"), new("when", when), new("csrf", csrf)]),
            Headers = { Referrer = new Uri(browser.BaseAddress!, "/admin/customers/a-huge?tab=billing") },
        });

        var misspelt = await CancelAsync("nwo");
        var afterMisspelt = await (await app.Admin.GetAsync($"/v1/subscriptions/{subscription}")).ReadAsync();
        var billed = await CancelAsync("now");
        var billedText = Pages.PageText.Visible(await billed.Content.ReadAsStringAsync());
        var waived = await CancelAsync("now_waive_usage");
        var afterWaived = await (await app.Admin.GetAsync($"/v1/subscriptions/{subscription}")).ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, misspelt.StatusCode);
        Assert.Equal((false, "active"), (afterMisspelt["cancel_at_period_end"].Value<bool>(), afterMisspelt["status"].Value<string>()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, billed.StatusCode);
        Assert.Contains("cancel it with \"Now, crediting unused time, usage not billed\"", billedText, StringComparison.Ordinal);
        Assert.DoesNotContain("bill_usage", billedText, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/admin/customers/a-huge?tab=billing\" data-testid=\"back\">", await misspelt.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, waived.StatusCode); // the redirect to the customer's page, followed
        Assert.Equal("canceled", afterWaived["status"].Value<string>());
    }

    [Fact]
    public async Task TaxThatPushesATotalPastWhatAnAmountHoldsIsA422AndIssuesNothingWhereItWrappedToAHugeCredit()
    {
        // 91,999,999 GB past the limit at 10^11 cents is 9.2e18 cents, inside a bigint; 6.25 % tax on it is not. The total
        // wrapped negative: the cancel issued a paid invoice and credited the customer 8.6e18 cents (outside trial).
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("unbillable", Catalog), Oct1);
        Assert.Equal(HttpStatusCode.Created, (await app.Admin.PostJsonAsync("/v1/admin/tax-rates",
            new { id = "us_tx", name = "Texas sales tax", percentage = 6.25m, inclusive = false, country = "US", state = "TX" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await app.Admin.PutJsonAsync("/v1/customers/taxed",
            new { email = "t@example.com", address = new { line1 = "1 Main St", city = "Austin", postal_code = "78701", state = "TX", country = "US" } })).StatusCode);
        var subscription = await app.SubscribeAsync("taxed", "big", collection: "send_invoice");
        await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new[] { new { id = "t-1", customer = "taxed", @event = "storage", properties = new { gb = 92_000_000L } } },
        });

        var upcoming = await app.Admin.GetAsync("/v1/customers/taxed/upcoming-invoice");
        var cancel = await app.Admin.PostJsonAsync($"/v1/subscriptions/{subscription}/cancel", new { at_period_end = false });
        var customer = await (await app.Admin.GetAsync("/v1/customers/taxed")).ReadAsync();

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "amount_out_of_range"), (upcoming.StatusCode, (await upcoming.ReadAsync())["error"].Value<string>()));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "amount_out_of_range"), (cancel.StatusCode, (await cancel.ReadAsync())["error"].Value<string>()));
        Assert.Single(await app.InvoicesAsync("taxed")); // the first period's fee only
        Assert.DoesNotContain("-", customer["balance_cents"]?.ToJsonString() ?? "", StringComparison.Ordinal);
        Assert.Equal("active", (await (await app.Admin.GetAsync($"/v1/subscriptions/{subscription}")).ReadAsync())["status"].Value<string>());
    }

    [Fact]
    public async Task AWaivedCancelBillsNoneOfThePeriodsUsageAndABilledOneBillsIt()
    {
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("unbillable", Catalog.Replace("100000000000", "100")), Oct1);
        var lines = new Dictionary<string, long>();
        foreach (var (customer, billUsage) in new[] { ("waived", false), ("billed", true) })
        {
            await app.CustomerAsync(customer);
            var id = await app.SubscribeAsync(customer, "big", collection: "send_invoice");
            await app.Admin.PostJsonAsync("/v1/events", new
            {
                events = new[] { new { id = $"{customer}-1", customer, @event = "storage", properties = new { gb = 6 } } },
            });
            var canceled = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = false, bill_usage = billUsage })).ReadAsync();
            lines[customer] = canceled["lines"]!.AsArray().Where(l => l!["kind"]!.Value<string>() == "overage").Sum(l => l!["amount_cents"]!.Value<long>());
        }

        Assert.Equal(0, lines["waived"]);
        Assert.Equal(500, lines["billed"]); // 6 GB at its peak, 1 included, 5 at 100 cents
    }
}

public sealed class SqliteUnbillableAmountTests : UnbillableAmountContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresUnbillableAmountTests : UnbillableAmountContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same with the clock running, as it does in production.</summary>
public sealed class SqliteTickingUnbillableAmountTests : UnbillableAmountContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
