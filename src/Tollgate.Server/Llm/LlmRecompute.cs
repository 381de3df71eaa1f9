using Tollgate.Core.Entitlements;
using Dapper;
using Tollgate.Core.Llm;
using Tollgate.Server.Alerts;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Llm;

public sealed record RecomputeResult(long RowsExamined, long RowsChanged, long CostBeforeNano, long CostAfterNano);

/// <summary>
/// Reprices the calls of a window with the prices now on record (each at its own timestamp), correcting the daily
/// rollups, the LLM budget counters and the budget grants' draws by the difference (see <see cref="LlmBudgetCorrection"/>).
/// Chunked, and each row is updated only from the cost it was read at, so running it again, or beside live logging, gives
/// the same result. A raised cost is spend recognised now: when the run as a whole raises a period's budget counter past
/// thresholds, the highest of them alerts once, as one update would; a lowered cost never alerts.
/// </summary>
public sealed class LlmRecompute(TollgateDatabase database, ModelPriceStore prices, EntitlementContextCache contexts, AlertWriter alerts,
    TimeProvider time)
{
    private const int Chunk = 5000;

    public async Task<RecomputeResult> RunAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var book = await prices.BookAsync(cancellationToken);
        long examined = 0, changed = 0, before = 0, after = 0;
        var budgets = new Dictionary<string, Core.Catalog.PlanFeature?>(StringComparer.Ordinal);
        // Each budget counter the run touched: its used before the run's first correction and after its last.
        var touched = new Dictionary<(string Customer, long Start), LlmBudgetCorrection.Change>();
        var cursor = (At: from.ToUnixTimeMilliseconds(), Customer: "", Request: "");
        while (true)
        {
            var rows = (await database.ReadAsync(c => c.QueryAsync<LlmCallRow>(new CommandDefinition($"""
                SELECT {LlmCallRow.Columns}
                FROM llm_calls
                WHERE occurred_at < @to AND (occurred_at > @at OR (occurred_at = @at AND (customer_id > @customer -- keyset paging; '' starts at `from`
                    OR (customer_id = @customer AND request_id > @request))))
                ORDER BY occurred_at, customer_id, request_id
                LIMIT @chunk
                """, new { to = to.ToUnixTimeMilliseconds(), at = cursor.At, customer = cursor.Customer, request = cursor.Request, chunk = (long)Chunk },
                cancellationToken: cancellationToken)), cancellationToken)).ToList();
            if (rows.Count == 0)
            {
                break;
            }

            var delta = await database.WriteAsync(async (c, tx) =>
            {
                long rowChanges = 0, costBefore = 0, costAfter = 0;
                var rollup = new LlmDailyAggregate();
                var corrections = new List<(string Customer, long OccurredAt, long Delta)>();
                foreach (var row in rows)
                {
                    var at = DateTimeOffset.FromUnixTimeMilliseconds(row.OccurredAt);
                    // The provider stored with the call keeps a provider's own row (azure/gpt-4o) for the calls it priced.
                    var price = book.Find(row.Model, row.Provider, at);
                    var cost = price is null ? 0 : LlmCost.Compute(price, row.Usage);
                    costBefore += row.CostNano;
                    costAfter += cost;
                    if (cost == row.CostNano && (price is null) == row.Unpriced && price?.Id == row.PriceId)
                    {
                        continue;
                    }

                    // occurred_at names the row's time partition on PostgreSQL, so the update reads one partition, not all of them.
                    var updated = await c.ExecuteAsync(new CommandDefinition("""
                        UPDATE llm_calls SET cost_nano = @cost, unpriced = @unpriced, price_id = @price
                        WHERE customer_id = @CustomerId AND request_id = @RequestId AND occurred_at = @OccurredAt AND cost_nano = @CostNano
                        """, new { cost, unpriced = price is null, price = price?.Id, row.CustomerId, row.RequestId, row.OccurredAt, row.CostNano }, tx,
                        cancellationToken: cancellationToken));
                    if (updated == 0)
                    {
                        continue;
                    }

                    rowChanges++;
                    corrections.Add((row.CustomerId, row.OccurredAt, cost - row.CostNano));
                    var day = at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                    rollup.AddCorrection(new RollupKey(row.CustomerId, day, row.FeatureCode ?? "", row.Model, row.PlanCode ?? ""),
                        cost - row.CostNano, (price is null ? 1 : 0) - (row.Unpriced ? 1 : 0));
                }

                // A price correction must also correct what the call spent of its period's budget and grants, or a customer
                // blocked by a wrong price stays blocked; in customer order, as live batches lock counters.
                await using var statements = new StatementCache(c, ownsConnection: false);
                var scope = new BatchScope(statements, tx, time.GetUtcNow(), cancellationToken);
                foreach (var (customer, occurredAt, difference) in corrections.OrderBy(r => r.Customer, StringComparer.Ordinal).ThenBy(r => r.OccurredAt))
                {
                    if (!budgets.TryGetValue(customer, out var budget))
                    {
                        budgets[customer] = budget = LlmBudget.Of(await contexts.LoadAsync(scope, customer));
                    }

                    if (await LlmBudgetCorrection.ApplyAsync(scope, database.Dialect, customer, occurredAt, difference, budget) is { } change)
                    {
                        var key = (customer, change.Period.Start.ToUnixTimeMilliseconds());
                        touched[key] = touched.TryGetValue(key, out var first) ? change with { UsedBefore = first.UsedBefore } : change;
                    }
                }

                // The rows the corrections land on exist (their calls do), so the adding upserts only adjust them.
                await rollup.FlushAsync(scope);

                return (rowChanges, costBefore, costAfter);
            }, cancellationToken);
            examined += rows.Count;
            changed += delta.rowChanges;
            before += delta.costBefore;
            after += delta.costAfter;
            var last = rows[^1];
            cursor = (last.OccurredAt, last.CustomerId, last.RequestId);
        }

        await AlertAsync(touched, budgets, cancellationToken);
        return new RecomputeResult(examined, changed, before, after);
    }

    /// <summary>
    /// The run's budget alerts, after its chunks: one per counter it raised, for the highest threshold between the counter
    /// before the run and after it, so a customer whose month is spread over many chunks still gets one alert.
    /// </summary>
    private async Task AlertAsync(Dictionary<(string Customer, long Start), LlmBudgetCorrection.Change> touched, Dictionary<string, Core.Catalog.PlanFeature?> budgets,
        CancellationToken cancellationToken)
    {
        var raised = touched.Where(t => t.Value.UsedAfter > t.Value.UsedBefore && budgets.GetValueOrDefault(t.Key.Customer) is { MonthlyQuota: > 0 })
            .OrderBy(t => t.Key.Customer, StringComparer.Ordinal).ThenBy(t => t.Key.Start).ToList();
        if (raised.Count == 0)
        {
            return;
        }

        await database.WriteAsync(async (c, tx) =>
        {
            await using var statements = new StatementCache(c, ownsConnection: false);
            var scope = new BatchScope(statements, tx, time.GetUtcNow(), cancellationToken);
            foreach (var ((customer, _), change) in raised)
            {
                await alerts.OnBudgetSpentAsync(scope, customer, LlmBudget.FeatureCode, change.Period, budgets[customer]!.MonthlyQuota!.Value, change.UsedAfter,
                    change.UsedAfter - change.UsedBefore);
            }

            return 0;
        }, cancellationToken);
    }
}
