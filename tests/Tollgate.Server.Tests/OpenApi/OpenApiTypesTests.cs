using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.OpenApi;

/// <summary>
/// The document types what the handlers check, for a client generated from it: list limits, status filters, instants,
/// the fields a request may leave out, and the 503s that are part of a call's contract.
/// </summary>
public sealed class OpenApiTypesTests(ServedDocument served) : IClassFixture<ServedDocument>
{
    [Fact]
    public void EveryKeysetListsLimitIsAWholeNumberFromOneToAHundred()
    {
        var limits = served.Operations
            .Where(o => Query(o.Operation).Any(p => p["name"].Value<string>() == "cursor"))
            .Select(o => (Route: $"{o.Method} {o.Path}", Limit: Query(o.Operation).Single(p => p["name"].Value<string>() == "limit")["schema"]!))
            .ToList();

        Assert.True(limits.Count >= 18, $"only {limits.Count} lists");
        Assert.All(limits, l => Assert.Equal((l.Route, "integer", 1, 100),
            (l.Route, l.Limit["type"].Value<string>(), l.Limit["minimum"].Value<int>(), l.Limit["maximum"].Value<int>())));
    }

    [Theory]
    [InlineData("/v1/subscriptions", "trialing", "past_due")]
    [InlineData("/v1/customers", "trialing", "incomplete")]
    [InlineData("/v1/invoices", "draft", "uncollectible")]
    [InlineData("/v1/admin/webhook-deliveries", "pending", "dead")]
    [InlineData("/v1/admin/emails", "sent", "skipped")]
    public void EveryStatusFilterIsAnEnumOfTheValuesItTakes(string path, string first, string other)
    {
        var status = Query(served.Operation("get", path)).Single(p => p["name"].Value<string>() == "status")["schema"]!;

        Assert.Contains(first, Values(status));
        Assert.Contains(other, Values(status));
        Assert.Equal(5, served.Operations.Count(o => Query(o.Operation).Any(p => p["name"].Value<string>() == "status" && p["schema"]!["enum"] is JsonArray)));
    }

    [Fact]
    public void EveryInstantQueryParameterIsADateTime()
    {
        var instants = served.Operations.SelectMany(o => Query(o.Operation)
                .Where(p => p["name"].Value<string>() is "from" or "to" or "at" or "effective_from")
                .Select(p => (Route: $"{o.Method} {o.Path} {p["name"].Value<string>()}", Format: p["schema"]!["format"].Value<string>())))
            .ToList();

        Assert.True(instants.Count >= 14, $"only {instants.Count} instant parameters");
        Assert.All(instants, i => Assert.Equal((i.Route, "date-time"), (i.Route, i.Format)));
    }

    [Theory]
    [InlineData("ConsumeRequest", "amount")]
    [InlineData("ReserveRequest", "ttl_seconds")]
    [InlineData("CancelSubscriptionRequest", "at_period_end")]
    [InlineData("LlmCallRequest", "cached_input_tokens")]
    public void ARequestFieldWithADefaultIsOptionalAndSaysItsDefaultInWords(string schema, string field)
    {
        var body = served.Schemas[schema]!;
        var property = body["properties"]![field]!;

        Assert.DoesNotContain(field, body["required"]?.AsArray().Select(r => r.Value<string>()) ?? []);
        Assert.Null(property["default"]); // openapi-typescript takes a property with a default for one always present
        Assert.Contains("Default: ", property["description"].Value<string>(), StringComparison.Ordinal);
        Assert.Null(served.Schemas["LlmBatchRequest"]!["properties"]!["calls"]!["items"]?["properties"]?["input_tokens"]?["default"]);
    }

    [Fact]
    public void EveryOperationWithABodyDeclares413And415AndExperimentStartAndStopDeclare409()
    {
        var withBody = served.Operations.Where(o => o.Operation["requestBody"] is not null).ToList();

        Assert.True(withBody.Count >= 30, $"only {withBody.Count} operations with a body");
        Assert.All(withBody, o => Assert.Equal(($"{o.Method} {o.Path}", true, true),
            ($"{o.Method} {o.Path}", o.Operation["responses"]!.AsObject().ContainsKey("413"), o.Operation["responses"]!.AsObject().ContainsKey("415"))));
        Assert.NotNull(served.Operation("post", "/v1/admin/experiments/{id}/start")["responses"]!["409"]);
        Assert.NotNull(served.Operation("post", "/v1/admin/experiments/{id}/stop")["responses"]!["409"]);
    }

    [Theory]
    [InlineData("FeatureEntitlement")]
    [InlineData("PricingPlanFeature")]
    [InlineData("EntitlementResponse")]
    public void AnAnyTypedValueAcceptsNullAndAnyJson(string schema)
    {
        var value = served.Schemas[schema]!["properties"]!["value"]!;
        var check = new SchemaCheck(served.Document);

        Assert.Null(value["oneOf"]);
        Assert.All(new JsonNode?[] { null, JsonNode.Parse("3"), JsonNode.Parse("\"gold\""), JsonNode.Parse("{\"a\": 1}") },
            v => Assert.Empty(check.Errors(v, value)));
    }

    [Fact]
    public void EveryComponentSchemaIsUsedByAnOperation()
    {
        var text = served.Document["paths"]!.ToJsonString() + served.Schemas.ToJsonString();
        var unused = served.Schemas.Select(s => s.Key).Where(name => !text.Contains($"\"#/components/schemas/{name}\"", StringComparison.Ordinal)).ToList();

        Assert.Empty(unused);
        Assert.False(served.Schemas.ContainsKey("TrackRequest"));
    }

    [Theory]
    [InlineData("post", "/v1/entitlements/consume")]
    [InlineData("post", "/v1/entitlements/reserve")]
    public void ConsumeAndReserveList503OverloadedAndDatabaseUnavailableWithRetryAfter(string method, string path)
    {
        var unavailable = served.Operation(method, path)["responses"]!["503"]!;

        Assert.Contains("overloaded", unavailable["description"].Value<string>(), StringComparison.Ordinal);
        Assert.Contains("database_unavailable", unavailable["description"].Value<string>(), StringComparison.Ordinal);
        Assert.NotNull(unavailable["headers"]!["Retry-After"]);
    }

    [Fact]
    public void ReadyzLists503WithItsTwoReasons()
    {
        var unavailable = served.Operation("get", "/readyz")["responses"]!["503"]!;

        Assert.Contains("database_unavailable", unavailable["description"].Value<string>(), StringComparison.Ordinal);
        Assert.Contains("migrations_pending", unavailable["description"].Value<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryOperationThatHonoursAnIdempotencyKeyListsTheThree409sTheKeyAddsAndNoOtherOperationDoes()
    {
        string[] codes = ["idempotency_mismatch", "idempotency_key_in_use", "idempotency_answer_lost"];
        var keyed = served.Operations.Where(o => o.Operation["responses"]!["409"]?["description"].Value<string>()?
            .Contains("idempotency_answer_lost", StringComparison.Ordinal) == true).Select(o => $"{o.Method} {o.Path}").ToList();

        Assert.Equal(12, keyed.Count);
        Assert.Contains("post /v1/subscriptions", keyed);
        Assert.Contains("post /v1/subscriptions/{id}/discount", keyed);
        Assert.DoesNotContain("post /v1/subscriptions/{id}/change/preview", keyed);
        Assert.All(keyed, k => Assert.All(codes, code => Assert.Contains(code,
            served.Operation(k.Split(' ')[0], k.Split(' ')[1])["responses"]!["409"]!["description"].Value<string>(), StringComparison.Ordinal)));
        Assert.All(codes, code => Assert.Contains(code, served.Schemas["Problem"]!["properties"]!["error"]!["description"].Value<string>(),
            StringComparison.Ordinal));
    }

    [Fact]
    public void EveryOperationThatHonoursAnIdempotencyKeyDeclaresTheHeaderAndTheReplayHeaderOnItsSuccess()
    {
        var keyed = served.Operations.Where(o => o.Operation["responses"]!["409"]?["description"].Value<string>()?
            .Contains("idempotency_answer_lost", StringComparison.Ordinal) == true).ToList();

        Assert.Equal(12, keyed.Count);
        Assert.All(keyed, o =>
        {
            var header = Assert.Single(o.Operation["parameters"]!.AsArray(), p => p!["in"].Value<string>() == "header"
                && p["name"].Value<string>() == "Idempotency-Key")!;
            Assert.Equal((255, false), (header["schema"]!["maxLength"].Value<int>(), header["required"]?.GetValue<bool>() ?? false));
            Assert.All(o.Operation["responses"]!.AsObject().Where(r => r.Key.StartsWith('2')),
                r => Assert.NotNull(r.Value!["headers"]?["Idempotent-Replayed"]));
        });
    }

    [Fact]
    public void TheHotPathsKeptAnswersDeclareTheReplayHeaderOnTheirSuccess()
    {
        string[] paths = ["/v1/entitlements/consume", "/v1/entitlements/reserve", "/v1/reservations/{id}/commit", "/v1/reservations/{id}/release"];

        var replayed = paths.Select(path => served.Operations.Single(o => o.Path == path && o.Method == "post")
            .Operation["responses"]!["200"]!["headers"]?["Idempotent-Replayed"]);

        Assert.All(replayed, Assert.NotNull);
    }

    private static IEnumerable<JsonNode> Query(JsonObject operation) =>
        operation["parameters"]?.AsArray().OfType<JsonNode>().Where(p => p["in"].Value<string>() == "query") ?? [];

    private static List<string?> Values(JsonNode schema) => [.. schema["enum"]!.AsArray().Select(v => v.Value<string>())];
}
