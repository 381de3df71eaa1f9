using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Taxes;

/// <summary>
/// The worked examples of issue 33 through real subscription invoices: the rates matched to the customer, the tax per
/// line and per rate, the totals, what is due, the credit-note cap and the upcoming invoice.
/// </summary>
public abstract class InvoiceTaxContract : ApiContract
{
    private Task<TollgateApp> AppAsync() => StartAsync(TaxesSetup.Settings(), TaxesSetup.Start);

    [Fact]
    public async Task TwentyPercentExclusiveOnTwentyNineNinetyNineBillsSixDollarsTaxAndThirtyFiveNinetyNineDue()
    {
        await using var app = await AppAsync();
        await app.TaxRateAsync(new { id = "gb_vat", name = "VAT", percentage = 20, inclusive = false, country = "GB" });
        await app.CustomerInAsync("c1", "GB");

        var invoice = await app.FirstInvoiceAsync("c1", "basic");

        Assert.Equal((2999L, 0L, 600L, 3599L, 3599L), invoice.Totals());
        var tax = invoice["lines"]![0]!["tax_amounts"]![0]!;
        Assert.Equal(("gb_vat", "VAT", 20m, false, 600L), (tax["tax_rate"].Value<string>(), tax["name"].Value<string>(), tax["percentage"].Value<decimal>(),
            tax["inclusive"].Value<bool>(), tax["amount_cents"].Value<long>()));
        var breakdown = invoice["tax_breakdown"]![0]!;
        Assert.Equal((2999L, 600L), (breakdown["taxable_amount_cents"].Value<long>(), breakdown["amount_cents"].Value<long>()));
        Assert.False(invoice["reverse_charge"].Value<bool>());
    }

    [Fact]
    public async Task NineteenPercentInclusiveOnTwentyNineNinetyNineEurosHoldsFourSeventyNineTaxAndDoesNotGrowTheTotal()
    {
        await using var app = await AppAsync();
        await app.TaxRateAsync(new { id = "de_vat", name = "MwSt.", percentage = 19, inclusive = true, country = "DE" });
        await app.CustomerInAsync("c1", "DE");

        var invoice = await app.FirstInvoiceAsync("c1", "basic_eur");

        Assert.Equal("EUR", invoice["currency"].Value<string>());
        Assert.Equal((2999L, 0L, 479L, 2999L, 2999L), invoice.Totals());
        Assert.Equal(2520L, invoice["tax_breakdown"]![0]!["taxable_amount_cents"].Value<long>());
    }

    [Fact]
    public async Task AStateRateAndACityRateEachTaxOneHundredDollarsToOneHundredEightTwentyFiveAndAnotherStatesRateIsLeftOut()
    {
        await using var app = await AppAsync();
        await app.TaxRateAsync(new { id = "tx_state", name = "Texas", percentage = 6.25m, inclusive = false, country = "US", state = "TX" });
        await app.TaxRateAsync(new { id = "tx_city", name = "Austin", percentage = 2, inclusive = false, country = "US", state = "TX" });
        await app.TaxRateAsync(new { id = "ca_state", name = "California", percentage = 7.25m, inclusive = false, country = "US", state = "CA" });
        await app.CustomerInAsync("c1", "US", "TX");

        var invoice = await app.FirstInvoiceAsync("c1", "team");

        Assert.Equal((10000L, 0L, 825L, 10825L, 10825L), invoice.Totals());
        Assert.Equal([("tx_city", 200L), ("tx_state", 625L)], invoice["lines"]![0]!["tax_amounts"]!.AsArray()
            .Select(t => (t!["tax_rate"].Value<string>()!, t["amount_cents"].Value<long>())).Order());
    }

    [Fact]
    public async Task ATwentyPercentCouponComesOffBeforeTwentyPercentVatSoTenPoundsBillsNineSixty()
    {
        await using var app = await AppAsync();
        await app.TaxRateAsync(new { id = "gb_vat", name = "VAT", percentage = 20, inclusive = false, country = "GB" });
        Assert.Equal(HttpStatusCode.Created, (await app.Admin.PostJsonAsync("/v1/admin/coupons",
            new { id = "twenty", name = "20 % off", percent_off = 20, duration = "forever" })).StatusCode);
        await app.CustomerInAsync("c1", "GB");

        var invoice = await app.FirstInvoiceAsync("c1", "starter_gbp", coupon: "twenty");

        Assert.Equal((1000L, 200L, 160L, 960L, 960L), invoice.Totals());
    }

    [Fact]
    public async Task AReverseChargeCustomerOnOneHundredEurosIsBilledNoTaxAndTheInvoiceSaysReverseCharge()
    {
        await using var app = await AppAsync();
        await app.TaxRateAsync(new { id = "de_vat", name = "MwSt.", percentage = 19, inclusive = false, country = "DE" });
        await app.CustomerInAsync("c1", "DE", taxExempt: "reverse");

        var invoice = await app.FirstInvoiceAsync("c1", "team_eur");

        Assert.Equal((10000L, 0L, 0L, 10000L, 10000L), invoice.Totals());
        Assert.True(invoice["reverse_charge"].Value<bool>());
        Assert.Empty(invoice["tax_breakdown"]!.AsArray());
    }

    [Fact]
    public async Task ACustomersOwnRatesReplaceTheRatesMatchedByItsCountry()
    {
        await using var app = await AppAsync();
        await app.TaxRateAsync(new { id = "gb_vat", name = "VAT", percentage = 20, inclusive = false, country = "GB" });
        await app.TaxRateAsync(new { id = "gb_reduced", name = "Reduced VAT", percentage = 5, inclusive = false });
        await app.CustomerInAsync("c1", "GB", taxRates: ["gb_reduced"]);

        var invoice = await app.FirstInvoiceAsync("c1", "basic");

        Assert.Equal((2999L, 0L, 150L, 3149L, 3149L), invoice.Totals());
        Assert.Equal("gb_reduced", invoice["tax_breakdown"]![0]!["tax_rate"].Value<string>());
    }

    [Fact]
    public async Task TheInvoiceExportCarriesTheTaxTheTotalAndTheReverseChargeFlag()
    {
        await using var app = await AppAsync();
        await app.TaxRateAsync(new { id = "gb_vat", name = "VAT", percentage = 20, inclusive = false, country = "GB" });
        await app.CustomerInAsync("c1", "GB");
        await app.CustomerInAsync("c2", "DE", taxExempt: "reverse");
        await app.FirstInvoiceAsync("c1", "basic");
        await app.FirstInvoiceAsync("c2", "team_eur");

        var rows = (await (await app.Admin.GetAsync("/v1/admin/exports/invoices?format=ndjson")).Content.ReadAsStringAsync())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).ToList();

        Assert.Equal([("c1", 29.99m, 6.00m, 35.99m, false), ("c2", 100m, 0m, 100m, true)], rows.Select(r => (r["customer_id"].Value<string>()!,
            r["subtotal"].Value<decimal>(), r["tax"].Value<decimal>(), r["total"].Value<decimal>(), r["reverse_charge"].Value<bool>())).Order());
    }

    [Fact]
    public async Task CreditNotesMayTakeTheWholeTotalWithTaxButNotACentMore()
    {
        await using var app = await AppAsync();
        await app.TaxRateAsync(new { id = "gb_vat", name = "VAT", percentage = 20, inclusive = false, country = "GB" });
        await app.CustomerInAsync("c1", "GB");
        var invoice = (await app.FirstInvoiceAsync("c1", "basic"))["id"].Value<string>();

        var over = await app.Admin.PostJsonAsync($"/v1/invoices/{invoice}/credit-notes", new { amount_cents = 3600, reason = "other" });
        var whole = await app.Admin.PostJsonAsync($"/v1/invoices/{invoice}/credit-notes", new { amount_cents = 3599, reason = "other" });
        var after = await (await app.Admin.GetAsync($"/v1/invoices/{invoice}")).ReadAsync();

        Assert.Equal((HttpStatusCode.Conflict, "credit_exceeds_invoice"), (over.StatusCode, (await over.ReadAsync())["error"].Value<string>()));
        Assert.Equal(HttpStatusCode.Created, whole.StatusCode);
        Assert.Equal((3599L, 0L), (after["credit_notes_cents"].Value<long>(), after["amount_due_cents"].Value<long>()));
    }

    [Fact]
    public async Task ACreditNoteForTheWholeTotalWithTaxTakesBackTheRevenueAndNoMore()
    {
        await using var app = await AppAsync();
        await app.TaxRateAsync(new { id = "gb_vat", name = "VAT", percentage = 20, inclusive = false, country = "GB" });
        await app.CustomerInAsync("c1", "GB");
        var invoice = (await app.FirstInvoiceAsync("c1", "basic"))["id"].Value<string>();
        await app.AdvanceAsync(TimeSpan.FromDays(10));
        var before = (await (await app.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost?days=30")).ReadAsync())["total_revenue_usd"].Value<decimal>();

        var credited = await app.Admin.PostJsonAsync($"/v1/invoices/{invoice}/credit-notes", new { amount_cents = 3599, reason = "other" });
        var after = (await (await app.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost?days=30")).ReadAsync())["total_revenue_usd"].Value<decimal>();

        Assert.Equal(HttpStatusCode.Created, credited.StatusCode);
        Assert.True(before > 0, $"revenue before the note was {before}"); // $29.99 without its $6.00 tax, recognized day by day
        Assert.Equal(0m, after); // the note's $35.99 includes the tax, which was never revenue
    }

    [Fact]
    public async Task TheRenewalAndTheUpcomingInvoiceTaxAsTheFirstInvoiceDidAndADeactivatedRateStopsApplying()
    {
        await using var app = await AppAsync();
        await app.TaxRateAsync(new { id = "gb_vat", name = "VAT", percentage = 20, inclusive = false, country = "GB" });
        await app.CustomerInAsync("c1", "GB");
        await app.FirstInvoiceAsync("c1", "basic");

        var upcoming = await (await app.Admin.GetAsync("/v1/customers/c1/upcoming-invoice")).ReadAsync();
        await app.AdvanceToAsync(TaxesSetup.Start.AddMonths(1).AddMinutes(1));
        var renewal = (await app.InvoicesAsync("c1"))[1];
        await app.Admin.PostJsonAsync("/v1/admin/tax-rates/gb_vat/deactivate", new { });
        var untaxed = await (await app.Admin.GetAsync("/v1/customers/c1/upcoming-invoice")).ReadAsync();

        Assert.Equal((2999L, 0L, 600L, 3599L, 3599L), upcoming.Totals());
        Assert.Equal((2999L, 0L, 600L, 3599L, 3599L), renewal.Totals());
        Assert.Equal((2999L, 0L, 0L, 2999L, 2999L), untaxed.Totals());
        // The issued invoice keeps the rate it was issued with.
        Assert.Equal(600L, (await (await app.Admin.GetAsync($"/v1/invoices/{renewal["id"].Value<string>()}")).ReadAsync())["tax_cents"].Value<long>());
    }
}

public sealed class SqliteInvoiceTaxTests : InvoiceTaxContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresInvoiceTaxTests : InvoiceTaxContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same invoices with the clock running, as it does in production.</summary>
public sealed class SqliteTickingInvoiceTaxTests : InvoiceTaxContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
