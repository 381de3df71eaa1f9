using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Catalog;

public abstract class CatalogAdminApiContract(SharedServer shared) : ApiContract(shared)
{
    [Fact]
    public async Task ApplyingTheSeededCatalogAgainChangesNothingAndSaysSo()
    {
        await using var app = await StartAsync();

        var response = await app.Admin.PutJsonAsync("/v1/admin/catalog", Json.Catalog("career-coach.json"));
        var body = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(body["changed"].Value<bool>());
        Assert.Empty(body["changes"]!.AsArray());
    }

    [Fact]
    public async Task ExportedCatalogAppliesBackWithoutChanges()
    {
        await using var app = await StartAsync();

        var exported = await (await app.Admin.GetAsync("/v1/admin/catalog")).Content.ReadAsStringAsync();
        var reapplied = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", exported)).ReadAsync();

        Assert.False(reapplied["changed"].Value<bool>());
        Assert.Equal("free", Json.Parse(exported)["default_plan"].Value<string>());
    }

    [Fact]
    public async Task NewQuotaCreatesAVersionThatPublicReadsShowAndTheOldVersionIsKept()
    {
        await using var app = await StartOwnAsync();
        var changed = Json.Catalog("career-coach.json").Replace(
            "{ \"feature_code\": \"cv_generate\", \"limit\": 30, \"reset\": \"month\" }",
            "{ \"feature_code\": \"cv_generate\", \"limit\": 35, \"reset\": \"month\" }",
            StringComparison.Ordinal);

        var applied = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", changed)).ReadAsync();
        var pro = await (await app.Anonymous.GetAsync("/v1/pricing/plans/pro")).ReadAsync();
        var versions = (await (await app.Admin.GetAsync("/v1/admin/plans/pro/versions")).ReadAsync()).AsArray();

        Assert.True(applied["changed"].Value<bool>());
        Assert.Equal(2, pro["version"].Value<int>());
        Assert.Equal(35, pro["features"]![0]!["monthly_quota"].Value<long>());
        Assert.Equal([(1, false), (2, true)], versions.Select(v => (v!["version"].Value<int>(), v["is_current"].Value<bool>())));
        Assert.Equal(30, versions[0]!["features"]![0]!["monthly_quota"].Value<long>());
    }

    /// <summary>The document with Pro's monthly price and cv_generate limit changed, whatever its layout (a file or an export).</summary>
    private static string ProAt(string catalog, long monthlyCents, int cvLimit)
    {
        var document = JsonNode.Parse(catalog)!;
        var pro = document["plans"]!.AsArray().Single(p => p!["code"].Value<string>() == "pro")!;
        pro["prices"]!.AsArray().Single(p => p!["billing_period"].Value<string>() == "monthly")!["price_cents"] = monthlyCents;
        pro["features"]!.AsArray().Single(f => f!["feature_code"].Value<string>() == "cv_generate")!["limit"] = cvLimit;
        return document.ToJsonString();
    }

    [Fact]
    public async Task AnApplyAnswersEachPlanPriceFeatureAndSettingItChangedBeforeAndAfter()
    {
        await using var app = await StartOwnAsync();
        var changed = ProAt(Json.Catalog("career-coach.json").Replace("\"upgrade_url\": \"/pricing\"", "\"upgrade_url\": \"/plans\"",
            StringComparison.Ordinal), 3499, 35);

        var body = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", changed)).ReadAsync();
        var pro = Assert.Single(body["diff"]!["plans"]!.AsArray())!;

        Assert.Equal((true, false), (body["changed"].Value<bool>(), body["dry_run"].Value<bool>()));
        Assert.Equal(("pro", "updated", true), (pro["code"].Value<string>(), pro["change"].Value<string>(), pro["new_version"].Value<bool>()));
        Assert.Equal(["prices", "features"], pro["fields"]!.AsArray().Select(f => f.Value<string>()));
        Assert.Equal(("monthly", "USD", 2999L, 3499L), (pro["prices"]![0]!["billing_period"].Value<string>(), pro["prices"]![0]!["currency"].Value<string>(),
            pro["prices"]![0]!["before_cents"].Value<long>(), pro["prices"]![0]!["after_cents"].Value<long>()));
        Assert.Single(pro["prices"]!.AsArray());
        var cv = Assert.Single(pro["features"]!.AsArray())!;
        Assert.Equal(("cv_generate", 30L, 35L), (cv["feature"].Value<string>(), cv["before"]!["limit"].Value<long>(), cv["after"]!["limit"].Value<long>()));
        Assert.Equal(2999L, pro["before"]!["prices"]![0]!["price_cents"].Value<long>());
        var setting = Assert.Single(body["diff"]!["settings"]!.AsArray())!;
        Assert.Equal(("upgrade_url", "/pricing", "/plans"), (setting["field"].Value<string>(), setting["before"].Value<string>(), setting["after"].Value<string>()));
        Assert.Empty(body["diff"]!["features"]!.AsArray());
        Assert.Empty(body["warnings"]!.AsArray());
    }

    [Fact]
    public async Task ADryRunAnswersWhatTheApplyWouldChangeAndWritesNothing()
    {
        await using var app = await StartOwnAsync();
        var before = await (await app.Admin.GetAsync("/v1/admin/catalog")).Content.ReadAsStringAsync();
        var changed = ProAt(before, 3499, 35);

        var dry = await (await app.Admin.PutJsonAsync("/v1/admin/catalog?dry_run=true", changed)).ReadAsync();
        var afterDry = await (await app.Admin.GetAsync("/v1/admin/catalog")).Content.ReadAsStringAsync();
        var price = (await (await app.Anonymous.GetAsync("/v1/pricing/plans/pro")).ReadAsync())["prices"]![0]!["price_cents"].Value<long>();
        var real = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", changed)).ReadAsync();
        var badFlag = await app.Admin.PutJsonAsync("/v1/admin/catalog?dry_run=yes", changed);

        Assert.Equal((true, true), (dry["changed"].Value<bool>(), dry["dry_run"].Value<bool>()));
        Assert.Equal(before, afterDry);
        Assert.Equal(2999L, price);
        Assert.Equal(dry["changes"]!.ToJsonString(), real["changes"]!.ToJsonString());
        Assert.Equal(dry["diff"]!.ToJsonString(), real["diff"]!.ToJsonString());
        Assert.Equal(dry["revision"].Value<long>(), real["revision"].Value<long>());
        Assert.Equal(HttpStatusCode.BadRequest, badFlag.StatusCode);
        Assert.NotNull((await badFlag.ReadAsync())["errors"]!["dry_run"]);
    }

    [Fact]
    public async Task ReapplyingAFileExportedBeforeAPromotionNamesTheWinningPriceItRevertsAndAnExportAfterItDoesNot()
    {
        await using var app = await StartOwnAsync();
        var file = await (await app.Admin.GetAsync("/v1/admin/catalog")).Content.ReadAsStringAsync();
        var experiment = await app.RunningExperimentAsync();
        (await app.Admin.PostJsonAsync($"/v1/admin/experiments/{experiment}/stop", new { promote = "cheaper" })).EnsureSuccessStatusCode();

        var dry = await (await app.Admin.PutJsonAsync("/v1/admin/catalog?dry_run=true", file)).ReadAsync();
        var promotedStill = (await (await app.Anonymous.GetAsync("/v1/pricing/plans/pro")).ReadAsync())["prices"]![0]!["price_cents"].Value<long>();
        var afterPromotion = await (await app.Admin.GetAsync("/v1/admin/catalog")).Content.ReadAsStringAsync();
        var keptByExport = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", ProAt(afterPromotion, 2499, 35))).ReadAsync();
        var reverted = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", file)).ReadAsync();
        var again = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", file)).ReadAsync();

        var warning = Assert.Single(dry["warnings"]!.AsArray())!;
        Assert.Equal(("reverts_promoted_price", "pro", "monthly", experiment, "cheaper", 2499L, 2999L),
            (warning["code"].Value<string>(), warning["plan"].Value<string>(), warning["billing_period"].Value<string>(), warning["experiment"].Value<string>(),
                warning["variant"].Value<string>(), warning["promoted_cents"].Value<long>(), warning["document_cents"].Value<long>()));
        Assert.Contains("$24.99 was set by promoting variant 'cheaper'", warning["message"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(2499L, promotedStill);
        // An export after the promotion keeps the winning price, even through a version made for another change.
        Assert.Empty(keptByExport["warnings"]!.AsArray());
        Assert.Equal("reverts_promoted_price", Assert.Single(reverted["warnings"]!.AsArray())!["code"].Value<string>());
        Assert.Empty(again["warnings"]!.AsArray());
    }

    [Fact]
    public async Task InvalidDocumentIsRejectedWholeWithEveryProblemNamedAndNothingWritten()
    {
        await using var app = await StartAsync();
        var bad = Json.Catalog("career-coach.json")
            .Replace("\"price_cents\": 2999", "\"price_cents\": -1", StringComparison.Ordinal)
            .Replace("\"name\": \"Basic\"", "\"name\": \"Basic Plus\"", StringComparison.Ordinal)
            .Replace("\"kind\": \"boolean\"", "\"kind\": \"toggle\"", StringComparison.Ordinal);

        var response = await app.Admin.PutJsonAsync("/v1/admin/catalog", bad);
        var problem = await response.ReadAsync();
        var basic = await (await app.Anonymous.GetAsync("/v1/pricing/plans/basic")).ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_catalog", problem["error"].Value<string>());
        var errors = problem["errors"]!.AsArray().Select(e => e.Value<string>()).ToList();
        Assert.Contains("plans[2].prices[0].price_cents: must be >= 0", errors);
        Assert.Contains("features[6].kind: must be one of boolean, metered, value", errors);
        Assert.Equal("Basic", basic["name"].Value<string>());
    }

    [Theory]
    [InlineData("{\"features\": [", "invalid_json")] // not JSON at all: the same answer as on every endpoint
    [InlineData("[]", "invalid_catalog")]
    [InlineData("", "validation_failed")] // a missing body, as every endpoint answers it
    public async Task MalformedCatalogIsA400(string body, string error)
    {
        await using var app = await StartSharedAsync();

        var response = await app.Admin.PutJsonAsync("/v1/admin/catalog", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (await response.ReadAsync())["error"].Value<string>());
    }

    [Fact]
    public async Task NoBodyIsA400NamingTheBodyAsOnEveryOtherEndpoint()
    {
        await using var app = await StartAsync();

        var response = await app.Admin.PutAsync("/v1/admin/catalog", null);
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("validation_failed", problem["error"].Value<string>());
        Assert.Equal("is required: send a JSON object", problem["errors"]!["body"].Value<string>());
    }

    [Theory]
    [InlineData("career-coach.json")]
    [InlineData("content-platform.json")]
    [InlineData("data-api.json")]
    [InlineData("email-assistant.json")]
    [InlineData("resume-tailor.json")]
    public async Task EveryExampleCatalogLoadsAndItsExportAppliesBackWithoutChanges(string file)
    {
        var path = Path.Combine(Json.RepoRoot(), "catalogs", file);
        await using var app = await StartOwnAsync(new Dictionary<string, string?> { ["Tollgate:Catalog:SeedFile"] = path });

        var again = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", Json.Catalog(file))).ReadAsync();
        var exported = await (await app.Admin.GetAsync("/v1/admin/catalog")).Content.ReadAsStringAsync();
        var reapplied = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", exported)).ReadAsync();

        Assert.False(again["changed"].Value<bool>(), again.ToJsonString());
        Assert.False(reapplied["changed"].Value<bool>(), reapplied.ToJsonString());
        Assert.DoesNotContain("monthly_quota", exported, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContentPlatformCountsEachProvidersLoggedCallsOnItsCallQuota()
    {
        var path = Path.Combine(Json.RepoRoot(), "catalogs", "content-platform.json");
        await using var app = await StartOwnAsync(new Dictionary<string, string?> { ["Tollgate:Catalog:SeedFile"] = path });
        await app.CustomerAsync("c1");

        await app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            calls = new[]
            {
                new { customer = "c1", model = "gpt-4o-mini", provider = "openai", input_tokens = 10, request_id = "a" },
                new { customer = "c1", model = "gemini-2.5-flash", provider = "google", input_tokens = 10, request_id = "b" },
                new { customer = "c1", model = "gemini-2.5-flash", provider = "gemini", input_tokens = 10, request_id = "c" },
            },
        });
        var features = (await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync())["features"]!;

        Assert.Equal((1L, 2L), (features["openai_calls"]!["used"].Value<long>(), features["gemini_calls"]!["used"].Value<long>()));
    }

    [Fact]
    public async Task SeedFileNoneStartsWithAnEmptyCatalogAndAnotherFileLoadsThatCatalog()
    {
        await using var empty = await StartOwnAsync(new Dictionary<string, string?> { ["Tollgate:Catalog:SeedFile"] = "none" });
        var path = Path.Combine(Json.RepoRoot(), "catalogs", "data-api.json");
        await using var dataApi = await StartOwnAsync(new Dictionary<string, string?> { ["Tollgate:Catalog:SeedFile"] = path });

        Assert.Empty((await (await empty.Anonymous.GetAsync("/v1/pricing/plans")).ReadAsync()).AsArray());
        Assert.Equal(["free", "pro", "enterprise"],
            (await (await dataApi.Anonymous.GetAsync("/v1/pricing/plans")).ReadAsync()).AsArray().Select(p => p!["code"].Value<string>()));
    }
}

public sealed class SqliteCatalogAdminApiTests(SharedServer shared) : CatalogAdminApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCatalogAdminApiTests(SharedServer shared) : CatalogAdminApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
