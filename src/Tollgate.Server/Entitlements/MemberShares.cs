using Dapper;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// A member's own share of an organisation's quota (<c>per_member_limit</c>). It counts in a counter row keyed by the
/// member's id, which is unique across customers and members, taken with the same conditional UPDATE as the organisation's.
/// </summary>
internal static class MemberShares
{
    /// <summary>The grant a named member's share counts against: a hard cap in the organisation's window; null when none applies.</summary>
    public static PlanFeature? ShareOf(EntitlementContext? context, PlanFeature? grant) =>
        context?.MemberId is not null && grant is { Kind: FeatureKind.Metered, PerMemberLimit: { } limit }
            ? grant with { MonthlyQuota = limit, HardCap = true, Rollover = false, PerSeat = false }
            : null;

    /// <summary>
    /// Adds to the member's share where it fits; the refusing decision (with the member's numbers) when it does not. Where
    /// rows are locked (<paramref name="rowsLocked"/>), the organisation's counter row for <paramref name="grant"/> is locked
    /// first, in the same statement, and created before the member's when the window has neither.
    /// </summary>
    public static async Task<EntitlementDecision?> TryTakeAsync(BatchScope scope, EntitlementContext context, string feature, PlanFeature grant,
        PlanFeature share, BillingPeriod window, long amount, bool reserve, bool rowsLocked)
    {
        var member = context.MemberId!;
        var counter = rowsLocked
            ? await Counters.TryAddAfterLockAsync(scope, context.CustomerId, member, feature, window, share, amount, reserve)
            : await Counters.TryAddAsync(scope, member, feature, window, share, amount, reserve);
        // Missing rows (a window's first use) or a refusal: nothing of the member's was taken, so the rows can be made in order.
        counter ??= await Counters.TryAddCreatingAsync(scope, rowsLocked ? (context.CustomerId, grant) : null, member, feature, window, share,
            amount, reserve);
        if (counter is not null)
        {
            return null;
        }

        var current = await Counters.ReadAsync(scope, member, feature, window.Start.ToUnixTimeMilliseconds());
        return EntitlementDecision.From(DecisionReason.QuotaExceeded, feature, context, share, current);
    }

    /// <summary>
    /// Counts after-the-fact usage (an event, a logged LLM call) in a named member's share too, uncapped as the
    /// organisation's count is, in the same transaction; nothing when no share applies.
    /// </summary>
    public static async Task CountAsync(BatchScope scope, EntitlementContext context, string feature, PlanFeature? grant, long amount)
    {
        if (ShareOf(context, grant) is not { } share)
        {
            return;
        }

        var window = context.Window(grant);
        var uncapped = share with { HardCap = false };
        if (await Counters.TryAddAsync(scope, context.MemberId!, feature, window, uncapped, amount, reserve: false) is null)
        {
            await Counters.EnsureAsync(scope, context.MemberId!, feature, window, share);
            await Counters.TryAddAsync(scope, context.MemberId!, feature, window, uncapped, amount, reserve: false);
        }
    }

    /// <summary>
    /// <see cref="CountAsync"/> for a batch's counted usage at once: each member's share summed per feature and window,
    /// every share in one statement on PostgreSQL (<see cref="Counters.AddManyAsync"/>), where each event cost a round trip.
    /// The caller holds every organisation's row first, and a member's share is only ever taken after its organisation's,
    /// so the shares' order adds no wait that could close a cycle; they go in one fixed order all the same.
    /// </summary>
    public static Task CountManyAsync(BatchScope scope, IEnumerable<(EntitlementContext Context, string Feature, PlanFeature? Grant, long Amount)> counted)
    {
        var shares = new Dictionary<(string Member, string Feature, long Start), CounterAdd>();
        foreach (var (context, feature, grant, amount) in counted)
        {
            if (ShareOf(context, grant) is not { } share)
            {
                continue;
            }

            var window = context.Window(grant);
            var key = (context.MemberId!, feature, window.Start.ToUnixTimeMilliseconds());
            shares[key] = shares.TryGetValue(key, out var sum) ? sum with { Amount = sum.Amount + amount } : new CounterAdd(key.Item1, feature, window, share, amount);
        }

        return Counters.AddManyAsync(scope, [.. shares.OrderBy(s => s.Key.Member, StringComparer.Ordinal).ThenBy(s => s.Key.Feature, StringComparer.Ordinal)
            .ThenBy(s => s.Key.Start).Select(s => s.Value)]);
    }

    /// <summary>Returns what <see cref="TryTakeAsync"/> took when the organisation's own quota then refused.</summary>
    public static Task GiveBackAsync(
        BatchScope scope, EntitlementContext context, string feature, BillingPeriod window, long amount, bool reserve) =>
        scope.Connection.ExecuteAsync(scope.Command($"""
            UPDATE usage_counters SET {(reserve ? "reserved = reserved" : "used = used")} - @amount, updated_at = @now
            WHERE customer_id = @member AND feature_code = @feature AND period_start = @start
            """, new { amount, now = scope.NowMs, member = context.MemberId, feature, start = window.Start.ToUnixTimeMilliseconds() }));

    /// <summary>
    /// Settles a member's hold on their share: gives back what was held and counts the actual amount, capped by the share
    /// only when it grows (a null share, the plan having dropped it, caps nothing); null when the share refuses.
    /// </summary>
    public static Task<CounterState?> TrySettleAsync(
        BatchScope scope, string member, string feature, long periodStart, PlanFeature? share, long held, long actual) =>
        Counters.TrySettleAsync(scope, member, feature, periodStart, share, held, actual);

    /// <summary>Undoes <see cref="TrySettleAsync"/> when the organisation's own counter then refused the settlement.</summary>
    public static Task UndoSettleAsync(BatchScope scope, string member, string feature, long periodStart, long held, long actual) =>
        Counters.TrySettleAsync(scope, member, feature, periodStart, null, -held, -actual);

    /// <summary>The member's share as it stands, for a check that counts nothing; null when no share applies.</summary>
    public static async Task<EntitlementDecision?> CheckAsync(SqlScope scope, EntitlementContext context, string feature, long amount)
    {
        var share = ShareOf(context, context.Grant(feature));
        if (share is null)
        {
            return null;
        }

        var window = context.Window(share);
        var counter = await Counters.ReadAsync(scope, context.MemberId!, feature, window.Start.ToUnixTimeMilliseconds());
        return QuotaRules.Check(share, counter, amount) == DecisionReason.QuotaExceeded
            ? EntitlementDecision.From(DecisionReason.QuotaExceeded, feature, context, share, counter)
            : null;
    }
}
