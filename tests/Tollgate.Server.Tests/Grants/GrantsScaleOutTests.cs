using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Grants;

/// <summary>Three server nodes on one PostgreSQL spend a customer's grants exactly, never past them.</summary>
public sealed class GrantsScaleOutTests
{
    [Fact]
    public async Task ThreeNodesSharingOnePostgresSpendExactlyTheAllowanceAndTheGrants()
    {
        await using var nodes = await TollgateCluster.StartAsync(3, ApiSetup.RulesCatalog());
        var (first, second, third) = (nodes[0], nodes[1], nodes[2]);
        await first.CustomerAsync("shared");
        foreach (var (amount, priority) in new[] { (40L, 10), (25L, 50), (35L, 90) })
        {
            var created = await second.Admin.PostJsonAsync("/v1/customers/shared/grants", new { feature = "capped", amount, priority });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, 450).Select(i => nodes[i].ConsumeAsync("shared", "capped", 1 + (i % 2))));
        var grants = (await (await third.Admin.GetAsync("/v1/customers/shared/grants")).ReadAsync())["data"]!.AsArray();
        var usage = await (await first.Admin.GetAsync("/v1/customers/shared/usage")).ReadAsync();
        var allowed = responses.Select((r, i) => r.StatusCode == HttpStatusCode.OK ? 1 + (i % 2) : 0).Sum();

        Assert.All(grants, g => Assert.True(g!["used"].Value<long>() <= g["amount"].Value<long>()));
        Assert.Equal(100L, usage["features"]!["capped"]!["used"].Value<long>());
        Assert.Equal(allowed, 100 + grants.Sum(g => g!["used"].Value<long>()));
        Assert.True(allowed >= 199, $"allowed {allowed}: at most one unit of the 200 may be left when a 2-unit consume does not fit");
    }
}
