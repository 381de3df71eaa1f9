using System.Data.Common;
using Dapper;

namespace Tollgate.Storage.Usage;

/// <summary>
/// One transaction shared by a batch of operations. Work that aggregates across the batch (the daily usage rollup)
/// is collected here and written once, in the same transaction, just before the commit.
/// </summary>
public sealed class BatchScope(DbConnection connection, DbTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
{
    private readonly Dictionary<(string Customer, string Feature, string Day), long> _daily = [];
    private readonly List<Action> _afterCommit = [];

    public DbConnection Connection => connection;

    public DbTransaction Transaction => transaction;

    /// <summary>The instant the whole batch decides at.</summary>
    public DateTimeOffset Now => now;

    public long NowMs => now.ToUnixTimeMilliseconds();

    public CancellationToken CancellationToken => cancellationToken;

    public CommandDefinition Command(string sql, object? args = null) => new(sql, args, transaction, cancellationToken: cancellationToken);

    public void AddDailyUsage(string customer, string feature, DateTimeOffset at, long quantity)
    {
        if (quantity == 0)
        {
            return;
        }

        var key = (customer, feature, at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        _daily[key] = _daily.GetValueOrDefault(key) + quantity;
    }

    public void AfterCommit(Action action) => _afterCommit.Add(action);

    internal async Task FlushAsync()
    {
        // Sorted, so concurrent batches on other nodes take these row locks in the same order.
        foreach (var ((customer, feature, day), quantity) in _daily.OrderBy(d => d.Key))
        {
            await connection.ExecuteAsync(Command("""
                INSERT INTO usage_daily (customer_id, feature_code, day, quantity) VALUES (@customer, @feature, @day, @quantity)
                ON CONFLICT (customer_id, feature_code, day) DO UPDATE SET quantity = usage_daily.quantity + excluded.quantity
                """, new { customer, feature, day, quantity }));
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
