using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>
/// What an immediate plan change or cancel bills, and that its preview and its answer show exactly the invoice issued:
/// the old plan's overage up to the change, pending items swept in, discounts and tax.
/// </summary>
public abstract class ChangeInvoiceContract : ApiContract
{
    // Basic: 100 calls a month, then 3¢ each; pro: 1,000, then 2¢ each.
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "calls", "limit": 10 } ] },
            { "code": "basic", "name": "Basic",
              "prices": [ { "billing_period": "monthly", "price_cents": 999 }, { "billing_period": "yearly", "price_cents": 9990 } ],
              "features": [ { "feature_code": "calls", "limit": 100, "hard_cap": false, "overage_unit_price_cents": 3 } ] },
            { "code": "pro", "name": "Pro",
              "prices": [ { "billing_period": "monthly", "price_cents": 2999 }, { "billing_period": "yearly", "price_cents": 29990 } ],
              "features": [ { "feature_code": "calls", "limit": 1000, "hard_cap": false, "overage_unit_price_cents": 2 } ] }
          ]
        }
        """;

    private static readonly DateTimeOffset May1 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("change-invoice", Catalog), May1);

    private static DateTimeOffset Utc(int m, int d) => new(2026, m, d, 0, 0, 0, TimeSpan.Zero);

    private static List<(string Kind, long Amount)> Lines(JsonNode node) =>
        [.. node["lines"]!.AsArray().Select(l => (l!["kind"].Value<string>()!, l["amount_cents"].Value<long>()))];

    private static List<(string Kind, long Amount)> Overage(JsonNode node) => [.. Lines(node).Where(l => l.Kind == "overage")];

    private static async Task<JsonNode> PostAsync(TollgateApp app, string path, object body)
    {
        var response = await app.Admin.PostJsonAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.ReadAsync();
    }

    [Fact]
    public async Task OverageRunUpBeforeAnImmediateUpgradeIsBilledAtTheOldPlansPriceOnTheNextInvoiceAndNeverAgain()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "basic", trialDays: 0);
        await app.ConsumeAsync("c1", "calls", 600);
        await app.AdvanceToAsync(Utc(5, 31));

        var change = await PostAsync(app, $"/v1/subscriptions/{id}/change", new { plan = "pro" });
        // 1,100 used: 600 before the change (500 billed on basic), then 500 more, 100 of them past pro's 1,000.
        await app.ConsumeAsync("c1", "calls", 500);
        var upcoming = await (await app.Admin.GetAsync("/v1/customers/c1/upcoming-invoice")).ReadAsync();
        await app.AdvanceToAsync(Utc(6, 2));
        var renewal = (await app.InvoicesAsync("c1"))[^1];

        Assert.Equal(("overage", 1500L), Overage(change).Single());
        Assert.Equal([("overage", 200L), ("overage", 1500L)], Overage(renewal).Order());
        Assert.Contains("500 calls of API calls past 100", renewal["lines"]!.AsArray().Single(l => l!["amount_cents"].Value<long>() == 1500)!["description"]
            .Value<string>(), StringComparison.Ordinal);
        Assert.Equal(Lines(renewal), Lines(upcoming));
        Assert.Equal(renewal["amount_due_cents"].Value<long>(), upcoming["amount_due_cents"].Value<long>());
    }

    [Fact]
    public async Task AlwaysInvoiceBillsAYearlyUpgradesProrationAndTheOverageSoFarNowNotAtTheNextRenewal()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "basic", "yearly", trialDays: 0);
        await app.ConsumeAsync("c1", "calls", 150);
        await app.AdvanceToAsync(Utc(8, 1));

        var preview = await PostAsync(app, $"/v1/subscriptions/{id}/change/preview", new { plan = "pro", proration = "always_invoice" });
        var change = await PostAsync(app, $"/v1/subscriptions/{id}/change", new { plan = "pro", proration = "always_invoice" });
        var invoice = (await app.InvoicesAsync("c1"))[^1];
        var upcoming = await (await app.Admin.GetAsync("/v1/customers/c1/upcoming-invoice")).ReadAsync();
        var bad = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "basic", proration = "invoice_later" });

        // The unused time on basic, the rest of the year on pro and basic's 50 calls past 100 at 3¢, issued on Aug 1.
        var lines = Lines(change).Order().ToList();
        Assert.Equal(3, lines.Count);
        Assert.Contains(("overage", 150L), lines);
        Assert.Equal(change["invoice_id"].Value<string>(), invoice["id"].Value<string>());
        Assert.Equal(lines, Lines(invoice).Order().ToList());
        Assert.Equal(lines.Sum(l => l.Amount), invoice["amount_due_cents"].Value<long>() + invoice["credit_applied_cents"].Value<long>());
        Assert.Equal(Lines(preview).Order().ToList(), lines);
        // Nothing of it waits for the renewal: the next invoice is pro's year alone.
        Assert.Equal(["recurring"], Lines(upcoming).Select(l => l.Kind));
        Assert.Equal("must be create_prorations, always_invoice or none", (await bad.ReadAsync())["errors"]!["proration"].Value<string>());
    }

    [Fact]
    public async Task AnImmediateDowngradeBillsTheUsageBeforeItOnTheOldPlanAndTheNewPlanOnlyWhatComesAfter()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro", trialDays: 0);
        await app.ConsumeAsync("c1", "calls", 600);
        await app.AdvanceToAsync(Utc(5, 20));

        var change = await PostAsync(app, $"/v1/subscriptions/{id}/change", new { plan = "basic", effective = "immediate" });
        await app.ConsumeAsync("c1", "calls", 50);
        await app.AdvanceToAsync(Utc(6, 2));
        var renewal = (await app.InvoicesAsync("c1"))[^1];

        // Pro's 1,000 covered the 600 used before the change; basic bills the 50 after it, past what was settled.
        Assert.Empty(Overage(change));
        Assert.Equal([("overage", 150L)], Overage(renewal));
    }

    [Fact]
    public async Task AChangeOfPeriodsPreviewAndAnswerShowTheInvoiceItIssuesWithThePendingItemsItSweepsIn()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "basic", trialDays: 0);
        await app.AdvanceToAsync(Utc(5, 11));
        await PostAsync(app, $"/v1/subscriptions/{id}/change", new { plan = "pro" });
        await app.ConsumeAsync("c1", "calls", 1060);
        await app.AdvanceToAsync(Utc(5, 21));

        var body = new { plan = "pro", billing_period = "yearly", effective = "immediate" };
        var preview = await PostAsync(app, $"/v1/subscriptions/{id}/change/preview", body);
        var change = await PostAsync(app, $"/v1/subscriptions/{id}/change", body);
        var invoice = await (await app.Admin.GetAsync($"/v1/invoices/{change["invoice_id"].Value<string>()}")).ReadAsync();

        // The two proration items of the first upgrade, the credit, the yearly fee and the overage so far: five lines.
        Assert.Equal(5, Lines(invoice).Count);
        Assert.Equal(Lines(invoice), Lines(change));
        Assert.Equal(Lines(invoice), Lines(preview));
        Assert.Equal(invoice["total_cents"].Value<long>(), change["amount_cents"].Value<long>());
        Assert.Equal(invoice["total_cents"].Value<long>(), preview["amount_cents"].Value<long>());
        Assert.Equal(invoice["total_cents"].Value<long>(), preview["invoice"]!["total_cents"].Value<long>());
    }

    [Fact]
    public async Task ACancelNowAnswersTheFinalInvoiceWithThePendingItemsItSweepsIn()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "basic", trialDays: 0);
        await app.AdvanceToAsync(Utc(5, 22));
        await PostAsync(app, $"/v1/subscriptions/{id}/change", new { plan = "pro" });
        await app.AdvanceToAsync(Utc(5, 27));

        var cancel = await PostAsync(app, $"/v1/subscriptions/{id}/cancel", new { at_period_end = false, credit_unused = true });
        var invoice = await (await app.Admin.GetAsync($"/v1/invoices/{cancel["invoice_id"].Value<string>()}")).ReadAsync();

        Assert.Equal(3, Lines(invoice).Count);
        Assert.Equal(Lines(invoice), Lines(cancel));
        Assert.Equal(invoice["total_cents"].Value<long>(), cancel["amount_cents"].Value<long>());
    }

    [Fact]
    public async Task AChangeOfPeriodsPreviewShowsTheTaxItsInvoiceTakes()
    {
        await using var app = await AppAsync();
        (await app.Admin.PostJsonAsync("/v1/admin/tax-rates", new { id = "jp_in", name = "JCT", percentage = 10, inclusive = true, country = "JP" }))
            .EnsureSuccessStatusCode();
        (await app.Admin.PostJsonAsync("/v1/admin/tax-rates", new { id = "jp_ex", name = "Local", percentage = 2.5m, inclusive = false, country = "JP" }))
            .EnsureSuccessStatusCode();
        (await app.Admin.PutJsonAsync("/v1/customers/c1", new { email = "c1@example.com", address = new { country = "JP" } })).EnsureSuccessStatusCode();
        var id = await app.SubscribeAsync("c1", "basic", trialDays: 0);
        await app.AdvanceToAsync(Utc(5, 16));

        var body = new { plan = "basic", billing_period = "yearly", effective = "immediate" };
        var preview = await PostAsync(app, $"/v1/subscriptions/{id}/change/preview", body);
        var change = await PostAsync(app, $"/v1/subscriptions/{id}/change", body);
        var invoice = await (await app.Admin.GetAsync($"/v1/invoices/{change["invoice_id"].Value<string>()}")).ReadAsync();

        Assert.True(invoice["tax_cents"].Value<long>() > 0);
        Assert.Equal((invoice["tax_cents"].Value<long>(), invoice["total_cents"].Value<long>()),
            (preview["tax_cents"].Value<long>(), preview["amount_cents"].Value<long>()));
        Assert.Equal((invoice["tax_cents"].Value<long>(), invoice["total_cents"].Value<long>()),
            (change["tax_cents"].Value<long>(), change["amount_cents"].Value<long>()));
        Assert.Equal(invoice["lines"]!.AsArray().Select(l => l!["tax_amounts"]!.AsArray().Count),
            preview["lines"]!.AsArray().Select(l => l!["tax_amounts"]!.AsArray().Count));
        Assert.All(preview["lines"]!.AsArray(), l => Assert.NotEmpty(l!["tax_amounts"]!.AsArray()));
    }
}

public sealed class SqliteChangeInvoiceTests : ChangeInvoiceContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresChangeInvoiceTests : ChangeInvoiceContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does.</summary>
public sealed class TickingClockChangeInvoiceTests : ChangeInvoiceContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
