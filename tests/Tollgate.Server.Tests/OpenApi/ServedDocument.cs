using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.OpenApi;

/// <summary>The OpenAPI document one server serves (test clock on, so its routes are in it too), fetched once per test class.</summary>
public sealed class ServedDocument : IAsyncLifetime
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    public JsonNode Document { get; private set; } = null!;

    public IReadOnlyList<(string Path, string Method, JsonObject Operation)> Operations { get; private set; } = [];

    public JsonObject Schemas => Document["components"]!["schemas"]!.AsObject();

    public async Task InitializeAsync()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.RulesCatalog());
        Document = await (await app.Anonymous.GetAsync("/openapi/v1.json")).ReadAsync();
        Operations = [.. Document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Where(m => Methods.Contains(m.Key))
            .Select(m => (p.Key, m.Key, m.Value!.AsObject())))];
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public JsonObject Operation(string method, string path) => Operations.Single(o => o.Method == method && o.Path == path).Operation;
}
