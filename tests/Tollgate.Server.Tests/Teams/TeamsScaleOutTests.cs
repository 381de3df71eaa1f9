using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Teams;

/// <summary>Three server nodes sharing one PostgreSQL never seat more members than an organisation bought, nor share past a member's limit.</summary>
public sealed class TeamsScaleOutTests
{
    [Fact]
    public async Task ThreeNodesAddingMembersConcurrentlyNeverPassTheSeatsAndHoldEachMemberToTheirShare()
    {
        await using var nodes = await TollgateCluster.StartAsync(3, ApiSetup.CatalogOf("teams", TeamsCatalog.Json));
        var (first, third) = (nodes[0], nodes[2]);
        await first.CustomerAsync("acme");
        Assert.Equal(HttpStatusCode.Created, (await first.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "acme", plan = "team", seats = 4 })).StatusCode);

        var additions = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            nodes[i].Admin.PutJsonAsync($"/v1/customers/acme/members/m{i:D2}", new { email = $"m{i}@acme.example" })));
        var seated = await (await third.Admin.GetAsync("/v1/customers/acme/members?limit=100")).ReadAsync();
        var member = seated["data"]![0]!["id"].Value<string>()!;
        var consumes = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => nodes[i].ConsumeAsync(member, "reports")));

        Assert.Equal(4, additions.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(56, additions.Count(r => r.StatusCode == HttpStatusCode.PaymentRequired));
        Assert.Equal(4, seated["data"]!.AsArray().Count);
        Assert.Equal(4, consumes.Count(r => r.StatusCode == HttpStatusCode.OK));
    }
}
