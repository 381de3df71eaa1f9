using Tollgate.Core;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Catalog;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>The plan's LLM budget on the hot path: holds against it, its state, and the gate on features that use the LLM.</summary>
public sealed partial class EntitlementStore
{
    /// <summary>Holds an estimate of an LLM call's cost against the plan's budget, so concurrent calls cannot overshoot it.</summary>
    public async Task<UsageOutcome> ReserveBudgetAsync(
        string customerId, long estimateNano, TimeSpan ttl, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        if (await contexts.LoadAsync(customerId, time.GetUtcNow(), cancellationToken) is not { } context)
        {
            return new UsageOutcome.CustomerNotFound();
        }

        var claim = idempotencyKey is { } key
            ? new Idempotency.Key("reserve", key, RequestHash.Of(customerId, LlmBudget.FeatureCode, estimateNano, (long)ttl.TotalSeconds))
            : null;
        return await QueueAsync(context.CustomerId, LlmBudget.FeatureCode, async scope =>
        {
            if (claim is not null && await Idempotency.ClaimAsync(scope, claim) is { } prior)
            {
                return prior;
            }

            UsageOutcome outcome;
            if (context.Suspended)
            {
                // No plan applies to a suspended customer under on_suspension: deny, so no budget either: not an unlimited one.
                outcome = new UsageOutcome.Decided(new EntitlementDecision(DecisionReason.SubscriptionInactive, LlmBudget.FeatureCode, null, 0, 0, 0,
                    true, context.Period.Start, context.Period.End));
            }
            else if (LlmBudget.Of(context) is not { } budget)
            {
                outcome = new UsageOutcome.Decided(new EntitlementDecision(DecisionReason.Unlimited, LlmBudget.FeatureCode, context.PlanCode, null, 0, 0,
                    false, context.Period.Start, context.Period.End));
            }
            else
            {
                var command = new ReserveCommand(context.CustomerId, LlmBudget.FeatureCode, estimateNano, ttl, idempotencyKey);
                outcome = await AddAsync(scope, context, LlmBudget.FeatureCode, budget, estimateNano, reserve: true);
                if (outcome is UsageOutcome.Decided { Decision.Allowed: true } granted)
                {
                    var id = Ids.New("rsv", time);
                    await Reservations.InsertAsync(scope, id, command, context.Window(budget).Start, scope.Now + ttl, null, null);
                    await GrantDraw.HoldAsync(scope, id, granted.Decision.GrantTakes);
                    outcome = granted with { ReservationId = id, ExpiresAt = scope.Now + ttl };
                }
                else if (outcome is UsageOutcome.Decided denied)
                {
                    outcome = denied with { Decision = denied.Decision with { Reason = DecisionReason.BudgetExceeded } };
                }
            }

            if (idempotencyKey is { } recordKey)
            {
                await Idempotency.RecordAsync(scope, "reserve", recordKey, outcome);
            }

            return outcome;
        }, cancellationToken, claim: claim);
    }

    /// <summary>The plan's LLM budget in its current window (<see cref="LlmBudget.Window"/>), or null when it has none.</summary>
    public Task<(EntitlementContext Context, BudgetState? Budget)?> BudgetAsync(string customerId, CancellationToken cancellationToken = default) =>
        database.ReadPreparedAsync<(EntitlementContext, BudgetState?)?>(async scope =>
        {
            var context = await contexts.LoadAsync(scope, customerId, time.GetUtcNow());
            return context is null ? null : (context, await BudgetStateAsync(scope, context, time.GetUtcNow(), always: true));
        }, cancellationToken);

    /// <summary>
    /// The budget's counter, and what budget grants have left: always for an answer about the budget, but on the hot
    /// path only once the plan's part is spent, so a customer within budget pays no grant read.
    /// </summary>
    private static async Task<BudgetState?> BudgetStateAsync(SqlScope scope, EntitlementContext context, DateTimeOffset now, bool always)
    {
        if (LlmBudget.Of(context) is not { MonthlyQuota: { } budget } grant)
        {
            return null;
        }

        var window = context.Window(grant);
        var counter = await Counters.ReadAsync(scope, context.CustomerId, LlmBudget.FeatureCode, window.Start.ToUnixTimeMilliseconds());
        var state = new BudgetState(budget, counter.Used, counter.Reserved) { Window = window };
        return !always && !state.Exhausted ? state
            : state with { GrantedRemainingNano = await GrantDraw.RemainingAsync(scope, context.CustomerId, LlmBudget.FeatureCode, now.ToUnixTimeMilliseconds()) };
    }

    /// <summary>A feature that uses the LLM is refused once the plan's LLM budget for its window is spent.</summary>
    private async Task<EntitlementDecision> WithBudgetAsync(SqlScope scope, EntitlementContext context, CatalogSnapshot snapshot, string feature,
        EntitlementDecision decision)
    {
        if (!decision.Allowed || snapshot.Feature(feature) is not { UsesLlm: true }
            || await BudgetStateAsync(scope, context, time.GetUtcNow(), always: false) is not { } budget)
        {
            return decision;
        }

        return budget.Exhausted ? BudgetRefused(decision, budget) : decision with { Budget = budget };
    }

    /// <summary>A refusal for budget is told in the budget's window, not the feature's: it lasts until the budget resets.</summary>
    private static EntitlementDecision BudgetRefused(EntitlementDecision decision, BudgetState budget)
    {
        var refused = decision with { Reason = DecisionReason.BudgetExceeded, Budget = budget };
        return budget.Window is { } window ? refused with { PeriodStart = window.Start, ResetsAt = window.End } : refused;
    }
}
