using Dapper;
using Tollgate.Core.Catalog;
using Tollgate.Core.Periods;
using Tollgate.Server.Entitlements;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

/// <summary>
/// A run of planned takes of one shape goes to PostgreSQL as one statement over arrays (a <see cref="PlannedGroup"/>).
/// Its answers and its writes must be exactly those of the same takes sent one statement each.
/// </summary>
public sealed class GuardedTakeGroupTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 30, TimeSpan.Zero);

    [Fact]
    public async Task ARunOfTakesAsOneStatementAnswersAndWritesExactlyWhatTheSameTakesOneByOneDo()
    {
        await using var h = await UsageHarness.StartAsync(StoreKind.Postgres, Catalogs.Rules, Now);
        string[] withCounters = ["a-room", "b-full", "c-stale", "d-reserve", "e-rate", "f-rate-full", "g-soft", "h-rate-soft", "k-unlimited", "l-unlimited"];
        foreach (var customer in withCounters.Append("i-no-row"))
        {
            await h.AddCustomerAsync(customer);
        }

        foreach (var customer in withCounters)
        {
            await h.Entitlements.ConsumeAsync(new ConsumeCommand(customer, "capped", 1, null));
        }

        // b-full has 2 units of room left; f-rate-full used its 3 requests in this second already.
        BillingPeriod window;
        Dictionary<string, long> versions;
        await using (var connection = await h.Database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE usage_counters SET used = 98 WHERE customer_id = 'b-full'");
            await connection.ExecuteAsync("UPDATE usage_counters SET rate_start = @start, rate_used = 3 WHERE customer_id = 'f-rate-full'",
                new { start = Now.ToUnixTimeMilliseconds() / 1000 * 1000 });
            var start = await connection.ExecuteScalarAsync<long>("SELECT min(period_start) FROM usage_counters");
            var end = await connection.ExecuteScalarAsync<long>("SELECT min(period_end) FROM usage_counters");
            versions = (await connection.QueryAsync<(string, long)>("SELECT id, context_version FROM customers")).ToDictionary(r => r.Item1, r => r.Item2);
            window = new BillingPeriod(DateTimeOffset.FromUnixTimeMilliseconds(start), DateTimeOffset.FromUnixTimeMilliseconds(end));
        }

        var capped = Grant(100, hardCap: true);
        var rated = capped with { RateLimit = new RateLimit(3, RateLimitPer.Second) };
        var soft = Grant(10, hardCap: false);
        // In the batch's order (by customer): runs of one shape become one statement each, and a lone one stays alone.
        GuardedTake.Plan[] plans =
        [
            Take("a-room", capped, 5),
            Take("b-full", capped, 5),
            Take("c-stale", capped, 1, versions["c-stale"] + 1),
            Take("d-reserve", capped, 4, reserve: true),
            Take("e-rate", rated, 2),
            Take("f-rate-full", rated, 1),
            Take("g-soft", soft, 50),
            Take("h-rate-soft", soft with { RateLimit = new RateLimit(3, RateLimitPer.Second) }, 50),
            Take("i-no-row", capped, 1),
            Take("j-unknown", capped, 1, version: 1),
            Take("k-unlimited", Grant(null, hardCap: false), 7),
            Take("l-unlimited", Grant(null, hardCap: false), 3),
        ];

        var grouped = await RunAsync(h.Database, plans, grouped: true);
        var alone = await RunAsync(h.Database, plans, grouped: false);

        Assert.Equal(alone.Rows, grouped.Rows);
        Assert.Equal(alone.Counters, grouped.Counters);
        // The cases the run covers: taken, refused by the cap, stale, reserved, rated and refused by the rate, no row.
        Assert.Equal(
            ["True 6,0", "True -", "False -", "True 1,4", "True 1|3,0", "True -", "True 51,0", "True 1|51,0", "True -", "False -", "True 8,0", "True 4,0"],
            grouped.Rows.Select(Describe).ToArray());
        // Seven statements where twelve went: [a b c] [d] [e f] [g] [h] [i j] [k l], each bracket a shape; k and l have
        // no quota, so their quota array holds NULLs.
        Assert.Equal(7, grouped.Commands);

        GuardedTake.Plan Take(string customer, PlanFeature grant, long amount, long? version = null, bool reserve = false) =>
            GuardedTake.For(customer, "capped", window, Now, grant, amount, reserve, version ?? versions.GetValueOrDefault(customer));
    }

    private static PlanFeature Grant(long? quota, bool hardCap) =>
        new("capped", FeatureKind.Metered, quota, hardCap, Rollover: false, OverageUnitPriceCents: hardCap ? null : 5, Enabled: true,
            ValueJson: null, PlanFeature.DefaultThresholds);

    /// <summary>
    /// Runs the plans' statements in one round trip, in a transaction rolled back after, and reads every counter; counts
    /// the commands the round trip carried (a run of one group's members is one).
    /// </summary>
    private static async Task<(List<object?[]?> Rows, List<(string, long, long, long?, long?)> Counters, int Commands)> RunAsync(
        TollgateDatabase database, GuardedTake.Plan[] plans, bool grouped)
    {
        await using var statements = new StatementCache(await database.OpenAsync());
        await using var transaction = await database.BeginWriteAsync(statements.Connection);
        var scope = new BatchScope(statements, transaction, Now, CancellationToken.None);
        var planned = plans.Select(p => p.First(scope)).Select(p => grouped ? p : p with { Group = null }).ToList();
        var rows = (await scope.PipelineAsync(planned)).ToList();
        var counters = (await statements.Connection.QueryAsync<(string, long, long, long?, long?)>(
            "SELECT customer_id, used, reserved, rate_used, period_limit FROM usage_counters ORDER BY customer_id", transaction: transaction)).ToList();
        await transaction.RollbackAsync();
        var commands = planned.Where((p, i) => i == 0 || p.Group is null || !ReferenceEquals(p.Group, planned[i - 1].Group)).Count();
        return (rows, counters, commands);
    }

    // Whether the version held, then the rate window's count (rated shapes), then used and reserved ("-": nothing taken).
    private static string Describe(object?[]? row) => row switch
    {
        [var current, var used, var reserved, _] => $"{current} {(used is null ? "-" : $"{used},{reserved}")}",
        [var current, var rate, var used, var reserved, _] => $"{current} {(used is null ? "-" : $"{rate}|{used},{reserved}")}",
        _ => "no row",
    };
}
