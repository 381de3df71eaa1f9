using System.Data.Common;
using System.Text.Json;
using Dapper;
using Tollgate.Core.Customers;
using Tollgate.Core.Taxes;
using Tollgate.Storage.Database;
using Tollgate.Server.Webhooks;

namespace Tollgate.Server.Customers;

/// <summary>Customers and their subscriptions as rows: the upsert that creates or merges one, and the reads the API serves.</summary>
public sealed class CustomerStore(TollgateDatabase database, TimeProvider time, EntitlementContextCache contexts)
{
    /// <summary>Creates or updates a customer; <c>Created</c> says which.</summary>
    public Task<(Customer Customer, bool Created)> UpsertAsync(
        string id, string? email, string? name, IReadOnlyDictionary<string, string>? metadata, bool? hasPaymentMethod = null,
        CancellationToken cancellationToken = default) =>
        UpsertAsync(id, email, name, metadata, hasPaymentMethod, new BillingDetailsChange(), cancellationToken);

    /// <summary>Creates or updates a customer with its billing details (each part left null keeps its stored value).</summary>
    public async Task<(Customer Customer, bool Created)> UpsertAsync(
        string id, string? email, string? name, IReadOnlyDictionary<string, string>? metadata, bool? hasPaymentMethod,
        BillingDetailsChange billing, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = await database.WriteAsync(async (c, tx) =>
        {
            // Insert first: of two first PUTs racing on PostgreSQL exactly one creates the customer (and announces it); the
            // other waits on the row, then reads and merges into what the first wrote instead of overwriting it.
            var fresh = new CustomerRow
            {
                Id = id, Email = email, Name = name, MetadataJson = metadata is null ? "{}" : JsonSerializer.Serialize(metadata),
                HasPaymentMethod = hasPaymentMethod ?? false, CreatedAt = now, UpdatedAt = now,
                AddressJson = BillingJson.Address(billing.Address), TaxIdsJson = BillingJson.TaxIds(billing.TaxIds ?? []),
                TaxExempt = billing.TaxExempt ?? TaxExemptions.None,
                TaxRatesJson = JsonSerializer.Serialize(billing.TaxRates ?? []),
                Currency = billing.Currency,
            };
            var created = await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO customers (id, email, email_key, name, metadata_json, has_payment_method, created_at, updated_at, address_json,
                    tax_ids_json, tax_exempt, tax_rates_json, currency)
                VALUES (@Id, @Email, @FoldedEmail, @Name, @MetadataJson, @HasPaymentMethod, @CreatedAt, @UpdatedAt, @AddressJson, @TaxIdsJson,
                    @TaxExempt, @TaxRatesJson, @Currency)
                ON CONFLICT (id) DO NOTHING
                """, fresh, tx, cancellationToken: cancellationToken)) == 1;
            if (created)
            {
                await WebhookOutbox.EnqueueAsync(c, tx, WebhookEventTypes.CustomerCreated, WebhookPayloads.Customer(fresh.ToDomain()),
                    time.GetUtcNow(), time, cancellationToken);
                return (Row: fresh, Created: true);
            }

            var existing = await c.QuerySingleAsync<CustomerRow>(new CommandDefinition(
                $"SELECT * FROM customers WHERE id = @id {database.Dialect.ForNoKeyUpdate}", new { id }, tx, cancellationToken: cancellationToken));
            if (existing.DeletedAt is not null)
            {
                throw new CustomerDeletedException(id);
            }

            // Fields left out of the request keep their stored values, as in Stripe's update.
            var merged = new CustomerRow
            {
                Id = id,
                Email = email ?? existing.Email,
                Name = name ?? existing.Name,
                MetadataJson = metadata is null ? existing.MetadataJson : JsonSerializer.Serialize(metadata),
                HasPaymentMethod = hasPaymentMethod ?? existing.HasPaymentMethod,
                CreatedAt = existing.CreatedAt,
                UpdatedAt = now,
                AddressJson = billing.Address is null ? existing.AddressJson : BillingJson.Address(billing.Address),
                TaxIdsJson = billing.TaxIds is null ? existing.TaxIdsJson : BillingJson.TaxIds(billing.TaxIds),
                TaxExempt = billing.TaxExempt ?? existing.TaxExempt,
                TaxRatesJson = billing.TaxRates is null ? existing.TaxRatesJson : JsonSerializer.Serialize(billing.TaxRates),
                Currency = billing.Currency ?? existing.Currency,
            };
            if (merged.Currency != existing.Currency && merged.Currency is { } currency)
            {
                // A customer has one currency: once a subscription or an invoice is in another, it cannot change.
                var inUse = await CustomerCurrency.InUseInAsync(c, tx, id, cancellationToken);
                if (inUse.FirstOrDefault(used => used != currency) is { } other)
                {
                    throw new CurrencyMismatchException(
                        $"Customer '{id}' has a subscription or an invoice in {other}; a customer has one currency, so it cannot change to {currency}.");
                }
            }

            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE customers SET email = @Email, email_key = @FoldedEmail, name = @Name, metadata_json = @MetadataJson, has_payment_method = @HasPaymentMethod,
                    updated_at = @UpdatedAt, address_json = @AddressJson, tax_ids_json = @TaxIdsJson, tax_exempt = @TaxExempt,
                    tax_rates_json = @TaxRatesJson, currency = @Currency
                WHERE id = @Id
                """, merged, tx, cancellationToken: cancellationToken));
            return (Row: merged, Created: false);
        }, cancellationToken);
        contexts.Invalidate(id);
        return (row.Row.ToDomain(), row.Created);
    }

    /// <summary>What decides the customer's tax, read in the caller's transaction; no tax when there is no such customer.</summary>
    public static async Task<TaxProfile> TaxProfileInAsync(DbConnection c, DbTransaction? tx, string id, CancellationToken cancellationToken)
    {
        var row = await c.QuerySingleOrDefaultAsync<CustomerRow>(new CommandDefinition(
            "SELECT * FROM customers WHERE id = @id", new { id }, tx, cancellationToken: cancellationToken));
        return row?.ToDomain() is { } customer
            ? new TaxProfile(customer.Address?.Country, customer.Address?.State, customer.TaxExempt, customer.TaxRateIds)
            : TaxProfile.None;
    }

    public Task<Customer?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<CustomerRow>(new CommandDefinition(
            "SELECT * FROM customers WHERE id = @id AND deleted_at IS NULL", new { id }, cancellationToken: cancellationToken)))?.ToDomain(), cancellationToken);

    /// <summary>Inserts a subscription; false when the customer already has a live one.</summary>
    public async Task<bool> InsertSubscriptionAsync(Subscription subscription, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.WriteAsync(async (c, tx) =>
            {
                await CustomerLock.TakeAsync(c, tx, subscription.CustomerId, database.Dialect, cancellationToken);
                await InsertSubscriptionAsync(c, tx, subscription, cancellationToken);
            }, cancellationToken);
            return true;
        }
        catch (DbException e) when (database.IsUniqueViolation(e))
        {
            return false;
        }
        finally
        {
            contexts.Invalidate(subscription.CustomerId);
        }
    }

    internal static Task InsertSubscriptionAsync(DbConnection c, DbTransaction tx, Subscription subscription, CancellationToken cancellationToken) =>
        c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO subscriptions ({SubscriptionRow.Columns}) VALUES ({SubscriptionRow.Values})
            """, SubscriptionRow.Parameters(subscription), tx, cancellationToken: cancellationToken));

    public Task<Subscription?> GetSubscriptionAsync(string id, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<SubscriptionRow>(new CommandDefinition(
            $"SELECT {SubscriptionRow.Columns} FROM subscriptions WHERE id = @id", new { id }, cancellationToken: cancellationToken)))?.ToDomain(),
            cancellationToken);

    public Task<Subscription?> GetLiveSubscriptionAsync(string customerId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<SubscriptionRow>(new CommandDefinition(
            $"SELECT {SubscriptionRow.Columns} FROM subscriptions WHERE customer_id = @customerId AND status IN ('trialing', 'active', 'past_due', 'incomplete')",
            new { customerId }, cancellationToken: cancellationToken)))?.ToDomain(), cancellationToken);

    /// <summary>Every live subscription, for per-plan statistics.</summary>
    public Task<IReadOnlyList<Subscription>> LiveSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<Subscription>>(async c => [.. (await c.QueryAsync<SubscriptionRow>(new CommandDefinition(
            $"SELECT {SubscriptionRow.Columns} FROM subscriptions WHERE status IN ('trialing', 'active', 'past_due', 'incomplete')",
            cancellationToken: cancellationToken))).Select(r => r.ToDomain())], cancellationToken);

    public Task<long> CountAsync(CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL", cancellationToken: cancellationToken)),
            cancellationToken);

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(string customerId, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<Subscription>>(async c => [.. (await c.QueryAsync<SubscriptionRow>(new CommandDefinition(
            $"SELECT {SubscriptionRow.Columns} FROM subscriptions WHERE customer_id = @customerId ORDER BY created_at DESC",
            new { customerId }, cancellationToken: cancellationToken))).Select(r => r.ToDomain())], cancellationToken);
}

/// <summary>Billing details sent with an upsert: each part left null keeps what is stored; a list sent replaces the stored one.</summary>
public sealed record BillingDetailsChange(
    PostalAddress? Address = null, IReadOnlyList<CustomerTaxId>? TaxIds = null, string? TaxExempt = null, IReadOnlyList<string>? TaxRates = null,
    string? Currency = null);

/// <summary>A PUT of a deleted customer's id: the id stays taken, so old invoices and metrics never merge with a new customer.</summary>
public sealed class CustomerDeletedException(string id) : Exception($"Customer '{id}' was deleted; its id cannot be used again.")
{
    public string CustomerId => id;
}
