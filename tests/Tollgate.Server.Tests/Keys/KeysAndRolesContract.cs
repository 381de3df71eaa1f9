using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Keys;

public abstract class KeysAndRolesContract : ApiContract
{
    private static async Task<string> CreateKeyAsync(TollgateApp app, string role)
    {
        var response = await app.Admin.PostJsonAsync("/v1/admin/keys", new { name = role + " key", role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadAsync())["key"].Value<string>()!;
    }

    [Fact]
    public async Task AdminEndpointWithoutAKeyIs401Problem()
    {
        await using var app = await StartAsync();

        var response = await app.Anonymous.GetAsync("/v1/admin/catalog");
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("missing_api_key", problem["error"].Value<string>());
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task WrongKeyIs401AndNothingIsWritten()
    {
        await using var app = await StartAsync();
        var wrong = app.WithKey("tg_admin_" + new string('x', 40));

        var response = await wrong.PutJsonAsync("/v1/admin/catalog", "{\"features\": [], \"plans\": []}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", (await response.ReadAsync())["error"].Value<string>());
        Assert.Equal(4, (await (await app.Anonymous.GetAsync("/v1/pricing/plans")).ReadAsync()).AsArray().Count);
    }

    [Theory]
    [InlineData("secret")]
    [InlineData("publishable")]
    public async Task NonAdminKeysAreForbiddenFromAdminEndpoints(string role)
    {
        await using var app = await StartAsync();
        var client = app.WithKey(await CreateKeyAsync(app, role));

        var response = await client.GetAsync("/v1/admin/catalog");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("forbidden", (await response.ReadAsync())["error"].Value<string>());
    }

    [Fact]
    public async Task CreatedAdminKeyWorksAndStopsWorkingWhenRevoked()
    {
        await using var app = await StartAsync();
        var created = await (await app.Admin.PostJsonAsync("/v1/admin/keys", new { name = "ops", role = "admin" })).ReadAsync();
        var client = app.WithKey(created["key"].Value<string>()!);

        var before = await client.GetAsync("/v1/admin/catalog");
        var revoke = await app.Admin.DeleteAsync(new Uri($"/v1/admin/keys/{created["id"].Value<string>()}", UriKind.Relative));
        var after = await client.GetAsync("/v1/admin/catalog");
        var listed = (await app.Admin.PageAsync("/v1/admin/keys"));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.All(listed, k => Assert.Null(k!["key"]));
    }

    [Fact]
    public async Task PublishableKeyReadsPricing()
    {
        await using var app = await StartAsync();
        var client = app.WithKey(await CreateKeyAsync(app, "publishable"));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/pricing/plans")).StatusCode);
    }

    [Fact]
    public async Task KeyWithAnUnknownRoleIsRejectedNamingTheField()
    {
        await using var app = await StartAsync();

        var response = await app.Admin.PostJsonAsync("/v1/admin/keys", new { name = "x", role = "owner" });
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("validation_failed", problem["error"].Value<string>());
        Assert.Equal("must be admin, secret or publishable", problem["errors"]!["role"].Value<string>());
        Assert.Empty((await app.Admin.PageAsync("/v1/admin/keys")));
    }
}

public sealed class SqliteKeysAndRolesTests : KeysAndRolesContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresKeysAndRolesTests : KeysAndRolesContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
