using System.Net;
using System.Text.RegularExpressions;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Teams;

/// <summary>A signed, expiring offer link sells one (private) plan; a wrong or expired link names no plan.</summary>
public abstract partial class OfferLinksContract : ApiContract
{
    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("teams", TeamsCatalog.Json));

    private static async Task<string> LinkAsync(TollgateApp app, object body)
    {
        var response = await app.Admin.PostJsonAsync("/v1/admin/plans/enterprise/offer-links", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var url = new Uri((await response.ReadAsync())["url"].Value<string>()!);
        return url.PathAndQuery;
    }

    /// <summary>A browser (keeping cookies) that opened the offer page, and the page's anti-forgery value.</summary>
    private static async Task<(HttpClient Browser, string Csrf)> OpenAsync(TollgateApp app, string path)
    {
        var browser = app.NewBrowser();
        var page = await browser.GetStringAsync(new Uri(path, UriKind.Relative));
        return (browser, CsrfField().Match(page).Groups[1].Value);
    }

    private static Task<HttpResponseMessage> AcceptAsync(HttpClient browser, string path, string? csrf, string? email = null)
    {
        var token = Uri.UnescapeDataString(path[(path.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        var fields = new Dictionary<string, string> { ["token"] = token };
        if (csrf is not null)
        {
            fields["csrf"] = csrf;
        }

        if (email is not null)
        {
            fields["email"] = email;
        }

        return browser.PostAsync(new Uri("/offer", UriKind.Relative), new FormUrlEncodedContent(fields));
    }

    private static async Task<HttpResponseMessage> AcceptAsync(TollgateApp app, string path, string? email = null)
    {
        var (browser, csrf) = await OpenAsync(app, path);
        return await AcceptAsync(browser, path, csrf, email);
    }

    [Fact]
    public async Task AnOfferLinkForACustomerShowsThePrivatePlanAndSubscribesThem()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("bigco");
        var path = await LinkAsync(app, new { customer = "bigco", expires_at = app.Clock.GetUtcNow().AddDays(7) });

        var page = await (await app.Anonymous.GetAsync(path)).Content.ReadAsStringAsync();
        var accepted = await AcceptAsync(app, path);
        var subscriptions = (await (await app.Admin.GetAsync("/v1/customers/bigco/subscriptions")).ReadAsync())["data"]!.AsArray();

        Assert.Contains("Enterprise Deal", page, StringComparison.Ordinal);
        Assert.Contains("$500.00 a month", page, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"email\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(("enterprise", "active"), (subscriptions[0]!["plan"].Value<string>(), subscriptions[0]!["status"].Value<string>()));
    }

    [Fact]
    public async Task AnOfferLinkWithoutACustomerMakesOneFromTheEmailGivenAndNeverSubscribesTheCustomerWhoHasIt()
    {
        await using var app = await AppAsync();
        var path = await LinkAsync(app, new { expires_at = app.Clock.GetUtcNow().AddDays(1) });

        var page = await (await app.Anonymous.GetAsync(path)).Content.ReadAsStringAsync();
        var noEmail = await AcceptAsync(app, path);
        var accepted = await AcceptAsync(app, path, "buyer@bigco.example");
        var again = await AcceptAsync(app, path, "BUYER@BigCo.example");
        var buyers = (await (await app.Admin.GetAsync("/v1/customers?query=buyer")).ReadAsync())["data"]!.AsArray();

        Assert.Contains("name=\"email\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noEmail.StatusCode);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        // An invoice path takes no payment: a typed address on file makes a customer of its own, never bills the first one.
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(["BUYER@BigCo.example", "buyer@bigco.example"], buyers.Select(b => b!["email"].Value<string>()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ATamperedOrExpiredOfferLinkIs404AndNamesNoPlan()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("bigco");
        var path = await LinkAsync(app, new { customer = "bigco", expires_at = app.Clock.GetUtcNow().AddHours(1) });
        var tampered = path[..^3] + (path[^3] == 'A' ? "B" : "A") + path[^2..];

        var (browser, csrf) = await OpenAsync(app, path);
        var forged = await app.Anonymous.GetAsync(tampered);
        await app.AdvanceAsync(TimeSpan.FromHours(2));
        var expired = await app.Anonymous.GetAsync(path);
        var acceptedLate = await AcceptAsync(browser, path, csrf);

        foreach (var response in new[] { forged, expired, acceptedLate })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain("Enterprise", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Empty((await (await app.Admin.GetAsync("/v1/customers/bigco/subscriptions")).ReadAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task AnOfferLinkNeedsAFutureExpiryAKnownPlanAndAnAdminKey()
    {
        await using var app = await AppAsync();
        var secret = (await (await app.Admin.PostJsonAsync("/v1/admin/keys", new { name = "srv", role = "secret" })).ReadAsync())["key"].Value<string>()!;

        var past = await app.Admin.PostJsonAsync("/v1/admin/plans/enterprise/offer-links", new { expires_at = app.Clock.GetUtcNow().AddMinutes(-1) });
        var unknown = await app.Admin.PostJsonAsync("/v1/admin/plans/platinum/offer-links", new { expires_at = app.Clock.GetUtcNow().AddDays(1) });
        var bySecret = await app.WithKey(secret).PostJsonAsync("/v1/admin/plans/enterprise/offer-links", new { expires_at = app.Clock.GetUtcNow().AddDays(1) });

        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        Assert.NotNull((await past.ReadAsync())["errors"]!["expires_at"]);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, bySecret.StatusCode);
    }

    [Fact]
    public async Task AnOfferPostWithoutOrWithAWrongFormTokenIs403AndSubscribesNoOne()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("bigco");
        var path = await LinkAsync(app, new { customer = "bigco", expires_at = app.Clock.GetUtcNow().AddDays(7) });
        var (browser, csrf) = await OpenAsync(app, path);
        var (_, otherVisitorsCsrf) = await OpenAsync(app, path);

        var missing = await AcceptAsync(browser, path, csrf: null);
        var wrong = await AcceptAsync(browser, path, csrf + "x");
        var anothers = await AcceptAsync(browser, path, otherVisitorsCsrf);
        var withoutCookie = await AcceptAsync(app.Anonymous, path, csrf);
        var subscriptions = (await (await app.Admin.GetAsync("/v1/customers/bigco/subscriptions")).ReadAsync())["data"]!.AsArray();
        var genuine = await AcceptAsync(browser, path, csrf);

        foreach (var refused in new[] { missing, wrong, anothers, withoutCookie })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("This form has expired", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.NotEmpty(csrf);
        Assert.Empty(subscriptions);
        Assert.Equal(HttpStatusCode.Created, genuine.StatusCode);
    }

    [Fact]
    public async Task AnOfferPostWithoutAnEmailOrFormTokenMakesNoCustomer()
    {
        await using var app = await AppAsync();
        var path = await LinkAsync(app, new { expires_at = app.Clock.GetUtcNow().AddDays(1) });
        var (browser, _) = await OpenAsync(app, path);

        var refused = await AcceptAsync(browser, path, csrf: null, "buyer@bigco.example");
        var customers = (await (await app.Admin.GetAsync("/v1/customers")).ReadAsync())["data"]!.AsArray();

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Empty(customers);
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}

public sealed class SqliteOfferLinksTests : OfferLinksContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresOfferLinksTests : OfferLinksContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
