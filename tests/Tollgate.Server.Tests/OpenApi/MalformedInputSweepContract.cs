using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.OpenApi;

/// <summary>
/// Every operation the OpenAPI document lists, sent bodies and query strings built from its own schema with one value
/// at a time made wrong (another type, out of range, a control character, a lone surrogate, far too long), and bodies
/// that are not its JSON at all. None may answer 5xx: bad input is the caller's 4xx, whichever endpoint it reaches.
/// </summary>
public abstract partial class MalformedInputSweepContract : ApiContract
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    // Raw JSON, so values no typed serializer writes (a lone surrogate, a number past long) reach the server as sent.
    private static readonly string[] WrongValues =
    [
        "null", "\"\"", "\"x\"", "0", "-1", "1.5", "1e308", "2147483648", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "-9223372036854775809", "true", "[]", "{}", "[null]",
        "\"\\u0000\"", "\"\\ud800\"", "\"2026-13-45T99:00:00Z\"", $"\"{new string('a', 10_001)}\"",
    ];

    private static readonly string[] WrongBodies = ["", "null", "[]", "\"x\"", "{", "{\"a\":", "1", "{}", "{\"\":1}"];

    private static readonly string[] WrongQueryValues = ["x", "-1", "0", "99999999999999999999", "", "%00", "%ZZ", "1.5", "2026-13-45"];

    // Percent-encoded as a client sends them: bytes that are not UTF-8, a broken escape, and an id far longer than any
    // stored one. (A NUL in the path never reaches Tollgate: ASP.NET Core's decoder refuses it, and Kestrel answers 400.)
    private static readonly string[] WrongPathValues = ["%F0%28%8C%28", "%ZZ", "%", new('a', 1_000)];

    [Fact]
    public async Task NoOperationAnswersAWrongBodyPathOrQueryWithA5xx()
    {
        // With Stripe on (a fake that speaks its wire format), so the payment endpoints and Stripe's webhook are reached too.
        await using var harness = await PaymentsHarness.StartAsync(Kind);
        var app = harness.App;
        // Real objects behind the paths, so a body is read by the operation and not stopped by a 404 first.
        await app.CustomerAsync("c1", "c1@example.com");
        var subscription = await IdAsync(app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1", plan = "team", billing_period = "monthly" }));
        var reservation = await IdAsync(app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "c1", feature = "api_calls", amount = 1 }));
        var experiment = await app.RunningExperimentAsync();
        var objects = new Dictionary<string, string>
        {
            ["/v1/subscriptions/"] = subscription, ["/v1/reservations/"] = reservation, ["/v1/admin/experiments/"] = experiment,
            ["/v1/admin/plans/"] = "team", ["/v1/pricing/plans/"] = "team",
        };
        var document = await (await app.Anonymous.GetAsync("/openapi/v1.json")).ReadAsync();
        var schemas = document["components"]!["schemas"]!.AsObject();
        var failures = new List<string>();
        var sent = 0;

        // Deletions last, so the customer every path names is there for the rest.
        foreach (var (path, method, operation) in Operations(document).OrderBy(o => o.Method == "delete"))
        {
            var url = PathParameter().Replace(objects.TryGetValue(path.Split('{')[0], out var id) ? PathParameter().Replace(path, id, 1) : path, "c1");
            foreach (var parameter in PathParameter().Matches(path).Select(m => m.Value))
            {
                foreach (var value in WrongPathValues)
                {
                    await ProbeAsync(method, PathParameter().Replace(path.Replace(parameter, value, StringComparison.Ordinal), "c1"),
                        method is "post" or "put" or "patch" ? "{}" : null);
                }
            }

            if (operation["requestBody"]?["content"]?["application/json"]?["schema"] is { } schema)
            {
                foreach (var body in WrongBodies.Concat(Mutations(Resolve(schema, schemas), schemas, 0)))
                {
                    await ProbeAsync(method, url, body);
                }
            }

            foreach (var query in operation["parameters"]?.AsArray().Where(p => p!["in"].Value<string>() == "query") ?? [])
            {
                foreach (var value in WrongQueryValues)
                {
                    await ProbeAsync(method, $"{url}?{query!["name"].Value<string>()}={value}", null);
                }

                // A parameter given twice is refused, not joined or read as its first: `customer=a&customer=b` filtered on "a,b".
                using (var twice = await app.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()),
                    $"{url}?{query!["name"].Value<string>()}=1&{query["name"].Value<string>()}=2")))
                {
                    if (twice.StatusCode != HttpStatusCode.BadRequest || !(await twice.Content.ReadAsStringAsync()).Contains(query["name"].Value<string>()!, StringComparison.Ordinal))
                    {
                        failures.Add($"{method.ToUpperInvariant()} {url}?{query["name"].Value<string>()}=1&…=2 → {(int)twice.StatusCode}, not a 400 naming it");
                    }
                }

                // A parameter given empty is refused, not read as absent: `days=` answered the 30-day default, and
                // `customer=` listed every customer's invoices.
                {
                    using var empty = await app.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), $"{url}?{query["name"].Value<string>()}="));
                    if (empty.StatusCode != HttpStatusCode.BadRequest || !(await empty.Content.ReadAsStringAsync()).Contains(query["name"].Value<string>()!, StringComparison.Ordinal))
                    {
                        failures.Add($"{method.ToUpperInvariant()} {url}?{query["name"].Value<string>()}= → {(int)empty.StatusCode}, not a 400 naming it");
                    }
                }
            }
        }

        Assert.True(sent > 4_000, $"only {sent} requests were built from the document");
        Assert.True(failures.Count == 0, $"{failures.Count} answers were 5xx or took an empty number:\n{string.Join("\n", failures.Take(60))}");

        async Task ProbeAsync(string method, string url, string? body)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var response = await app.Admin.SendAsync(request);
            sent++;
            if ((int)response.StatusCode >= 500)
            {
                var text = await response.Content.ReadAsStringAsync();
                failures.Add($"{method.ToUpperInvariant()} {url} {Shorten(body)} → {(int)response.StatusCode} {Shorten(text)}");
            }
        }
    }

    [Fact]
    public async Task NoFormPostAnswersAFormThatDoesNotDecodeWithA5xx()
    {
        await using var app = await TollgateApp.StartAsync(Kind, ApiSetup.RulesCatalog());
        // Every POST route the server maps, the pages' forms among them, which the OpenAPI document does not list.
        var routes = app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods.Contains("POST") == true)
            .Select(e => PathParameter().Replace("/" + e.RoutePattern.RawText!.TrimStart('/'), "c1"))
            .Distinct().ToList();
        string[] forms = ["key=%00", "a=%", "a=%ZZ", "%00=1", "a=%F0%28%8C%28", $"a={new string('b', 200_000)}"];
        var failures = new List<string>();

        foreach (var route in routes)
        {
            foreach (var form in forms)
            {
                using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
                using var response = await app.Admin.PostAsync(new Uri(route, UriKind.Relative), content);
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"POST {route} {Shorten(form)} → {(int)response.StatusCode}");
                }
            }
        }

        Assert.True(routes.Count > 20, $"only {routes.Count} POST routes");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task NoPageAnswersAWrongQueryWithA5xx()
    {
        await using var app = await TollgateApp.StartAsync(Kind, ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1", "c1@example.com");
        var experiment = await app.RunningExperimentAsync();
        // One browser signed in to the console and holding a portal session, so both are read past their sign-in.
        using var browser = app.NewBrowser();
        (await browser.PostAsync(new Uri("/admin/login", UriKind.Relative), new FormUrlEncodedContent([new("key", TollgateApp.AdminKey)])))
            .EnsureSuccessStatusCode();
        var portal = (await (await app.Admin.PostJsonAsync("/v1/customers/c1/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;
        (await browser.GetAsync(new Uri(new Uri(portal).PathAndQuery, UriKind.Relative))).EnsureSuccessStatusCode();
        var routes = app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Where(r => !r.StartsWith("/v1/", StringComparison.Ordinal))
            .Select(r => PathParameter().Replace(r.StartsWith("/admin/experiments/", StringComparison.Ordinal) ? PathParameter().Replace(r, experiment, 1) : r, "c1"))
            .Distinct().ToList();
        // The query names the pages read, each with values of the wrong kind.
        string[] names = ["cursor", "customer", "email", "embed", "feature", "font", "brand", "format", "from", "to", "key", "kind", "limit",
            "model", "notice", "period", "plan", "presented", "promo", "provider", "q", "state", "status", "token", "usage", "visitor", "done"];
        string[] values = ["%ZZ", "x", "-1", "99999999999999999999", "", "%F0%28%8C%28", "%3Cscript%3E", new('a', 5_000)];
        var failures = new List<string>();

        foreach (var route in routes)
        {
            foreach (var query in names.SelectMany(n => values.Select(v => $"{n}={v}")))
            {
                using var response = await browser.GetAsync(new Uri($"{route}?{query}", UriKind.Relative));
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"GET {route}?{Shorten(query)} → {(int)response.StatusCode}");
                }
            }
        }

        Assert.True(routes.Count > 15, $"only {routes.Count} page routes");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(60)));
    }

    private static async Task<string> IdAsync(Task<HttpResponseMessage> created) => (await (await created).ReadAsync())["id"].Value<string>()!;

    private static string Shorten(string? text) => text is null ? "" : text.Length > 160 ? text[..160] + "…" : text;

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Where(m => Methods.Contains(m.Key))
            .Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    /// <summary>The schema itself, with a reference followed (and the first of anyOf/oneOf/allOf taken).</summary>
    private static JsonObject Resolve(JsonNode schema, JsonObject schemas)
    {
        var node = schema.AsObject();
        for (var depth = 0; depth < 8; depth++)
        {
            if (node["$ref"] is { } reference)
            {
                node = schemas[reference.Value<string>()!.Split('/')[^1]]!.AsObject();
            }
            else if ((node["allOf"] ?? node["anyOf"] ?? node["oneOf"]) is JsonArray { Count: > 0 } choices)
            {
                node = choices.Select(c => c!.AsObject()).FirstOrDefault(c => c["$ref"] is not null || TypeOf(c) != "null") ?? node;
                if (node["$ref"] is null && node["allOf"] is null && node["anyOf"] is null && node["oneOf"] is null)
                {
                    break;
                }
            }
            else
            {
                break;
            }
        }

        return node;
    }

    private static string TypeOf(JsonObject schema) => schema["type"] switch
    {
        JsonArray types => types.Select(t => t.Value<string>()).FirstOrDefault(t => t != "null") ?? "null",
        JsonValue type => type.GetValue<string>(),
        _ => schema["properties"] is not null ? "object" : "any",
    };

    /// <summary>A value the schema accepts in shape: the first enum value, a date for an instant, one item in an array.</summary>
    private static JsonNode? Valid(JsonObject schema, JsonObject schemas, int depth)
    {
        if (schema["enum"] is JsonArray { Count: > 0 } values)
        {
            return values[0]?.DeepClone();
        }

        return TypeOf(schema) switch
        {
            "string" => schema["format"].Value<string>() == "date-time" ? "2026-03-10T00:00:00Z" : "c1",
            "integer" or "number" => 1,
            "boolean" => false,
            "array" when depth < 3 && schema["items"] is { } items => new JsonArray(Valid(Resolve(items, schemas), schemas, depth + 1)),
            "array" => new JsonArray(),
            "object" when depth < 3 => new JsonObject(Properties(schema)
                .Select(p => KeyValuePair.Create(p.Key, Valid(Resolve(p.Value!, schemas), schemas, depth + 1)))),
            _ => null,
        };
    }

    private static IEnumerable<KeyValuePair<string, JsonNode?>> Properties(JsonObject schema) =>
        schema["properties"]?.AsObject() ?? [];

    /// <summary>The valid body with one value at a time, at any depth, replaced by each wrong value.</summary>
    private static IEnumerable<string> Mutations(JsonObject schema, JsonObject schemas, int depth)
    {
        foreach (var (name, property) in Properties(schema))
        {
            var template = (JsonObject)Valid(schema, schemas, depth)!;
            var placeholder = $"\u0001{name}\u0001";
            template[name] = placeholder;
            var shell = template.ToJsonString();
            var quoted = System.Text.Json.JsonSerializer.Serialize(placeholder);
            foreach (var wrong in WrongValues)
            {
                yield return shell.Replace(quoted, wrong, StringComparison.Ordinal);
            }

            if (depth >= 2)
            {
                continue;
            }

            // One level down: a nested object's own values, or those of the first item of an array of objects.
            var inner = Resolve(property!, schemas);
            var (child, wrap) = TypeOf(inner) switch
            {
                "object" => (inner, (Func<string, string>)(json => json)),
                "array" when inner["items"] is { } items && TypeOf(Resolve(items, schemas)) == "object" => (Resolve(items, schemas), json => $"[{json}]"),
                _ => (null, null!),
            };
            if (child is null)
            {
                continue;
            }

            foreach (var nested in Mutations(child, schemas, depth + 1))
            {
                yield return shell.Replace(quoted, wrap(nested), StringComparison.Ordinal);
            }
        }
    }

    [GeneratedRegex("{[^}]+}")]
    private static partial Regex PathParameter();
}

public sealed class SqliteMalformedInputSweepTests : MalformedInputSweepContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresMalformedInputSweepTests : MalformedInputSweepContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
