using Tollgate.Core;
using Tollgate.Core.Entitlements;
using System.Data;
using Microsoft.Extensions.Options;
using Tollgate.Core.Llm;
using Tollgate.Server.Alerts;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.Llm;

/// <summary>Bound from Tollgate:Llm.</summary>
public sealed class LlmOptions
{
    /// <summary>Refuse calls to models without a price instead of keeping them as unpriced.</summary>
    public bool RejectUnpriced { get; set; }
}

/// <summary>
/// Logs model calls: priced at the price in effect at each call's own time, stored with the cost and plan snapshotted,
/// rolled up per day, and spent against the plan's LLM budget, all in one group-committed transaction.
/// </summary>
public sealed class LlmUsageStore(TollgateDatabase database, GroupCommitter committer, EntitlementContextCache contexts, ModelPriceStore prices, Reservations reservations,
    AlertWriter alerts, IOptions<LlmOptions> options)
{
    // Each column of a logged call once, in the insert's order: its parameter, and its value for one call (SQLite) or a
    // typed array of them for a batch (PostgreSQL), so a batch's values are never boxed one by one.
    private static readonly CallColumn[] Columns =
    [
        Text("customer", (_, c) => c.CustomerId), Text("request", (p, _) => p.Call.RequestId), Text("feature", (p, _) => p.Call.FeatureCode),
        Text("model", (p, _) => p.Model), Text("provider", (p, _) => p.Call.Provider ?? p.Price?.Provider), Text("price", (p, _) => p.Price?.Id),
        Integer("input", (p, _, _) => p.Call.Usage.InputTokens), Integer("output", (p, _, _) => p.Call.Usage.OutputTokens),
        Integer("cached", (p, _, _) => p.Call.Usage.CachedInputTokens), Integer("write", (p, _, _) => p.Call.Usage.CacheWriteTokens),
        Integer("reasoning", (p, _, _) => p.Call.Usage.ReasoningTokens), Integer("requests", (p, _, _) => p.Call.Usage.Requests),
        Integer("images", (p, _, _) => p.Call.Usage.Images), Integer("cost", (p, _, _) => p.Cost),
        new("unpriced", DbType.Boolean, (p, _, _) => p.Price is null, (calls, _) => calls.Select(a => a.Priced.Price is null).ToArray()),
        Text("plan", (_, c) => c.PlanCode), Text("version", (_, c) => c.Version?.Id),
        Integer("occurred", (p, _, _) => p.Call.Timestamp.ToUnixTimeMilliseconds()), Integer("received", (_, _, nowMs) => nowMs),
        Text("hash", (p, _) => p.Hash), Text("metadata", (p, _) => p.Call.MetadataJson), Text("member", (_, c) => c.MemberId),
        Integer("write1h", (p, _, _) => p.Call.Usage.CacheWrite1hTokens),
    ];

    // One call at a time, on SQLite; PostgreSQL takes every batch through InsertMany.
    private static readonly Statement Insert = new("""
        INSERT INTO llm_calls (customer_id, request_id, feature_code, model, provider, price_id, input_tokens, output_tokens, cached_input_tokens,
            cache_write_tokens, reasoning_tokens, requests, images, cost_nano, unpriced, plan_code, plan_version_id, occurred_at, received_at, body_hash,
            metadata_json, member_id, cache_write_1h_tokens)
        VALUES (@customer, @request, @feature, @model, @provider, @price, @input, @output, @cached, @write, @reasoning, @requests, @images, @cost,
            @unpriced, @plan, @version, @occurred, @received, @hash, @metadata, @member, @write1h)
        ON CONFLICT (customer_id, request_id) DO NOTHING
        RETURNING 1
        """, [.. Columns.Select(c => (c.Name, c.Type))]);

    private readonly LlmActivityMemo _activity = new();

    private static readonly int OccurredColumn = Insert.Parameters.Select(p => p.Name).ToList().IndexOf("occurred");

    // The same insert over arrays, every call of the batch in one statement, taken in the batch's order (PostgreSQL only).
    // llm_calls is partitioned by time there and its primary key holds occurred_at, so the request id is kept once in
    // llm_call_keys: a call goes in only if its key did. The batch sends each request id once; the DISTINCT ON and the
    // merge join stay even so, since a plain hash join measured 0.3–0.5 ms an execution against 0.07 ms on one-call
    // batches. Retention forgets a key only with its row's week, so the calls need no conflict check of their own
    // (llm_calls has no unique key there).
    private static readonly string InsertMany = $"""
        WITH v AS (
            SELECT * FROM unnest({string.Join(", ", Insert.Parameters.Select(p => $"@{p.Name}::{SqlType(p.Type)}[]"))})
                WITH ORDINALITY AS v({string.Join(", ", Insert.Parameters.Select((_, c) => $"c{c}"))}, ordinal)),
        kept AS (
            INSERT INTO llm_call_keys (customer_id, request_id, occurred_at)
            SELECT c0, c1, c{OccurredColumn} FROM v ORDER BY ordinal
            ON CONFLICT DO NOTHING
            RETURNING customer_id, request_id, occurred_at)
        INSERT INTO llm_calls (customer_id, request_id, feature_code, model, provider, price_id, input_tokens, output_tokens, cached_input_tokens,
            cache_write_tokens, reasoning_tokens, requests, images, cost_nano, unpriced, plan_code, plan_version_id, occurred_at, received_at, body_hash,
            metadata_json, member_id, cache_write_1h_tokens)
        SELECT DISTINCT ON (v.c0, v.c1) {string.Join(", ", Insert.Parameters.Select((_, c) => $"v.c{c}"))}
        FROM v JOIN kept ON kept.customer_id = v.c0 AND kept.request_id = v.c1 AND kept.occurred_at = v.c{OccurredColumn}
        ORDER BY v.c0, v.c1, v.ordinal
        RETURNING customer_id, request_id
        """;

    private static readonly Statement Existing = new(
        "SELECT body_hash, cost_nano, unpriced, price_id, plan_code FROM llm_calls WHERE customer_id = @customer AND request_id = @request",
        ("customer", DbType.String), ("request", DbType.String));

    // PostgreSQL: the key names the call's time, so the call is read from its one week by (customer_id, occurred_at).
    private static readonly Statement ExistingByKey = new("""
        SELECT c.body_hash, c.cost_nano, c.unpriced, c.price_id, c.plan_code
        FROM llm_call_keys k JOIN llm_calls c ON c.customer_id = k.customer_id AND c.occurred_at = k.occurred_at AND c.request_id = k.request_id
        WHERE k.customer_id = @customer AND k.request_id = @request
        """,
        ("customer", DbType.String), ("request", DbType.String));

    public async Task<IReadOnlyList<LlmCallResult>> LogAsync(IReadOnlyList<LlmCallCommand> calls)
    {
        if (calls.Count == 0)
        {
            return [];
        }

        // Pricing and hashing need no database: done here, in parallel with other requests, so the single writer
        // only writes.
        var book = await prices.BookAsync();
        // In customer order, so two batches that share customers lock their counters in the same order on PostgreSQL.
        var priced = calls.Select(call => Price(call, book)).OrderBy(p => p.Call.CustomerId, StringComparer.Ordinal).ToArray();
        // Split along the committer's bulk writers: each writer's share commits in its own batch, all of them at once.
        var shares = priced.GroupBy(p => committer.PartitionOf(p.Call.CustomerId, bulk: true)).Select(g => g.ToArray());
        var results = await Task.WhenAll(shares.Select(share => committer.RunAsync(share[0].Call.CustomerId, scope => LogAsync(scope, share),
            bulk: true)));
        return [.. results.SelectMany(r => r).OrderBy(r => r.Index)];
    }

    private static PricedCall Price(LlmCallCommand call, PriceBook book)
    {
        var price = book.Find(call.Model, call.Provider, call.Timestamp);
        var u = call.Usage;
        var model = PriceBook.Normalize(call.Model);
        // The hour's writes join the hash only when there are some, so a retry sent across the upgrade that added them
        // still matches the call it repeats.
        var hash = u.CacheWrite1hTokens == 0
            ? RequestHash.Of(call.FeatureCode ?? "", model, u.InputTokens, u.OutputTokens, u.CachedInputTokens, u.CacheWriteTokens, u.ReasoningTokens,
                u.Requests, u.Images)
            : RequestHash.Of(call.FeatureCode ?? "", model, u.InputTokens, u.OutputTokens, u.CachedInputTokens, u.CacheWriteTokens, u.ReasoningTokens,
                u.Requests, u.Images, u.CacheWrite1hTokens);
        var day = call.Timestamp.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var cost = price is null ? 0 : LlmCost.Within(price, u);
        return new PricedCall(call, price, cost ?? 0, model, hash, day, TooCostly: cost is null);
    }

    private async Task<IReadOnlyList<LlmCallResult>> LogAsync(BatchScope scope, PricedCall[] calls)
    {
        var results = new List<LlmCallResult>(calls.Length);
        var daily = scope.Aggregate<LlmDailyAggregate>();
        daily.Activity = _activity;
        var counters = scope.Aggregate<LlmCounterAggregate>();
        // Every customer's context, then every insert, each in one round trip on PostgreSQL; meters and spend are added up
        // and go in with the batch's other counters when it flushes.
        var contextOf = await contexts.LoadManyAsync(scope, [.. calls.Select(c => c.Call.CustomerId).Distinct(StringComparer.Ordinal)]);
        var accepted = new List<(PricedCall Priced, Core.Entitlements.EntitlementContext Context)>(calls.Length);
        foreach (var priced in calls)
        {
            var call = priced.Call;
            if (contextOf[call.CustomerId] is not { } context)
            {
                results.Add(Rejected(call, "customer", $"no customer '{call.CustomerId}'", 404));
            }
            else if (priced.TooCostly)
            {
                results.Add(Rejected(call, LargestPart(call.Usage), $"makes the call cost more than $1,000,000.00, the most one call may cost, at "
                    + $"'{call.Model}''s price in effect at {call.Timestamp:yyyy-MM-dd'T'HH:mm:ss'Z'}", 422));
            }
            else if (priced.Price is null && options.Value.RejectUnpriced)
            {
                results.Add(Rejected(call, "model", $"no price for '{call.Model}' in effect at {call.Timestamp:yyyy-MM-dd'T'HH:mm:ss'Z'}", 422));
            }
            else
            {
                accepted.Add((priced, context));
            }
        }

        var inserted = await InsertAsync(scope, accepted);
        // A duplicate's first call is read back, every one of them in one more round trip.
        var duplicates = Enumerable.Range(0, accepted.Count).Where(i => !inserted[i]).ToArray();
        var existing = scope.BatchesRows ? ExistingByKey : Existing;
        var priors = await scope.PipelineAsync([.. duplicates.Select(i => new PlannedStatement(existing, [accepted[i].Context.CustomerId,
            accepted[i].Priced.Call.RequestId]))]);
        var priorOf = duplicates.Select((i, j) => (i, Row: new ValuesRow(priors[j]!))).ToDictionary(d => d.i, d => d.Row);
        for (var i = 0; i < accepted.Count; i++)
        {
            var ((call, price, cost, model, hash, day, _), context) = accepted[i];
            // A member's call is logged, priced and spent for its organisation, as a member's event is; its share still moves.
            var customer = context.CustomerId;
            if (priorOf.TryGetValue(i, out var prior))
            {
                results.Add(prior.GetString(0) == hash
                    ? new LlmCallResult(call.Index, call.RequestId, LlmCallStatus.Duplicate, prior.GetInt64(1), prior.GetBoolean(2),
                        prior.IsDBNull(3) ? null : prior.GetString(3), prior.IsDBNull(4) ? null : prior.GetString(4))
                    : Rejected(call, "request_id", "was already logged for a different call", 409));
                continue;
            }

            daily.Add(day, customer, call.FeatureCode, model, context.PlanCode, call.Usage, cost, price is null);
            Meter(scope, counters, context, call, call.Provider ?? price?.Provider);
            if (LlmBudget.Of(context) is { } budget)
            {
                // A hold taken before the call settles to the real cost; without one (or if it lapsed) the cost is simply spent.
                var settled = call.ReservationId is { } hold
                    && await reservations.SettleBudgetInBatchAsync(scope, hold, customer, cost) is UsageOutcome.Decided;
                if (!settled)
                {
                    counters.Spend(alerts, database.Dialect, customer, context.Window(budget), budget, cost);
                }
            }

            results.Add(new LlmCallResult(call.Index, call.RequestId, LlmCallStatus.Accepted, cost, price is null, price?.Id, context.PlanCode));
        }

        return results;
    }

    /// <summary>Inserts each call unless its request id is logged already; answers which went in.</summary>
    private static async Task<bool[]> InsertAsync(BatchScope scope, IReadOnlyList<(PricedCall Priced, Core.Entitlements.EntitlementContext Context)> calls)
    {
        if (!scope.BatchesRows || calls.Count == 0)
        {
            return [.. (await scope.PipelineAsync([.. calls.Select(c => InsertOf(c.Priced, c.Context, scope.NowMs))])).Select(row => row is not null)];
        }

        // A request id twice in one batch goes in as its first call; the later one is a duplicate of it.
        var first = new HashSet<(string, string)>(calls.Count);
        var sent = new List<int>(calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            if (first.Add((calls[i].Context.CustomerId, calls[i].Priced.Call.RequestId)))
            {
                sent.Add(i);
            }
        }

        var batch = sent.Select(i => calls[i]).ToArray();
        var columns = Columns.Select(c => (c.Name, c.Array(batch, scope.NowMs))).ToArray();
        var went = new HashSet<(string, string)>(sent.Count);
        foreach (var row in await scope.RowsAsync(InsertMany, columns))
        {
            went.Add(((string)row[0]!, (string)row[1]!));
        }

        var inserted = new bool[calls.Count];
        foreach (var i in sent)
        {
            inserted[i] = went.Contains((calls[i].Context.CustomerId, calls[i].Priced.Call.RequestId));
        }

        return inserted;
    }

    private static string SqlType(DbType type) => type switch
    {
        DbType.Int64 => "bigint",
        DbType.Boolean => "boolean",
        _ => "text",
    };

    private static PlannedStatement InsertOf(PricedCall priced, Core.Entitlements.EntitlementContext context, long nowMs) =>
        new(Insert, [.. Columns.Select(c => c.Value(priced, context, nowMs))]);

    /// <summary>
    /// Adds the call to every metered quota of the plan whose meter it matches, in the batch's transaction (the counters
    /// when the batch flushes). A call is logged after the fact, so it is counted even past a hard cap; the checks after
    /// it are refused. Its thresholds alert as a consume's would.
    /// </summary>
    private void Meter(BatchScope scope, LlmCounterAggregate counters, Core.Entitlements.EntitlementContext context, LlmCallCommand call, string? provider)
    {
        foreach (var grant in context.Version?.Terms.Features ?? [])
        {
            if (grant is not { Meter: { } meter, IsIncluded: true } || !meter.Matches(call.FeatureCode, provider))
            {
                continue;
            }

            var amount = meter.AmountOf(call.Usage.PromptTokens, call.Usage.OutputTokens + call.Usage.ReasoningTokens);
            if (amount <= 0)
            {
                continue;
            }

            counters.Meter(alerts, context, grant, amount);
            scope.AddDailyUsage(context.CustomerId, grant.FeatureCode, call.Timestamp, amount);
        }
    }

    private sealed record CallColumn(string Name, DbType Type, Func<PricedCall, Core.Entitlements.EntitlementContext, long, object?> Value,
        Func<(PricedCall Priced, Core.Entitlements.EntitlementContext Context)[], long, object> Array);

    private static CallColumn Text(string name, Func<PricedCall, Core.Entitlements.EntitlementContext, string?> value) =>
        new(name, DbType.String, (p, c, _) => value(p, c), (calls, _) => calls.Select(a => value(a.Priced, a.Context)).ToArray());

    private static CallColumn Integer(string name, Func<PricedCall, Core.Entitlements.EntitlementContext, long, long> value) =>
        new(name, DbType.Int64, (p, c, nowMs) => value(p, c, nowMs), (calls, nowMs) => calls.Select(a => value(a.Priced, a.Context, nowMs)).ToArray());

    private sealed record PricedCall(LlmCallCommand Call, ModelPrice? Price, long Cost, string Model, string Hash, string Day, bool TooCostly = false);

    // The token count that makes most of a call's size, named when the call costs more than one call may.
    private static string LargestPart(LlmUsage u) => new[]
    {
        ("input_tokens", u.InputTokens), ("output_tokens", u.OutputTokens), ("cached_input_tokens", u.CachedInputTokens),
        ("cache_write_tokens", u.CacheWriteTokens), ("reasoning_tokens", u.ReasoningTokens), ("requests", u.Requests), ("images", u.Images),
    }.MaxBy(p => p.Item2).Item1;

    private static LlmCallResult Rejected(LlmCallCommand call, string field, string reason, int status) =>
        new(call.Index, call.RequestId, LlmCallStatus.Rejected, 0, false, null, null, field, reason, status);
}
