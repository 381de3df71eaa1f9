using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

public sealed class JsonMetadataSharingTests
{
    [Fact]
    public async Task TwoHostsInOneProcessShareOneResolverChainSoTheirJsonMetadataIsBuiltOnce()
    {
        // System.Text.Json shares its type metadata among options of equal settings whose resolver is the same instance;
        // ASP.NET Core puts a new ProblemDetails context in each host's chain, which made every test host build it again.
        await using var first = await TollgateApp.StartAsync(StoreKind.Sqlite);
        await using var second = await TollgateApp.StartAsync(StoreKind.Sqlite);

        var one = first.Get<IOptions<JsonOptions>>().Value.SerializerOptions;
        var other = second.Get<IOptions<JsonOptions>>().Value.SerializerOptions;

        Assert.Same(one.TypeInfoResolver, other.TypeInfoResolver);
        Assert.Equal(one.Converters, other.Converters);
        // The chain the framework built is kept, in its order: its contexts still answer for their own types.
        Assert.Contains(one.TypeInfoResolverChain, resolver => resolver.GetType().Name == "ProblemDetailsJsonContext");
        Assert.Same(JsonNamingPolicy.SnakeCaseLower, one.PropertyNamingPolicy);
        // The second host answers in the wire format through the shared chain: a problem (ProblemDetails' own context),
        // and a customer in snake_case with its instant in UTC (the shared converters).
        var missing = await second.Admin.GetAsync("/v1/customers/nobody");
        var problem = await missing.ReadAsync();
        await second.CustomerAsync("c1");
        var customer = await (await second.Admin.GetAsync("/v1/customers/c1")).ReadAsync();

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("not_found", problem["error"].Value<string>());
        Assert.Equal("customer", problem["resource"].Value<string>());
        Assert.EndsWith("Z", customer["created_at"].Value<string>(), StringComparison.Ordinal);
    }
}
