using System.Data.Common;
using Dapper;
using Tollgate.Core.Taxes;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Taxes;

/// <summary>Tax rates as the admin API manages them, and the active ones an invoice chooses from.</summary>
public sealed class TaxRateStore(TollgateDatabase database)
{
    private const string Columns = "id, name, millionths, inclusive, country, state, active, created_at";

    /// <summary>Stores a new rate; false when its id is taken.</summary>
    public async Task<bool> CreateAsync(TaxRate rate, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition($"""
                INSERT INTO tax_rates ({Columns}) VALUES (@Id, @Name, @Millionths, @Inclusive, @Country, @State, @Active, @created)
                """, new { rate.Id, rate.Name, rate.Millionths, rate.Inclusive, rate.Country, rate.State, rate.Active, created = rate.CreatedAt.ToUnixTimeMilliseconds() },
                tx, cancellationToken: cancellationToken)), cancellationToken);
            return true;
        }
        catch (DbException e) when (database.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public async Task<TaxRate?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        (await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<TaxRateRow>(new CommandDefinition(
            $"SELECT {Columns} FROM tax_rates WHERE id = @id", new { id }, cancellationToken: cancellationToken)), cancellationToken))?.ToDomain();

    /// <summary>Every rate, active or not, in id order; the cursor's key is always 0, so the keyset is the id alone.</summary>
    public async Task<Page<TaxRate>> ListAsync(PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new DynamicParameters();
        Keyset.Bind(parameters, page);
        var rows = await database.ReadAsync(c => c.QueryAsync<TaxRateRow>(new CommandDefinition(
            $"SELECT {Columns} FROM tax_rates WHERE {Keyset.After(page, "0", "id", descending: false)} ORDER BY id LIMIT @page_limit",
            parameters, cancellationToken: cancellationToken)), cancellationToken);
        return Keyset.Cut([.. rows.Select(r => r.ToDomain())], page, r => new Cursor(0, r.Id));
    }

    /// <summary>Stops new invoices from applying the rate; issued invoices keep it. Null when there is no such rate.</summary>
    public async Task<TaxRate?> DeactivateAsync(string id, CancellationToken cancellationToken = default)
    {
        await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE tax_rates SET active = @no WHERE id = @id", new { id, no = false }, tx, cancellationToken: cancellationToken)), cancellationToken);
        return await GetAsync(id, cancellationToken);
    }

    /// <summary>The ids among <paramref name="ids"/> that name no active rate, for a customer's tax_rates to refuse.</summary>
    public async Task<IReadOnlyList<string>> UnknownAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var active = (await database.ReadAsync(c => ActiveInAsync(c, null, cancellationToken), cancellationToken)).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        return [.. ids.Where(id => !active.Contains(id))];
    }

    /// <summary>The active rates, read in the caller's transaction so an invoice and the rates it applied are one snapshot.</summary>
    public static async Task<IReadOnlyList<TaxRate>> ActiveInAsync(DbConnection c, DbTransaction? tx, CancellationToken cancellationToken) =>
        [.. (await c.QueryAsync<TaxRateRow>(new CommandDefinition(
            $"SELECT {Columns} FROM tax_rates WHERE active = @yes ORDER BY id", new { yes = true }, tx, cancellationToken: cancellationToken)))
            .Select(r => r.ToDomain())];
}

internal sealed class TaxRateRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public long Millionths { get; set; }
    public bool Inclusive { get; set; }
    public string? Country { get; set; }
    public string? State { get; set; }
    public bool Active { get; set; }
    public long CreatedAt { get; set; }

    public TaxRate ToDomain() => new(Id, Name, Millionths, Inclusive, Country, State, Active, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt));
}
