using Tollgate.Core.Entitlements;
using Tollgate.Storage.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Usage;

/// <summary>A customer's whole period at once: the context and every counter, for usage and entitlement listings.</summary>
public sealed record PeriodUsage(EntitlementContext Context, IReadOnlyDictionary<string, CounterState> Counters)
{
    public CounterState Counter(string feature) => Counters.GetValueOrDefault(feature, CounterState.Empty);
}

public sealed class UsageQueries(TollgateDatabase database, EntitlementContextCache contexts, TimeProvider time)
{
    public Task<PeriodUsage?> CurrentPeriodAsync(string customerId, CancellationToken cancellationToken = default) =>
        database.ReadPreparedAsync(async scope =>
        {
            var context = await contexts.LoadAsync(scope, customerId, time.GetUtcNow());
            if (context is null)
            {
                return null;
            }

            var counters = await Counters.ReadPeriodAsync(scope.Connection, customerId, context.Period.Start.ToUnixTimeMilliseconds(), cancellationToken);
            return new PeriodUsage(context, counters);
        }, cancellationToken);
}
