using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Entitlements;

/// <summary>Three server nodes sharing one PostgreSQL, each with its own group committer, still decide exactly.</summary>
public sealed class ScaleOutTests
{
    [Fact]
    public async Task ThreeNodesSharingOnePostgresGrantExactlyTheLimitAndCountRetriesOnce()
    {
        var options = await TestDatabases.CreateAsync(StoreKind.Postgres, migrated: false);
        await using var first = await TollgateApp.StartAsync(StoreKind.Postgres, ApiSetup.RulesCatalog(), connectionString: options.ConnectionString);
        await using var second = await TollgateApp.StartAsync(StoreKind.Postgres, ApiSetup.RulesCatalog(), connectionString: options.ConnectionString);
        await using var third = await TollgateApp.StartAsync(StoreKind.Postgres, ApiSetup.RulesCatalog(), connectionString: options.ConnectionString);
        TollgateApp[] nodes = [first, second, third];
        await first.CustomerAsync("shared");
        await first.CustomerAsync("retried");

        var plain = Enumerable.Range(0, 500).Select(i => nodes[i % 3].ConsumeAsync("shared", "capped"));
        var retried = Enumerable.Range(0, 300).Select(i => nodes[i % 3].ConsumeAsync("retried", "capped", 1, $"order-{i % 40}"));
        var responses = await Task.WhenAll(plain.Concat(retried));

        Assert.Equal(100, responses.Take(500).Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(400, responses.Take(500).Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.All(responses.Skip(500), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var shared = await (await third.Admin.GetAsync("/v1/customers/shared/usage")).ReadAsync();
        var once = await (await second.Admin.GetAsync("/v1/customers/retried/usage")).ReadAsync();
        Assert.Equal(100, shared["features"]!["capped"]!["used"].Value<long>());
        Assert.Equal(40, once["features"]!["capped"]!["used"].Value<long>());
    }
}
