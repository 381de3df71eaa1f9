using Tollgate.Core;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Storage.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Usage;

/// <summary>The hot path: check, consume and reserve, each an atomic decision inside a group-committed transaction.</summary>
public sealed class EntitlementStore(TollgateDatabase database, GroupCommitter committer, EntitlementContextCache contexts, TimeProvider time)
{
    /// <summary>Answers whether the customer may use the amount now, counting nothing.</summary>
    public Task<UsageOutcome> CheckAsync(string customerId, string featureCode, long amount, CancellationToken cancellationToken = default) =>
        database.ReadPreparedAsync<UsageOutcome>(async scope =>
        {
            var context = await contexts.LoadAsync(scope, customerId, time.GetUtcNow());
            if (context is null)
            {
                return new UsageOutcome.CustomerNotFound();
            }

            var grant = context.Grant(featureCode);
            var counter = grant is { Kind: FeatureKind.Metered }
                ? await Counters.ReadAsync(scope, customerId, featureCode, context.Period.Start.ToUnixTimeMilliseconds())
                : CounterState.Empty;
            return new UsageOutcome.Decided(EntitlementDecision.From(QuotaRules.Check(grant, counter, amount), featureCode, context, grant, counter));
        }, cancellationToken);

    public Task<UsageOutcome> ConsumeAsync(ConsumeCommand command) =>
        committer.RunAsync(command.CustomerId, scope => ConsumeAsync(scope, command));

    public Task<UsageOutcome> ReserveAsync(ReserveCommand command) =>
        committer.RunAsync(command.CustomerId, scope => ReserveAsync(scope, command));

    private async Task<UsageOutcome> ConsumeAsync(BatchScope scope, ConsumeCommand command)
    {
        var context = await contexts.LoadAsync(scope, command.CustomerId);
        if (context is null)
        {
            return new UsageOutcome.CustomerNotFound();
        }

        if (command.IdempotencyKey is { } key
            && await Idempotency.ClaimAsync(scope, "consume", key, Idempotency.Hash(command.CustomerId, command.FeatureCode, command.Amount)) is { } prior)
        {
            return prior;
        }

        var outcome = await AddAsync(scope, context, command.FeatureCode, command.Amount, reserve: false);
        if (command.IdempotencyKey is { } recordKey)
        {
            await Idempotency.RecordAsync(scope, "consume", recordKey, outcome);
        }

        return outcome;
    }

    private async Task<UsageOutcome> ReserveAsync(BatchScope scope, ReserveCommand command)
    {
        var context = await contexts.LoadAsync(scope, command.CustomerId);
        if (context is null)
        {
            return new UsageOutcome.CustomerNotFound();
        }

        var hash = Idempotency.Hash(command.CustomerId, command.FeatureCode, command.Amount, (long)command.Ttl.TotalSeconds);
        if (command.IdempotencyKey is { } key && await Idempotency.ClaimAsync(scope, "reserve", key, hash) is { } prior)
        {
            return prior;
        }

        var outcome = await AddAsync(scope, context, command.FeatureCode, command.Amount, reserve: true);
        if (outcome is UsageOutcome.Decided { Decision.Allowed: true } granted && context.Grant(command.FeatureCode) is { Kind: FeatureKind.Metered })
        {
            var id = Ids.New("rsv", time);
            var expiresAt = scope.Now + command.Ttl;
            await Reservations.InsertAsync(scope, id, command, context.Period.Start, expiresAt);
            outcome = granted with { ReservationId = id, ExpiresAt = expiresAt };
        }

        if (command.IdempotencyKey is { } recordKey)
        {
            await Idempotency.RecordAsync(scope, "reserve", recordKey, outcome);
        }

        return outcome;
    }

    /// <summary>One decision: boolean gates answer without counting; metered quotas count atomically or refuse.</summary>
    private static async Task<UsageOutcome> AddAsync(BatchScope scope, EntitlementContext context, string feature, long amount, bool reserve)
    {
        var grant = context.Grant(feature);
        if (grant is null || !grant.IsIncluded || grant.Kind != FeatureKind.Metered)
        {
            var reason = QuotaRules.Check(grant, CounterState.Empty, amount);
            return new UsageOutcome.Decided(EntitlementDecision.From(reason, feature, context, grant, CounterState.Empty));
        }

        var counter = await Counters.TryAddAsync(scope, context.CustomerId, feature, context.Period, grant, amount, reserve);
        if (counter is null)
        {
            await Counters.EnsureAsync(scope, context.CustomerId, feature, context.Period, grant);
            counter = await Counters.TryAddAsync(scope, context.CustomerId, feature, context.Period, grant, amount, reserve);
        }

        if (counter is not { } after)
        {
            var current = await Counters.ReadAsync(scope, context.CustomerId, feature, context.Period.Start.ToUnixTimeMilliseconds());
            return new UsageOutcome.Decided(EntitlementDecision.From(DecisionReason.QuotaExceeded, feature, context, grant, current));
        }

        if (!reserve)
        {
            scope.AddDailyUsage(context.CustomerId, feature, scope.Now, amount);
        }

        var limit = QuotaRules.Limit(grant, after.CarriedIn);
        var granted = limit is null ? DecisionReason.Unlimited
            : after.Used + after.Reserved > limit ? DecisionReason.SoftCapOverage : DecisionReason.WithinQuota;
        return new UsageOutcome.Decided(EntitlementDecision.From(granted, feature, context, grant, after));
    }
}
