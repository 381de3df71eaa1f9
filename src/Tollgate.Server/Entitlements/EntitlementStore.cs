using Tollgate.Core;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Alerts;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>The hot path: check, consume and reserve, each an atomic decision inside a group-committed transaction.</summary>
public sealed partial class EntitlementStore(
    TollgateDatabase database, GroupCommitter committer, EntitlementContextCache contexts, CatalogCache catalog, AlertWriter alerts, TimeProvider time)
{
    /// <summary>Answers whether the customer may use the amount now, counting nothing.</summary>
    public Task<UsageOutcome> CheckAsync(string customerId, string featureCode, long amount, CancellationToken cancellationToken = default) =>
        CheckAsync(customerId, featureCode, amount, null, [], cancellationToken);

    /// <summary>
    /// The decision, counting nothing. A feature counted by a metric is allowed while its used is below the limit, whatever
    /// the amount; for unique_count, a <paramref name="distinct"/> value already counted in the window is allowed even at the limit.
    /// </summary>
    public async Task<UsageOutcome> CheckAsync(
        string customerId, string featureCode, long amount, string? distinct, IReadOnlyList<BillableMetric> metrics,
        CancellationToken cancellationToken = default) =>
        await CheckAsync(customerId, featureCode, amount, distinct, metrics, await catalog.GetAsync(cancellationToken), cancellationToken);

    // The catalog is read before the reader is taken: its recheck may need a connection of its own.
    private Task<UsageOutcome> CheckAsync(
        string customerId, string featureCode, long amount, string? distinct, IReadOnlyList<BillableMetric> metrics, CatalogSnapshot snapshot,
        CancellationToken cancellationToken) =>
        database.ReadPreparedAsync<UsageOutcome>(async scope =>
        {
            var context = await contexts.LoadAsync(scope, customerId, time.GetUtcNow(), snapshot);
            if (context is null)
            {
                return new UsageOutcome.CustomerNotFound();
            }

            var grant = context.Grant(featureCode);
            if (grant?.Metric is { } code)
            {
                var window = context.Window(grant);
                var known = distinct is not null && metrics.FirstOrDefault(m => m.Code == code) is { Aggregation: MetricAggregation.UniqueCount } metric
                    && await MetricRollups.HasDistinctAsync(scope, context.CustomerId, metric, window.Start.ToUnixTimeMilliseconds(),
                        window.End.ToUnixTimeMilliseconds(), distinct);
                amount = known ? 0 : 1;
            }
            var counter = grant is { Kind: FeatureKind.Metered }
                ? await Counters.ReadOrCarryAsync(scope, context.CustomerId, featureCode, context.Window(grant), grant)
                : CounterState.Empty;
            var decision = EntitlementDecision.From(QuotaRules.Check(grant, counter, amount), featureCode, context, grant, counter);
            decision = await GrantDraw.WithGrantsAsync(scope, context.CustomerId, decision, amount, time.GetUtcNow().ToUnixTimeMilliseconds());
            decision = await MemberShares.CheckAsync(scope, context, featureCode, amount) ?? decision;
            return new UsageOutcome.Decided(await WithBudgetAsync(scope, context, snapshot, featureCode, decision));
        }, cancellationToken);

    public async Task<UsageOutcome> ConsumeAsync(ConsumeCommand command, CancellationToken cancellationToken = default) =>
        await ConsumeAsync(command, await catalog.GetAsync(cancellationToken), cancellationToken);

    /// <summary>The consume, decided on <paramref name="snapshot"/>: the catalog the request read once.</summary>
    public Task<UsageOutcome> ConsumeAsync(ConsumeCommand command, CatalogSnapshot snapshot, CancellationToken cancellationToken = default) =>
        DecideAsync(command.CustomerId, command.FeatureCode, command.Amount, command.IdempotencyKey is null ? null : _ => KeyOf(command),
            reserve: false, snapshot, (scope, context) => ConsumeAsync(scope, context, snapshot, command), cancellationToken);

    public async Task<UsageOutcome> ReserveAsync(ReserveCommand command, CancellationToken cancellationToken = default) =>
        await ReserveAsync(command, await catalog.GetAsync(cancellationToken), cancellationToken);

    // The hold is the organisation's, so commit and release settle its counter.
    public Task<UsageOutcome> ReserveAsync(ReserveCommand command, CatalogSnapshot snapshot, CancellationToken cancellationToken = default) =>
        DecideAsync(command.CustomerId, command.FeatureCode, command.Amount,
            command.IdempotencyKey is null ? null : context => KeyOf(command with { CustomerId = context.CustomerId }), reserve: true, snapshot,
            (scope, context) => ReserveAsync(scope, context, snapshot, command with { CustomerId = context.CustomerId }), cancellationToken);

    /// <summary>
    /// The context is resolved before the operation is queued, so the writer's transaction holds nothing but writes. The
    /// plain counted path starts with a planned statement that the batch sends with its other operations' in one round
    /// trip. Where other nodes write, that statement checks the remembered context's version, and a stale context is read
    /// again inside the transaction; any other path reads the context from the database before it is queued.
    /// </summary>
    private async Task<UsageOutcome> DecideAsync(string customerId, string feature, long amount, Func<EntitlementContext, Idempotency.Key>? keyOf,
        bool reserve, CatalogSnapshot snapshot, Func<BatchScope, EntitlementContext, Task<UsageOutcome>> work, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await contexts.LoadRememberedAsync(customerId, now, snapshot, cancellationToken) is not { } loaded)
        {
            return new UsageOutcome.CustomerNotFound();
        }

        var (context, version, remembered) = loaded;
        if (context.Version?.Terms.Feature(feature) is { Metric: { } metric })
        {
            return new UsageOutcome.MetricFeature(metric); // read from the context already loaded: no query on the hot path
        }

        var shared = database.Dialect.SharedByNodes;
        if (!Plannable(context, snapshot, feature, keyed: keyOf is not null, shared) || context.Grant(feature) is not { } grant)
        {
            var read = context;
            if (shared && remembered)
            {
                if (await contexts.LoadAsync(customerId, now, cancellationToken, snapshot) is not { } fresh)
                {
                    return new UsageOutcome.CustomerNotFound();
                }

                read = fresh;
            }

            return await QueueAsync(read.CustomerId, feature, scope => work(scope, read), cancellationToken, claim: keyOf?.Invoke(read));
        }

        var window = context.Window(grant);
        if (!shared)
        {
            return await QueueAsync(context.CustomerId, feature, scope => work(scope, context), cancellationToken,
                scope => Counters.PlanAdd(scope, context.CustomerId, feature, window, grant, amount, reserve));
        }

        var plan = MemberShares.ShareOf(context, grant) is { } share
            ? GuardedTake.ForShare(context.CustomerId, context.MemberId!, feature, window, grant, share, amount, reserve, version)
            : snapshot.Feature(feature) is { UsesLlm: true } && LlmBudget.Of(context) is { } budget
            ? GuardedTake.ForBudgeted(context.CustomerId, feature, window, grant, amount, reserve, version, budget, context.Window(budget))
            : GuardedTake.For(context.CustomerId, feature, window, context.At, grant, amount, reserve, version);
        return await QueueAsync(context.CustomerId, feature, async scope =>
            await GuardedTake.IsCurrentAsync(scope, plan) ? await work(scope, context)
            : await contexts.LoadAsync(scope, customerId, snapshot) is { } current ? await work(scope, current)
            : new UsageOutcome.CustomerNotFound(), cancellationToken, plan.First);
    }

    private async Task<UsageOutcome> QueueAsync(string customerId, string feature, Func<BatchScope, Task<UsageOutcome>> work,
        CancellationToken cancellationToken, Func<BatchScope, PlannedStatement>? first = null, Idempotency.Key? claim = null)
    {
        try
        {
            return await committer.RunAsync(customerId, work, cancellationToken, first, orderKey: feature, claim: claim?.AsBatchClaim());
        }
        catch (OverloadedException)
        {
            return new UsageOutcome.Overloaded(OverloadedException.RetryAfter);
        }
    }

    /// <summary>
    /// Whether the operation can start with a planned statement: a metered grant, no idempotency key, no plan-wide rate
    /// limit, and only where the planned statements are <paramref name="guarded"/> (other nodes write) a rate limit, a
    /// member's share without one, or an LLM budget to check first (a feature that uses the LLM, on a plan with a budget),
    /// without a rate limit or a share.
    /// </summary>
    private static bool Plannable(EntitlementContext context, CatalogSnapshot snapshot, string feature, bool keyed, bool guarded) =>
        !keyed && context.Grant(feature) is { IsIncluded: true, Kind: FeatureKind.Metered } grant
            && (guarded || grant.RateLimit is null)
            && (MemberShares.ShareOf(context, grant) is null || (guarded && grant.RateLimit is null))
            && (snapshot.Feature(feature) is { UsesLlm: false } || LlmBudget.Of(context) is null
                || (guarded && grant.RateLimit is null && MemberShares.ShareOf(context, grant) is null))
            && PlanWideRate(context, snapshot) is null;

    private async Task<UsageOutcome> ConsumeAsync(BatchScope scope, EntitlementContext context, CatalogSnapshot snapshot, ConsumeCommand command)
    {
        if (command.IdempotencyKey is not null && await Idempotency.ClaimAsync(scope, KeyOf(command)) is { } prior)
        {
            return prior;
        }

        var outcome = await AddAsync(scope, context, snapshot, command.FeatureCode, command.Amount, reserve: false);
        if (command.MetadataJson is { } metadata && outcome is UsageOutcome.Decided { Decision.Allowed: true }
            && context.Grant(command.FeatureCode) is { Kind: FeatureKind.Metered })
        {
            await UsageRecords.InsertAsync(scope, UsageRecords.Consume, Ids.New("use", time), context.CustomerId, context.MemberId, command.FeatureCode,
                command.Amount, metadata);
        }

        if (command.IdempotencyKey is { } recordKey)
        {
            await Idempotency.RecordAsync(scope, "consume", recordKey, outcome);
        }

        return outcome;
    }

    private async Task<UsageOutcome> ReserveAsync(BatchScope scope, EntitlementContext context, CatalogSnapshot snapshot, ReserveCommand command)
    {
        if (command.IdempotencyKey is not null && await Idempotency.ClaimAsync(scope, KeyOf(command)) is { } prior)
        {
            return prior;
        }

        var outcome = await AddAsync(scope, context, snapshot, command.FeatureCode, command.Amount, reserve: true);
        if (outcome is UsageOutcome.Decided { Decision.Allowed: true } granted && context.Grant(command.FeatureCode) is { Kind: FeatureKind.Metered })
        {
            var id = Ids.New("rsv", time);
            var expiresAt = scope.Now + command.Ttl;
            await Reservations.InsertAsync(scope, id, command, context.Window(context.Grant(command.FeatureCode)).Start, expiresAt,
                MemberShares.ShareOf(context, context.Grant(command.FeatureCode)) is null ? null : context.MemberId, context.MemberId);
            await GrantDraw.HoldAsync(scope, id, granted.Decision.GrantTakes);
            outcome = granted with { ReservationId = id, ExpiresAt = expiresAt };
        }

        if (command.IdempotencyKey is { } recordKey)
        {
            await Idempotency.RecordAsync(scope, "reserve", recordKey, outcome);
        }

        return outcome;
    }

    private static Idempotency.Key KeyOf(ConsumeCommand command) => new("consume", command.IdempotencyKey!,
        HashOf(command.CustomerId, command.FeatureCode, command.Amount, command.MetadataJson));

    private static Idempotency.Key KeyOf(ReserveCommand command) => new("reserve", command.IdempotencyKey!,
        HashOf(command.CustomerId, command.FeatureCode, command.Amount, command.MetadataJson, (long)command.Ttl.TotalSeconds));

    // Metadata is part of the request, so a key reused with other metadata is refused like one reused with another amount;
    // without metadata the hash is what it was before metadata existed, so keys stored then still match.
    private static string HashOf(string customer, string feature, long amount, string? metadataJson, params object[] more) =>
        RequestHash.Of([customer, feature, amount, .. more, .. (metadataJson is null ? Array.Empty<object>() : [metadataJson])]);

    /// <summary>Boolean gates answer without counting; metered quotas count atomically or refuse.</summary>
    private async Task<UsageOutcome> DecideAsync(BatchScope scope, EntitlementContext context, CatalogSnapshot snapshot, string feature, long amount,
        bool reserve)
    {
        var grant = context.Grant(feature);
        if (grant is null || !grant.IsIncluded || grant.Kind != FeatureKind.Metered)
        {
            var reason = QuotaRules.Check(grant, CounterState.Empty, amount);
            return new UsageOutcome.Decided(await WithBudgetAsync(scope, context, snapshot, feature,
                EntitlementDecision.From(reason, feature, context, grant, CounterState.Empty)));
        }

        // The budget is checked before counting, so a refusal for budget counts nothing.
        var gate = await WithBudgetAsync(scope, context, snapshot, feature, EntitlementDecision.From(DecisionReason.WithinQuota, feature, context, grant,
            CounterState.Empty));
        if (gate.Reason == DecisionReason.BudgetExceeded)
        {
            var current = await Counters.ReadAsync(scope, context.CustomerId, feature, context.Window(grant).Start.ToUnixTimeMilliseconds());
            return new UsageOutcome.Decided(BudgetRefused(EntitlementDecision.From(DecisionReason.WithinQuota, feature, context, grant, current),
                gate.Budget!));
        }

        var outcome = await AddAsync(scope, context, feature, grant, amount, reserve);
        return outcome is UsageOutcome.Decided { Decision.Allowed: true } allowed && gate.Budget is { } b
            ? allowed with { Decision = allowed.Decision with { Budget = b } }
            : outcome;
    }

    private async Task<UsageOutcome> AddAsync(
        BatchScope scope, EntitlementContext context, string feature, Core.Catalog.PlanFeature grant, long amount, bool reserve)
    {
        var window = context.Window(grant);
        var share = MemberShares.ShareOf(context, grant);
        // Where other writers lock rows, the organisation's row goes before the member's, as its own consumes take it: a
        // batch that took the organisation's row for its consume and then waited on a member's deadlocked with one that
        // took the member's first.
        if (share is not null && await MemberShares.TryTakeAsync(scope, context, feature, grant, share, window, amount, reserve,
            rowsLocked: database.Dialect.SharedByNodes) is { } refused)
        {
            return new UsageOutcome.Decided(refused);
        }

        var counter = await Counters.TryAddAsync(scope, context.CustomerId, feature, window, grant, amount, reserve);
        if (counter is null)
        {
            await Counters.EnsureAsync(scope, context.CustomerId, feature, window, grant);
            counter = await Counters.TryAddAsync(scope, context.CustomerId, feature, window, grant, amount, reserve);
        }

        // Past the allowance, credit grants cover what they can (the only time a consume reads them).
        var (drawn, cover, grantedRemaining) = await GrantDraw.AfterAddAsync(
            scope, database.Dialect, context.CustomerId, feature, window, grant, amount, reserve, counter);
        if (drawn is null && share is not null)
        {
            await MemberShares.GiveBackAsync(scope, context, feature, window, amount, reserve);
        }

        if (drawn is not { } after)
        {
            var current = await Counters.ReadAsync(scope, context.CustomerId, feature, window.Start.ToUnixTimeMilliseconds());
            return new UsageOutcome.Decided(EntitlementDecision.From(DecisionReason.QuotaExceeded, feature, context, grant, current) with
            {
                GrantedRemaining = grantedRemaining,
            });
        }

        if (!reserve)
        {
            scope.AddDailyUsage(context.CustomerId, feature, scope.Now, amount);
            await alerts.OnUsedAsync(scope, context, feature, grant, after, amount);
        }

        var granted = QuotaRules.Granted(QuotaRules.Limit(grant, after.CarriedIn), after, cover?.Taken ?? 0, amount);
        var decision = EntitlementDecision.From(granted, feature, context, grant, after);
        return new UsageOutcome.Decided(cover is null ? decision : decision with { GrantedRemaining = cover.GrantedRemaining, GrantTakes = cover.Takes });
    }
}
