using Dapper;
using Tollgate.Core.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Customers;

/// <summary>What a customer list is filtered by; each part is optional.</summary>
/// <param name="Query">A prefix of the id, e-mail or name, any case.</param>
/// <param name="Plan">The plan of the customer's newest subscription.</param>
/// <param name="Status">The status of the customer's newest subscription.</param>
public sealed record CustomerFilter(string? Query = null, string? Plan = null, string? Status = null);

/// <summary>What a subscription list is filtered by; each part is optional.</summary>
public sealed record SubscriptionFilter(string? Customer = null, string? Status = null, string? Plan = null);

/// <summary>Customers and subscriptions a page at a time, newest first, by keyset on (created_at, id).</summary>
public sealed class CustomerLists(TollgateDatabase database)
{
    public Task<Page<Customer>> CustomersAsync(CustomerFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new DynamicParameters();
        // An erased customer is gone from the list, as from every read by id (and as Stripe lists no deleted customer).
        var where = new List<string> { Keyset.After(page, "created_at", "id", descending: true), "deleted_at IS NULL" };
        if (!string.IsNullOrEmpty(filter.Query))
        {
            // LIKE wildcards in the query are matched literally; lowering both sides (every letter, not ASCII alone) keeps it
            // case-blind on both stores.
            parameters.Add("prefix", Like.Escape(filter.Query.ToLowerInvariant()) + "%");
            var d = database.Dialect;
            where.Add($"({d.Lower("id")} LIKE @prefix ESCAPE '\\' OR {d.Lower("COALESCE(email, '')")} LIKE @prefix ESCAPE '\\' "
                + $"OR {d.Lower("COALESCE(name, '')")} LIKE @prefix ESCAPE '\\')");
        }

        // The newest subscription's plan and status, which the database's triggers keep on the customer's row (migration
        // 0056), so an index answers a filter that few customers match instead of a subquery per customer.
        if (filter.Plan is not null)
        {
            parameters.Add("plan", filter.Plan);
            where.Add("newest_plan_code = @plan");
        }

        if (filter.Status is not null)
        {
            parameters.Add("status", filter.Status);
            where.Add("newest_subscription_status = @status");
        }

        Keyset.Bind(parameters, page);
        var sql = $"SELECT * FROM customers WHERE {string.Join(" AND ", where)} {Keyset.OrderBy("created_at", "id", descending: true)} LIMIT @page_limit";
        return database.ReadAsync(async c =>
        {
            var rows = (await c.QueryAsync<CustomerRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).ToList();
            return Keyset.Cut(rows, page, r => new Cursor(r.CreatedAt, r.Id)).Select(r => r.ToDomain());
        }, cancellationToken);
    }

    /// <summary>The oldest live customer with this e-mail address, compared without case; null when none has it.</summary>
    public Task<Customer?> FindByEmailAsync(string email, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => (await c.QueryFirstOrDefaultAsync<CustomerRow>(new CommandDefinition(
            // Both sides lowered for every letter (SQLite's own LOWER folds ASCII only), so 'Ådne@x' finds 'ådne@x'; the stored
            // side is email_key, which an index answers on both stores, where a function of email scanned every customer on SQLite.
            "SELECT * FROM customers WHERE email_key = @email AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1",
            new { email = email.ToLowerInvariant() }, cancellationToken: cancellationToken)))?.ToDomain(), cancellationToken);

    public Task<Page<Subscription>> SubscriptionsAsync(SubscriptionFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new DynamicParameters();
        var where = new List<string> { Keyset.After(page, "created_at", "id", descending: true) };
        foreach (var (column, name, value) in new[] { ("customer_id", "customer", filter.Customer), ("status", "status", filter.Status),
                     ("plan_code", "plan", filter.Plan) })
        {
            if (value is not null)
            {
                parameters.Add(name, value);
                where.Add($"{column} = @{name}");
            }
        }

        Keyset.Bind(parameters, page);
        var sql = $"""
            SELECT {SubscriptionRow.Columns} FROM subscriptions WHERE {string.Join(" AND ", where)}
            {Keyset.OrderBy("created_at", "id", descending: true)} LIMIT @page_limit
            """;
        return database.ReadAsync(async c =>
        {
            var rows = (await c.QueryAsync<SubscriptionRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).ToList();
            return Keyset.Cut(rows, page, r => new Cursor(r.CreatedAt, r.Id)).Select(r => r.ToDomain());
        }, cancellationToken);
    }
}

/// <summary>LIKE patterns that match the user's text literally.</summary>
public static class Like
{
    public static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
