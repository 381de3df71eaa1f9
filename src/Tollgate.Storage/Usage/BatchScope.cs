using System.Data;
using System.Data.Common;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Usage;

/// <summary>
/// One transaction shared by a batch of operations. Work that aggregates across the batch (the daily usage rollup)
/// is collected here and written once, in the same transaction, just before the commit.
/// </summary>
public sealed class BatchScope(StatementCache statements, DbTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    : SqlScope(statements, transaction, cancellationToken)
{
    private readonly Dictionary<(string Customer, string Feature, string Day), long> _daily = [];
    private readonly List<Action> _afterCommit = [];
    private string? _today;

    // Multi-row upserts in a few fixed sizes, so each shape is prepared once and a batch needs few statements.
    private static readonly int[] ChunkSizes = [64, 16, 4, 1];
    private static readonly Dictionary<int, Statement> AddDaily = ChunkSizes.ToDictionary(n => n, AddDailyRows);

    private static Statement AddDailyRows(int rows) => new(
        "INSERT INTO usage_daily (customer_id, feature_code, day, quantity) VALUES " +
        string.Join(", ", Enumerable.Range(0, rows).Select(i => $"(@c{i}, @f{i}, @d{i}, @q{i})")) +
        " ON CONFLICT (customer_id, feature_code, day) DO UPDATE SET quantity = usage_daily.quantity + excluded.quantity",
        [.. Enumerable.Range(0, rows).SelectMany(i => new[]
            { ($"c{i}", DbType.String), ($"f{i}", DbType.String), ($"d{i}", DbType.String), ($"q{i}", DbType.Int64) })]);

    /// <summary>The instant the whole batch decides at.</summary>
    public DateTimeOffset Now => now;

    public long NowMs => now.ToUnixTimeMilliseconds();

    public void AddDailyUsage(string customer, string feature, DateTimeOffset at, long quantity)
    {
        if (quantity == 0)
        {
            return;
        }

        // Most units land on the batch's own day; its key is formatted once per batch.
        var day = at == now ? _today ??= Day(now) : Day(at);
        var key = (customer, feature, day);
        _daily[key] = _daily.GetValueOrDefault(key) + quantity;
    }

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public void AfterCommit(Action action) => _afterCommit.Add(action);

    internal async Task FlushAsync()
    {
        // Sorted, so concurrent batches on other nodes take these row locks in the same order.
        var rows = _daily.OrderBy(d => d.Key).ToList();
        var done = 0;
        while (done < rows.Count)
        {
            var size = ChunkSizes.First(n => n <= rows.Count - done);
            var values = rows.Skip(done).Take(size)
                .SelectMany(r => new object?[] { r.Key.Customer, r.Key.Feature, r.Key.Day, r.Value }).ToArray();
            await ExecuteAsync(AddDaily[size], values);
            done += size;
        }
    }

    internal void RunAfterCommit()
    {
        foreach (var action in _afterCommit)
        {
            action();
        }
    }
}
