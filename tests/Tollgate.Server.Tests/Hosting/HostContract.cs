using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

public abstract class HostContract(SharedServer shared) : ApiContract(shared)
{
    [Fact]
    public async Task LivenessAnswersWithoutAKey()
    {
        await using var app = await StartAsync();

        var response = await app.Anonymous.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await response.ReadAsync())["status"].Value<string>());
    }

    [Fact]
    public async Task EveryServiceResolvesWithItsLifetimeCheckedWhenTheHostValidatesAtStart()
    {
        // Test servers run in Production, as the README's command does; Development turns on the container's checks at
        // build (every registration's dependencies resolve, no singleton holds a scoped service), once here.
        await using var app = await StartOwnAsync(new Dictionary<string, string?> { ["environment"] = "Development" });

        Assert.True(app.Services.GetRequiredService<IHostEnvironment>().IsDevelopment());
        Assert.Equal(HttpStatusCode.OK, (await app.Admin.GetAsync("/v1/customers")).StatusCode);
    }

    [Fact]
    public async Task DatabaseHealthReportsProviderReachabilityAndSchemaVersion()
    {
        await using var app = await StartAsync();

        var health = await (await app.Admin.GetAsync("/v1/admin/health/database")).ReadAsync();

        Assert.Equal(Kind == StoreKind.Sqlite ? "sqlite" : "postgres", health["provider"].Value<string>());
        Assert.True(health["reachable"].Value<bool>());
        Assert.Equal(health["expected_schema_version"].Value<int>(), health["schema_version"].Value<int>());
        Assert.True(health["latency_ms"].Value<double>() >= 0);
    }

    [Fact]
    public async Task SecondStartOnTheSameDatabaseAppliesNoMigrationAndKeepsTheCatalog()
    {
        // A database of the test's own: a server's database is put back as it was cloned when the server stops.
        var connectionString = (await TestDatabases.CreateAsync(Kind)).ConnectionString!;
        await using (var first = await TollgateApp.StartAsync(Kind, connectionString: connectionString))
        {
            await first.Admin.PutJsonAsync("/v1/admin/catalog", Json.Catalog("career-coach.json").Replace("\"Try the app\"", "\"Kept\"", StringComparison.Ordinal));
        }

        await using var second = await TollgateApp.StartAsync(Kind, connectionString: connectionString);
        var health = await (await second.Admin.GetAsync("/v1/admin/health/database")).ReadAsync();
        var free = await (await second.Anonymous.GetAsync("/v1/pricing/plans/free")).ReadAsync();

        Assert.Equal(health["expected_schema_version"].Value<int>(), health["schema_version"].Value<int>());
        Assert.Equal("Kept", free["description"].Value<string>());
    }

    [Fact]
    public async Task OpenApiDocumentAndInteractivePageAreServed()
    {
        await using var app = await StartAsync();

        var document = await (await app.Anonymous.GetAsync("/openapi/v1.json")).ReadAsync();
        var page = await app.Anonymous.GetAsync("/docs/index.html");

        Assert.NotNull(document["paths"]!["/v1/pricing/plans"]);
        Assert.NotNull(document["paths"]!["/v1/admin/catalog"]);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("swagger", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TestClockEndpointsAreAbsentWhenTheTestClockIsOff()
    {
        await using var app = await StartOwnAsync(new Dictionary<string, string?> { ["Tollgate:TestClock:Enabled"] = "false" });

        var read = await app.Admin.GetAsync("/v1/admin/clock");
        var advance = await app.Admin.PostJsonAsync("/v1/admin/clock/advance", new { seconds = 60 });
        var document = await (await app.Anonymous.GetAsync("/openapi/v1.json")).ReadAsync();

        // Asked with the admin key, so the 404 means no endpoint rather than a refused caller.
        Assert.Equal((HttpStatusCode.NotFound, "No endpoint at GET /v1/admin/clock."),
            (read.StatusCode, (await read.ReadAsync())["detail"].Value<string>()));
        Assert.Equal((HttpStatusCode.NotFound, "No endpoint at POST /v1/admin/clock/advance."),
            (advance.StatusCode, (await advance.ReadAsync())["detail"].Value<string>()));
        Assert.DoesNotContain(document["paths"]!.AsObject(), p => p.Key.StartsWith("/v1/admin/clock", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await app.Admin.GetAsync("/v1/admin/health/database")).StatusCode);
    }
}

public sealed class SqliteHostTests(SharedServer shared) : HostContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresHostTests(SharedServer shared) : HostContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
