using System.Data;

namespace Tollgate.Storage.Database;

/// <summary>
/// An upsert that adds its numeric columns on conflict, prepared once per shape. On PostgreSQL rows go in chunks of a
/// few fixed sizes, so a batch takes a handful of round trips instead of one per row. SQLite has no round trips to
/// save: there, rows go one prepared single-row statement at a time (measured when binding went through
/// Microsoft.Data.Sqlite's name lookups, which made a 32-row statement quadratic to bind; with positional binding
/// now, multi-row statements on SQLite are unmeasured).
/// </summary>
public sealed class RowUpsert
{
    private static readonly int[] ChunkSizes = [32, 8, 1];
    private static readonly int[] SingleRows = [1];
    private readonly Dictionary<int, Statement> _statements;
    private readonly int _width;

    /// <param name="table">The table.</param>
    /// <param name="keys">Key columns (the conflict target), text.</param>
    /// <param name="sums">Numeric columns added together on conflict.</param>
    public RowUpsert(string table, string[] keys, string[] sums)
    {
        _width = keys.Length + sums.Length;
        _statements = ChunkSizes.ToDictionary(n => n, n => new Statement(
            $"INSERT INTO {table} ({string.Join(", ", keys.Concat(sums))}) VALUES " +
            string.Join(", ", Enumerable.Range(0, n).Select(i => "(" + string.Join(", ", Enumerable.Range(0, _width).Select(c => $"@p{i}_{c}")) + ")")) +
            $" ON CONFLICT ({string.Join(", ", keys)}) DO UPDATE SET " + string.Join(", ", sums.Select(s => $"{s} = {table}.{s} + excluded.{s}")),
            [.. Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, _width)
                .Select(c => ($"p{i}_{c}", c < keys.Length ? DbType.String : DbType.Int64)))]));
    }

    /// <summary>Writes the rows (each: keys then sums, in column order), sorted so concurrent writers lock rows in one order.</summary>
    public async Task WriteAsync(SqlScope scope, IEnumerable<object?[]> rows)
    {
        var all = rows.OrderBy(r => string.Join('\u001f', r.Take(_width).OfType<string>()), StringComparer.Ordinal).ToList();
        var sizes = scope.Connection is Npgsql.NpgsqlConnection ? ChunkSizes : SingleRows;
        var done = 0;
        while (done < all.Count)
        {
            var size = sizes.First(n => n <= all.Count - done);
            await scope.ExecuteAsync(_statements[size], [.. all.Skip(done).Take(size).SelectMany(r => r)]);
            done += size;
        }
    }
}
