using System.Data;

namespace Tollgate.Storage.Database;

/// <summary>
/// An upsert that adds its numeric columns on conflict. On PostgreSQL every row goes in one statement over arrays
/// (<c>unnest</c>): one round trip per batch whatever its size, or none of its own where a batch holds it for its commit.
/// SQLite has no round trips to save: there, rows go one prepared single-row statement at a time.
/// </summary>
public sealed class RowUpsert
{
    private readonly Statement _single;
    private readonly string _arrays;
    private readonly int _keys;
    private readonly int _width;

    /// <param name="table">The table.</param>
    /// <param name="keys">Key columns (the conflict target), text.</param>
    /// <param name="sums">Numeric columns added together on conflict.</param>
    public RowUpsert(string table, string[] keys, string[] sums)
    {
        _keys = keys.Length;
        _width = keys.Length + sums.Length;
        var columns = string.Join(", ", keys.Concat(sums));
        var onConflict = $" ON CONFLICT ({string.Join(", ", keys)}) DO UPDATE SET " + string.Join(", ", sums.Select(s => $"{s} = {table}.{s} + excluded.{s}"));
        _single = new Statement(
            $"INSERT INTO {table} ({columns}) VALUES (" + string.Join(", ", Enumerable.Range(0, _width).Select(c => $"@p{c}")) + ")" + onConflict,
            [.. Enumerable.Range(0, _width).Select(c => ($"p{c}", c < keys.Length ? DbType.String : DbType.Int64))]);
        _arrays = $"INSERT INTO {table} ({columns}) SELECT * FROM unnest(" +
            string.Join(", ", Enumerable.Range(0, _width).Select(c => $"@p{c}::{(c < keys.Length ? "text" : "bigint")}[]")) + ")" + onConflict;
    }

    /// <summary>Writes the rows (each: keys then sums, in column order), sorted so concurrent writers lock rows in one order.</summary>
    public async Task WriteAsync(SqlScope scope, IEnumerable<object?[]> rows)
    {
        // Rows with one key are added up first: one statement may not change a row twice.
        var keys = new KeyColumns(_keys);
        var sums = new Dictionary<object?[], object?[]>(keys);
        foreach (var row in rows)
        {
            if (!sums.TryGetValue(row, out var sum))
            {
                sums[row] = (object?[])row.Clone();
                continue;
            }

            for (var c = _keys; c < _width; c++)
            {
                sum[c] = (long)sum[c]! + (long)row[c]!;
            }
        }

        var all = sums.Values.ToList();
        all.Sort(keys);
        if (all.Count == 0)
        {
            return;
        }

        if (!scope.BatchesRows)
        {
            foreach (var row in all)
            {
                await scope.ExecuteAsync(_single, row);
            }

            return;
        }

        await scope.WriteRowsAsync(_arrays, [.. Enumerable.Range(0, _width).Select(c => ($"p{c}",
            c < _keys ? (object)all.Select(r => (string)r[c]!).ToArray() : all.Select(r => (long)r[c]!).ToArray()))]);
    }
}

/// <summary>Rows compared on their first key columns (text, ordinal): equal keys add up, and rows sort in one lock order.</summary>
internal sealed class KeyColumns(int count) : IEqualityComparer<object?[]>, IComparer<object?[]>
{
    public bool Equals(object?[]? x, object?[]? y) => Compare(x, y) == 0;

    public int GetHashCode(object?[] row)
    {
        var hash = new HashCode();
        for (var c = 0; c < count; c++)
        {
            hash.Add((string?)row[c], StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public int Compare(object?[]? x, object?[]? y)
    {
        for (var c = 0; c < count; c++)
        {
            if (string.CompareOrdinal((string?)x![c], (string?)y![c]) is var order and not 0)
            {
                return order;
            }
        }

        return 0;
    }
}
