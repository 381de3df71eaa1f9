using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Entitlements;

/// <summary>Three server nodes sharing one PostgreSQL, each with its own group committer, still decide exactly.</summary>
public sealed class ScaleOutTests
{
    [Fact]
    public async Task ThreeNodesSharingOnePostgresGrantExactlyTheLimitAndCountRetriesOnceWithoutADeadlock()
    {
        var nodes = await TollgateCluster.StartAsync(3, ApiSetup.RulesCatalog());
        var (first, second, third) = (nodes[0], nodes[1], nodes[2]);
        try
        {
            await first.CustomerAsync("shared");
            await first.CustomerAsync("retried");

            var plain = Enumerable.Range(0, 500).Select(i => nodes[i].ConsumeAsync("shared", "capped"));
            var retried = Enumerable.Range(0, 300).Select(i => nodes[i].ConsumeAsync("retried", "capped", 1, $"order-{i % 40}"));
            var responses = await Task.WhenAll(plain.Concat(retried));

            Assert.Equal(100, responses.Take(500).Count(r => r.StatusCode == HttpStatusCode.OK));
            Assert.Equal(400, responses.Take(500).Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
            Assert.All(responses.Skip(500), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            var shared = await (await third.Admin.GetAsync("/v1/customers/shared/usage")).ReadAsync();
            var once = await (await second.Admin.GetAsync("/v1/customers/retried/usage")).ReadAsync();
            Assert.Equal(100, shared["features"]!["capped"]!["used"].Value<long>());
            Assert.Equal(40, once["features"]!["capped"]!["used"].Value<long>());
        }
        finally
        {
            await nodes.DisposeAsync();
        }

        // Each batch claims its keys before it takes the counter: a batch holding the counter while it waited on a key
        // that another node's batch held, waiting on the counter, deadlocked.
        Assert.Equal(0, await nodes.DeadlocksAsync());
    }

    [Fact]
    public async Task ABatchWhoseFirstCustomerHasNoRowYetTakesItBeforeALaterCustomersRowSoAWriterTakingBothInOrderIsNeverDeadlocked()
    {
        // A batch plans one statement per customer and sends them in one round trip, in order. When the first customer's
        // took nothing (no row yet in a new window), its ordinary path used to create the row after the later customer's
        // statement had locked theirs: the reverse of the order every other writer takes them in. Another transaction,
        // standing for another node's batch, inserts a1's row and then wants b2's while the node's batch runs.
        await using var nodes = await TollgateCluster.StartAsync(1, ApiSetup.RulesCatalog());
        var node = nodes.First;
        var (start, end) = await NewWindowWithoutA1sRowAsync(node);

        await using var holder = new Npgsql.NpgsqlConnection(node.ConnectionString);
        await using var other = new Npgsql.NpgsqlConnection(node.ConnectionString);
        await holder.OpenAsync();
        await other.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using var otherWriter = await other.BeginTransactionAsync();
        await Sql(holder, hold, "UPDATE usage_counters SET used = used WHERE customer_id = 'blocker'");
        await Sql(other, otherWriter, $"""
            INSERT INTO usage_counters (customer_id, feature_code, period_start, period_end, used, reserved, carried_in, period_limit, updated_at)
            VALUES ('a1', 'capped', {start}, {end}, 0, 0, 0, 100, 0)
            """);

        // The blocker's consume holds the writer, so a1's and b2's queue behind it and go in the next batch together.
        var blocked = node.ConsumeAsync("blocker", "capped");
        await WaitForAsync(() => QueueDepthAsync(node), depth => depth == 1);
        var consumes = new[] { node.ConsumeAsync("a1", "capped"), node.ConsumeAsync("b2", "capped") };
        await WaitForAsync(() => QueueDepthAsync(node), depth => depth == 3);
        await hold.RollbackAsync();

        // The batch now waits on a1's row, which the other writer inserted; with b2's row locked, the other writer's take
        // of it would wait on the batch, and PostgreSQL would break the cycle after its deadlock_timeout.
        await WaitForAsync(() => PostgresServer.ScalarAsync(node.ConnectionString,
            $"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> {other.ProcessID}"),
            waiting => waiting == 1);
        await Sql(other, otherWriter, $"UPDATE usage_counters SET used = used + 5 WHERE customer_id = 'b2' AND period_start = {start}");
        await otherWriter.CommitAsync();

        Assert.All(await Task.WhenAll([blocked, .. consumes]), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, await PostgresServer.ScalarAsync(node.ConnectionString, $"SELECT used FROM usage_counters WHERE customer_id = 'a1' AND period_start = {start}"));
        Assert.Equal(7, await PostgresServer.ScalarAsync(node.ConnectionString, $"SELECT used FROM usage_counters WHERE customer_id = 'b2' AND period_start = {start}"));
        Assert.Equal(0, await nodes.DeadlocksAsync());
    }

    [Fact]
    public async Task ABatchWhoseFirstCustomersRowIsCommittedWhileItWaitsOnALaterOneRunsAgainSoAWriterTakingBothInOrderIsNeverDeadlocked()
    {
        // The batch's planned statement finds a1's row missing, then waits on b2's. Meanwhile another writer commits a1's
        // row and a second one takes it, then wants b2's. Once the batch has b2's row, a1's exists: it read as a refusal,
        // and the ordinary path waited on a1 behind that writer, which waited on b2 behind the batch.
        await using var nodes = await TollgateCluster.StartAsync(1, ApiSetup.RulesCatalog());
        var node = nodes.First;
        var (start, end) = await NewWindowWithoutA1sRowAsync(node);

        await using var blockerHolder = new Npgsql.NpgsqlConnection(node.ConnectionString);
        await using var b2Holder = new Npgsql.NpgsqlConnection(node.ConnectionString);
        await using var writer = new Npgsql.NpgsqlConnection(node.ConnectionString);
        foreach (var connection in new[] { blockerHolder, b2Holder, writer })
        {
            await connection.OpenAsync();
        }

        await using var holdBlocker = await blockerHolder.BeginTransactionAsync();
        await using var holdB2 = await b2Holder.BeginTransactionAsync();
        await Sql(blockerHolder, holdBlocker, "UPDATE usage_counters SET used = used WHERE customer_id = 'blocker'");
        await Sql(b2Holder, holdB2, $"UPDATE usage_counters SET used = used WHERE customer_id = 'b2' AND period_start = {start}");

        // The blocker's consume holds the writer, so a1's and b2's queue behind it and go in the next batch together.
        var blocked = node.ConsumeAsync("blocker", "capped");
        await WaitForAsync(() => QueueDepthAsync(node), depth => depth == 1);
        var consumes = new[] { node.ConsumeAsync("a1", "capped"), node.ConsumeAsync("b2", "capped") };
        await WaitForAsync(() => QueueDepthAsync(node), depth => depth == 3);
        await holdBlocker.RollbackAsync();
        // The batch's planned statement has found a1's row missing and waits on b2's.
        await WaitForAsync(() => WaitingOnLocksAsync(node), waiting => waiting == 1);

        await PostgresServer.ScalarAsync(node.ConnectionString, $"""
            INSERT INTO usage_counters (customer_id, feature_code, period_start, period_end, used, reserved, carried_in, period_limit, updated_at)
            VALUES ('a1', 'capped', {start}, {end}, 0, 0, 0, 100, 0) RETURNING 0
            """);
        await using var otherWriter = await writer.BeginTransactionAsync();
        await Sql(writer, otherWriter, $"UPDATE usage_counters SET used = used + 5 WHERE customer_id = 'a1' AND period_start = {start}");
        var writerTakesB2 = Sql(writer, otherWriter, $"UPDATE usage_counters SET used = used + 5 WHERE customer_id = 'b2' AND period_start = {start}");
        await WaitForAsync(() => WaitingOnLocksAsync(node), waiting => waiting == 2);
        await holdB2.RollbackAsync();
        await writerTakesB2;
        await otherWriter.CommitAsync();

        Assert.All(await Task.WhenAll([blocked, .. consumes]), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(6, await PostgresServer.ScalarAsync(node.ConnectionString, $"SELECT used FROM usage_counters WHERE customer_id = 'a1' AND period_start = {start}"));
        Assert.Equal(7, await PostgresServer.ScalarAsync(node.ConnectionString, $"SELECT used FROM usage_counters WHERE customer_id = 'b2' AND period_start = {start}"));
        Assert.Equal(0, await nodes.DeadlocksAsync());
    }

    /// <summary>
    /// a1, b2 and a blocker, each remembered (so their consumes are planned), in a new window where b2's and the blocker's
    /// rows are made again and a1's is not: that window's start and end.
    /// </summary>
    private static async Task<(long Start, long End)> NewWindowWithoutA1sRowAsync(TollgateApp node)
    {
        foreach (var customer in new[] { "a1", "b2", "blocker" })
        {
            await node.CustomerAsync(customer);
            Assert.Equal(HttpStatusCode.OK, (await node.ConsumeAsync(customer, "capped")).StatusCode); // remembered, so planned
        }

        node.Clock.Advance(TimeSpan.FromDays(32)); // a new window: b2's and the blocker's rows are made again, a1's is not
        Assert.Equal(HttpStatusCode.OK, (await node.ConsumeAsync("b2", "capped")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await node.ConsumeAsync("blocker", "capped")).StatusCode);
        const string Newest = "SELECT {0} FROM usage_counters WHERE customer_id = 'b2' ORDER BY period_start DESC LIMIT 1";
        var start = await PostgresServer.ScalarAsync(node.ConnectionString, string.Format(Newest, "period_start"));
        var end = await PostgresServer.ScalarAsync(node.ConnectionString, string.Format(Newest, "period_end"));
        return (start, end);
    }

    private static Task<long> WaitingOnLocksAsync(TollgateApp node) => PostgresServer.ScalarAsync(node.ConnectionString,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");

    [Fact]
    public async Task ABatchOfCustomersFirstUsesInANewWindowRunsAgainOnceNotOnceForEachCustomer()
    {
        // At a window's start no customer has a row yet. Each planned take then takes nothing, and the first one found so
        // reran the batch with only itself unplanned, so the next one reran it again: a batch of n first uses ran n times.
        await using var nodes = await TollgateCluster.StartAsync(1, ApiSetup.RulesCatalog());
        var node = nodes.First;
        string[] customers = [.. Enumerable.Range(0, 8).Select(i => $"first-{i}")];
        foreach (var customer in customers.Append("blocker"))
        {
            await node.CustomerAsync(customer);
            Assert.Equal(HttpStatusCode.OK, (await node.ConsumeAsync(customer, "capped")).StatusCode); // remembered, so planned
        }

        node.Clock.Advance(TimeSpan.FromDays(32));
        Assert.Equal(HttpStatusCode.OK, (await node.ConsumeAsync("blocker", "capped")).StatusCode);
        var rerunsBefore = await UnplannedRerunsAsync(node);

        await using var holder = new Npgsql.NpgsqlConnection(node.ConnectionString);
        await holder.OpenAsync();
        await using (var hold = await holder.BeginTransactionAsync())
        {
            await Sql(holder, hold, "UPDATE usage_counters SET used = used WHERE customer_id = 'blocker'");
            var blocked = node.ConsumeAsync("blocker", "capped");
            await WaitForAsync(() => QueueDepthAsync(node), depth => depth == 1);
            var consumes = customers.Select(c => node.ConsumeAsync(c, "capped")).ToArray();
            await WaitForAsync(() => QueueDepthAsync(node), depth => depth == 1 + customers.Length);
            await hold.RollbackAsync();
            Assert.All(await Task.WhenAll([blocked, .. consumes]), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        }

        Assert.Equal(1, await UnplannedRerunsAsync(node) - rerunsBefore);
        foreach (var customer in customers)
        {
            Assert.Equal(1, await PostgresServer.ScalarAsync(node.ConnectionString,
                $"SELECT used FROM usage_counters WHERE customer_id = '{customer}' ORDER BY period_start DESC LIMIT 1"));
        }
    }

    private static async Task<long> UnplannedRerunsAsync(TollgateApp node) =>
        await MetricAsync(node, l => l.StartsWith("tollgate_group_commit_reruns_total{", StringComparison.Ordinal)
            && l.Contains("reason=\"unplanned\"", StringComparison.Ordinal)) ?? 0;

    private static async Task Sql(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction, string sql)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> QueueDepthAsync(TollgateApp node) =>
        await MetricAsync(node, l => l.StartsWith("tollgate_group_commit_queue_depth", StringComparison.Ordinal))
        ?? throw new InvalidOperationException("/metrics shows no group-commit queue depth");

    /// <summary>The value of the one /metrics line <paramref name="line"/> picks, or null when there is none.</summary>
    private static async Task<long?> MetricAsync(TollgateApp node, Func<string, bool> line)
    {
        var text = await (await node.Admin.GetAsync("/metrics")).Content.ReadAsStringAsync();
        return text.Split('\n').SingleOrDefault(line) is { } found
            ? (long)double.Parse(found[(found.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>Reads until <paramref name="done"/> holds, for at most 10 s.</summary>
    private static async Task WaitForAsync(Func<Task<long>> read, Func<long, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long last;
        while (!done(last = await read()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The condition never held; last read {last}.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task ThreeNodesOnOnePostgresGrantNoMoreThanTheRateLimitInOneWindow()
    {
        await using var nodes = await TollgateCluster.StartAsync(3, ApiSetup.CatalogOf("rates", RateLimitsContract.Catalog));
        var (first, second) = (nodes[0], nodes[1]);
        await first.CustomerAsync("c1");

        // The test clocks are frozen at one instant, so every request falls in the same one-second window.
        var responses = await Task.WhenAll(Enumerable.Range(0, 90).Select(i => nodes[i].ConsumeAsync("c1", "calls")));
        var usage = await (await second.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(5L, usage["features"]!["calls"]!["used"].Value<long>());
    }

    [Fact]
    public async Task ThreeNodesOnOnePostgresGrantNoMoreThanAFeaturesOwnRateLimitAndGiveRefusedTurnsBack()
    {
        await using var nodes = await TollgateCluster.StartAsync(3, ApiSetup.CatalogOf("rates", RateLimitsContract.Catalog));
        var (first, second) = (nodes[0], nodes[1]);
        await first.CustomerAsync("c1");
        await first.SubscribeAsync("c1", "solo");
        await first.CustomerAsync("c2");
        await first.SubscribeAsync("c2", "solo");
        Assert.Equal(HttpStatusCode.OK, (await second.ConsumeAsync("c2", "capped", 9)).StatusCode);

        // The test clocks are frozen, so every request falls in one window. c2's quota refuses all but its one-unit call, and
        // each refusal gives its rate-limit turn back, so none of them is refused for the rate.
        var calls = Enumerable.Range(0, 90).Select(i => nodes[i].ConsumeAsync("c1", "calls"));
        var capped = Enumerable.Range(0, 30).Select(i => nodes[i].ConsumeAsync("c2", "capped", i == 0 ? 1 : 2));
        var responses = await Task.WhenAll(calls.Concat(capped));
        var usage = await (await second.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();
        var errors = await Task.WhenAll(responses.Skip(90).Where(r => r.StatusCode != HttpStatusCode.OK)
            .Select(async r => (await r.ReadAsync())["error"].Value<string>()));

        Assert.Equal(5, responses.Take(90).Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(5L, usage["features"]!["calls"]!["used"].Value<long>());
        Assert.Equal(1, responses.Skip(90).Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(Enumerable.Repeat("quota_exceeded", 29), errors);
    }

    [Fact]
    public async Task AConsumeOnOneNodeHonoursThePlanChangeGrantAndMemberRemovalAnotherNodeJustMade()
    {
        await using var nodes = await TollgateCluster.StartAsync(3, ApiSetup.CatalogOf("teams", Teams.TeamsCatalog.Json));
        var (first, second) = (nodes[0], nodes[1]);
        foreach (var customer in new[] { "upgraded", "granted", "acme" })
        {
            await first.CustomerAsync(customer);
        }

        // The second node serves these first, so it holds each context in memory: the free plan's five exports, all used.
        foreach (var customer in new[] { "upgraded", "granted" })
        {
            Assert.Equal(HttpStatusCode.OK, (await second.ConsumeAsync(customer, "exports", 5)).StatusCode);
            Assert.Equal(HttpStatusCode.TooManyRequests, (await second.ConsumeAsync(customer, "exports")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Created, (await first.Admin.PutJsonAsync("/v1/customers/acme/members/bob", new { email = "bob@acme.example" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.ConsumeAsync("bob", "exports")).StatusCode);

        await first.SubscribeAsync("upgraded", "enterprise");
        var grant = await first.Admin.PostJsonAsync("/v1/customers/granted/grants", new { feature = "exports", amount = 2, reason = "support" });
        var removal = await first.Admin.DeleteAsync("/v1/customers/acme/members/bob");
        var upgraded = await second.ConsumeAsync("upgraded", "exports");
        var granted = await second.ConsumeAsync("granted", "exports");
        var removed = await second.ConsumeAsync("bob", "exports");

        var (upgradedBody, grantedBody) = (await upgraded.ReadAsync(), await granted.ReadAsync());

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.NoContent), (grant.StatusCode, removal.StatusCode));
        Assert.Equal((HttpStatusCode.OK, "unlimited", "enterprise"),
            (upgraded.StatusCode, upgradedBody["reason"].Value<string>(), upgradedBody["plan"].Value<string>()));
        Assert.Equal((HttpStatusCode.OK, "credit_grant", 1L),
            (granted.StatusCode, grantedBody["reason"].Value<string>(), grantedBody["granted_remaining"].Value<long>()));
        Assert.Equal(HttpStatusCode.NotFound, removed.StatusCode);
    }

    [Fact]
    public async Task TwoNodesRunningTheBillingWorkerTogetherRenewEachSubscriptionExactlyOnce()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var nodes = await TollgateCluster.StartAsync(2, ApiSetup.BillingCatalog(), start);
        var (first, second) = (nodes[0], nodes[1]);
        var customers = Enumerable.Range(0, 20).Select(i => $"c{i}").ToList();
        foreach (var customer in customers)
        {
            await first.CustomerAsync(customer);
            await first.SubscribeAsync(customer, "silver", collection: "charge_automatically");
        }

        var target = new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero);
        await Task.WhenAll(first.AdvanceToAsync(target), second.AdvanceToAsync(target));

        foreach (var customer in customers)
        {
            var invoices = await first.InvoicesAsync(customer);
            Assert.Equal(["2026-01-01", "2026-02-01", "2026-03-01"], invoices.Select(i => i["issued_at"].Value<string>()![..10]));
        }

        var numbers = new List<string>();
        foreach (var customer in customers)
        {
            numbers.AddRange((await second.InvoicesAsync(customer)).Select(i => i["number"].Value<string>()!));
        }

        Assert.Equal(60, numbers.Distinct().Count());
        Assert.Equal("TG-2026-000060", numbers.Max());
    }
}
