using System.Net;
using System.Text;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>Refused input names its problem and writes nothing; every test here is refused, so a class shares one server.</summary>
public abstract class BadInputContract(SharedServer shared) : ApiContract(shared)
{
    [Theory]
    [InlineData("{\"name\": \"x\", \"role\": ", "invalid_json")]
    [InlineData("{\"name\": 5, \"role\": \"admin\"}", "invalid_json")]
    [InlineData("{\"name\": \"x\", \"role\": \"admin\", \"colour\": \"red\"}", "invalid_json")]
    [InlineData("{\"role\": \"admin\"}", "invalid_json")]
    public async Task MalformedOrMistypedJsonIsA400ThatNamesTheProblem(string body, string error)
    {
        await using var app = await StartAsync();

        var response = await app.Admin.PostJsonAsync("/v1/admin/keys", body);
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, problem["error"].Value<string>());
        Assert.False(string.IsNullOrEmpty(problem["detail"].Value<string>()));
        Assert.Empty((await app.Admin.PageAsync("/v1/admin/keys")));
    }

    [Fact]
    public async Task UnknownFieldIsNamedInTheError()
    {
        await using var app = await StartAsync();

        var problem = await (await app.Admin.PostJsonAsync("/v1/admin/keys", "{\"name\": \"x\", \"role\": \"admin\", \"colour\": \"red\"}")).ReadAsync();

        Assert.Equal("colour: unknown field", problem["detail"].Value<string>());
    }

    [Fact]
    public async Task AFieldWithAnEmptyNameIsNamedAsJsonWritesItAndNothingIsWritten()
    {
        await using var app = await StartAsync();

        var top = await (await app.Admin.PostJsonAsync("/v1/admin/keys", "{\"name\": \"x\", \"role\": \"admin\", \"\": 1}")).ReadAsync();
        var nested = await (await app.Admin.PutJsonAsync("/v1/customers/c-empty", "{\"address\": {\"country\": \"DE\", \"\": 1}}")).ReadAsync();
        var consume = await (await app.Admin.PostJsonAsync("/v1/entitlements/consume", "{\"customer\": \"c1\", \"feature\": \"api_calls\", \"\": 1}")).ReadAsync();
        var events = await (await app.Admin.PostJsonAsync("/v1/events", "{\"events\": [{\"id\": \"e1\", \"customer\": \"c1\", \"feature\": \"api_calls\", \"\": 1}]}")).ReadAsync();
        var property = await app.Admin.PostJsonAsync("/v1/events", "{\"events\": [{\"id\": \"e2\", \"customer\": \"c1\", \"event\": \"x\", \"properties\": {\"\": 1}}]}");

        Assert.Equal("\"\": unknown field", top["detail"].Value<string>());
        Assert.Equal("address.\"\": unknown field", nested["detail"].Value<string>());
        Assert.Equal("\"\": unknown field", consume["detail"].Value<string>());
        Assert.StartsWith("\"\": unknown field", events["rejected"]![0]!["reason"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal("events[0].properties.\"\": must be a key of 1-64 characters", (await property.ReadAsync())["detail"].Value<string>());
        Assert.Empty(await app.Admin.PageAsync("/v1/admin/keys"));
        Assert.Equal(HttpStatusCode.NotFound, (await app.Admin.GetAsync("/v1/customers/c-empty")).StatusCode);
    }

    [Fact]
    public async Task MissingRequiredFieldIsNamedInTheError()
    {
        await using var app = await StartAsync();

        var problem = await (await app.Admin.PostJsonAsync("/v1/admin/keys", "{\"role\": \"admin\"}")).ReadAsync();

        Assert.Equal("name: is required", problem["detail"].Value<string>());
    }

    [Theory]
    [InlineData("{\"name\": null, \"role\": \"admin\"}", "name: must not be null")]
    [InlineData("{\"name\": 5, \"role\": \"admin\"}", "name: has the wrong type")]
    public async Task WrongValueIsNamedByItsFieldWithoutDotNetTypeNames(string body, string detail)
    {
        await using var app = await StartAsync();

        var problem = await (await app.Admin.PostJsonAsync("/v1/admin/keys", body)).ReadAsync();

        Assert.Equal(detail, problem["detail"].Value<string>());
    }

    [Theory]
    [InlineData("/v1/admin/keys")]
    [InlineData("/v1/entitlements/consume")]
    [InlineData("/v1/entitlements/check")]
    public async Task AJsonNullBodyIsA400NamingTheBodyWithoutTheFrameworksText(string path)
    {
        await using var app = await StartAsync();

        var response = await app.Admin.PostJsonAsync(path, "null");
        var problem = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (response.StatusCode, problem["error"].Value<string>()));
        Assert.Equal("must be a JSON object, not null", problem["errors"]!["body"].Value<string>());
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z", "must be from 1970-01-01 to 8999-12-31")]
    [InlineData("9999-12-31T23:59:59Z", "must be from 1970-01-01 to 8999-12-31")]
    [InlineData("2026-01-20T00:00:00", "must be an ISO 8601 instant or date, such as 2026-01-31T00:00:00Z or 2026-01-31")]
    public async Task AUsageInstantOutsideTheStoredYearsOrWithoutItsZoneIsA400NamingAt(string at, string detail)
    {
        await using var app = await StartAsync();
        await app.CustomerAsync("c1");

        var response = await app.Admin.GetAsync($"/v1/customers/c1/usage?at={Uri.EscapeDataString(at)}");

        Assert.Equal((HttpStatusCode.BadRequest, detail), (response.StatusCode, (await response.ReadAsync())["errors"]!["at"].Value<string>()));
    }

    [Fact]
    public async Task TheTestClockMovesAtMostTwentyYearsACallSoAFarTargetIsA400NotAnHourOfRenewals()
    {
        await using var app = await StartAsync();

        var response = await app.Admin.PostJsonAsync("/v1/admin/clock/advance", new { to = "9999-12-31T23:59:59Z" });
        var clock = await (await app.Admin.GetAsync("/v1/admin/clock")).ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("must be at most about 20 years after the clock", (await response.ReadAsync())["errors"]!["to"].Value<string>());
        Assert.Equal(TollgateApp.DefaultStart, DateTimeOffset.Parse(clock["now"].Value<string>()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task BodyOverOneMebibyteIs413()
    {
        await using var app = await StartAsync();
        var huge = "{\"features\": [], \"plans\": [], \"faq\": [{\"question\": \"" + new string('q', 1_100_000) + "\", \"answer\": \"a\"}]}";

        var declared = await app.Admin.PutJsonAsync("/v1/admin/catalog", huge);
        using var streamed = new HttpRequestMessage(HttpMethod.Put, "/v1/admin/catalog")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge))) { Headers = { ContentType = new("application/json") } },
        };
        streamed.Headers.TransferEncodingChunked = true;
        var chunked = await app.Admin.SendAsync(streamed);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal("body_too_large", (await declared.ReadAsync())["error"].Value<string>());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
    }

    [Fact]
    public async Task WrongContentTypeIs415Problem()
    {
        await using var app = await StartAsync();

        var response = await app.Admin.PostAsync(new Uri("/v1/admin/keys", UriKind.Relative),
            new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported_media_type", (await response.ReadAsync())["error"].Value<string>());
    }

    [Fact]
    public async Task UnknownRouteIsA404Problem()
    {
        await using var app = await StartAsync();

        var response = await app.Anonymous.GetAsync("/v1/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not_found", (await response.ReadAsync())["error"].Value<string>());
    }
}

public sealed class SqliteBadInputTests(SharedServer shared) : BadInputContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresBadInputTests(SharedServer shared) : BadInputContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
