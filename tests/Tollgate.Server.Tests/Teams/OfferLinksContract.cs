using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Teams;

/// <summary>A signed, expiring offer link sells one (private) plan; a wrong or expired link names no plan.</summary>
public abstract class OfferLinksContract : ApiContract
{
    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("teams", TeamsCatalog.Json));

    private static async Task<string> LinkAsync(TollgateApp app, object body)
    {
        var response = await app.Admin.PostJsonAsync("/v1/admin/plans/enterprise/offer-links", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var url = new Uri((await response.ReadAsync())["url"].Value<string>()!);
        return url.PathAndQuery;
    }

    private static Task<HttpResponseMessage> AcceptAsync(TollgateApp app, string path, string? email = null)
    {
        var token = Uri.UnescapeDataString(path[(path.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        var fields = new Dictionary<string, string> { ["token"] = token };
        if (email is not null)
        {
            fields["email"] = email;
        }

        return app.Anonymous.PostAsync("/offer", new FormUrlEncodedContent(fields));
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
    public async Task AnOfferLinkWithoutACustomerMakesOneFromTheEmailGiven()
    {
        await using var app = await AppAsync();
        var path = await LinkAsync(app, new { expires_at = app.Clock.GetUtcNow().AddDays(1) });

        var page = await (await app.Anonymous.GetAsync(path)).Content.ReadAsStringAsync();
        var noEmail = await AcceptAsync(app, path);
        var accepted = await AcceptAsync(app, path, "buyer@bigco.example");

        Assert.Contains("name=\"email\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noEmail.StatusCode);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Fact]
    public async Task ATamperedOrExpiredOfferLinkIs404AndNamesNoPlan()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("bigco");
        var path = await LinkAsync(app, new { customer = "bigco", expires_at = app.Clock.GetUtcNow().AddHours(1) });
        var tampered = path[..^3] + (path[^3] == 'A' ? "B" : "A") + path[^2..];

        var forged = await app.Anonymous.GetAsync(tampered);
        await app.AdvanceAsync(TimeSpan.FromHours(2));
        var expired = await app.Anonymous.GetAsync(path);
        var acceptedLate = await AcceptAsync(app, path);

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
}

public sealed class SqliteOfferLinksTests : OfferLinksContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresOfferLinksTests : OfferLinksContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
