using Dapper;
using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.CreditNotes;

/// <summary>Credit notes on open, paid and void invoices, their limits under concurrency, and where they show.</summary>
public abstract class CreditNotesContract(SharedServer shared) : ApiContract(shared)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    // A customer on silver ($20 a month), whose first invoice is open for 2000: on the class's server, named apart from the
    // other tests' customers there, or as c1 on a server of the test's own.
    private async Task<(TollgateApp App, JsonNode Invoice)> StartWithInvoiceAsync(string customer) =>
        await WithInvoiceAsync(await StartAsync(ApiSetup.BillingCatalog(), Start), customer);

    private async Task<(TollgateApp App, JsonNode Invoice)> StartOwnWithInvoiceAsync() =>
        await WithInvoiceAsync(await StartOwnAsync(ApiSetup.BillingCatalog(), Start), "c1");

    private static async Task<(TollgateApp App, JsonNode Invoice)> WithInvoiceAsync(TollgateApp app, string customer)
    {
        await app.CustomerAsync(customer);
        await app.SubscribeAsync(customer, "silver");
        return (app, (await app.InvoicesAsync(customer))[0]);
    }

    private static Task<HttpResponseMessage> CreditAsync(TollgateApp app, string invoice, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/invoices/{invoice}/credit-notes") { Content = Json.Content(body) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return app.Admin.SendAsync(request);
    }

    /// <summary>The customer's dollar credit balance, as their invoice list shows it (negative: credit they have).</summary>
    private static async Task<long> BalanceAsync(TollgateApp app, string customer) =>
        (await (await app.Admin.GetAsync($"/v1/customers/{customer}/invoices")).ReadAsync())["balance_cents"]!["USD"].Value<long>();

    private static async Task<JsonNode> InvoiceAsync(TollgateApp app, string id) => await (await app.Admin.GetAsync($"/v1/invoices/{id}")).ReadAsync();

    [Fact]
    public async Task CreditOnAnOpenInvoiceLowersItsAmountDueAndIsNumberedOnItsOwnSequence()
    {
        var (app, invoice) = await StartOwnWithInvoiceAsync();
        await using var _ = app;
        var id = invoice["id"].Value<string>()!;

        var first = await CreditAsync(app, id, new { amount_cents = 500, reason = "duplicate", memo = "Charged twice" });
        var second = await (await CreditAsync(app, id, new { amount_cents = 300, reason = "other" })).ReadAsync();
        var note = await first.ReadAsync();
        var after = await InvoiceAsync(app, id);
        var printable = await (await app.Admin.GetAsync($"/v1/invoices/{id}/html")).Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(("CN-2026-000001", "CN-2026-000002"), (note["number"].Value<string>(), second["number"].Value<string>()));
        Assert.Equal(("pre_payment", 500L, 500L, 0L, "Charged twice"), (note["type"].Value<string>(), note["amount_cents"].Value<long>(),
            note["pre_payment_amount_cents"].Value<long>(), note["credit_balance_cents"].Value<long>(), note["memo"].Value<string>()));
        Assert.Equal(("open", 1200L, 800L), (after["status"].Value<string>(), after["amount_due_cents"].Value<long>(),
            after["credit_notes_cents"].Value<long>()));
        Assert.Equal("TG-2026-000001", after["number"].Value<string>());
        // The printable invoice (the portal's invoice view and the console's print) lists its notes and their total.
        Assert.Contains("CN-2026-000001", printable, StringComparison.Ordinal);
        Assert.Contains("Charged twice", printable, StringComparison.Ordinal);
        Assert.Contains("<td>Credit notes</td><td class=\"num\">-$8.00</td>", printable, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreditOnAPaidInvoiceBecomesBalanceThatTheNextInvoiceApplies()
    {
        var (app, invoice) = await StartOwnWithInvoiceAsync();
        await using var _ = app;
        var id = invoice["id"].Value<string>()!;
        await app.Admin.PostAsync(new Uri($"/v1/invoices/{id}/mark-paid", UriKind.Relative), null);

        var note = await (await CreditAsync(app, id, new { amount_cents = 700, reason = "product_unsatisfactory" })).ReadAsync();
        var balance = await BalanceAsync(app, "c1");
        await app.AdvanceToAsync(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var next = (await app.InvoicesAsync("c1"))[^1];

        Assert.Equal(("post_payment", 0L, 700L), (note["type"].Value<string>(), note["pre_payment_amount_cents"].Value<long>(),
            note["credit_balance_cents"].Value<long>()));
        Assert.Equal(-700L, balance);
        Assert.Equal((2000L, 700L, 1300L), (next["subtotal_cents"].Value<long>(), next["credit_applied_cents"].Value<long>(),
            next["amount_due_cents"].Value<long>()));
    }

    [Fact]
    public async Task VoidingAnInvoiceGivesBackOnceTheCreditBalanceItUsed()
    {
        var (app, invoice) = await StartOwnWithInvoiceAsync();
        await using var _ = app;
        var id = invoice["id"].Value<string>()!;
        await app.Admin.PostAsync(new Uri($"/v1/invoices/{id}/mark-paid", UriKind.Relative), null);
        await CreditAsync(app, id, new { amount_cents = 700, reason = "product_unsatisfactory" });
        await app.AdvanceToAsync(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var next = (await app.InvoicesAsync("c1"))[^1]["id"].Value<string>()!;
        var spent = await BalanceAsync(app, "c1");

        var voided = await app.Admin.PostAsync(new Uri($"/v1/invoices/{next}/void", UriKind.Relative), null);
        var again = await app.Admin.PostAsync(new Uri($"/v1/invoices/{next}/void", UriKind.Relative), null);

        // Stripe returns the balance a voided invoice applied (API 2019-12-03), as a credit note does the part paid with it.
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (voided.StatusCode, again.StatusCode));
        Assert.Equal((0L, -700L), (spent, await BalanceAsync(app, "c1")));
    }

    [Fact]
    public async Task AVoidRacingAPaymentEndsPaidWithTheCreditSpentOrVoidWithItReturnedNeverBoth()
    {
        await using var app = await StartOwnAsync(ApiSetup.BillingCatalog(), Start);
        var customers = Enumerable.Range(0, 8).Select(i => $"race-{i}").ToList();
        foreach (var customer in customers)
        {
            var (_, first) = await WithInvoiceAsync(app, customer);
            await app.Admin.PostAsync(new Uri($"/v1/invoices/{first["id"].Value<string>()}/mark-paid", UriKind.Relative), null);
            await CreditAsync(app, first["id"].Value<string>()!, new { amount_cents = 700, reason = "other" });
        }

        await app.AdvanceToAsync(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var open = new List<string>();
        foreach (var customer in customers)
        {
            open.Add((await app.InvoicesAsync(customer))[^1]["id"].Value<string>()!);
        }

        await Task.WhenAll(open.SelectMany(id => new[]
        {
            app.Admin.PostAsync(new Uri($"/v1/invoices/{id}/void", UriKind.Relative), null),
            app.Admin.PostAsync(new Uri($"/v1/invoices/{id}/mark-paid", UriKind.Relative), null),
        }));

        foreach (var (customer, id) in customers.Zip(open))
        {
            var status = (await InvoiceAsync(app, id))["status"].Value<string>()!;
            var balance = await BalanceAsync(app, customer);
            Assert.Contains((status, balance), new[] { ("paid", 0L), ("void", -700L) });
        }
    }

    [Fact]
    public async Task ALineCreditNeverExceedsItsLineAndTheWholeCreditNeverExceedsTheInvoice()
    {
        var (app, invoice) = await StartWithInvoiceAsync("c1-line");
        await using var _ = app;
        var id = invoice["id"].Value<string>()!;
        var line = invoice["lines"]![0]!["id"].Value<string>()!;

        var tooMuch = await CreditAsync(app, id, new { lines = new[] { new { invoice_line_id = line, amount_cents = 2001 } }, reason = "order_change" });
        var whole = await CreditAsync(app, id, new { lines = new[] { new { invoice_line_id = line, amount_cents = 2000 } }, reason = "order_change" });
        var more = await CreditAsync(app, id, new { amount_cents = 1, reason = "other" });
        var refusal = await more.ReadAsync();
        var after = await InvoiceAsync(app, id);

        Assert.Equal(HttpStatusCode.Conflict, tooMuch.StatusCode);
        Assert.Equal("credit_exceeds_line", (await tooMuch.ReadAsync())["error"].Value<string>());
        Assert.Equal(HttpStatusCode.Created, whole.StatusCode);
        Assert.Equal([line], (await whole.ReadAsync())["lines"]!.AsArray().Select(l => l!["invoice_line_id"].Value<string>()));
        Assert.Equal((HttpStatusCode.Conflict, "credit_exceeds_invoice", 0L), (more.StatusCode, refusal["error"].Value<string>(),
            refusal["remaining_cents"].Value<long>()));
        Assert.Equal("credits more than the invoice has left (0)", refusal["errors"]!["amount_cents"].Value<string>());
        Assert.Equal(("paid", 0L, 2000L), (after["status"].Value<string>(), after["amount_due_cents"].Value<long>(),
            after["credit_notes_cents"].Value<long>()));
    }

    [Fact]
    public async Task AVoidInvoiceTakesNoCreditNote()
    {
        var (app, invoice) = await StartWithInvoiceAsync("c1-void");
        await using var _ = app;
        var id = invoice["id"].Value<string>()!;
        var voided = await app.Admin.PostAsync(new Uri($"/v1/invoices/{id}/void", UriKind.Relative), null);

        var response = await CreditAsync(app, id, new { amount_cents = 100, reason = "duplicate" });

        Assert.Equal(HttpStatusCode.OK, voided.StatusCode); // the refusal below is the void's, not a missed step's
        Assert.Equal((HttpStatusCode.Conflict, "invoice_void"), (response.StatusCode, (await response.ReadAsync())["error"].Value<string>()));
        Assert.Empty(await app.Admin.ReadAllAsync($"/v1/invoices/{id}/credit-notes"));
    }

    [Fact]
    public async Task BadInputIs400NamingEachFieldAndWritesNothing()
    {
        var (app, invoice) = await StartOwnWithInvoiceAsync();
        await using var _ = app;
        var id = invoice["id"].Value<string>()!;

        var bad = await (await CreditAsync(app, id, new { amount_cents = 0, reason = "mistake" })).ReadAsync();
        var both = await (await CreditAsync(app, id, new { amount_cents = 5, lines = new[] { new { invoice_line_id = "il_x", amount_cents = 5 } }, reason = "other" })).ReadAsync();
        var badLine = await (await CreditAsync(app, id, new { lines = new[] { new { invoice_line_id = "il_nope_0", amount_cents = -5 } }, reason = "other" })).ReadAsync();
        var missing = await app.Admin.PostJsonAsync("/v1/invoices/in_missing/credit-notes", new { amount_cents = 5, reason = "other" });

        Assert.Equal(["amount_cents", "reason"], bad["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Equal(["amount_cents"], both["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(["lines[0].amount_cents", "lines[0].invoice_line_id"], badLine["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Empty(await app.Admin.ReadAllAsync("/v1/credit-notes"));
        Assert.Equal(2000L, (await InvoiceAsync(app, id))["amount_due_cents"].Value<long>());
    }

    [Fact]
    public async Task ARetryWithTheSameIdempotencyKeyAnswersTheFirstNoteAndADifferentBodyIs409()
    {
        var (app, invoice) = await StartWithInvoiceAsync("c1-retry");
        await using var _ = app;
        var id = invoice["id"].Value<string>()!;

        var first = await CreditAsync(app, id, new { amount_cents = 250, reason = "duplicate" }, key: "k1");
        var retry = await CreditAsync(app, id, new { amount_cents = 250, reason = "duplicate" }, key: "k1");
        var other = await CreditAsync(app, id, new { amount_cents = 260, reason = "duplicate" }, key: "k1");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.StatusCode, retry.StatusCode));
        Assert.Equal((false, "true"), (first.Headers.Contains("Idempotent-Replayed"), retry.Headers.GetValues("Idempotent-Replayed").Single()));
        Assert.Equal((await first.ReadAsync())["id"].Value<string>(), (await retry.ReadAsync())["id"].Value<string>());
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_mismatch"), (other.StatusCode, (await other.ReadAsync())["error"].Value<string>()));
        Assert.Equal(1750L, (await InvoiceAsync(app, id))["amount_due_cents"].Value<long>());
    }

    [Fact]
    public async Task AKeySentAgainForAnotherInvoiceIsA409AndIssuesNoSecondNote()
    {
        // A key is the server's, as a grant's and Stripe's are: the same key and body on another invoice is another request.
        var (app, invoice) = await StartWithInvoiceAsync("c1-key-a");
        await using var _ = app;
        var (_, other) = await WithInvoiceAsync(app, "c1-key-b");
        var body = new { amount_cents = 100, reason = "other" };

        var first = await CreditAsync(app, invoice["id"].Value<string>()!, body, key: "k-two-invoices");
        var elsewhere = await CreditAsync(app, other["id"].Value<string>()!, body, key: "k-two-invoices");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_mismatch"), (elsewhere.StatusCode, (await elsewhere.ReadAsync())["error"].Value<string>()));
        Assert.Equal(2000L, (await InvoiceAsync(app, other["id"].Value<string>()!))["amount_due_cents"].Value<long>());
    }

    [Fact]
    public async Task TwentyConcurrentCreditsOfThreeHundredOnATwoThousandInvoiceIssueExactlySixWithGaplessNumbers()
    {
        var (app, invoice) = await StartOwnWithInvoiceAsync();
        await using var _ = app;
        var id = invoice["id"].Value<string>()!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => CreditAsync(app, id, new { amount_cents = 300, reason = "other" })));
        var notes = await app.Admin.ReadAllAsync($"/v1/invoices/{id}/credit-notes");
        var after = await InvoiceAsync(app, id);

        Assert.Equal(6, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(14, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(Enumerable.Range(1, 6).Select(n => $"CN-2026-{n:D6}"), notes.Select(n => n!["number"].Value<string>()).Order());
        Assert.Equal((1800L, 200L), (after["credit_notes_cents"].Value<long>(), after["amount_due_cents"].Value<long>()));
    }

    [Fact]
    public async Task NotesListByInvoiceAndCustomerInTheSharedListShapeAndReadByIdOrNumber()
    {
        var (app, invoice) = await StartOwnWithInvoiceAsync();
        await using var _ = app;
        var id = invoice["id"].Value<string>()!;
        for (var i = 0; i < 3; i++)
        {
            await CreditAsync(app, id, new { amount_cents = 100, reason = "other" });
        }

        var page = await (await app.Admin.GetAsync($"/v1/invoices/{id}/credit-notes?limit=2")).ReadAsync();
        var all = await app.Admin.ReadAllAsync("/v1/credit-notes?customer=c1", limit: 1);
        var byNumber = await (await app.Admin.GetAsync("/v1/credit-notes/CN-2026-000002")).ReadAsync();
        var byId = await (await app.Admin.GetAsync($"/v1/credit-notes/{byNumber["id"].Value<string>()}")).ReadAsync();
        var none = await app.Admin.GetAsync("/v1/credit-notes/cn_missing");

        Assert.Equal((2, true), (page["data"]!.AsArray().Count, page["has_more"].Value<bool>()));
        Assert.NotNull(page["next_cursor"].Value<string>());
        Assert.Equal(3, all.Count);
        Assert.Equal(("CN-2026-000002", id, "c1"), (byId["number"].Value<string>(), byId["invoice"].Value<string>(), byId["customer"].Value<string>()));
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Fact]
    public async Task ANoteSendsCreditNoteCreatedAndIsInTheCreditNotesExport()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = ApiSetup.BillingCatalog("Tollgate:Webhooks:AllowPrivateTargets", "true");
        settings["Tollgate:Webhooks:PollInterval"] = "00:00:00.050";
        await using var app = await StartOwnAsync(settings, Start);
        await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = receiver.Url.ToString(), events = new[] { "credit_note.created" } });
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "silver");
        var id = (await app.InvoicesAsync("c1"))[0]["id"].Value<string>()!;

        var note = await (await CreditAsync(app, id, new { amount_cents = 1234, reason = "fraudulent", memo = "a, \"quoted\" memo" })).ReadAsync();
        var delivered = Json.Parse((await receiver.WaitForAsync(1))[0].Body);
        var export = await app.Admin.GetAsync("/v1/admin/exports/credit-notes?format=ndjson");
        var row = Json.Parse((await export.Content.ReadAsStringAsync()).Trim());

        Assert.Equal(("credit_note.created", note["id"].Value<string>(), 1234L), (delivered["type"].Value<string>(),
            delivered["data"]!["id"].Value<string>(), delivered["data"]!["amount_cents"].Value<long>()));
        Assert.Equal(("CN-2026-000001", id, 12.34m, "fraudulent", "a, \"quoted\" memo"), (row["number"].Value<string>(), row["invoice_id"].Value<string>(),
            row["amount"].Value<decimal>(), row["reason"].Value<string>(), row["memo"].Value<string>()));
    }

    [Fact]
    public async Task TheCustomersDataExportHoldsTheirNotesAndDeletionErasesTheMemoAlsoFromTheWebhookEventAndKeepsTheAmounts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await StartOwnAsync(ApiSetup.BillingCatalog("Tollgate:Webhooks:AllowPrivateTargets", "true"), Start);
        await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = receiver.Url.ToString(), events = new[] { "credit_note.created" } });
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "silver");
        var id = (await app.InvoicesAsync("c1"))[0]["id"].Value<string>()!;
        var note = await (await CreditAsync(app, id, new { amount_cents = 300, reason = "other", memo = "Ada asked by phone" })).ReadAsync();

        var export = await (await app.Admin.GetAsync("/v1/customers/c1/export")).ReadAsync();
        var deleted = await app.Admin.DeleteAsync(new Uri("/v1/customers/c1", UriKind.Relative));
        var after = await (await app.Admin.GetAsync($"/v1/credit-notes/{note["id"].Value<string>()}")).ReadAsync();
        var stored = Json.Parse((await app.Get<TollgateDatabase>().ReadAsync(c => c.ExecuteScalarAsync<string>(
            "SELECT payload_json FROM webhook_events WHERE type = 'credit_note.created'")))!);

        Assert.Equal(("Ada asked by phone", 1), (export["credit_notes"]![0]!["memo"].Value<string>(), export["credit_note_lines"]!.AsArray().Count));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal((null, 300L, "CN-2026-000001"), (after["memo"].Value<string>(), after["amount_cents"].Value<long>(), after["number"].Value<string>()));
        Assert.Equal((null, 300L), (stored["data"]!["memo"].Value<string>(), stored["data"]!["amount_cents"].Value<long>()));
    }

    [Fact]
    public async Task ANoteThatLeavesNothingDueSettlesTheInvoiceWithItAndARetryRepairsAnInvoiceLeftOpenWithNothingDue()
    {
        var (app, invoice) = await StartOwnWithInvoiceAsync();
        await using var _ = app;
        var id = invoice["id"].Value<string>()!;

        var created = await CreditAsync(app, id, new { amount_cents = 2000, reason = "duplicate" }, key: "settle-1");
        var settled = await InvoiceAsync(app, id);
        // What a crash between the note and the payment left before both were one transaction.
        await app.Get<TollgateDatabase>().WriteAsync((c, tx) => c.ExecuteAsync(
            "UPDATE invoices SET status = 'open', paid_at = NULL WHERE id = @id", new { id }, tx));
        var retried = await CreditAsync(app, id, new { amount_cents = 2000, reason = "duplicate" }, key: "settle-1");
        var repaired = await InvoiceAsync(app, id);

        Assert.Equal((HttpStatusCode.Created, "paid", 0L), (created.StatusCode, settled["status"].Value<string>(), settled["amount_due_cents"].Value<long>()));
        Assert.Equal((HttpStatusCode.OK, "paid"), (retried.StatusCode, repaired["status"].Value<string>()));
        Assert.Single(await app.Admin.ReadAllAsync("/v1/credit-notes"));
    }

    [Fact]
    public async Task RefundingANoteThatAskedForNoRefundIs409AndLeavesTheNoteAsItWas()
    {
        var (app, invoice) = await StartWithInvoiceAsync("no-refund");
        var id = invoice["id"].Value<string>()!;
        var note = await (await CreditAsync(app, id, new { amount_cents = 500, reason = "duplicate" })).ReadAsync();
        var noteId = note["id"].Value<string>()!;

        var response = await app.Admin.PostAsync(new Uri($"/v1/credit-notes/{noteId}/refund", UriKind.Relative), null);
        var problem = await response.ReadAsync();
        var after = await (await app.Admin.GetAsync($"/v1/credit-notes/{noteId}")).ReadAsync();

        Assert.Equal((HttpStatusCode.Conflict, "no_refund"), (response.StatusCode, problem["error"].Value<string>()));
        Assert.NotNull(problem["errors"]!["id"]);
        Assert.Equal(note.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task RefundOnAnInvoiceNotPaidThroughStripeIs409AndWritesNothing()
    {
        var (app, invoice) = await StartOwnWithInvoiceAsync();
        await using var _ = app;
        var id = invoice["id"].Value<string>()!;
        var paid = await app.Admin.PostAsync(new Uri($"/v1/invoices/{id}/mark-paid", UriKind.Relative), null);

        var response = await CreditAsync(app, id, new { amount_cents = 100, reason = "duplicate", refund = true });
        var after = await (await app.Admin.GetAsync($"/v1/invoices/{id}")).ReadAsync();

        Assert.Equal(HttpStatusCode.OK, paid.StatusCode); // paid, so the refusal is about Stripe, not about an unpaid invoice
        Assert.Equal((HttpStatusCode.Conflict, "refund_unavailable"), (response.StatusCode, (await response.ReadAsync())["error"].Value<string>()));
        Assert.Empty(await app.Admin.ReadAllAsync("/v1/credit-notes"));
        Assert.Equal(("paid", 0L), (after["status"].Value<string>(), after["credit_notes_cents"].Value<long>()));
    }
}

public sealed class SqliteCreditNotesTests(SharedServer shared) : CreditNotesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCreditNotesTests(SharedServer shared) : CreditNotesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same rules with the clock running, as it does in production.</summary>
public sealed class SqliteTickingCreditNotesTests(SharedServer shared) : CreditNotesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}

/// <summary>Three nodes sharing one PostgreSQL never credit an invoice past its total.</summary>
public sealed class CreditNoteScaleOutTests
{
    [Fact]
    public async Task ThirtyCreditsSpreadOverThreeNodesNeverPassTheInvoiceTotal()
    {
        await using var nodes = await TollgateCluster.StartAsync(3, ApiSetup.BillingCatalog(), new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await nodes.First.CustomerAsync("c1");
        await nodes.First.SubscribeAsync("c1", "silver");
        var id = (await nodes.First.InvoicesAsync("c1"))[0]["id"].Value<string>()!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            nodes[i].Admin.PostJsonAsync($"/v1/invoices/{id}/credit-notes", new { amount_cents = 150, reason = "other" })));
        var invoice = await (await nodes[2].Admin.GetAsync($"/v1/invoices/{id}")).ReadAsync();

        Assert.Equal(13, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(17, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal((1950L, 50L), (invoice["credit_notes_cents"].Value<long>(), invoice["amount_due_cents"].Value<long>()));
    }
}
