using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.CreditNotes;

/// <summary>refund: true on an invoice Stripe collected refunds through the PaymentIntent that paid it, once.</summary>
public abstract class CreditNoteRefundContract
{
    protected abstract StoreKind Kind { get; }

    // A customer subscribed through Stripe Checkout whose first invoice ($30) Stripe collected.
    private static async Task<(string Invoice, string StripeInvoice)> StripePaidInvoiceAsync(PaymentsHarness h)
    {
        await h.App.CustomerAsync("ada");
        var subscription = await h.SubscribeAsync("ada", "pro");
        var stripeInvoice = h.Stripe.Invoice(subscription, paid: true);
        await h.DeliverAsync("invoice.paid", stripeInvoice);
        return ((await h.App.InvoicesAsync("ada"))[0]["id"].Value<string>()!, stripeInvoice["id"].Value<string>()!);
    }

    private static Task<HttpResponseMessage> RefundAsync(PaymentsHarness h, string invoice, long amount, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/invoices/{invoice}/credit-notes")
        {
            Content = Json.Content(new { amount_cents = amount, reason = "product_unsatisfactory", refund = true }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return h.App.Admin.SendAsync(request);
    }

    [Fact]
    public async Task RefundOnAStripePaidInvoiceRefundsThroughItsPaymentIntentOnceAndGivesNoCredit()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        var (invoice, stripeInvoice) = await StripePaidInvoiceAsync(h);

        var created = await RefundAsync(h, invoice, 1200, "refund-1");
        var retried = await RefundAsync(h, invoice, 1200, "refund-1");
        var note = await created.ReadAsync();
        var balance = (await (await h.App.Admin.GetAsync("/v1/customers/ada/invoices")).ReadAsync())["balance_cents"]!.AsObject();
        var revenue = await (await h.App.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost")).ReadAsync();

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (created.StatusCode, retried.StatusCode));
        Assert.Equal(("post_payment", 1200L, 0L, "succeeded"), (note["type"].Value<string>(), note["refund_amount_cents"].Value<long>(),
            note["credit_balance_cents"].Value<long>(), note["refund_status"].Value<string>()));
        var refund = Assert.Single(h.Stripe.Refunds);
        Assert.Equal((FakeStripe.PaymentIntentOf(stripeInvoice), 1200L, "requested_by_customer", note["id"].Value<string>()),
            (refund["payment_intent"].Value<string>(), refund["amount"].Value<long>(), refund["reason"].Value<string>(),
                refund["metadata"]!["tollgate_credit_note"].Value<string>()));
        Assert.Equal(0L, balance.Select(b => b.Value.Value<long>()).Sum());
        Assert.Equal(18.00m, revenue["total_payments_usd"].Value<decimal>()); // $30 collected, $12 refunded
    }

    [Fact]
    public async Task ARefundStripeRefusesIs502WithTheNoteMarkedFailedAndARetryUnderTheSameKeyRefunds()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        var (invoice, _) = await StripePaidInvoiceAsync(h);
        h.Stripe.FailNext(1, 402);

        var failed = await RefundAsync(h, invoice, 500, "refund-2");
        var afterFailure = (await h.App.Admin.ReadAllAsync($"/v1/invoices/{invoice}/credit-notes")).Single()!;
        var retried = await RefundAsync(h, invoice, 500, "refund-2");

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal(("failed", 500L), (afterFailure["refund_status"].Value<string>(), afterFailure["refund_amount_cents"].Value<long>()));
        Assert.Equal((HttpStatusCode.OK, "succeeded"), (retried.StatusCode, (await retried.ReadAsync())["refund_status"].Value<string>()));
        Assert.Single(h.Stripe.Refunds);
    }
}

public sealed class SqliteCreditNoteRefundTests : CreditNoteRefundContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCreditNoteRefundTests : CreditNoteRefundContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
