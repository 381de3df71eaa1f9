using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Llm;

/// <summary>Two server nodes on one PostgreSQL log batches of calls for the same customers at once: every call, token and nano-USD counts once.</summary>
public sealed class LlmScaleOutTests
{
    private static readonly string Catalog = CatalogWith("\"llm_budget_usd\": 0.01,", "\"limit\": 100000");

    /// <summary>One free plan: "chat" uses the LLM and "tokens" meters its calls' total tokens, as <paramref name="tokens"/> grants them.</summary>
    private static string CatalogWith(string planExtras, string tokens) => $$"""
        {
          "default_plan": "free",
          "features": [
            { "code": "chat", "name": "Chat", "unit": "messages", "kind": "metered", "uses_llm": true },
            { "code": "tokens", "name": "Tokens", "unit": "tokens", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", {{planExtras}} "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [
                { "feature_code": "chat", "limit": null },
                { "feature_code": "tokens", {{tokens}}, "meter": { "llm": "total_tokens", "features": ["chat"] } } ] }
          ]
        }
        """;

    private const int Customers = 6, Batches = 12, CallsPerCustomer = 4;
    // gpt-4o: 1,000 input tokens cost $0.0025; each customer's 48 calls ($0.12) spend the $0.01 budget and the grant with it.
    private const long CallNano = 2_500_000, GrantNano = 5_000_000;

    [Fact]
    public async Task TwoNodesConsumingAFeatureThatUsesTheLlmAtOnceNeverPassItsHardCapAndBothRefuseOnceACallSpendsTheBudget()
    {
        var nodes = await TollgateCluster.StartAsync(2, ApiSetup.CatalogOf("llm-scale-out-consume", LlmFeatureConsumeContract.Catalog));
        try
        {
            foreach (var customer in new[] { "c1", "c2" })
            {
                await nodes.First.CustomerAsync(customer);
                Assert.Equal(HttpStatusCode.OK, (await nodes[0].ConsumeAsync(customer, "chat")).StatusCode); // each node remembers the
                Assert.Equal(HttpStatusCode.OK, (await nodes[1].ConsumeAsync(customer, "chat")).StatusCode); // customer's context
            }

            var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => nodes[i].ConsumeAsync("c1", "chat")));
            // gpt-4o input is $2.50 per 1M tokens: 4,000 tokens cost $0.01, c2's whole budget, logged on one node.
            var call = await nodes[1].Admin.PostJsonAsync("/v1/llm/usage", new { customer = "c2", feature = "chat", model = "gpt-4o", input_tokens = 4000 });
            var afterCall = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => nodes[i].ConsumeAsync("c2", "chat")));
            var reasons = await Task.WhenAll(afterCall.Select(async a => (await a.ReadAsync())["error"].Value<string>()));
            var used = await (await nodes.First.Admin.GetAsync("/v1/customers/c2/usage")).ReadAsync();

            Assert.Equal(18, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
            Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.TooManyRequests, a.StatusCode));
            Assert.Equal(20, (await (await nodes[1].Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync())["features"]!["chat"]!["used"].Value<long>());
            Assert.Equal(HttpStatusCode.OK, call.StatusCode);
            Assert.All(reasons, r => Assert.Equal("budget_exceeded", r));
            Assert.Equal(2, used["features"]!["chat"]!["used"].Value<long>());
        }
        finally
        {
            await nodes.DisposeAsync();
        }
    }

    [Fact]
    public async Task TwoNodesLoggingBatchesOfTheSameCustomersAtOnceCountEveryCallTokenAndNanoUsdOnceAndNeverOverdrawAGrant()
    {
        var nodes = await TollgateCluster.StartAsync(2, ApiSetup.CatalogOf("llm-scale-out", Catalog));
        var database = nodes.First.ConnectionString;
        var customers = Enumerable.Range(0, Customers).Select(i => $"c{i}").ToArray();
        try
        {
            foreach (var customer in customers)
            {
                await nodes.First.CustomerAsync(customer);
                var grant = await nodes[1].Admin.PostJsonAsync($"/v1/customers/{customer}/grants", new { feature = "$llm_budget", amount = GrantNano });
                Assert.Equal(HttpStatusCode.Created, grant.StatusCode);
            }

            // Each batch names every customer, in an order of its own; the first batch is sent twice, to both nodes at once.
            var batches = Enumerable.Range(0, Batches).Select(b => (object)new { calls = Batch(customers, b) }).ToList();
            var sent = batches.Select((body, b) => nodes[b].Admin.PostJsonAsync("/v1/llm/usage", body)).Append(nodes[1].Admin.PostJsonAsync("/v1/llm/usage", batches[0]));
            var answers = await Task.WhenAll(sent);
            var retried = await nodes[1].Admin.PostJsonAsync("/v1/llm/usage", batches[^1]);

            var bodies = new List<System.Text.Json.Nodes.JsonNode>();
            foreach (var answer in answers.Append(retried))
            {
                Assert.True(answer.StatusCode == HttpStatusCode.OK, $"a batch answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
                bodies.Add(await answer.ReadAsync());
            }

            var perCustomer = Batches * CallsPerCustomer;
            Assert.Equal((Batches * Customers * CallsPerCustomer, 2 * Customers * CallsPerCustomer),
                (bodies.Sum(b => b["accepted"].Value<int>()), bodies.Sum(b => b["duplicates"].Value<int>())));
            Assert.Equal(Batches * Customers * CallsPerCustomer, await PostgresServer.ScalarAsync(database, "SELECT COUNT(*) FROM llm_calls"));
            Assert.Equal(Batches * Customers * CallsPerCustomer * CallNano, await PostgresServer.ScalarAsync(database, "SELECT SUM(cost_nano) FROM llm_daily"));
            foreach (var customer in customers)
            {
                var budget = await (await nodes[0].Admin.GetAsync($"/v1/customers/{customer}/llm-budget")).ReadAsync();
                var grants = (await (await nodes[1].Admin.GetAsync($"/v1/customers/{customer}/grants")).ReadAsync())["data"]!.AsArray();
                var usage = await (await nodes[0].Admin.GetAsync($"/v1/customers/{customer}/usage")).ReadAsync();
                // Spend past the budget is drawn from the grant, which is used up exactly; the rest stays on the budget's counter.
                Assert.Equal((GrantNano, perCustomer * CallNano - GrantNano),
                    (grants.Single()!["used"].Value<long>(), (long)(budget["spent_usd"].Value<decimal>() * 1_000_000_000m)));
                Assert.Equal(perCustomer * 1_000L, usage["features"]!["tokens"]!["used"].Value<long>());
                Assert.Equal(GrantNano, await PostgresServer.ScalarAsync(database, $"SELECT SUM(amount) FROM llm_grant_draws WHERE customer_id = '{customer}'"));
            }
        }
        finally
        {
            await nodes.DisposeAsync();
        }

        // Every batch takes counters, then grants, then rollups, each in customer order, so none deadlocks with another.
        Assert.Equal(0, await nodes.DeadlocksAsync());
    }

    private static readonly string TeamCatalog = CatalogWith("", "\"limit\": 100000000, \"per_member_limit\": 100000000");

    [Fact]
    public async Task MembersCallsLoggedOnOneNodeWhileTheirConsumesRunOnAnotherNeverDeadlockAndCountEveryToken()
    {
        // A member's calls count in the organisation's meter and the member's share; consumes take the organisation's row
        // first, so a batch of calls must too, though a member's id sorts apart from their organisation's.
        var memberOf = new Dictionary<string, string> { ["zed-of-acme"] = "acme", ["ann-of-beta"] = "beta" };
        string[] named = ["acme", "beta", .. memberOf.Keys];
        var nodes = await TollgateCluster.StartAsync(2, ApiSetup.CatalogOf("llm-teams", TeamCatalog));
        var database = nodes.First.ConnectionString;
        const int Rounds = 10;
        try
        {
            foreach (var organisation in memberOf.Values)
            {
                await nodes.First.CustomerAsync(organisation);
            }

            foreach (var (member, organisation) in memberOf)
            {
                var added = await nodes.First.Admin.PutJsonAsync($"/v1/customers/{organisation}/members/{member}", new { name = "M" });
                Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            }

            for (var round = 0; round < Rounds; round++)
            {
                var calls = new[] { named, named.Reverse().ToArray() }.Select((order, n) => nodes[n].Admin.PostJsonAsync("/v1/llm/usage", new
                {
                    calls = order.Select(customer => new { customer, feature = "chat", model = "gpt-4o", input_tokens = 1000,
                        request_id = $"r{round}-{n}-{customer}" }).ToArray(),
                }));
                var consumes = named.SelectMany((customer, i) => new[] { nodes[i].ConsumeAsync(customer, "tokens"), nodes[i + 1].ConsumeAsync(customer, "tokens") });
                var answers = await Task.WhenAll(calls.Concat(consumes));
                Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            }

            foreach (var organisation in memberOf.Values)
            {
                // Each round: the organisation's and its member's call on both nodes (1,000 tokens each), and their two consumes each.
                var usage = await (await nodes[1].Admin.GetAsync($"/v1/customers/{organisation}/usage")).ReadAsync();
                Assert.Equal(Rounds * (2 * 2 * 1_000L + 2 * 2), usage["features"]!["tokens"]!["used"].Value<long>());
            }

            foreach (var member in memberOf.Keys)
            {
                // The member's own share (its counter row: the API shows it only in a refusal): their call on both nodes and
                // their two consumes, each round.
                Assert.Equal(Rounds * (2 * 1_000L + 2), await PostgresServer.ScalarAsync(database,
                    $"SELECT used FROM usage_counters WHERE customer_id = '{member}' AND feature_code = 'tokens'"));
            }
        }
        finally
        {
            await nodes.DisposeAsync();
        }

        Assert.Equal(0, await nodes.DeadlocksAsync());
    }

    [Fact]
    public async Task ABatchLoggedOnOneNodeSnapshotsThePlanAnotherNodeJustMovedSomeOfItsCustomersTo()
    {
        var nodes = await TollgateCluster.StartAsync(2, ApiSetup.LlmCatalog());
        try
        {
            // Six customers, so that each bulk writer's share of a batch holds several, read together.
            var customers = Enumerable.Range(0, 6).Select(i => $"c{i}").ToArray();
            foreach (var customer in customers)
            {
                await nodes.First.CustomerAsync(customer);
            }

            async Task<string[]> PlansAsync(int batch)
            {
                var response = await nodes.First.Admin.PostJsonAsync("/v1/llm/usage", new
                {
                    calls = customers.Select(c => new { customer = c, feature = "chat", model = "gpt-4o", input_tokens = 1000, request_id = $"{c}-{batch}" }),
                });
                var body = await response.ReadAsync();
                return [.. body["calls"]!.AsArray().Select(c => c!["plan"].Value<string>()!)];
            }

            var before = await PlansAsync(1); // the first node now remembers every customer's context
            foreach (var moved in new[] { "c0", "c2", "c4" })
            {
                await nodes[1].SubscribeAsync(moved, "pro", collection: "charge_automatically");
            }

            var after = await PlansAsync(2);

            Assert.Equal(["free", "free", "free", "free", "free", "free"], before);
            Assert.Equal(["pro", "free", "pro", "free", "pro", "free"], after);
        }
        finally
        {
            await nodes.DisposeAsync();
        }
    }

    private static object[] Batch(string[] customers, int batch) =>
    [
        .. Enumerable.Range(0, customers.Length * CallsPerCustomer).Select(i => new
        {
            customer = customers[(batch % 2 == 0 ? i : customers.Length * CallsPerCustomer - 1 - i) % customers.Length],
            feature = "chat", model = "gpt-4o", input_tokens = 1000, request_id = $"b{batch}-{i}",
        }),
    ];
}
