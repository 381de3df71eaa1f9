using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Server.Email;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

/// <summary>The e-mail outbox on each store: one message per event and recipient, leases, dead letters, replay and paging.</summary>
public abstract class EmailStoreContract : StoreContract
{
    private static object Alert(string id, string customer) => new { Id = id, Customer = customer, Feature = "api", Threshold = 80 };

    private async Task<TollgateDatabase> WithCustomersAsync()
    {
        var database = await FreshDatabaseAsync();
        await database.WriteAsync((c, tx) => c.ExecuteAsync("""
            INSERT INTO customers (id, email, name, metadata_json, has_payment_method, created_at, updated_at)
            VALUES ('c1', 'c1@example.com', NULL, '{}', @no, 0, 0), ('c2', NULL, NULL, '{}', @no, 0, 0)
            """, new { no = false }, tx));
        return database;
    }

    private Task<bool> EnqueueAsync(TollgateDatabase database, string type, object data) =>
        database.WriteAsync((c, tx) => EmailOutbox.EnqueueAsync(c, tx, type, data, Clock.GetUtcNow(), Clock, CancellationToken.None));

    [Fact]
    public async Task AnEventIsQueuedOncePerRecipientAndOnlyForACustomerWithAnAddressAndAMailedType()
    {
        var database = await WithCustomersAsync();

        var first = await EnqueueAsync(database, "usage.threshold_crossed", Alert("alr_1", "c1"));
        var again = await EnqueueAsync(database, "usage.threshold_crossed", Alert("alr_1", "c1"));
        var noAddress = await EnqueueAsync(database, "usage.threshold_crossed", Alert("alr_2", "c2"));
        var notMailed = await EnqueueAsync(database, "customer.created", new { Id = "c1", Customer = "c1" });
        var page = await new EmailStore(database, Clock).ListAsync(null, null, new PageRequest(10, null), CancellationToken.None);

        Assert.Equal((true, false, false, false), (first, again, noAddress, notMailed));
        var message = Assert.Single(page.Items);
        Assert.Equal(("threshold", "c1@example.com", "alr_1", "pending"), (message.Kind, message.Recipient, message.ObjectId, message.Status));
    }

    [Fact]
    public async Task TheCatalogsNotifyListIsReadInTheSameTransactionAsTheEvent()
    {
        var database = await WithCustomersAsync();
        await database.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE catalog_settings SET notify_email = ',exceeded,' WHERE id = 1", transaction: tx));

        var threshold = await EnqueueAsync(database, "usage.threshold_crossed", Alert("alr_1", "c1"));
        var exceeded = await EnqueueAsync(database, "quota.exceeded", Alert("alr_2", "c1"));

        Assert.Equal((false, true), (threshold, exceeded));
    }

    [Fact]
    public async Task AClaimedMessageIsNotClaimedAgainUntilItsLeaseEnds()
    {
        var database = await WithCustomersAsync();
        var store = new EmailStore(database, Clock);
        await EnqueueAsync(database, "usage.threshold_crossed", Alert("alr_1", "c1"));

        var claimed = await store.ClaimDueAsync(10, CancellationToken.None);
        var meanwhile = await store.ClaimDueAsync(10, CancellationToken.None);
        Clock.Advance(EmailStore.Lease);
        var afterLease = await store.ClaimDueAsync(10, CancellationToken.None);

        Assert.Single(claimed);
        Assert.Empty(meanwhile);
        Assert.Equal(claimed[0].Id, Assert.Single(afterLease).Id);
    }

    [Fact]
    public async Task ADeadMessageIsReplayedWithFreshAttemptsAndASentOneIsNeverSentAgain()
    {
        var database = await WithCustomersAsync();
        var store = new EmailStore(database, Clock);
        await EnqueueAsync(database, "usage.threshold_crossed", Alert("alr_1", "c1"));
        var first = (await store.ClaimDueAsync(1, CancellationToken.None))[0];
        await store.RecordAttemptAsync(first, "Subject", sent: false, 451, "refused", TimeSpan.Zero, retryAt: null, CancellationToken.None);

        var replayed = await store.ReplayAsync(first.Id, CancellationToken.None);
        var again = (await store.ClaimDueAsync(1, CancellationToken.None))[0];
        await store.RecordAttemptAsync(again, "Subject", sent: true, 250, null, TimeSpan.Zero, retryAt: null, CancellationToken.None);
        var replaySent = await store.ReplayAsync(first.Id, CancellationToken.None);
        var found = (await store.GetAsync(first.Id, CancellationToken.None))!.Value;

        Assert.Equal((EmailReplay.Requeued, EmailReplay.AlreadySent), (replayed, replaySent));
        Assert.Equal((1, 0), (again.Attempts, again.AttemptsSinceReplay));
        Assert.Equal(("sent", 2, "Subject"), (found.Message.Status, found.Message.Attempts, found.Message.Subject));
        Assert.Equal([451, 250], found.Attempts.Select(a => a.SmtpStatus));
        Assert.Empty(await store.ClaimDueAsync(1, CancellationToken.None));
        Assert.Equal(EmailReplay.NotFound, await store.ReplayAsync("eml_none", CancellationToken.None));
    }

    [Fact]
    public async Task PagesGoNewestFirstWithoutSkippingOrRepeatingAMessage()
    {
        var database = await WithCustomersAsync();
        var store = new EmailStore(database, Clock);
        var queued = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            await EnqueueAsync(database, "usage.threshold_crossed", Alert($"alr_{i}", "c1"));
            queued.Add($"alr_{i}");
            if (i % 2 == 0)
            {
                Clock.Advance(TimeSpan.FromSeconds(1)); // pairs share a created_at, so the id breaks the tie
            }
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await store.ListAsync(null, "c1", new PageRequest(2, cursor is null ? null : Decoded(cursor)), CancellationToken.None);
            seen.AddRange(page.Items.Select(m => m.ObjectId));
            cursor = page.HasMore ? page.NextCursor : null;
        }
        while (cursor is not null);

        Assert.Equal(5, seen.Count);
        Assert.Equal(queued.Order(), seen.Order());
        Assert.Equal(["alr_3", "alr_4"], seen.Take(2).Order()); // the newest second first
    }

    private static Cursor Decoded(string text) => Cursor.TryDecode(text, out var cursor) ? cursor : throw new FormatException(text);
}

public sealed class SqliteEmailStoreTests : EmailStoreContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresEmailStoreTests : EmailStoreContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
