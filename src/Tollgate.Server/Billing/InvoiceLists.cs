using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Billing;

/// <summary>What an invoice list is filtered by; each part is optional. From and To bound created_at, To exclusive.</summary>
public sealed record InvoiceFilter(string? Customer = null, string? Status = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>Invoices a page at a time, newest first, by keyset on (created_at, id), each with its lines.</summary>
public sealed class InvoiceLists(TollgateDatabase database)
{
    public Task<Page<Invoice>> PageAsync(InvoiceFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new DynamicParameters();
        var where = new List<string> { Keyset.After(page, "created_at", "id", descending: true) };
        if (filter.Customer is not null)
        {
            parameters.Add("customer", filter.Customer);
            where.Add("customer_id = @customer");
        }

        if (filter.Status is not null)
        {
            parameters.Add("status", filter.Status);
            where.Add("status = @status");
        }

        if (filter.From is { } from)
        {
            parameters.Add("from", from.ToUnixTimeMilliseconds());
            where.Add("created_at >= @from");
        }

        if (filter.To is { } to)
        {
            parameters.Add("to", to.ToUnixTimeMilliseconds());
            where.Add("created_at < @to");
        }

        Keyset.Bind(parameters, page);
        var sql = $"SELECT * FROM invoices WHERE {string.Join(" AND ", where)} {Keyset.OrderBy("created_at", "id", descending: true)} LIMIT @page_limit";
        return database.ReadAsync(async c =>
        {
            var rows = (await c.QueryAsync<InvoiceRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).ToList();
            var cut = Keyset.Cut(rows, page, r => new Cursor(r.CreatedAt, r.Id));
            var ids = cut.Items.Select(r => r.Id).ToList();
            var lines = (ids.Count == 0 ? [] : await c.QueryAsync<InvoiceLineRow>(new CommandDefinition(
                $"SELECT * FROM invoice_lines WHERE {database.Dialect.InList("invoice_id", "@ids")} ORDER BY position", new { ids }, cancellationToken: cancellationToken)))
                .ToLookup(l => l.InvoiceId);
            return cut.Select(r => r.ToDomain([.. lines[r.Id].Select(l => l.ToDomain())]));
        }, cancellationToken);
    }
}
