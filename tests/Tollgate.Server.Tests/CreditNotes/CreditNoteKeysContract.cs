using System.Net;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.CreditNotes;

/// <summary>A credit note's Idempotency-Key is the server's: sent at once for two invoices, it issues one note, never two.</summary>
public abstract class CreditNoteKeysContract : ApiContract
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static Task<HttpResponseMessage> CreditAsync(TollgateApp app, string invoice, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/invoices/{invoice}/credit-notes") { Content = Json.Content(body) };
        request.Headers.Add("Idempotency-Key", key);
        return app.Admin.SendAsync(request);
    }

    [Fact]
    public async Task AKeySentManyTimesAtOnceForTwoInvoicesIssuesExactlyOneNoteAndTheOtherInvoiceGets409()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog(), Start);
        var invoices = new List<string>();
        foreach (var customer in new[] { "c-a", "c-b" })
        {
            await app.CustomerAsync(customer);
            await app.SubscribeAsync(customer, "silver");
            invoices.Add((await app.InvoicesAsync(customer))[0]["id"].Value<string>()!);
        }

        // Four keys, each sent twelve times at once, alternating the invoices, so the race is run many times over.
        var body = new { amount_cents = 100, reason = "other" };
        var keys = Enumerable.Range(0, 4).Select(k => $"k-race-{k}").ToList();
        var sent = await Task.WhenAll(keys.SelectMany(key => Enumerable.Range(0, 12).Select(async i =>
        {
            var response = await CreditAsync(app, invoices[i % 2], body, key);
            return (Key: key, Invoice: invoices[i % 2], response.StatusCode, Body: await response.ReadAsync());
        })));
        var notes = await app.Get<TollgateDatabase>().ReadAsync(async c =>
            (await c.QueryAsync<(string Id, string InvoiceId, string Key)>("SELECT id, invoice_id, idempotency_key FROM credit_notes")).ToList());

        Assert.Equal(keys, notes.Select(n => n.Key).Order());
        foreach (var note in notes)
        {
            var answers = sent.Where(s => s.Key == note.Key).ToList();
            Assert.Equal(note.InvoiceId, Assert.Single(answers, s => s.StatusCode == HttpStatusCode.Created).Invoice);
            // The winner's invoice replays its note; the other's is another request under the key, as a sequential one is.
            Assert.All(answers.Where(s => s.Invoice == note.InvoiceId), s => Assert.Equal(note.Id, s.Body["id"].Value<string>()));
            Assert.All(answers.Where(s => s.Invoice != note.InvoiceId), s => Assert.Equal((HttpStatusCode.Conflict, "idempotency_mismatch"),
                (s.StatusCode, s.Body["error"].Value<string>())));
        }

        var credited = await Task.WhenAll(invoices.Select(async i => (await (await app.Admin.GetAsync($"/v1/invoices/{i}")).ReadAsync())["credit_notes_cents"].Value<long>()));
        Assert.Equal(400L, credited.Sum());
    }

    [Fact]
    public async Task AKeyThatIssuedNotesOnTwoInvoicesBeforeTheUpgradeReplaysEachAndIsRefusedOnAThird()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog(), Start);
        var invoices = new List<string>();
        foreach (var customer in new[] { "c-old-a", "c-old-b", "c-old-c" })
        {
            await app.CustomerAsync(customer);
            await app.SubscribeAsync(customer, "silver");
            invoices.Add((await app.InvoicesAsync(customer))[0]["id"].Value<string>()!);
        }

        var body = new { amount_cents = 100, reason = "other" };
        var first = await (await CreditAsync(app, invoices[0], body, "k-legacy")).ReadAsync();
        await app.AdvanceAsync(TimeSpan.FromMinutes(1));
        var second = await (await CreditAsync(app, invoices[1], body, "k-legacy-b")).ReadAsync();
        // As a database before 0053 could hold them: one key, a note on each of two invoices; then migration 0054 runs.
        var database = app.Get<TollgateDatabase>();
        await database.WriteAsync((c, tx) => c.ExecuteAsync(
            "DROP TABLE credit_note_keys; UPDATE credit_notes SET idempotency_key = 'k-legacy' WHERE idempotency_key = 'k-legacy-b'", transaction: tx));
        await database.WriteAsync((c, tx) => c.ExecuteAsync(
            Migrator.Load(database.Dialect.Provider).Single(m => m.Version == 54).Sql, transaction: tx));

        var replays = await Task.WhenAll(invoices.Select(async i => await CreditAsync(app, i, body, "k-legacy")));

        Assert.Equal((HttpStatusCode.OK, first["id"].Value<string>()), (replays[0].StatusCode, (await replays[0].ReadAsync())["id"].Value<string>()));
        Assert.Equal((HttpStatusCode.OK, second["id"].Value<string>()), (replays[1].StatusCode, (await replays[1].ReadAsync())["id"].Value<string>()));
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_mismatch"), (replays[2].StatusCode, (await replays[2].ReadAsync())["error"].Value<string>()));
        Assert.Equal([("k-legacy", first["id"].Value<string>()!)], await database.ReadAsync(async c =>
            (await c.QueryAsync<(string, string)>("SELECT idempotency_key, credit_note_id FROM credit_note_keys")).ToList()));
    }
}

public sealed class SqliteCreditNoteKeysTests : CreditNoteKeysContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCreditNoteKeysTests : CreditNoteKeysContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
