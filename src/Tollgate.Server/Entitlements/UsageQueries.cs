using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// A customer's windows at once: the context and every metered feature's counter, for usage and entitlement listings.
/// <see cref="Windows"/> holds a past counter's own window where it is not the one the context works out (the
/// subscription was re-anchored since).
/// </summary>
public sealed record PeriodUsage(
    EntitlementContext Context, IReadOnlyDictionary<string, CounterState> Counters, IReadOnlyDictionary<string, BillingPeriod>? Windows = null)
{
    public CounterState Counter(string feature) => Counters.GetValueOrDefault(feature, CounterState.Empty);

    public BillingPeriod? StoredWindow(string feature) => Windows?.GetValueOrDefault(feature);
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
            var holding = (await Counters.ReadHoldingAsync(scope, context.CustomerId, context.At)).ToLookup(h => h.Feature, StringComparer.Ordinal);
            var counters = new Dictionary<string, CounterState>(StringComparer.Ordinal);
            var windows = new Dictionary<string, BillingPeriod>(StringComparer.Ordinal);
            foreach (var grant in context.Version?.Terms.Features.Where(f => f.Kind == Core.Catalog.FeatureKind.Metered) ?? [])
            {
                var window = context.Window(grant);
                var mine = holding[grant.FeatureCode];
                if (mine.FirstOrDefault(h => h.Window.Start == window.Start) is { } exact)
                {
                    counters[grant.FeatureCode] = exact.State;
                }
                else if (context.At < now && mine.MaxBy(h => h.Window.Start) is { } earlier)
                {
                    // Counted under an anchor the subscription has left (a billing-period change): that window is the one that held the instant.
                    counters[grant.FeatureCode] = earlier.State;
                    windows[grant.FeatureCode] = earlier.Window;
                }
                else
                {
                    counters[grant.FeatureCode] = window.End <= now ? CounterState.Empty
                        : await Counters.ReadOrCarryAsync(scope, context.CustomerId, grant.FeatureCode, window, grant); // a rollover shows before first use
                }
            }

            return new PeriodUsage(context, counters, windows.Count == 0 ? null : windows);
        }, cancellationToken);

    /// <summary>A metric-backed feature's used per group in the window the usage shows, from the rollups (one row per group).</summary>
    public Task<IReadOnlyList<(string Group, long Used)>> MetricGroupsAsync(
        PeriodUsage period, string feature, Core.Catalog.BillableMetric metric, CancellationToken cancellationToken = default) =>
        period.Context.Grant(feature) is not { } grant
            ? Task.FromResult<IReadOnlyList<(string, long)>>([])
            : database.ReadPreparedAsync(scope =>
            {
                var window = period.StoredWindow(feature) ?? period.Context.Window(grant);
                return MetricRollups.GroupsAsync(scope, period.Context.CustomerId, metric, window.Start.ToUnixTimeMilliseconds(),
                    window.End.ToUnixTimeMilliseconds());
            }, cancellationToken);
}
