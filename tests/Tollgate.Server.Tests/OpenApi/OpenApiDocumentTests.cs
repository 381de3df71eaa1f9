using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.OpenApi;

/// <summary>The OpenAPI document says what the server really does; the npm lint and typed-client check is tests/openapi/run.sh.</summary>
public sealed class OpenApiDocumentTests
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Where(m => Methods.Contains(m.Key))
            .Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    [Fact]
    public async Task EveryOperationsDocumentedRoleIsTheOneTheServerEnforces()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.RulesCatalog());
        var secretKey = (await (await app.Admin.PostJsonAsync("/v1/admin/keys", new { name = "probe", role = "secret" })).ReadAsync())["key"].Value<string>()!;
        var secret = app.WithKey(secretKey);
        var document = await (await app.Anonymous.GetAsync("/openapi/v1.json")).ReadAsync();
        var wrong = new List<string>();

        foreach (var (path, method, operation) in Operations(document))
        {
            var role = operation["x-tollgate-role"].Value<string>();
            var url = System.Text.RegularExpressions.Regex.Replace(path, "{[^}]+}", "probe");
            var anonymous = await SendAsync(app.Anonymous, method, url);
            var withSecret = await SendAsync(secret, method, url);
            var actual = anonymous != HttpStatusCode.Unauthorized ? "public" : withSecret == HttpStatusCode.Forbidden ? "admin" : "secret";
            var secured = operation["security"]!.AsArray().Count > 0;
            if (actual != role || secured != (role != "public"))
            {
                wrong.Add($"{method} {path}: documented {role} (security {secured}), enforced {actual}");
            }
        }

        Assert.Empty(wrong);
    }

    /// <summary>What a customer session token may call: its own customer's reads, checkout, portal and pack purchase.</summary>
    private static readonly string[] SessionScope =
    [
        "get /v1/customers/{id}/entitlements", "get /v1/customers/{id}/usage", "get /v1/customers/{id}/alerts",
        "get /v1/customers/{id}/invoices", "get /v1/customers/{id}/upcoming-invoice", "post /v1/customers/{id}/portal-sessions",
        "post /v1/customers/{id}/packs/checkout-sessions", "post /v1/entitlements/check", "post /v1/billing/checkout-sessions",
        "post /v1/billing/portal-sessions",
    ];

    [Fact]
    public async Task ACustomerSessionReachesOnlyItsScopeAndOnlyForItsOwnCustomerOnEveryOperation()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.RulesCatalog());
        await app.CustomerAsync("probe");
        await app.CustomerAsync("other");
        var minted = await (await app.Admin.PostJsonAsync("/v1/customers/probe/sessions", new { })).ReadAsync();
        var session = app.WithKey(minted["token"].Value<string>()!);
        var document = await (await app.Anonymous.GetAsync("/openapi/v1.json")).ReadAsync();
        var wrong = new List<string>();

        foreach (var (path, method, operation) in Operations(document))
        {
            if (operation["x-tollgate-role"].Value<string>() == "public")
            {
                continue;
            }

            var inScope = SessionScope.Contains($"{method} {path}");
            var own = await SendAsync(session, method, System.Text.RegularExpressions.Regex.Replace(path, "{[^}]+}", "probe"), "probe");
            var others = await SendAsync(session, method, System.Text.RegularExpressions.Regex.Replace(path, "{[^}]+}", "other"), "other");
            if (inScope ? own is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized : own != HttpStatusCode.Forbidden)
            {
                wrong.Add($"{method} {path}: own customer answered {(int)own}, {(inScope ? "in" : "out of")} scope");
            }

            if (others != HttpStatusCode.Forbidden)
            {
                wrong.Add($"{method} {path}: another customer answered {(int)others}");
            }
        }

        Assert.Empty(wrong);
    }

    [Fact]
    public async Task OperationsHaveUniqueIdsTypedErrorsAndTypedInstants()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.RulesCatalog());
        var document = await (await app.Anonymous.GetAsync("/openapi/v1.json")).ReadAsync();
        var operations = Operations(document).ToList();

        var ids = operations.Select(o => o.Operation["operationId"].Value<string>()).ToList();
        var untypedErrors = operations.SelectMany(o => o.Operation["responses"]!.AsObject()
                .Where(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture) >= 400
                    && r.Value!["content"]?["application/problem+json"]?["schema"]?["$ref"].Value<string>() != "#/components/schemas/Problem")
                .Select(r => $"{o.Method} {o.Path} {r.Key}"));
        var untypedInstants = UntypedInstants(document);

        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(id)));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Empty(untypedErrors);
        Assert.Equal(0, untypedInstants);
        Assert.Equal(("http", "bearer"), (document["components"]!["securitySchemes"]!["bearer"]!["type"].Value<string>(),
            document["components"]!["securitySchemes"]!["bearer"]!["scheme"].Value<string>()));
        Assert.Contains(operations, o => o.Path == "/v1/entitlements/consume" && o.Operation["responses"]!["429"]!["headers"]!["Retry-After"] is not null);
    }

    /// <summary>Date-time schemas that do not say type string, anywhere under <paramref name="node"/>.</summary>
    private static int UntypedInstants(JsonNode node) => node switch
    {
        JsonObject o => (o["format"] is JsonValue f && f.GetValueKind() == System.Text.Json.JsonValueKind.String && f.GetValue<string>() == "date-time"
                && o["type"]?.ToJsonString().Contains("string", StringComparison.Ordinal) != true ? 1 : 0)
            + o.Sum(p => p.Value is null ? 0 : UntypedInstants(p.Value)),
        JsonArray a => a.Sum(i => i is null ? 0 : UntypedInstants(i)),
        _ => 0,
    };

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string method, string url, string? customer = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
        if (method is "post" or "put")
        {
            var body = customer is null ? "{}" : $"{{\"customer\": \"{customer}\"}}";
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
