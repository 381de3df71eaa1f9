using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Contracts;
using Tollgate.Core.Json;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.CreditNotes;

/// <summary>
/// refund: true on an invoice Stripe collected refunds through the PaymentIntent that paid it, once, at most what Stripe
/// collected; a refund Stripe refused, failed or canceled voids its note; unpaid invoices Stripe collects take no note.
/// </summary>
public abstract class CreditNoteRefundContract
{
    protected abstract StoreKind Kind { get; }

    protected virtual IDictionary<string, string?>? Settings => null;

    // A customer subscribed through Stripe Checkout whose first invoice ($30) Stripe collected.
    private static async Task<(string Invoice, string StripeInvoice)> StripePaidInvoiceAsync(PaymentsHarness h, long? collected = null)
    {
        await h.App.CustomerAsync("ada");
        var subscription = await h.SubscribeAsync("ada", "pro");
        var stripeInvoice = h.Stripe.Invoice(subscription, paid: true, collected);
        await h.DeliverAsync("invoice.paid", stripeInvoice);
        return ((await h.App.InvoicesAsync("ada"))[0]["id"].Value<string>()!, stripeInvoice["id"].Value<string>()!);
    }

    private static Task<HttpResponseMessage> RefundAsync(PaymentsHarness h, string invoice, long amount, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/invoices/{invoice}/credit-notes")
        {
            Content = Json.Content(new { amount_cents = amount, reason = "product_unsatisfactory", refund = true }),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return h.App.Admin.SendAsync(request);
    }

    private static async Task<JsonNode> InvoiceAsync(PaymentsHarness h, string id) => await (await h.App.Admin.GetAsync($"/v1/invoices/{id}")).ReadAsync();

    [Fact]
    public async Task RefundOnAStripePaidInvoiceRefundsThroughItsPaymentIntentOnceAndGivesNoCredit()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: Settings);
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
    public async Task ARefundStripeRefusesIs502AndVoidsTheNoteSoTheSameRefundCanBeAskedAgainWithoutAKey()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: Settings);
        var (invoice, _) = await StripePaidInvoiceAsync(h);
        h.Stripe.FailNext(1, 402);

        var failed = await RefundAsync(h, invoice, 3000, "refund-2");
        var afterFailure = (await h.App.Admin.ReadAllAsync($"/v1/invoices/{invoice}/credit-notes")).Single()!;
        var freed = (await InvoiceAsync(h, invoice))["credit_notes_cents"].Value<long>();
        var replayed = await RefundAsync(h, invoice, 3000, "refund-2");
        var again = await RefundAsync(h, invoice, 3000, null);

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal(("void", "failed", 3000L, 0L), (afterFailure["status"].Value<string>(), afterFailure["refund_status"].Value<string>(),
            afterFailure["refund_amount_cents"].Value<long>(), freed));
        Assert.Equal((HttpStatusCode.OK, "void"), (replayed.StatusCode, (await replayed.ReadAsync())["status"].Value<string>()));
        Assert.Equal((HttpStatusCode.Created, "succeeded"), (again.StatusCode, (await again.ReadAsync())["refund_status"].Value<string>()));
        Assert.Equal(3000L, Assert.Single(h.Stripe.Refunds)["amount"].Value<long>());
        Assert.Equal(3000L, (await InvoiceAsync(h, invoice))["credit_notes_cents"].Value<long>());
    }

    [Fact]
    public async Task ARefundIsCappedAtWhatStripeCollectedLessEarlierRefunds()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: Settings);
        // Stripe collected $20 of the $30 invoice (the customer's Stripe balance paid the rest).
        var (invoice, _) = await StripePaidInvoiceAsync(h, collected: 2000);

        var tooMuch = await RefundAsync(h, invoice, 2500, null);
        var first = await RefundAsync(h, invoice, 1500, null);
        var past = await RefundAsync(h, invoice, 600, null);
        var credit = await h.App.Admin.PostJsonAsync($"/v1/invoices/{invoice}/credit-notes", new { amount_cents = 600, reason = "other" });

        var problem = await tooMuch.ReadAsync();
        Assert.Equal((HttpStatusCode.Conflict, "refund_exceeds_payment", 2000L), (tooMuch.StatusCode, problem["error"].Value<string>(),
            problem["refundable_cents"].Value<long>()));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal((HttpStatusCode.Conflict, 500L), (past.StatusCode, (await past.ReadAsync())["refundable_cents"].Value<long>()));
        Assert.Equal(HttpStatusCode.Created, credit.StatusCode); // what Stripe did not collect can still become credit
        Assert.Equal(1500L, Assert.Single(h.Stripe.Refunds)["amount"].Value<long>());
    }

    [Fact]
    public async Task AnUnfinishedRefundIsStoredAsStripeHasItAndARetryReadsItInsteadOfRefundingAgain()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: Settings);
        var (invoice, _) = await StripePaidInvoiceAsync(h);
        h.Stripe.NextRefundStatuses("requires_action");

        var created = await (await RefundAsync(h, invoice, 1000, "refund-3")).ReadAsync();
        var id = created["id"].Value<string>()!;
        var refundId = Assert.Single(h.Stripe.Refunds)["id"].Value<string>()!;
        h.Stripe.ForgetIdempotencyKeys(); // a day later
        h.Stripe.SetRefundStatus(refundId, "succeeded");
        var retried = await (await RefundAsync(h, invoice, 1000, "refund-3")).ReadAsync();
        h.Stripe.SetRefundStatus(refundId, "pending"); // a late answer never moves succeeded back
        var resumed = await (await h.App.Admin.PostAsync(new Uri($"/v1/credit-notes/{id}/refund", UriKind.Relative), null)).ReadAsync();

        Assert.Equal("requires_action", created["refund_status"].Value<string>());
        Assert.Equal(("succeeded", "succeeded"), (retried["refund_status"].Value<string>(), resumed["refund_status"].Value<string>()));
        Assert.Single(h.Stripe.Refunds);
        Assert.Single(h.Stripe.Requests, r => r.Method == "POST" && r.Path == "/v1/refunds");
    }

    [Fact]
    public async Task ARefundStripeFailsLaterVoidsTheNoteAndItsCreditAndPaymentsCountAgain()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: Settings);
        var (invoice, _) = await StripePaidInvoiceAsync(h);
        h.Stripe.NextRefundStatuses("pending");
        var note = await (await RefundAsync(h, invoice, 1200, null)).ReadAsync();
        var pendingRevenue = (await (await h.App.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost")).ReadAsync())["total_payments_usd"].Value<decimal>();

        h.Stripe.SetRefundStatus(Assert.Single(h.Stripe.Refunds)["id"].Value<string>()!, "failed");
        var resumed = await h.App.Admin.PostAsync(new Uri($"/v1/credit-notes/{note["id"].Value<string>()}/refund", UriKind.Relative), null);
        var after = await resumed.ReadAsync();
        var revenue = (await (await h.App.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost")).ReadAsync())["total_payments_usd"].Value<decimal>();

        Assert.Equal(("pending", 18.00m), (note["refund_status"].Value<string>(), pendingRevenue));
        Assert.Equal((HttpStatusCode.OK, "void", "failed"), (resumed.StatusCode, after["status"].Value<string>(), after["refund_status"].Value<string>()));
        Assert.Equal(0L, (await InvoiceAsync(h, invoice))["credit_notes_cents"].Value<long>());
        Assert.Equal(30.00m, revenue);
    }

    [Fact]
    public async Task ARefundWhoseAnswerWasLostIsFoundByTheNotesIdAfterStripeForgotTheKeyAndNeverMadeTwice()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: Settings);
        var (invoice, _) = await StripePaidInvoiceAsync(h);
        h.Stripe.LoseNextAnswersTo("POST", "/v1/refunds", 3); // every attempt of the call acts, and no answer comes back

        var lost = await RefundAsync(h, invoice, 800, null);
        var note = (await h.App.Admin.ReadAllAsync($"/v1/invoices/{invoice}/credit-notes")).Single()!;
        h.Stripe.ForgetIdempotencyKeys();
        var resumed = await h.App.Admin.PostAsync(new Uri($"/v1/credit-notes/{note["id"].Value<string>()}/refund", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.BadGateway, lost.StatusCode);
        Assert.Equal(("issued", "pending"), (note["status"].Value<string>(), note["refund_status"].Value<string>()));
        Assert.Equal((HttpStatusCode.OK, "succeeded"), (resumed.StatusCode, (await resumed.ReadAsync())["refund_status"].Value<string>()));
        Assert.Single(h.Stripe.Refunds);
    }

    [Fact]
    public async Task ACreditOnAnOpenInvoiceOfAStripeBilledSubscriptionIs409AndWritesNothing()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: Settings);
        await h.App.CustomerAsync("ada");
        await h.SubscribeAsync("ada", "pro");
        var invoice = (await h.App.InvoicesAsync("ada"))[0];

        var response = await h.App.Admin.PostJsonAsync($"/v1/invoices/{invoice["id"].Value<string>()}/credit-notes",
            new { amount_cents = 3000, reason = "other" });

        Assert.Equal("open", invoice["status"].Value<string>());
        Assert.Equal((HttpStatusCode.Conflict, "invoice_collected_by_stripe"), (response.StatusCode, (await response.ReadAsync())["error"].Value<string>()));
        Assert.Empty(await h.App.Admin.ReadAllAsync("/v1/credit-notes"));
        Assert.Equal(("open", 0L), ((await InvoiceAsync(h, invoice["id"].Value<string>()!))["status"].Value<string>(),
            (await InvoiceAsync(h, invoice["id"].Value<string>()!))["credit_notes_cents"].Value<long>()));
    }

    [Fact]
    public async Task AStripeKeyItRefusesLeavesTheNotePendingForAResumeInsteadOfVoidingIt()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: Settings);
        var (invoice, _) = await StripePaidInvoiceAsync(h);
        h.Stripe.FailNext(1, 401); // a rotated key: the operator's to fix, not the customer's credit to lose

        var failed = await RefundAsync(h, invoice, 1000, null);
        var note = (await h.App.Admin.ReadAllAsync($"/v1/invoices/{invoice}/credit-notes")).Single()!;
        var resumed = await (await h.App.Admin.PostAsync(new Uri($"/v1/credit-notes/{note["id"].Value<string>()}/refund", UriKind.Relative), null))
            .ReadAsync();

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal(("issued", "pending"), (note["status"].Value<string>(), note["refund_status"].Value<string>()));
        Assert.Equal(("issued", "succeeded"), (resumed["status"].Value<string>(), resumed["refund_status"].Value<string>()));
        Assert.Equal(1000L, Assert.Single(h.Stripe.Refunds)["amount"].Value<long>());
    }

    [Fact]
    public async Task ANoteStoredAsFailedBeforeTheUpgradeIsResumedAndFindsStripesRefundInsteadOfRefundingAgain()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: Settings);
        var (invoice, _) = await StripePaidInvoiceAsync(h);
        var id = (await (await RefundAsync(h, invoice, 1000, null)).ReadAsync())["id"].Value<string>()!;
        // Before migration 0040 a call that timed out was stored as failed with no refund id, although Stripe had made it.
        var database = h.App.Services.GetRequiredService<TollgateDatabase>();
        await database.WriteAsync((c, tx) => c.ExecuteAsync(
            "UPDATE credit_notes SET refund_status = 'failed', stripe_refund_id = NULL WHERE id = @id", new { id }, tx));

        await database.WriteAsync((c, tx) => c.ExecuteAsync(Upgrade(database), transaction: tx));
        var pending = await (await h.App.Admin.GetAsync($"/v1/credit-notes/{id}")).ReadAsync();
        var resumed = await (await h.App.Admin.PostAsync(new Uri($"/v1/credit-notes/{id}/refund", UriKind.Relative), null)).ReadAsync();

        Assert.Equal("pending", pending["refund_status"].Value<string>());
        Assert.Equal(("issued", "succeeded"), (resumed["status"].Value<string>(), resumed["refund_status"].Value<string>()));
        Assert.Single(h.Stripe.Refunds); // found by the note's id, not made twice
    }

    [Fact]
    public async Task AnIdempotencyKeyUsedBeforeTheUpgradeStillAnswersItsFirstNote()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: Settings);
        var (invoice, _) = await StripePaidInvoiceAsync(h);
        var body = """{"amount_cents": 700, "reason": "duplicate"}""";
        var first = await (await SendAsync(h, invoice, body)).ReadAsync();
        // Before the upgrade the fingerprint was all 64 upper-case hex digits of the same SHA-256.
        var request = JsonSerializer.Deserialize<CreateCreditNoteRequest>(body, WireJson.Options)!;
        var old = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request, WireJson.Options))));
        var database = h.App.Services.GetRequiredService<TollgateDatabase>();
        await database.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE credit_notes SET request_hash = @old", new { old }, tx));

        await database.WriteAsync((c, tx) => c.ExecuteAsync(Upgrade(database), transaction: tx));
        var retried = await SendAsync(h, invoice, body);

        Assert.Equal((HttpStatusCode.OK, first["id"].Value<string>()), (retried.StatusCode, (await retried.ReadAsync())["id"].Value<string>()));
        Assert.Single(await h.App.Admin.ReadAllAsync("/v1/credit-notes"));
    }

    private static string Upgrade(TollgateDatabase database) => Migrator.Load(database.Dialect.Provider).Single(m => m.Version == 41).Sql;

    private static Task<HttpResponseMessage> SendAsync(PaymentsHarness h, string invoice, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/invoices/{invoice}/credit-notes")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", "before-the-upgrade");
        return h.App.Admin.SendAsync(request);
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

public sealed class SqliteTickingCreditNoteRefundTests : CreditNoteRefundContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?> { ["Tollgate:TestClock:Ticking"] = "true" };
}
