using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Teams;

/// <summary>A private plan is sold by API and console but leaks through no public endpoint, page, ETag or error message.</summary>
public abstract class PrivatePlansContract : ApiContract
{
    private static readonly string PublicOnly = TeamsCatalog.Json[..TeamsCatalog.Json.IndexOf("""
            { "code": "enterprise",
        """.Trim(), StringComparison.Ordinal)].TrimEnd().TrimEnd(',') + "\n  ]\n}\n";

    // The deal also includes a feature no public plan lists: its name would tell what the deal is.
    private static readonly string WithPrivateFeature = TeamsCatalog.Json
        .Replace("""{ "code": "exports", "name": "Exports", "unit": "exports", "kind": "metered" }""",
            """{ "code": "exports", "name": "Exports", "unit": "exports", "kind": "metered" }, { "code": "sso_saml", "name": "SAML single sign-on", "kind": "boolean" }""",
            StringComparison.Ordinal)
        .Replace("""{ "feature_code": "exports", "limit": null } ]""", """{ "feature_code": "exports", "limit": null }, { "feature_code": "sso_saml", "enabled": true } ]""",
            StringComparison.Ordinal);

    private static readonly string[] Secrets = ["enterprise", "Enterprise Deal", "50000", "500.00", "sso_saml", "SAML single sign-on"];

    private sealed record Seen(string Plans, string? ETag, string Compare, string Page, string Embed, string VisitorPlans, string Missing, string Features);

    // Problems carry the request's trace id, which differs between any two requests.
    private static async Task<string> WithoutTraceAsync(HttpResponseMessage response)
    {
        var body = (await response.ReadAsync()).AsObject();
        body.Remove("trace_id");
        return body.ToJsonString();
    }

    private static async Task<Seen> LookAsync(TollgateApp app)
    {
        var plans = await app.Anonymous.GetAsync("/v1/pricing/plans");
        var missing = await app.Anonymous.GetAsync("/v1/pricing/plans/enterprise");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        return new Seen(
            await plans.Content.ReadAsStringAsync(),
            plans.Headers.ETag?.Tag,
            await (await app.Anonymous.GetAsync("/v1/pricing/compare")).Content.ReadAsStringAsync(),
            await (await app.Anonymous.GetAsync("/pricing")).Content.ReadAsStringAsync(),
            await (await app.Anonymous.GetAsync("/pricing?embed=1")).Content.ReadAsStringAsync(),
            await (await app.Anonymous.GetAsync("/v1/pricing/plans?visitor=v-1")).Content.ReadAsStringAsync(),
            (await WithoutTraceAsync(missing)).Replace("enterprise", "CODE", StringComparison.Ordinal),
            await (await app.Anonymous.GetAsync("/v1/pricing/features")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AddingAPrivatePlanChangesNoPublicAnswerPageOrETag()
    {
        await using var app = await StartAsync(ApiSetup.CatalogOf("teams-public", PublicOnly));
        var before = await LookAsync(app);
        var cached = new HttpRequestMessage(HttpMethod.Get, "/v1/pricing/plans");
        cached.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(before.ETag!));

        var applied = await app.Admin.PutAsync("/v1/admin/catalog", new StringContent(WithPrivateFeature, Encoding.UTF8, "application/json"));
        var after = await LookAsync(app);
        var revalidated = await app.Anonymous.SendAsync(cached);

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Equal((before.Plans, before.ETag, before.Compare, before.VisitorPlans, before.Missing, before.Features),
            (after.Plans, after.ETag, after.Compare, after.VisitorPlans, after.Missing, after.Features));
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        // The pricing buttons' sign-up page answers a private plan exactly as it answers no plan.
        var startPrivate = await app.Anonymous.GetAsync("/pricing/start?plan=enterprise&period=monthly");
        var startUnknown = await app.Anonymous.GetAsync("/pricing/start?plan=no-such-plan&period=monthly");
        Assert.Equal((HttpStatusCode.NotFound, await startUnknown.Content.ReadAsStringAsync()),
            (startPrivate.StatusCode, await startPrivate.Content.ReadAsStringAsync()));
        Assert.Contains("""{ "feature_code": "sso_saml", "enabled": true }""", WithPrivateFeature, StringComparison.Ordinal);
        foreach (var text in new[] { after.Plans, after.Compare, after.Page, after.Embed, after.VisitorPlans, after.Missing, after.Features })
        {
            Assert.DoesNotContain(Secrets, secret => text.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task APrivatePlanIsSoldByTheApiButAPublishableKeyLearnsNothingOfIt()
    {
        await using var app = await StartAsync(ApiSetup.CatalogOf("teams", TeamsCatalog.Json));
        await app.CustomerAsync("bigco");
        var key = (await (await app.Admin.PostJsonAsync("/v1/admin/keys", new { name = "site", role = "publishable" })).ReadAsync())["key"].Value<string>()!;
        var publishable = app.WithKey(key);

        var byPublic = await publishable.PostJsonAsync("/v1/subscriptions", new { customer = "bigco", plan = "enterprise" });
        var byPublicUnknown = await publishable.PostJsonAsync("/v1/subscriptions", new { customer = "bigco", plan = "no-such-plan" });
        var bySecret = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "bigco", plan = "enterprise" });
        var export = await (await app.Admin.GetAsync("/v1/admin/catalog")).ReadAsync();

        Assert.Equal(byPublicUnknown.StatusCode, byPublic.StatusCode);
        Assert.Equal(await WithoutTraceAsync(byPublicUnknown), await WithoutTraceAsync(byPublic));
        Assert.DoesNotContain("enterprise", await byPublic.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, bySecret.StatusCode);
        Assert.Equal("enterprise", (await bySecret.ReadAsync())["plan"].Value<string>());
        Assert.Equal("private", export["plans"]!.AsArray().Single(p => p!["code"].Value<string>() == "enterprise")!["visibility"].Value<string>());
    }

    [Fact]
    public async Task AVisibilityOtherThanPublicOrPrivateIsRefusedNamingTheField()
    {
        await using var app = await StartAsync(ApiSetup.CatalogOf("teams", TeamsCatalog.Json));

        var response = await app.Admin.PutAsync("/v1/admin/catalog",
            new StringContent(TeamsCatalog.Json.Replace("\"private\"", "\"hidden\"", StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("plans[2].visibility", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APriceExperimentOnAPrivatePlanIsRefusedNamingThePlanSinceNoVisitorWouldSeeIt()
    {
        await using var app = await StartAsync(ApiSetup.CatalogOf("teams", TeamsCatalog.Json));

        var response = await app.Admin.PostJsonAsync("/v1/admin/experiments", new
        {
            name = "deal price",
            variants = new object[]
            {
                new { key = "control", weight = 1 },
                new { key = "b", weight = 1, prices = new object[] { new { plan = "enterprise", billing_period = "monthly", price_cents = 100 } } },
            },
        });
        var errors = (await response.ReadAsync())["errors"]!.AsObject();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is private", errors["variants[1].prices[0].plan"].Value<string>(), StringComparison.Ordinal);
        Assert.Empty((await (await app.Admin.GetAsync("/v1/admin/experiments")).ReadAsync())["experiments"]!.AsArray());
    }
}

public sealed class SqlitePrivatePlansTests : PrivatePlansContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresPrivatePlansTests : PrivatePlansContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingPrivatePlansTests : PrivatePlansContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
