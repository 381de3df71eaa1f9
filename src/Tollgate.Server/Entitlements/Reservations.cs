using Dapper;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Alerts;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>Holds on a quota: reserve counts at once, commit settles to the actual amount, release and expiry give it back.</summary>
public sealed class Reservations(TollgateDatabase database, GroupCommitter committer, EntitlementContextCache contexts, AlertWriter alerts)
{
    /// <summary>
    /// Records a hold; <paramref name="memberId"/> names the member whose share it also holds, if any, and
    /// <paramref name="sentBy"/> the member who took it, whose name the commit's usage record carries.
    /// </summary>
    internal static Task InsertAsync(
        BatchScope scope, string id, ReserveCommand command, DateTimeOffset periodStart, DateTimeOffset expiresAt, string? memberId, string? sentBy) =>
        scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO reservations (id, customer_id, member_id, feature_code, period_start, amount, status, committed_amount, expires_at, created_at,
                settled_at, metadata_json, attributed_member_id)
            VALUES (@id, @CustomerId, @memberId, @FeatureCode, @periodStart, @Amount, 'held', NULL, @expiresAt, @now, NULL, @MetadataJson, @sentBy)
            """, new
        {
            id, command.CustomerId, memberId, sentBy, command.FeatureCode, periodStart = periodStart.ToUnixTimeMilliseconds(), command.Amount, command.MetadataJson,
            expiresAt = expiresAt.ToUnixTimeMilliseconds(), now = scope.NowMs,
        }));

    /// <summary>Settles the hold to <paramref name="actual"/> units; more than was held must fit the quota again.</summary>
    public Task<UsageOutcome> CommitAsync(string reservationId, long actual) =>
        committer.RunAsync(reservationId, scope => SettleAsync(scope, reservationId, actual));

    /// <summary>Gives the held units back.</summary>
    public Task<UsageOutcome> ReleaseAsync(string reservationId) =>
        committer.RunAsync(reservationId, scope => SettleAsync(scope, reservationId, null));

    /// <summary>
    /// Settles the customer's LLM budget hold inside a batch another operation runs (a call logged against it); a hold
    /// of another customer or of a feature is left alone and answers not found.
    /// </summary>
    internal Task<UsageOutcome> SettleBudgetInBatchAsync(BatchScope scope, string id, string customerId, long actual) =>
        // Only a hold still held is settled. A call reaching here is a new one (a retried call is a duplicate of its
        // request id before it gets here), so a hold another call settled already must not answer it as settled: that
        // replayed the first settlement, and the later calls' cost was never spent. The test is on the row the settlement
        // reads anyway, so it costs no round trip of its own.
        SettleAsync(scope, id, actual, held => held.CustomerId == customerId && held.FeatureCode == LlmBudget.FeatureCode && held.Status == "held");

    /// <param name="settles">Whether this settlement may take the hold read; one it may not answers not found.</param>
    private async Task<UsageOutcome> SettleAsync(BatchScope scope, string id, long? actual, Func<Row, bool>? settles = null)
    {
        var held = await scope.Connection.QuerySingleOrDefaultAsync<Row>(scope.Command(
            $"""
            SELECT customer_id, member_id, feature_code, period_start, amount, status, committed_amount, metadata_json, attributed_member_id,
                settled_answer_json FROM reservations
            WHERE id = @id {database.Dialect.ForUpdate}
            """,
            new { id }));
        if (held is null || settles?.Invoke(held) == false)
        {
            return new UsageOutcome.ReservationNotFound();
        }

        var wanted = actual is null ? "released" : "committed";
        var same = held.Status == wanted && (actual is null || held.CommittedAmount == actual);
        if (same && held.SettledAnswerJson is { } answer)
        {
            // A retry of the same settlement gets the first answer, whatever moved since (the counters, the period, the plan).
            return Idempotency.Replay(answer);
        }

        // A member's hold answers for the member; a member removed since answers for the organisation.
        var context = (held.MemberId is { } m ? await contexts.LoadAsync(scope, m) : null) ?? await contexts.LoadAsync(scope, held.CustomerId);
        var grant = context?.Grant(held.FeatureCode);
        if (held.Status != "held")
        {
            // A settlement from before its answer was kept answers from the counters now; anything else contradicts what happened.
            return same && context is not null
                ? await DecidedAsync(scope, context, held, grant, fits: true)
                : new UsageOutcome.ReservationConflict(held.Status, $"The reservation is already {held.Status}" +
                    (held.CommittedAmount is { } c ? $" with {c} units." : "."));
        }

        // The member's share settles first: past it, a commit is refused even where the organisation has room. Where other
        // writers lock rows, the organisation's counter row is locked before the member's, in the order a consume takes them.
        var share = MemberShares.ShareOf(context, grant);
        if (held.MemberId is not null && database.Dialect.SharedByNodes)
        {
            await Counters.LockAsync(scope, held.CustomerId, held.FeatureCode, held.PeriodStart);
        }

        if (held.MemberId is { } member
            && await MemberShares.TrySettleAsync(scope, member, held.FeatureCode, held.PeriodStart, share, held.Amount, actual ?? 0) is null)
        {
            var current = await Counters.ReadAsync(scope, member, held.FeatureCode, held.PeriodStart);
            return context is null
                ? new UsageOutcome.CustomerNotFound()
                : new UsageOutcome.Decided(EntitlementDecision.From(DecisionReason.QuotaExceeded, held.FeatureCode, context, share, current));
        }

        var holds = await GrantHolds.ReadAsync(scope.Connection, scope.Transaction, id, scope.CancellationToken);
        var (counterHeld, counterActual, grantKeep) = GrantHolds.Split(held.Amount, holds.Sum(h => h.Amount), actual);
        var counter = await Counters.TrySettleAsync(scope, held.CustomerId, held.FeatureCode, held.PeriodStart, grant, counterHeld, counterActual);
        if (counter is null && held.MemberId is { } undo)
        {
            await MemberShares.UndoSettleAsync(scope, undo, held.FeatureCode, held.PeriodStart, held.Amount, actual ?? 0);
        }
        if (counter is not null && holds.Count > 0)
        {
            await GrantHolds.SettleAsync(scope.Connection, scope.Transaction, id, holds, grantKeep, scope.CancellationToken);
            if (held.FeatureCode == LlmBudget.FeatureCode && grantKeep > 0)
            {
                await LlmGrantDraws.RecordAsync(scope, held.CustomerId, held.PeriodStart, GrantHolds.Kept(holds, grantKeep), scope.NowMs);
            }
        }

        if (counter is null)
        {
            return context is null
                ? new UsageOutcome.CustomerNotFound()
                : await DecidedAsync(scope, context, held, grant, fits: false);
        }

        if (actual is > 0 && !held.FeatureCode.StartsWith('$'))
        {
            scope.AddDailyUsage(held.CustomerId, held.FeatureCode, scope.Now, actual.Value);
            if (held.MetadataJson is { } metadata)
            {
                await UsageRecords.InsertAsync(scope, UsageRecords.Reservation, id, held.CustomerId, held.AttributedMemberId, held.FeatureCode, actual.Value,
                    metadata);
            }

            if (context is not null && held.PeriodStart == context.Window(grant).Start.ToUnixTimeMilliseconds())
            {
                await alerts.OnUsedAsync(scope, context, held.FeatureCode, grant, counter.Value, actual.Value);
            }
        }
        else if (actual is > 0 && held.FeatureCode == LlmBudget.FeatureCode && LlmBudget.Of(context) is { MonthlyQuota: { } budget } budgetGrant
            && context!.Window(budgetGrant) is var window && held.PeriodStart == window.Start.ToUnixTimeMilliseconds())
        {
            // A cost past the hold lands on the counter; past the plan's budget, budget grants take it as they take logged spend.
            var spent = counter.Value;
            if (counterActual > counterHeld)
            {
                var (after, cover, _) = await GrantDraw.AfterAddAsync(scope, database.Dialect, held.CustomerId, held.FeatureCode, window,
                    budgetGrant with { HardCap = false }, counterActual - counterHeld, reserve: false, spent);
                spent = after ?? spent;
                if (cover is { Taken: > 0 })
                {
                    await LlmGrantDraws.RecordAsync(scope, held.CustomerId, held.PeriodStart, cover.Takes, scope.NowMs);
                }
            }

            await alerts.OnBudgetSpentAsync(scope, held.CustomerId, held.FeatureCode, window, budget, spent.Used, actual.Value);
        }

        var settled = context is null ? null : await DecidedAsync(scope, context, held, grant, fits: true);
        await scope.Connection.ExecuteAsync(scope.Command(
            "UPDATE reservations SET status = @wanted, committed_amount = @actual, settled_at = @now, settled_answer_json = @answer WHERE id = @id",
            new { wanted, actual, now = scope.NowMs, answer = settled is null ? null : Idempotency.Stored(settled), id }));
        return settled ?? (UsageOutcome)new UsageOutcome.CustomerNotFound();
    }

    private static async Task<UsageOutcome.Decided> DecidedAsync(BatchScope scope, EntitlementContext context, Row held, Core.Catalog.PlanFeature? grant, bool fits)
    {
        var counter = await Counters.ReadAsync(scope, held.CustomerId, held.FeatureCode, held.PeriodStart);
        var decision = EntitlementDecision.From(DecisionReason.WithinQuota, held.FeatureCode, context, grant, counter);
        return new UsageOutcome.Decided(decision with { Reason = QuotaRules.Settled(fits, decision.Limit) });
    }

    /// <summary>
    /// When the first of the customer's holds on <paramref name="feature"/> lapses (unless settled sooner); null when none
    /// is held. A refusal that only holds cause can be tried again then, not at the window's end.
    /// </summary>
    public async Task<DateTimeOffset?> FirstHoldLapsesAtAsync(string customer, string feature, CancellationToken cancellationToken) =>
        await database.ReadAsync(c => c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MIN(expires_at) FROM reservations WHERE status = 'held' AND customer_id = @customer AND feature_code = @feature",
            new { customer, feature }, cancellationToken: cancellationToken)), cancellationToken) is { } ms
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>Releases holds whose time ran out; several nodes may sweep at once without releasing one twice.</summary>
    public Task<int> SweepExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            var expired = (await c.QueryAsync<Row>(new CommandDefinition($"""
                SELECT id, customer_id, member_id, feature_code, period_start, amount, status, committed_amount FROM reservations
                WHERE status = 'held' AND expires_at <= @now ORDER BY expires_at LIMIT 500 {database.Dialect.ForUpdateSkipLocked}
                """, new { now = now.ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken))).ToList();
            // Counter rows in (customer, feature) order, each organisation's before its member's and before its grants, as
            // a consume batch takes them; in expiry order the sweep deadlocked with batches on the same customers.
            foreach (var r in expired.OrderBy(r => r.CustomerId, StringComparer.Ordinal).ThenBy(r => r.FeatureCode, StringComparer.Ordinal))
            {
                var holds = await GrantHolds.ReadAsync(c, tx, r.Id, cancellationToken);
                await c.ExecuteAsync(new CommandDefinition("""
                    UPDATE usage_counters SET reserved = reserved - @counterHeld, updated_at = @now
                    WHERE customer_id = @CustomerId AND feature_code = @FeatureCode AND period_start = @PeriodStart
                    """, new { counterHeld = r.Amount - holds.Sum(h => h.Amount), now = now.ToUnixTimeMilliseconds(), r.CustomerId, r.FeatureCode, r.PeriodStart }, tx,
                    cancellationToken: cancellationToken));
                if (r.MemberId is not null)
                {
                    // The member's share held the whole amount: grants cover only the organisation's overage.
                    await c.ExecuteAsync(new CommandDefinition("""
                        UPDATE usage_counters SET reserved = reserved - @Amount, updated_at = @now
                        WHERE customer_id = @MemberId AND feature_code = @FeatureCode AND period_start = @PeriodStart
                        """, new { r.Amount, now = now.ToUnixTimeMilliseconds(), r.MemberId, r.FeatureCode, r.PeriodStart }, tx,
                        cancellationToken: cancellationToken));
                }

                await GrantHolds.SettleAsync(c, tx, r.Id, holds, 0, cancellationToken);
                await c.ExecuteAsync(new CommandDefinition(
                    "UPDATE reservations SET status = 'expired', settled_at = @now WHERE id = @Id",
                    new { now = now.ToUnixTimeMilliseconds(), r.Id }, tx, cancellationToken: cancellationToken));
            }

            return expired.Count;
        }, cancellationToken);

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string CustomerId { get; set; } = "";
        public string? MemberId { get; set; }
        public string FeatureCode { get; set; } = "";
        public long PeriodStart { get; set; }
        public long Amount { get; set; }
        public string Status { get; set; } = "";
        public long? CommittedAmount { get; set; }
        public string? MetadataJson { get; set; }
        public string? AttributedMemberId { get; set; }
        public string? SettledAnswerJson { get; set; }
    }
}
