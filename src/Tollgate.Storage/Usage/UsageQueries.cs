using Tollgate.Core.Entitlements;
using Tollgate.Storage.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Usage;

/// <summary>A customer's current windows at once: the context and every metered feature's counter, for usage and entitlement listings.</summary>
public sealed record PeriodUsage(EntitlementContext Context, IReadOnlyDictionary<string, CounterState> Counters)
{
    public CounterState Counter(string feature) => Counters.GetValueOrDefault(feature, CounterState.Empty);
}

public sealed class UsageQueries(TollgateDatabase database, EntitlementContextCache contexts, TimeProvider time)
{
    public Task<PeriodUsage?> CurrentPeriodAsync(string customerId, CancellationToken cancellationToken = default) =>
        PeriodAtAsync(customerId, null, cancellationToken);

    /// <summary>
    /// The counters of the windows that held <paramref name="at"/> (now when null). A past window shows what was counted,
    /// without the rollover a first use would carry in, as nothing is counted there any more.
    /// </summary>
    public Task<PeriodUsage?> PeriodAtAsync(string customerId, DateTimeOffset? at, CancellationToken cancellationToken = default) =>
        database.ReadPreparedAsync(async scope =>
        {
            var now = time.GetUtcNow();
            var context = await contexts.LoadAsync(scope, customerId, at is { } past && past < now ? past : now);
            if (context is null)
            {
                return null;
            }

            // A member's usage is its organisation's.
            var holding = await Counters.ReadHoldingAsync(scope, context.CustomerId, context.At);
            var counters = new Dictionary<string, CounterState>(StringComparer.Ordinal);
            foreach (var grant in context.Version?.Terms.Features.Where(f => f.Kind == Core.Catalog.FeatureKind.Metered) ?? [])
            {
                var window = context.Window(grant);
                counters[grant.FeatureCode] = holding.TryGetValue((grant.FeatureCode, window.Start.ToUnixTimeMilliseconds()), out var counter)
                    ? counter
                    : window.End <= now ? CounterState.Empty
                    : await Counters.ReadOrCarryAsync(scope, context.CustomerId, grant.FeatureCode, window, grant); // a rollover shows before first use
            }

            return new PeriodUsage(context, counters);
        }, cancellationToken);
}
