using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Payments;

/// <summary>
/// A Stripe-billed subscription's invoice: Stripe computes the tax, and Tollgate's copy shows what Stripe's invoice says,
/// in the API, the printable invoice and the PDF, without adding Tollgate's own rates.
/// </summary>
public abstract class StripeInvoiceTaxContract : ApiContract
{
    private static string? Text(JsonNode? node, string name) => node?[name].Value<string>();

    private static (long Subtotal, long Tax, long Total, long Due, long Paid) Totals(JsonNode invoice) =>
        (invoice["subtotal_cents"].Value<long>(), invoice["tax_cents"].Value<long>(), invoice["total_cents"].Value<long>(),
            invoice["amount_due_cents"].Value<long>(), invoice["amount_paid_cents"].Value<long>());

    /// <summary>Ada, billed in Germany, where Tollgate has a 19 % rate of its own that a Stripe-billed invoice must not take.</summary>
    private async Task<PaymentsHarness> GermanCustomerAsync()
    {
        // The harness starts its own server, so ApiContract's ticking switch has to be handed to it.
        var h = await PaymentsHarness.StartAsync(Kind,
            extra: ClockSettings);
        Assert.Equal(HttpStatusCode.Created, (await h.App.Admin.PostJsonAsync("/v1/admin/tax-rates",
            new { id = "de_vat", name = "MwSt.", percentage = 19, inclusive = false, country = "DE" })).StatusCode);
        (await h.App.Admin.PutJsonAsync("/v1/customers/ada", new
        {
            email = "ada@example.com", name = "Ada GmbH", address = new { line1 = "Unter den Linden 1", city = "Berlin", postal_code = "10117", country = "DE" },
        })).EnsureSuccessStatusCode();
        return h;
    }

    /// <summary>Ada subscribed to pro through Stripe, and Stripe's invoice for it with Stripe's own 20 % VAT (DE) added.</summary>
    private static async Task<JsonObject> TaxedInvoiceAsync(PaymentsHarness h, bool paid)
    {
        var subscription = await h.SubscribeAsync("ada", "pro");
        var vat = h.Stripe.AddTaxRate("VAT", 20m, inclusive: false, jurisdiction: "DE");
        return h.Stripe.Taxed(h.Stripe.Invoice(subscription, paid), vat);
    }

    [Fact]
    public async Task APaidStripeInvoiceShowsStripesTaxPerRateAndOnItsLineAndTollgatesOwnRateIsNeverAdded()
    {
        await using var h = await GermanCustomerAsync();
        await h.App.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = "https://hooks.example.com/tollgate", events = new[] { "invoice.paid" } });
        var subscription = await h.SubscribeAsync("ada", "pro");
        var issued = Assert.Single(await h.App.InvoicesAsync("ada"));
        var id = Text(issued, "id");
        var vat = h.Stripe.AddTaxRate("VAT", 20m, inclusive: false, jurisdiction: "DE");

        var answer = await h.DeliverAsync("invoice.paid", h.Stripe.Taxed(h.Stripe.Invoice(subscription, paid: true), vat));
        var invoice = await (await h.App.Admin.GetAsync($"/v1/invoices/{id}")).ReadAsync();
        var html = WebUtility.HtmlDecode(await (await h.App.Admin.GetAsync($"/v1/invoices/{id}/html")).Content.ReadAsStringAsync());
        var pdf = PdfText.Squeezed(await PdfText.ReadAsync(await (await h.App.Admin.GetAsync($"/v1/invoices/{id}/pdf")).Content.ReadAsByteArrayAsync()));
        var announced = JsonNode.Parse((await h.ScalarAsync<string>("SELECT payload_json FROM webhook_events WHERE type = 'invoice.paid'"))!)!["data"]!;
        using var console = h.App.NewBrowser();
        (await console.PostAsync(new Uri("/admin/login", UriKind.Relative), new FormUrlEncodedContent([new("key", TollgateApp.AdminKey)])))
            .EnsureSuccessStatusCode();
        var page = WebUtility.HtmlDecode(await console.GetStringAsync(new Uri($"/admin/invoices/{id}", UriKind.Relative)));

        // Before Stripe's invoice: no tax at all, though Tollgate's DE rate matches the customer.
        Assert.Equal((3000L, 0L, 3000L, 3000L, 0L), Totals(issued));
        Assert.Equal("ok", Text(answer, "outcome"));
        Assert.Equal("paid", Text(invoice, "status"));
        Assert.Equal((3000L, 600L, 3600L, 3600L, 3600L), Totals(invoice));
        var rate = Assert.Single(invoice["tax_breakdown"]!.AsArray())!;
        Assert.Equal((vat, "VAT (DE)", 20m, false, 3000L, 600L), (Text(rate, "tax_rate"), Text(rate, "name"), rate["percentage"].Value<decimal>(),
            rate["inclusive"].Value<bool>(), rate["taxable_amount_cents"].Value<long>(), rate["amount_cents"].Value<long>()));
        var lineTax = Assert.Single(invoice["lines"]![0]!["tax_amounts"]!.AsArray())!;
        Assert.Equal((vat, 600L), (Text(lineTax, "tax_rate"), lineTax["amount_cents"].Value<long>()));
        Assert.DoesNotContain("MwSt.", invoice.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal((600L, 3600L), (announced["tax_cents"].Value<long>(), announced["total_cents"].Value<long>()));
        Assert.Contains("VAT (DE) 20% on $30.00", html, StringComparison.Ordinal);
        Assert.Contains("$36.00", html, StringComparison.Ordinal);
        Assert.Contains("VAT (DE) 20% on $30.00 $6.00", pdf, StringComparison.Ordinal);
        Assert.Contains("Total $36.00", pdf, StringComparison.Ordinal);
        Assert.Contains("Amount paid $36.00", pdf, StringComparison.Ordinal);
        Assert.Contains("Stripe, as its invoice states", page, StringComparison.Ordinal);
        Assert.Contains("VAT (DE) 20%", page, StringComparison.Ordinal);
        Assert.Single(h.Stripe.Requests, r => r.Method == "GET" && r.Path == $"/v1/tax_rates/{vat}");
    }

    [Fact]
    public async Task AFailedPaymentShowsStripesInclusiveTaxOnTheOpenInvoiceAndThePaymentKeepsIt()
    {
        await using var h = await GermanCustomerAsync();
        var subscription = await h.SubscribeAsync("ada", "pro");
        var mwst = h.Stripe.AddTaxRate("MwSt.", 19m, inclusive: true);
        await h.App.AdvanceAsync(TimeSpan.FromHours(1));

        await h.DeliverAsync("invoice.payment_failed", h.Stripe.Taxed(h.Stripe.Invoice(subscription, paid: false), mwst));
        var open = Assert.Single(await h.App.InvoicesAsync("ada"));
        await h.DeliverAsync("invoice.paid", h.Stripe.Taxed(h.Stripe.Invoice(subscription, paid: true), mwst));
        var paid = Assert.Single(await h.App.InvoicesAsync("ada"));

        // 19 % inside $30.00: 3000 − round(3000 ÷ 1.19) = 3000 − 2521 = 479, with nothing added on top.
        Assert.Equal(("open", (3000L, 479L, 3000L, 3000L, 0L)), (Text(open, "status"), Totals(open)));
        var rate = Assert.Single(open["tax_breakdown"]!.AsArray())!;
        Assert.Equal(("MwSt. 19", true, 2521L, 479L), ($"{Text(rate, "name")} {rate["percentage"].Value<decimal>():0.##}", rate["inclusive"].Value<bool>(),
            rate["taxable_amount_cents"].Value<long>(), rate["amount_cents"].Value<long>()));
        Assert.Equal(("paid", (3000L, 479L, 3000L, 3000L, 3000L)), (Text(paid, "status"), Totals(paid)));
        Assert.Equal(2521L, await h.ScalarAsync<long>("SELECT amount_cents - inclusive_tax_cents FROM invoice_lines")); // revenue is net of it
    }

    [Fact]
    public async Task AFinalizedStripeInvoiceShowsItsTaxOnTheOpenCopyOnceAndThePaymentCollectsIt()
    {
        await using var h = await GermanCustomerAsync();
        var finalized = await TaxedInvoiceAsync(h, paid: false);
        await h.App.AdvanceAsync(TimeSpan.FromHours(1));

        var answer = await h.DeliverAsync("invoice.finalized", finalized);
        var open = Assert.Single(await h.App.InvoicesAsync("ada"));
        await h.DeliverAsync("invoice.finalized", finalized);
        var again = Assert.Single(await h.App.InvoicesAsync("ada"));
        var paidStripe = (JsonObject)finalized.DeepClone();
        paidStripe["status"] = "paid";
        paidStripe["amount_paid"] = 3600;
        paidStripe["amount_remaining"] = 0;
        await h.DeliverAsync("invoice.paid", paidStripe);
        var paid = Assert.Single(await h.App.InvoicesAsync("ada"));

        // Stripe's 20 % is due before anyone pays, and the same statement twice does not add it twice.
        Assert.Equal("ok", Text(answer, "outcome"));
        Assert.Equal(("open", (3000L, 600L, 3600L, 3600L, 0L)), (Text(open, "status"), Totals(open)));
        Assert.Equal(Totals(open), Totals(again));
        Assert.Equal(("paid", (3000L, 600L, 3600L, 3600L, 3600L)), (Text(paid, "status"), Totals(paid)));
    }

    [Fact]
    public async Task AStripeInvoiceForAnotherPeriodPaysTheOldestUnpaidCopyButPutsNoTaxOnIt()
    {
        await using var h = await GermanCustomerAsync();
        // A proration invoice: its line's service period starts mid-period, where no Tollgate invoice starts.
        var proration = await TaxedInvoiceAsync(h, paid: true);
        var period = proration["lines"]!["data"]![0]!["period"]!;
        period["start"] = period["start"].Value<long>() + 86_400 * 10;

        await h.DeliverAsync("invoice.finalized", proration);
        var finalized = Assert.Single(await h.App.InvoicesAsync("ada"));
        await h.DeliverAsync("invoice.paid", proration);
        var paid = Assert.Single(await h.App.InvoicesAsync("ada"));

        // Stripe's tax is the proration's, not this period's: the copy stays as Tollgate issued it.
        Assert.Equal(("open", (3000L, 0L, 3000L, 3000L, 0L)), (Text(finalized, "status"), Totals(finalized)));
        Assert.Equal("paid", Text(paid, "status"));
        Assert.Equal((0L, 3000L), (paid["tax_cents"].Value<long>(), paid["total_cents"].Value<long>()));
        Assert.Empty(paid["tax_breakdown"]!.AsArray());
    }

    [Fact]
    public async Task AStripeInvoiceWithNoTaxShowsNoneAndTollgatesMatchingRateStaysOff()
    {
        await using var h = await GermanCustomerAsync();
        var subscription = await h.SubscribeAsync("ada", "pro");

        await h.DeliverAsync("invoice.paid", h.Stripe.Invoice(subscription, paid: true));
        var paid = Assert.Single(await h.App.InvoicesAsync("ada"));

        Assert.Equal(("paid", (3000L, 0L, 3000L, 3000L, 3000L)), (Text(paid, "status"), Totals(paid)));
        Assert.Empty(paid["tax_breakdown"]!.AsArray());
        Assert.DoesNotContain(h.Stripe.Requests, r => r.Path.StartsWith("/v1/tax_rates/", StringComparison.Ordinal));
    }
}

public sealed class SqliteStripeInvoiceTaxTests : StripeInvoiceTaxContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresStripeInvoiceTaxTests : StripeInvoiceTaxContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same invoices with the clock running, as it does in production.</summary>
public sealed class SqliteTickingStripeInvoiceTaxTests : StripeInvoiceTaxContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
