using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>
/// A commit that waits for a synchronous standby which does not answer is canceled by the client's command timeout, and
/// PostgreSQL then reports it committed on the primary with only a warning. A failover would lose it, so Tollgate must not
/// answer 2xx for it (an outside trial saw 200, then a promotion without the consume and a second one past the cap).
/// </summary>
public sealed class SynchronousStandbyTests
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "calls", "name": "Calls", "unit": "calls", "kind": "metered" } ],
          "plans": [ { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
                       "features": [ { "feature_code": "calls", "monthly_quota": 100 } ] } ]
        }
        """;

    [Fact]
    public async Task ACommitTheSynchronousStandbyNeverConfirmedIsAnswered503CommitOutcomeUnknownNever200()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        await using var postgres = await ReplicatedPostgres.StartAsync("tollgate", deadline.Token);
        // A short command timeout stands in for Npgsql's 30 s default: it cancels the wait for the standby sooner.
        await using var node = await TollgateApp.StartAsync(StoreKind.Postgres, ApiSetup.CatalogOf("sync-standby", Catalog),
            connectionString: postgres.MultiHost("tollgate") + ";Command Timeout=2");
        await node.CustomerAsync("capy");
        var replicated = await node.ConsumeAsync("capy", "calls", 1);

        await postgres.StopStandbyAsync();
        var consume = await node.ConsumeAsync("capy", "calls", 50, "ly-1");
        var upsert = await node.Admin.PutJsonAsync("/v1/customers/capy", new { name = "Capy" });

        Assert.Equal(HttpStatusCode.OK, replicated.StatusCode);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "commit_outcome_unknown"), (consume.StatusCode, (await consume.ReadAsync())["error"].Value<string>()));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "commit_outcome_unknown"), (upsert.StatusCode, (await upsert.ReadAsync())["error"].Value<string>()));
    }
}
