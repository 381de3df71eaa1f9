using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>Units granted in a batch, per customer, feature and UTC day, added to the daily rollup once per batch.</summary>
internal sealed class DailyUsageRollup : IBatchAggregate
{
    private static readonly RowUpsert AddDaily = new("usage_daily", ["customer_id", "feature_code", "day"], ["quantity"]);
    private readonly Dictionary<(string Customer, string Feature, string Day), long> _daily = [];
    private (DateTimeOffset At, string Day)? _today;

    public void Add(string customer, string feature, DateTimeOffset at, long quantity)
    {
        if (quantity == 0)
        {
            return;
        }

        // Most units land on the batch's own day; its key is formatted once per batch.
        string day;
        if (_today is { } today && today.At == at)
        {
            day = today.Day;
        }
        else
        {
            day = at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            _today = (at, day);
        }

        var key = (customer, feature, day);
        _daily[key] = _daily.GetValueOrDefault(key) + quantity;
    }

    // Nothing in the batch reads the rollup: on PostgreSQL its upsert goes with the batch's COMMIT.
    public bool WritesAtCommit => true;

    public Task FlushAsync(BatchScope scope) =>
        AddDaily.WriteAsync(scope, _daily.Select(d => new object?[] { d.Key.Customer, d.Key.Feature, d.Key.Day, d.Value }));
}

/// <summary>The daily rollup as the operations of a batch add to it.</summary>
public static class DailyUsageBatch
{
    public static void AddDailyUsage(this BatchScope scope, string customer, string feature, DateTimeOffset at, long quantity) =>
        scope.Aggregate<DailyUsageRollup>().Add(customer, feature, at, quantity);
}
