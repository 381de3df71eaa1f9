using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

public abstract class MigrationContract : StoreContract
{
    [Fact]
    public async Task FirstRunAppliesEveryMigrationAndSecondRunAppliesNothing()
    {
        var database = await FreshDatabaseAsync(migrated: false);
        var expected = Migrator.Load(database.Dialect.Provider);

        var first = await new Migrator(database, Clock).MigrateAsync();
        var second = await new Migrator(database, Clock).MigrateAsync();

        Assert.Equal(expected.Select(m => m.Version), first.Applied.Select(m => m.Version));
        Assert.Empty(second.Applied);
        Assert.Equal(expected[^1].Version, second.SchemaVersion);
        Assert.StartsWith("Database schema is up to date", second.Describe(), StringComparison.Ordinal);
        Assert.Equal(expected.Count, await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM schema_migrations")));
    }

    [Fact]
    public async Task MigrationsRacingFromSeveralNodesApplyEachVersionOnce()
    {
        var options = await TestDatabases.CreateAsync(Kind, migrated: false);

        var reports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => new Migrator(StorageServices.Open(options), Clock).MigrateAsync())));

        var database = StorageServices.Open(options);
        Assert.Equal(Migrator.Load(database.Dialect.Provider).Count, reports.Sum(r => r.Applied.Count));
        Assert.Equal(Migrator.Load(database.Dialect.Provider).Count,
            await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM schema_migrations")));
    }

    [Fact]
    public async Task UpgradingFromVersionSevenKeepsAlertsAndEndpointsRenamesTheirEventTypesAndAllowsExceededAlerts()
    {
        var database = await FreshDatabaseAsync(migrated: false);
        var enabled = database.Dialect.IsPostgres ? "TRUE" : "1";
        await database.WriteAsync(async (c, tx) =>
        {
            // What a database that last ran version 7 holds: the migrations as the migrator applied them, and some rows.
            await AppliedThroughAsync(database, c, tx, 7);

            await c.ExecuteAsync("INSERT INTO customers (id, metadata_json, created_at, updated_at) VALUES ('c1', '{}', 0, 0)", transaction: tx);
            await c.ExecuteAsync("""
                INSERT INTO usage_alerts (id, customer_id, feature_code, period_start, period_end, kind, threshold, severity, used, limit_value, message, created_at)
                VALUES ('alr_1', 'c1', 'api', 0, 10, 'threshold', 80, 'info', 8, 10, 'You have used 8 of 10 calls this month.', 5)
                """, transaction: tx);
            await c.ExecuteAsync($"""
                INSERT INTO webhook_endpoints (id, url, secret, event_types, enabled, created_at, updated_at)
                VALUES ('we_1', 'https://hooks.example.com/a', 'whsec_x', ',usage.threshold_reached,invoice.issued,invoice.paid,', {enabled}, 0, 0)
                """, transaction: tx);
            return 0;
        });

        var report = await new Migrator(database, Clock).MigrateAsync();
        await database.WriteAsync((c, tx) => c.ExecuteAsync("""
            INSERT INTO usage_alerts (id, customer_id, feature_code, period_start, period_end, kind, threshold, severity, used, limit_value, message, created_at)
            VALUES ('alr_2', 'c1', 'api', 0, 10, 'exceeded', 0, 'critical', 10, 10, 'You have reached your limit of 10 calls this month.', 6)
            """, transaction: tx));
        var alerts = await database.ReadAsync(async c => (await c.QueryAsync<(string, string, long)>(
            "SELECT id, kind, used FROM usage_alerts ORDER BY id")).ToList());
        var endpoint = await database.ReadAsync(c => c.QuerySingleAsync<(string, long?)>("SELECT event_types, deleted_at FROM webhook_endpoints"));

        Assert.Equal(Migrator.Load(database.Dialect.Provider).Where(m => m.Version > 7).Select(m => m.Version), report.Applied.Select(m => m.Version));
        Assert.Equal([("alr_1", "threshold", 8L), ("alr_2", "exceeded", 10L)], alerts);
        Assert.Equal((",usage.threshold_crossed,invoice.created,invoice.paid,", null), endpoint); // renamed types keep reaching it
    }

    [Fact]
    public async Task UpgradingToTimePartitionsKeepsEveryEventAndCallAndAResentIdStillCountsOnce()
    {
        var database = await FreshDatabaseAsync(migrated: false);
        var recent = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var old = recent - (long)TimeSpan.FromDays(300).TotalMilliseconds;
        var unpriced = database.Dialect.IsPostgres ? "FALSE" : "0";
        await database.WriteAsync(async (c, tx) =>
        {
            // A database that last ran version 42, holding events and calls from 300 days ago and from now.
            await AppliedThroughAsync(database, c, tx, 42);

            foreach (var (id, at) in new[] { ("old", old), ("recent", recent) })
            {
                await c.ExecuteAsync("""
                    INSERT INTO usage_events (customer_id, id, feature_code, amount, occurred_at, received_at, metadata_json, source, member_id)
                    VALUES ('c1', @id, 'api', 2, @at, @at, '{"ip":"10.0.0.1"}', 'consume', 'm1')
                    """, new { id, at }, tx);
                await c.ExecuteAsync($"""
                    INSERT INTO llm_calls (customer_id, request_id, model, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens,
                        reasoning_tokens, requests, images, cost_nano, unpriced, occurred_at, received_at, body_hash, member_id)
                    VALUES ('c1', @id, 'gpt-4o', 10, 5, 0, 0, 0, 1, 0, 750, {unpriced}, @at, @at, 'h', 'm1')
                    """, new { id, at }, tx);
            }

            return 0;
        });

        var report = await new Migrator(database, Clock).MigrateAsync();
        var events = await database.ReadAsync(async c => (await c.QueryAsync<(string, long, long, string, string, string)>(
            "SELECT id, amount, received_at, metadata_json, source, member_id FROM usage_events ORDER BY received_at")).ToList());
        var calls = await database.ReadAsync(async c => (await c.QueryAsync<(string, long, long, string)>(
            "SELECT request_id, cost_nano, occurred_at, member_id FROM llm_calls ORDER BY occurred_at")).ToList());
        // The event insert both stores share: a resent id goes in no more, as before the upgrade.
        var resent = await database.WriteAsync((c, tx) => c.ExecuteAsync("""
            INSERT INTO usage_events (customer_id, id, feature_code, amount, occurred_at, received_at) VALUES ('c1', 'old', 'api', 2, @recent, @recent)
            ON CONFLICT DO NOTHING
            """, new { recent }, tx));

        Assert.Equal([43], report.Applied.Select(m => m.Version).Where(v => v == 43));
        Assert.Equal([("old", 2L, old, """{"ip":"10.0.0.1"}""", "consume", "m1"), ("recent", 2L, recent, """{"ip":"10.0.0.1"}""", "consume", "m1")], events);
        Assert.Equal([("old", 750L, old, "m1"), ("recent", 750L, recent, "m1")], calls);
        Assert.Equal(0, resent);
        if (database.Dialect.IsPostgres)
        {
            // The ids moved to the tables that keep them once, and each row sits in a week partition, none in DEFAULT.
            Assert.Equal(["old", "recent"], await database.ReadAsync(async c =>
                (await c.QueryAsync<string>("SELECT request_id FROM llm_call_keys ORDER BY occurred_at")).ToList()));
            Assert.Equal(0L, await database.ReadAsync(c => c.ExecuteScalarAsync<long>(
                "SELECT (SELECT count(*) FROM usage_events_default) + (SELECT count(*) FROM llm_calls_default)")));
        }
    }

    [Fact]
    public async Task UpgradingToSeveralCurrenciesGivesEachSubscriptionItsPlansCurrencyAndACustomerItsLiveOnesAndKeepsEveryPrice()
    {
        var database = await FreshDatabaseAsync(migrated: false);
        var yes = database.Dialect.IsPostgres ? "TRUE" : "1";
        await database.WriteAsync(async (c, tx) =>
        {
            // A database that last ran version 43: an EUR-only plan priced monthly and yearly, a customer subscribed to it
            // yearly (and, later, to a USD plan since canceled), and a customer with no subscription.
            await AppliedThroughAsync(database, c, tx, 43);

            await c.ExecuteAsync($$"""
                INSERT INTO plans (code, name, description, is_active, sort_order, is_popular, created_at, updated_at)
                VALUES ('pro', 'Pro', '', {{yes}}, 0, {{yes}}, 0, 0);
                INSERT INTO plan_versions (id, plan_code, version, terms_hash, created_at) VALUES ('pv1', 'pro', 1, 'h', 0);
                INSERT INTO plan_prices (plan_version_id, billing_period, price_cents, currency, trial_days) VALUES ('pv1', 'monthly', 2900, 'EUR', 0);
                INSERT INTO plan_prices (plan_version_id, billing_period, price_cents, currency, trial_days) VALUES ('pv1', 'yearly', 29000, 'EUR', 0);
                INSERT INTO customers (id, metadata_json, created_at, updated_at) VALUES ('c1', '{}', 0, 0);
                INSERT INTO customers (id, metadata_json, created_at, updated_at) VALUES ('c2', '{}', 0, 0);
                INSERT INTO subscriptions (id, customer_id, plan_code, plan_version_id, billing_period, status, anchor_at, current_period_start,
                    current_period_end, collection_method, days_until_due, revision, created_at, updated_at)
                VALUES ('sub_1', 'c1', 'pro', 'pv1', 'yearly', 'active', 0, 0, 10, 'charge_automatically', 30, 1, 0, 0);
                INSERT INTO plans (code, name, description, is_active, sort_order, is_popular, created_at, updated_at)
                VALUES ('basic', 'Basic', '', {{yes}}, 1, {{yes}}, 0, 0);
                INSERT INTO plan_versions (id, plan_code, version, terms_hash, created_at) VALUES ('pv0', 'basic', 1, 'h', 0);
                INSERT INTO plan_prices (plan_version_id, billing_period, price_cents, currency, trial_days) VALUES ('pv0', 'monthly', 900, 'USD', 0);
                INSERT INTO subscriptions (id, customer_id, plan_code, plan_version_id, billing_period, status, anchor_at, current_period_start,
                    current_period_end, collection_method, days_until_due, revision, created_at, updated_at)
                VALUES ('sub_0', 'c1', 'basic', 'pv0', 'monthly', 'canceled', 0, 0, 10, 'charge_automatically', 30, 1, 5, 5);
                """, transaction: tx);
            return 0;
        });

        await new Migrator(database, Clock).MigrateAsync();
        var subscriptions = await database.ReadAsync(async c => (await c.QueryAsync<(string, string)>("SELECT id, currency FROM subscriptions ORDER BY id")).ToList());
        var customers = await database.ReadAsync(async c => (await c.QueryAsync<(string, string?)>("SELECT id, currency FROM customers ORDER BY id")).ToList());
        // The price key now holds the currency: a second currency for a period goes in beside the first.
        await database.WriteAsync((c, tx) => c.ExecuteAsync("""
            INSERT INTO plan_prices (plan_version_id, billing_period, price_cents, currency, trial_days, currency_position)
            VALUES ('pv1', 'monthly', 3100, 'USD', 0, 1)
            """, transaction: tx));
        var prices = await database.ReadAsync(async c => (await c.QueryAsync<(string, string, long)>(
            "SELECT billing_period, currency, price_cents FROM plan_prices WHERE plan_version_id = 'pv1' ORDER BY billing_period, currency_position")).ToList());

        Assert.Equal([("sub_0", "USD"), ("sub_1", "EUR")], subscriptions);
        Assert.Equal([("c1", "EUR"), ("c2", null)], customers);
        Assert.Equal([("monthly", "EUR", 2900L), ("monthly", "USD", 3100L), ("yearly", "EUR", 29000L)], prices);
    }

    [Fact]
    public async Task UpgradingToAStoredEmailKeyFoldsEveryLetterOfEachLiveAddressAndTheLookupUsesItsIndex()
    {
        var database = await FreshDatabaseAsync(migrated: false);
        await database.WriteAsync(async (c, tx) =>
        {
            await AppliedThroughAsync(database, c, tx, 60);
            await c.ExecuteAsync("""
                INSERT INTO customers (id, email, metadata_json, created_at, updated_at) VALUES ('c1', 'Ådne@Example.COM', '{}', 0, 0);
                INSERT INTO customers (id, metadata_json, created_at, updated_at) VALUES ('c2', '{}', 0, 0);
                """, transaction: tx);
            return 0;
        });

        await new Migrator(database, Clock).MigrateAsync();
        var keys = await database.ReadAsync(async c => (await c.QueryAsync<(string, string?)>("SELECT id, email_key FROM customers ORDER BY id")).ToList());

        Assert.Equal([("c1", "ådne@example.com"), ("c2", null)], keys);
        if (!database.Dialect.IsPostgres)
        {
            // SQLite plans without statistics, so the plan is the same at any size: the index, not a scan of every customer.
            var plan = await database.ReadAsync(async c => string.Join("\n", (await c.QueryAsync(
                "EXPLAIN QUERY PLAN SELECT * FROM customers WHERE email_key = 'x' AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1"))
                .Select(row => (string)row.detail)));
            Assert.Contains("customers_email_key", plan, StringComparison.Ordinal);
        }
    }

    // What the migrator leaves in a database that last ran version <paramref name="last"/>: its migrations and their records.
    private static async Task AppliedThroughAsync(TollgateDatabase database, System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, int last)
    {
        await c.ExecuteAsync("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            transaction: tx);
        foreach (var m in Migrator.Load(database.Dialect.Provider).Where(m => m.Version <= last))
        {
            await c.ExecuteAsync(m.Sql, transaction: tx);
            await c.ExecuteAsync("INSERT INTO schema_migrations VALUES (@Version, @Name, @Checksum, 0)", m, tx);
        }
    }

    [Fact]
    public async Task AnAppliedMigrationThatWasEditedStopsTheStart()
    {
        var database = await FreshDatabaseAsync();
        await database.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1", transaction: tx));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new Migrator(database, Clock).MigrateAsync());

        Assert.Contains("was changed after it was applied", error.Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteMigrationTests : MigrationContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresMigrationTests : MigrationContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
