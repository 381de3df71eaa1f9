using Dapper;
using Tollgate.Core.Llm;
using Tollgate.Storage.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Llm;

public sealed record RecomputeResult(long RowsExamined, long RowsChanged, long CostBeforeNano, long CostAfterNano);

/// <summary>
/// Reprices the calls of a window with the prices now on record (each at its own timestamp), correcting the daily
/// rollups, the LLM budget counters and the budget grants' draws by the difference (see <see cref="LlmBudgetCorrection"/>).
/// Chunked, and each row is updated only from the cost it was read at, so running it again, or beside live logging, gives
/// the same result.
/// </summary>
public sealed class LlmRecompute(TollgateDatabase database, ModelPriceStore prices, EntitlementContextCache contexts, TimeProvider time)
{
    private const int Chunk = 5000;

    public async Task<RecomputeResult> RunAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var book = await prices.BookAsync(cancellationToken);
        long examined = 0, changed = 0, before = 0, after = 0;
        var budgets = new Dictionary<string, long?>(StringComparer.Ordinal);
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

                    var updated = await c.ExecuteAsync(new CommandDefinition("""
                        UPDATE llm_calls SET cost_nano = @cost, unpriced = @unpriced, price_id = @price
                        WHERE customer_id = @CustomerId AND request_id = @RequestId AND cost_nano = @CostNano
                        """, new { cost, unpriced = price is null, price = price?.Id, row.CustomerId, row.RequestId, row.CostNano }, tx,
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
                        budgets[customer] = budget = (await contexts.LoadAsync(scope, customer))?.Version?.Terms.LlmBudgetNanoUsd;
                    }

                    await LlmBudgetCorrection.ApplyAsync(scope, database.Dialect, customer, occurredAt, difference, budget);
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

        return new RecomputeResult(examined, changed, before, after);
    }
}
