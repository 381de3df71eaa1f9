using System.Net;
using Tollgate.Server.Customers;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Customers;

public abstract class CustomerSessionsContract(SharedServer shared) : ApiContract(shared)
{
    private static async Task<(HttpClient Client, string Id, string ExpiresAt)> SessionAsync(TollgateApp app, string customer, object? body = null)
    {
        var response = await app.Admin.PostJsonAsync($"/v1/customers/{customer}/sessions", body ?? new { });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var session = await response.ReadAsync();
        return (app.WithKey(session["token"].Value<string>()!), session["id"].Value<string>()!, session["expires_at"].Value<string>()!);
    }

    [Fact]
    public async Task ASessionLastsFifteenMinutesByDefaultAndItsTokenIsStoredOnlyHashed()
    {
        await using var app = await StartOwnAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");

        var response = await app.Admin.PostJsonAsync("/v1/customers/c1/sessions", new { });
        var session = await response.ReadAsync();
        var token = session["token"].Value<string>()!;
        var stored = await app.Get<Storage.Database.TollgateDatabase>().ReadAsync(c => Dapper.SqlMapper.QuerySingleAsync<string>(c,
            "SELECT token_hash FROM customer_sessions"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.StartsWith("tg_cs_", token, StringComparison.Ordinal);
        Assert.Equal(("c1", "2026-01-15T12:15:00Z"), (session["customer"].Value<string>(), session["expires_at"].Value<string>()));
        Assert.DoesNotContain(token, stored, StringComparison.Ordinal);
        Assert.Equal(64, stored.Length);
    }

    [Theory]
    [InlineData(59)]
    [InlineData(86_401)]
    public async Task ATtlOutsideOneMinuteToTwentyFourHoursIsRefusedNamingTheFieldAndMintsNothing(int ttl)
    {
        await using var app = await StartSharedAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");

        var response = await app.Admin.PostJsonAsync("/v1/customers/c1/sessions", new { ttl_seconds = ttl });
        var problem = await response.ReadAsync();
        var count = await app.Get<Storage.Database.TollgateDatabase>().ReadAsync(c => Dapper.SqlMapper.ExecuteScalarAsync<long>(c,
            "SELECT COUNT(*) FROM customer_sessions"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("must be 60 to 86400 (24 hours)", problem["errors"]!["ttl_seconds"].Value<string>());
        Assert.Equal(0, count);
    }

    [Fact]
    public async Task ASessionForAnUnknownCustomerIs404AndSoIsRevokingAllOfItsSessions()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());

        var response = await app.Admin.PostJsonAsync("/v1/customers/nobody/sessions", new { });
        // It answered {revoked: 0}, as if the customer had been signed out (a fuzz trial).
        var revoked = await app.Admin.DeleteAsync("/v1/customers/nobody/sessions");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (response.StatusCode, revoked.StatusCode));
    }

    [Fact]
    public async Task ASessionReadsItsOwnCustomersUsageAndEntitlementsAndChecksAFeature()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1-usage");
        await app.ConsumeAsync("c1-usage", "capped", 7);
        var (browser, _, _) = await SessionAsync(app, "c1-usage");

        var usage = await browser.GetAsync("/v1/customers/c1-usage/usage");
        var entitlements = await browser.GetAsync("/v1/customers/c1-usage/entitlements");
        var check = await browser.PostJsonAsync("/v1/entitlements/check", new { customer = "c1-usage", feature = "capped" });

        Assert.Equal(HttpStatusCode.OK, usage.StatusCode);
        Assert.Equal(7, (await usage.ReadAsync())["features"]!["capped"]!["used"].Value<long>());
        Assert.Equal(HttpStatusCode.OK, entitlements.StatusCode);
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        Assert.Equal(93, (await check.ReadAsync())["remaining"].Value<long>());
    }

    [Fact]
    public async Task ASessionCannotReadAnotherCustomerInTheRouteOrTheBody()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1-other");
        await app.CustomerAsync("c2-other");
        var (browser, _, _) = await SessionAsync(app, "c1-other");

        var usage = await browser.GetAsync("/v1/customers/c2-other/usage");
        var check = await browser.PostJsonAsync("/v1/entitlements/check", new { customer = "c2-other", feature = "capped" });
        var smuggled = await browser.PostJsonAsync("/v1/entitlements/check",
            "{\"customer\": \"c1-other\", \"feature\": \"capped\", \"customer\": \"c2-other\"}");

        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (usage.StatusCode, (await usage.ReadAsync())["error"].Value<string>()));
        Assert.Equal(HttpStatusCode.Forbidden, check.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, smuggled.StatusCode);
    }

    [Fact]
    public async Task ASessionCannotConsumeMintSessionsOrReadTheCustomerRecord()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1-consume");
        var (browser, _, _) = await SessionAsync(app, "c1-consume");

        var consume = await browser.PostJsonAsync("/v1/entitlements/consume", new { customer = "c1-consume", feature = "capped" });
        var mint = await browser.PostJsonAsync("/v1/customers/c1-consume/sessions", new { });
        var record = await browser.GetAsync("/v1/customers/c1-consume");
        var admin = await browser.GetAsync("/v1/admin/catalog");
        var used = (await (await app.Admin.GetAsync("/v1/customers/c1-consume/usage")).ReadAsync())["features"]!["capped"]!["used"].Value<long>();

        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden],
            new[] { consume.StatusCode, mint.StatusCode, record.StatusCode, admin.StatusCode });
        Assert.Equal(0, used);
    }

    [Fact]
    public async Task AnExpiredSessionIs401InvalidSession()
    {
        await using var app = await StartOwnAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");
        var (browser, _, _) = await SessionAsync(app, "c1", new { ttl_seconds = 60 });

        var before = await browser.GetAsync("/v1/customers/c1/usage");
        await app.AdvanceAsync(TimeSpan.FromSeconds(61));
        var after = await browser.GetAsync("/v1/customers/c1/usage");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_session"), (after.StatusCode, (await after.ReadAsync())["error"].Value<string>()));
    }

    [Fact]
    public async Task ARevokedSessionStopsWorkingAtOnceWhileAnotherOfTheSameCustomerKeepsWorking()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1-revoke");
        var (revoked, id, _) = await SessionAsync(app, "c1-revoke");
        var (kept, _, _) = await SessionAsync(app, "c1-revoke");
        await revoked.GetAsync("/v1/customers/c1-revoke/usage");

        var revoke = await app.Admin.DeleteAsync(new Uri($"/v1/customers/c1-revoke/sessions/{id}", UriKind.Relative));
        var again = await app.Admin.DeleteAsync(new Uri($"/v1/customers/c1-revoke/sessions/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync("/v1/customers/c1-revoke/usage")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await kept.GetAsync("/v1/customers/c1-revoke/usage")).StatusCode);
    }

    [Fact]
    public async Task RevokingEverySessionOfACustomerSignsOutEveryBrowser()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1-revoke-all");
        var (first, _, _) = await SessionAsync(app, "c1-revoke-all");
        var (second, _, _) = await SessionAsync(app, "c1-revoke-all");

        var revoke = await app.Admin.DeleteAsync(new Uri("/v1/customers/c1-revoke-all/sessions", UriKind.Relative));

        Assert.Equal(2, (await revoke.ReadAsync())["revoked"].Value<int>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await first.GetAsync("/v1/customers/c1-revoke-all/usage")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.GetAsync("/v1/customers/c1-revoke-all/usage")).StatusCode);
    }

    [Fact]
    public async Task ErasingACustomerRevokesItsSessions()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1-erase");
        var (browser, _, _) = await SessionAsync(app, "c1-erase");

        var erase = await app.Admin.DeleteAsync(new Uri("/v1/customers/c1-erase", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/v1/customers/c1-erase/usage")).StatusCode);
    }

    [Fact]
    public async Task AnErasedCustomersSessionTokenIs401InvalidSessionEvenWhenRevocationDidNotRun()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1-erased");
        var (browser, _, _) = await SessionAsync(app, "c1-erased");

        await app.Get<CustomerErasure>().EraseAsync("c1-erased"); // the erasure alone, without the DELETE's revoke
        var after = await browser.GetAsync("/v1/customers/c1-erased/usage");

        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_session"), (after.StatusCode, (await after.ReadAsync())["error"].Value<string>()));
    }

    [Fact]
    public async Task ASessionsPortalLinkExpiresNoLaterThanTheSession()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1-portal-expiry");
        var (browser, _, sessionEnds) = await SessionAsync(app, "c1-portal-expiry", new { ttl_seconds = 60 });

        var bySession = await browser.PostJsonAsync("/v1/customers/c1-portal-expiry/portal-sessions", new { });
        var byKey = await app.Admin.PostJsonAsync("/v1/customers/c1-portal-expiry/portal-sessions", new { });

        Assert.Equal(HttpStatusCode.Created, bySession.StatusCode);
        Assert.Equal(sessionEnds, (await bySession.ReadAsync())["expires_at"].Value<string>());
        Assert.Equal("2026-01-15T12:10:00Z", (await byKey.ReadAsync())["expires_at"].Value<string>());
    }

    [Fact]
    public async Task ASessionsPortalLinkIsRefusedOnceTheSessionIsRevokedWhileAnotherSessionsLinkStillEnters()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1-portal-revoke");
        var (revoked, id, _) = await SessionAsync(app, "c1-portal-revoke");
        var (kept, _, _) = await SessionAsync(app, "c1-portal-revoke");
        var revokedLink = (await (await revoked.PostJsonAsync("/v1/customers/c1-portal-revoke/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;
        var keptLink = (await (await kept.PostJsonAsync("/v1/customers/c1-portal-revoke/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;

        await app.Admin.DeleteAsync(new Uri($"/v1/customers/c1-portal-revoke/sessions/{id}", UriKind.Relative));
        var refused = await app.Anonymous.GetAsync(new Uri(revokedLink).PathAndQuery);
        var entered = await app.Anonymous.GetAsync(new Uri(keptLink).PathAndQuery);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, entered.StatusCode);
        Assert.True(entered.IsSuccessStatusCode || (int)entered.StatusCode is 302 or 303, $"entering answered {entered.StatusCode}");
    }

    [Fact]
    public async Task APortalEnteredFromASessionSignsOutWhenTheSessionIsRevokedWhileAKeysPortalStaysIn()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1-portal-signout");
        var (session, id, _) = await SessionAsync(app, "c1-portal-signout");
        var sessionLink = (await (await session.PostJsonAsync("/v1/customers/c1-portal-signout/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;
        var keyLink = (await (await app.Admin.PostJsonAsync("/v1/customers/c1-portal-signout/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;
        using var bySession = app.NewBrowser();
        using var byKey = app.NewBrowser();
        var entered = await bySession.GetAsync(new Uri(sessionLink).PathAndQuery);
        var enteredByKey = await byKey.GetAsync(new Uri(keyLink).PathAndQuery);

        await app.Admin.DeleteAsync(new Uri($"/v1/customers/c1-portal-signout/sessions/{id}", UriKind.Relative));
        var afterRevoke = await bySession.GetAsync("/portal");
        var keyAfterRevoke = await byKey.GetAsync("/portal");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (entered.StatusCode, enteredByKey.StatusCode)); // both landed on /portal
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode); // the cookie is no longer a way in
        Assert.Equal(HttpStatusCode.OK, keyAfterRevoke.StatusCode);
    }

    [Fact]
    public async Task ASessionsReturnUrlOutsideTheAllowedOriginsIs400NamingTheField()
    {
        await using var app = await StartOwnAsync(new Dictionary<string, string?>(ApiSetup.RulesCatalog())
        {
            ["Tollgate:Cors:AllowedOrigins:0"] = "https://app.example.com",
        });
        await app.CustomerAsync("c1");
        var (browser, _, _) = await SessionAsync(app, "c1");

        var portal = await browser.PostJsonAsync("/v1/customers/c1/portal-sessions", new { return_url = "https://evil.example.com/x" });
        var stripePortal = await browser.PostJsonAsync("/v1/billing/portal-sessions",
            new { customer = "c1", return_url = "https://evil.example.com/x" });
        var checkout = await browser.PostJsonAsync("/v1/billing/checkout-sessions", new
        {
            customer = "c1", plan = "pro", success_url = "https://app.example.com/ok", cancel_url = "https://evil.example.com/x",
        });
        var pack = await browser.PostJsonAsync("/v1/customers/c1/packs/checkout-sessions",
            new { pack = "p", success_url = "https://evil.example.com/x", cancel_url = "https://app.example.com/back" });
        var allowed = await browser.PostJsonAsync("/v1/customers/c1/portal-sessions", new { return_url = "https://app.example.com/back" });
        var byKey = await app.Admin.PostJsonAsync("/v1/customers/c1/portal-sessions", new { return_url = "https://evil.example.com/x" });

        Assert.Equal(HttpStatusCode.BadRequest, portal.StatusCode);
        Assert.NotNull((await portal.ReadAsync())["errors"]!["return_url"]);
        Assert.Equal(HttpStatusCode.BadRequest, stripePortal.StatusCode);
        Assert.NotNull((await stripePortal.ReadAsync())["errors"]!["return_url"]);
        Assert.Equal(HttpStatusCode.BadRequest, checkout.StatusCode);
        Assert.Equal(["cancel_url"], (await checkout.ReadAsync())["errors"]!.AsObject().Select(p => p.Key));
        Assert.Equal(HttpStatusCode.BadRequest, pack.StatusCode);
        Assert.Equal(["success_url"], (await pack.ReadAsync())["errors"]!.AsObject().Select(p => p.Key));
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Created, byKey.StatusCode);
    }

    [Fact]
    public async Task CorsAnswersOnlyTheConfiguredOrigins()
    {
        await using var app = await StartOwnAsync(new Dictionary<string, string?>(ApiSetup.RulesCatalog())
        {
            ["Tollgate:Cors:AllowedOrigins:0"] = "https://app.example.com",
        });

        var allowed = await PreflightAsync(app, "https://app.example.com");
        var other = await PreflightAsync(app, "https://evil.example.com");

        Assert.Equal("https://app.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("authorization", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task CorsIsClosedWhenNoOriginIsConfigured()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());

        var preflight = await PreflightAsync(app, "https://app.example.com");

        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static async Task<HttpResponseMessage> PreflightAsync(TollgateApp app, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/v1/customers/c1/usage");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");
        return await app.Anonymous.SendAsync(request);
    }
}

public sealed class SqliteCustomerSessionsTests(SharedServer shared) : CustomerSessionsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCustomerSessionsTests(SharedServer shared) : CustomerSessionsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
