using System.Net;
using Npgsql;
using Tollgate.Storage.Retention;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>
/// Two nodes behind PgBouncer 1.18 in transaction mode, where each transaction may run on another server connection:
/// nothing may rest on a connection's own state (prepared statements, session locks, settings, temporary tables).
/// </summary>
public sealed class PgBouncerTests
{
    [Fact]
    public async Task TwoNodesBehindPgBouncerInTransactionModeWithPreparedStatementsOffDecideExactlyAndLeaveNoLockBehind()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var direct = new NpgsqlConnectionStringBuilder(await PostgresServer.CreateDatabaseAsync());
        await using var bouncer = await PgBouncer.StartAsync(direct.Host!, direct.Port, "transaction", poolSize: 3, deadline.Token);
        var throughBouncer = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = bouncer.Port, NoResetOnClose = true }.ConnectionString;
        var settings = ApiSetup.LlmCatalog();
        settings["Tollgate:Database:PreparedStatements"] = "false";
        await using var first = await TollgateApp.StartAsync(StoreKind.Postgres, settings, connectionString: throughBouncer);
        await using var second = await TollgateApp.StartAsync(StoreKind.Postgres, settings, connectionString: throughBouncer);
        TollgateApp Node(int i) => i % 2 == 0 ? first : second;
        await first.CustomerAsync("shared");
        await second.CustomerAsync("llm");
        Assert.Equal(HttpStatusCode.OK, (await first.ConsumeAsync("shared", "export", 900)).StatusCode);

        // Consumes (group commit), checks (the prepared-read pool), reservations, LLM batches (statements over arrays), and
        // retention passes (once a session lock) on both nodes at once, all sharing three server connections.
        var consumes = Enumerable.Range(0, 200).Select(i => Node(i).ConsumeAsync("shared", "export", 1, $"k{i}"));
        var checks = Enumerable.Range(0, 40).Select(i => Node(i).Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "shared", feature = "export" }));
        var reserves = Enumerable.Range(0, 20).Select(i => Node(i).Admin.PostJsonAsync("/v1/entitlements/reserve",
            new { customer = "llm", feature = "export", amount = 2, idempotency_key = $"r{i}" }));
        var calls = Enumerable.Range(0, 10).Select(b => Node(b).Admin.PostJsonAsync("/v1/llm/usage", new
        {
            calls = Enumerable.Range(0, 20).Select(i => new { customer = "llm", feature = "chat", model = "gpt-4o", input_tokens = 10, request_id = $"b{b}-{i}" }),
        }));
        var passes = Enumerable.Range(0, 6).Select(i => Node(i).Get<RetentionPruner>().PruneAsync(Node(i).Clock.GetUtcNow(), deadline.Token));
        var answers = await Task.WhenAll(consumes.Concat(checks).Concat(reserves).Concat(calls)).WaitAsync(deadline.Token);
        await Task.WhenAll(passes).WaitAsync(deadline.Token);

        var unexpected = answers.Where(a => a.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.TooManyRequests)).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} answers were neither 200 nor 429; the first: {(unexpected.Count > 0
            ? $"{(int)unexpected[0].StatusCode} {await unexpected[0].Content.ReadAsStringAsync()}" : "")}");
        Assert.Equal(100, answers.Take(200).Count(a => a.StatusCode == HttpStatusCode.OK));
        var shared = await (await second.Admin.GetAsync("/v1/customers/shared/usage")).ReadAsync();
        var llm = await (await first.Admin.GetAsync("/v1/customers/llm/usage")).ReadAsync();
        Assert.Equal(1000L, shared["features"]!["export"]!["used"].Value<long>());
        Assert.Equal(40L, llm["features"]!["export"]!["reserved"].Value<long>());
        var accepted = 0;
        foreach (var batch in answers.Skip(260))
        {
            accepted += (await batch.ReadAsync())["accepted"].Value<int>();
        }

        Assert.Equal(200, accepted);

        // A lock a pass left on one of PgBouncer's server connections would stop every later pass that lands on another.
        await using var server = new NpgsqlConnection(direct.ConnectionString);
        await server.OpenAsync(deadline.Token);
        await using var locks = new NpgsqlCommand("""
            SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE l.locktype = 'advisory' AND d.datname = current_database()
            """, server);
        Assert.Equal(0L, (long)(await locks.ExecuteScalarAsync(deadline.Token))!);
        Assert.False((await second.Get<RetentionPruner>().PruneAsync(second.Clock.GetUtcNow(), deadline.Token)).Skipped);
    }
}
