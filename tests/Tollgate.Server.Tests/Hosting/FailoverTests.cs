using System.Globalization;
using Tollgate.Testing;
using Xunit.Abstractions;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>
/// The primary dies under load (kill -9 of its postmaster) and its synchronous standby is promoted, as Patroni or
/// pg_auto_failover would do it, while two nodes serve on a connection string that names both hosts.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const long Limit = 1_000_000;
    private const long NearTheCap = Limit - 25; // the "full" customer starts here, so the load takes it to the cap
    private static readonly TimeSpan ServeAgainWithin = TimeSpan.FromSeconds(15);

    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "calls", "name": "Calls", "unit": "calls", "kind": "metered" } ],
          "plans": [ { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
                       "features": [ { "feature_code": "calls", "monthly_quota": 1000000 } ] } ]
        }
        """;

    [Fact]
    public async Task AfterThePrimaryIsKilledAndTheStandbyPromotedNoConsumeIsLostNoCapPassedNoAnswerIs500AndBothNodesServeWithin15s()
    {
        // The whole test is bounded: a step that hangs fails it with the step's name instead of holding the run.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        var step = "starting a primary with a synchronous standby";
        try
        {
            await using var postgres = await ReplicatedPostgres.StartAsync("tollgate", deadline.Token);
            step = "starting two nodes on the multi-host connection string";
            var settings = ApiSetup.CatalogOf("failover", Catalog);
            settings["Tollgate:Webhooks:AllowPrivateTargets"] = "true";
            settings["Tollgate:Webhooks:PollInterval"] = "00:00:00.100";
            await using var first = await TollgateApp.StartAsync(StoreKind.Postgres, settings, connectionString: postgres.MultiHost("tollgate"));
            await using var second = await TollgateApp.StartAsync(StoreKind.Postgres, settings, connectionString: postgres.MultiHost("tollgate"));
            var customers = Enumerable.Range(0, 8).Select(i => $"c{i}").Append("full").ToArray();
            foreach (var customer in customers)
            {
                await first.CustomerAsync(customer);
            }

            Assert.Equal(System.Net.HttpStatusCode.OK, (await first.ConsumeAsync("full", "calls", NearTheCap, "fill")).StatusCode);
            await using var receiver = await WebhookReceiver.StartAsync();
            Assert.Equal(System.Net.HttpStatusCode.Created, (await first.Admin.PostJsonAsync("/v1/admin/webhook-endpoints",
                new { url = receiver.Url.ToString(), events = new[] { "customer.created" } })).StatusCode);

            step = "running consume load";
            var load = new ConsumeLoad([first, second], customers, "calls");
            load.Start(workers: 12);
            await WaitUntilAsync(() => load.Answers.Count(a => a.Status == 200) >= 300, deadline.Token);

            step = "killing the primary and promoting the standby";
            var killedAt = load.Now;
            postgres.KillPrimary();
            await Task.Delay(TimeSpan.FromSeconds(1), deadline.Token); // the nodes meet a primary that is gone
            await postgres.PromoteStandbyAsync();
            var promotedAt = load.Now;

            step = "waiting for both nodes to serve again";
            bool Served(int node) => load.Answers.Any(a => a.Node == node && a.SentAt >= promotedAt && a.Status is 200 or 429);
            using (var serving = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token))
            {
                serving.CancelAfter(ServeAgainWithin + TimeSpan.FromSeconds(5));
                await WaitUntilAsync(() => Served(0) && Served(1), serving.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            await Task.Delay(TimeSpan.FromSeconds(1), deadline.Token); // some load on the new primary
            step = "stopping the load";
            await load.StopAsync().WaitAsync(TimeSpan.FromSeconds(40), deadline.Token);

            // The webhook workers met the outage too: one of them still delivers what is queued after it.
            step = "waiting for a webhook queued after the switch";
            await second.CustomerAsync("after-switch");
            Assert.Contains("after-switch", (await receiver.WaitForAsync(1, TimeSpan.FromSeconds(20)))[0].Body, StringComparison.Ordinal);

            step = "reading the usage the new primary holds";
            var answers = load.Answers.ToList();
            var acknowledged = answers.Where(a => a.Status == 200).GroupBy(a => a.Customer).ToDictionary(g => g.Key, g => (long)g.Count());
            var used = new Dictionary<string, long>();
            foreach (var customer in customers)
            {
                var usage = await (await first.Admin.GetAsync($"/v1/customers/{customer}/usage")).ReadAsync();
                used[customer] = usage["features"]!["calls"]!["used"].Value<long>();
            }

            var lost = customers.Sum(c => Math.Max(0, acknowledged.GetValueOrDefault(c) + (c == "full" ? NearTheCap : 0) - used[c]));
            var servedAgain = new[] { 0, 1 }.Select(node => answers.Where(a => a.Node == node && a.SentAt >= promotedAt && a.Status is 200 or 429)
                .Select(a => a.AnsweredAt - promotedAt).DefaultIfEmpty(double.PositiveInfinity).Min()).ToArray();
            var duringSwitch = answers.Where(a => a.AnsweredAt >= killedAt && a.SentAt <= promotedAt + servedAgain.Max())
                .GroupBy(a => a.Error is null ? $"{a.Status}" : $"{a.Status} {a.Error}").OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key}: {g.Count()}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"acknowledged {acknowledged.Values.Sum()}, lost {lost}, used past the cap {Math.Max(0, used["full"] - Limit)}; " +
                $"killed at {killedAt:F1} s, promoted at {promotedAt:F1} s; nodes served again {servedAgain[0]:F1} s and {servedAgain[1]:F1} s " +
                $"after the promotion; answers during the switch: {string.Join(", ", duringSwitch)}"));

            // A consume whose COMMIT went out just before the kill may have committed: it is told so (commit_outcome_unknown),
            // still a 503 with Retry-After and never a 500.
            var wrong = answers.Where(a => !(a.Status == 200 || a is { Status: 429, Error: "quota_exceeded" }
                || a is { Status: 503, Error: "database_unavailable" or "commit_outcome_unknown", RetryAfter: true })).ToList();
            Assert.True(wrong.Count == 0, $"{wrong.Count} answers were neither a 2xx, a 429 decision nor 503 database_unavailable or " +
                $"commit_outcome_unknown with Retry-After; " +
                $"the first: {wrong.FirstOrDefault()}");
            Assert.Equal(0, lost);
            Assert.True(used["full"] <= Limit, $"the capped customer used {used["full"]} of {Limit}");
            Assert.Contains(answers, a => a is { Customer: "full", Status: 429 });
            Assert.All(servedAgain, s => Assert.True(s <= ServeAgainWithin.TotalSeconds,
                string.Create(CultureInfo.InvariantCulture, $"nodes served again {servedAgain[0]:F1} s and {servedAgain[1]:F1} s after the promotion")));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Assert.Fail($"The failover test hung while {step}.");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The failover test hung while {step}.");
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}
