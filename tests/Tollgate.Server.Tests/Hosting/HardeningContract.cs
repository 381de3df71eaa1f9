using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>
/// Each defect the fuzz and security campaign found, replayed: a 4xx that names the problem and writes nothing. What the
/// tests do write (a price, a partial catalog, a customer) no other test of the class reads, so a class shares one server;
/// the tests that need Kestrel or Stripe start their own.
/// </summary>
public abstract class HardeningContract(SharedServer shared) : ApiContract(shared)
{
    private static string? Error(JsonNode node) => node["error"].Value<string>();

    [Theory]
    [InlineData("/v1/events", "{\"events\": [{\"id\": \"e1\", \"customer\": \"c1\", \"feature\": \"f\\ud800\", \"amount\": 1}]}", "events[0].feature")]
    [InlineData("/v1/llm/usage", "{\"customer\": \"c1\", \"model\": \"gpt-4o\\udc00\", \"input_tokens\": 1}", "model")]
    [InlineData("/v1/admin/llm/prices", "{\"model\": \"m\\ud83d\", \"provider\": \"self\", \"input\": 1}", "model")]
    [InlineData("/v1/admin/llm/prices/import", "{\"m\\ud800\": {\"input_cost_per_token\": 0.000001}}", "body")]
    [InlineData("/v1/admin/keys", "{\"name\": \"\\udfff\", \"role\": \"admin\"}", "name")]
    public async Task ALoneSurrogateIs400InvalidJsonNamingTheFieldAndWritesNothing(string path, string body, string field)
    {
        await using var app = await StartAsync();
        var before = await (await app.Admin.GetAsync("/v1/admin/llm/prices")).ReadAsync();

        var response = await app.Admin.PostJsonAsync(path, body);
        var problem = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_json"), (response.StatusCode, Error(problem)));
        Assert.StartsWith(field + ":", problem["detail"].Value<string>(), StringComparison.Ordinal);
        Assert.NotNull(problem["errors"]![field]); // named where a client's ValidationError reads fields from, as validation_failed does
        Assert.Equal(before.ToJsonString(), (await (await app.Admin.GetAsync("/v1/admin/llm/prices")).ReadAsync()).ToJsonString());
        Assert.Empty((await app.Admin.PageAsync("/v1/admin/keys"))); // TOLLGATE_ADMIN_KEY is not stored
    }

    [Fact]
    public async Task ALoneSurrogateInACatalogIs400InvalidJsonAndTheRevisionStays()
    {
        await using var app = await StartAsync();
        var revision = (await (await app.Admin.GetAsync("/v1/pricing")).ReadAsync())["revision"]?.ToJsonString();

        var response = await app.Admin.PutJsonAsync("/v1/admin/catalog", "{\"features\": [], \"plans\": [], \"upgrade_url\": \"/x\\ud800\"}");

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_json"), (response.StatusCode, Error(await response.ReadAsync())));
        Assert.Equal(revision, (await (await app.Admin.GetAsync("/v1/pricing")).ReadAsync())["revision"]?.ToJsonString());
    }

    [Fact]
    public async Task AKeyNamedTwiceIsRefusedNamingIt()
    {
        await using var app = await StartAsync();

        var response = await app.Admin.PostJsonAsync("/v1/admin/keys", "{\"name\": \"a\", \"role\": \"admin\", \"name\": \"b\"}");
        var nested = await app.Admin.PostJsonAsync("/v1/events",
            "{\"events\": [{\"id\": \"e1\", \"customer\": \"c1\", \"feature\": \"f\", \"amount\": 1, \"amount\": 5}]}");

        var problem = await response.ReadAsync();
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_json"), (response.StatusCode, Error(problem)));
        Assert.Equal("name: appears more than once in the same object", problem["detail"].Value<string>());
        Assert.Equal("events[0].amount: appears more than once in the same object", (await nested.ReadAsync())["detail"].Value<string>());
        Assert.Empty((await app.Admin.PageAsync("/v1/admin/keys")));
    }

    [Fact]
    public async Task PropertyNamesMatchCaseSensitively()
    {
        await using var app = await StartAsync();

        var response = await app.Admin.PostJsonAsync("/v1/admin/keys", "{\"Name\": \"a\", \"role\": \"admin\"}");

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_json"), (response.StatusCode, Error(await response.ReadAsync())));
        Assert.Empty((await app.Admin.PageAsync("/v1/admin/keys")));
    }

    [Fact]
    public async Task AChunkedBodyOverOneMebibyteIsBodyTooLarge()
    {
        await using var app = await StartAsync();
        var huge = "{\"name\": \"" + new string('q', 1_100_000) + "\", \"role\": \"admin\"}";
        using var streamed = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/admin/keys", UriKind.Relative))
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge))),
        };
        streamed.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        streamed.Headers.TransferEncodingChunked = true;

        var response = await app.Admin.SendAsync(streamed);

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "body_too_large"), (response.StatusCode, Error(await response.ReadAsync())));
    }

    [Fact]
    public async Task ANonAsciiModelIsCreatedWithAnEscapedLocation()
    {
        await using var app = await StartAsync();

        var response = await app.Admin.PostJsonAsync("/v1/admin/llm/prices", new { model = "café-model", provider = "self", input = 1.00 });
        var listed = await (await app.Admin.GetAsync("/v1/admin/llm/prices?model=caf%C3%A9-model")).ReadAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/v1/admin/llm/prices?model=caf%C3%A9-model", response.Headers.Location?.OriginalString);
        Assert.Equal("café-model", listed["data"]!.AsArray().Single()!["model"].Value<string>());
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/html,hi")]
    [InlineData("//evil.example/upgrade")]
    [InlineData("https://user:pw@example.com/")]
    public async Task AnUpgradeUrlThatIsNotHttpOrARelativePathIsRefused(string url)
    {
        await using var app = await StartAsync();
        var document = Json.Parse(Json.Catalog("data-api.json"));
        document["upgrade_url"] = url;

        var response = await app.Admin.PutJsonAsync("/v1/admin/catalog", document.ToJsonString());
        var problem = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_catalog"), (response.StatusCode, Error(problem)));
        Assert.Contains(problem["errors"]!.AsArray(), e => e!.GetValue<string>().StartsWith("upgrade_url", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://app.example.com/\nback")]
    [InlineData("https://app.example.com/\tback")]
    [InlineData("https://app.example.com/\u0000")]
    public async Task AReturnUrlWithControlCharactersIsRefused(string url)
    {
        await using var app = await StartAsync();
        await app.CustomerAsync("ada");

        var response = await app.Admin.PostJsonAsync("/v1/customers/ada/portal-sessions", new { return_url = url });
        var problem = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (response.StatusCode, Error(problem)));
        Assert.NotNull(problem["errors"]!["return_url"]);
    }

    [Fact]
    public async Task TenWrongConsoleKeysFromOneAddressAreThenRefusedWhileTheAdminElsewhereStillSignsIn()
    {
        await using var app = await TollgateApp.StartAsync(Kind, kestrel: true);
        using var attacker = ClientFrom(app.BaseAddress!, "127.0.0.2");
        using var admin = ClientFrom(app.BaseAddress!, "127.0.0.1");

        var wrong = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            wrong.Add((await SignInAsync(attacker, "tg_admin_guess" + i)).StatusCode);
        }

        var limited = await SignInAsync(attacker, "tg_admin_guess_11");
        var rightKeyWhileLimited = await SignInAsync(attacker, TollgateApp.AdminKey);
        var realAdmin = await SignInAsync(admin, TollgateApp.AdminKey);
        app.Clock.Advance(TimeSpan.FromMinutes(15));
        var afterTheWindow = await SignInAsync(attacker, TollgateApp.AdminKey);

        Assert.All(wrong, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.InRange(long.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 900);
        Assert.Contains("Too many wrong keys", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode)429, rightKeyWhileLimited.StatusCode); // not even checked: no oracle while limited
        Assert.Equal((HttpStatusCode.Redirect, "/admin"), (realAdmin.StatusCode, realAdmin.Headers.Location?.OriginalString));
        Assert.Equal(HttpStatusCode.Redirect, afterTheWindow.StatusCode);
    }

    [Fact]
    public async Task ASignedStripeEventWithCreatedOutOfRangeOrALoneSurrogateIs400AndRecordsNothing()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);

        var farFuture = await h.Stripe.SignedWebhookAsync(h.App.Anonymous,
            """{"id": "evt_1", "object": "event", "type": "invoice.paid", "created": 99999999999999, "data": {"object": {"id": "in_1"}}}""");
        var surrogate = await h.Stripe.SignedWebhookAsync(h.App.Anonymous,
            """{"id": "evt_2\ud800", "object": "event", "type": "invoice.paid", "created": 1767000000, "data": {"object": {"id": "in_1"}}}""");
        var created = await farFuture.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_event"), (farFuture.StatusCode, Error(created)));
        Assert.NotNull(created["errors"]!["event.created"]);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_json"), (surrogate.StatusCode, Error(await surrogate.ReadAsync())));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM stripe_events"));
    }

    [Theory]
    [InlineData("http://[::127.0.0.1]/hook")]
    [InlineData("http://[::a9fe:a9fe]/latest/meta-data")]
    [InlineData("http://[2002:7f00:1::1]/hook")]
    [InlineData("http://[2002:a9fe:a9fe::]/latest/meta-data")]
    [InlineData("http://[2002:0a00:0001::5]/hook")]
    public async Task IPv4CompatibleAnd6to4FormsOfInternalAddressesAreRefusedAsWebhookTargets(string url)
    {
        await using var app = await StartAsync();

        var response = await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url });
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("internal address", problem["errors"]!["url"].Value<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void A6to4AddressOfAPublicHostIsNotInternal() =>
        Assert.False(global::Tollgate.Server.Webhooks.WebhookTargets.IsInternal(IPAddress.Parse("2002:0808:0808::1")));

    [Fact]
    public async Task APartialReorderedCatalogAppliedAgainChangesNeitherTheRevisionNorTheETag()
    {
        await using var app = await StartAsync();
        var exported = Json.Parse(await (await app.Admin.GetAsync("/v1/admin/catalog")).Content.ReadAsStringAsync());
        var features = exported["features"]!.AsArray().Select(f => f!.DeepClone()).Reverse().Take(3).ToArray();
        var partial = new JsonObject
        {
            ["default_plan"] = exported["default_plan"]?.DeepClone(), ["features"] = new JsonArray(features), ["plans"] = new JsonArray(),
        }.ToJsonString();

        var first = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", partial)).ReadAsync();
        var etag = (await app.Anonymous.GetAsync("/v1/pricing")).Headers.ETag?.Tag;
        var again = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", partial)).ReadAsync();

        Assert.False(again["changed"].Value<bool>(), again.ToJsonString());
        Assert.Equal(first["revision"].Value<long>(), again["revision"].Value<long>());
        Assert.Equal(etag, (await app.Anonymous.GetAsync("/v1/pricing")).Headers.ETag?.Tag);
    }

    [Fact]
    public async Task TheNulCharacterInAQueryOrAJsonBodyAndAFormThatDoesNotDecodeAreRefusedNamingWhereAndWriteNothing()
    {
        await using var app = await StartAsync();
        var prices = (await (await app.Admin.GetAsync("/v1/admin/llm/prices")).ReadAsync()).ToJsonString();

        var query = await (await app.Admin.GetAsync("/v1/customers?query=a%00b")).ReadAsync();
        var value = await app.Admin.PutJsonAsync("/v1/customers/c1", "{\"name\": \"a\\u0000b\"}");
        var name = await app.Admin.PutJsonAsync("/v1/customers/c1", "{\"metadata\": {\"k\\u0000\": \"v\"}}");
        var form = await app.Anonymous.PostAsync(new Uri("/admin/login", UriKind.Relative), new FormUrlEncodedContent([new("key", "a\0b")]));
        using var zipped = new MemoryStream();
        using (var zip = new System.IO.Compression.GZipStream(zipped, System.IO.Compression.CompressionLevel.Fastest))
        {
            zip.Write(Encoding.UTF8.GetBytes("{\"m\\u0000\": {\"input_cost_per_token\": 0.000001}}"));
        }

        var import = new ByteArrayContent(zipped.ToArray());
        import.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/gzip");
        var imported = await app.Admin.PostAsync(new Uri("/v1/admin/llm/prices/import", UriKind.Relative), import);

        Assert.Equal(("validation_failed", true), (Error(query), query["errors"]!["query"].Value<string>()!.Contains("NUL", StringComparison.Ordinal)));
        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (value.StatusCode, Error(await value.ReadAsync())));
        Assert.StartsWith("name: holds the NUL character", (await value.ReadAsync())["detail"].Value<string>(), StringComparison.Ordinal);
        Assert.StartsWith("metadata: has a property name that holds the NUL", (await name.ReadAsync())["detail"].Value<string>(), StringComparison.Ordinal);
        // A page's form is refused with a page, as the page's other refusals are.
        Assert.Equal((HttpStatusCode.BadRequest, "text/html"), (form.StatusCode, form.Content.Headers.ContentType?.MediaType));
        Assert.Contains("form: cannot be read", Pages.PageText.Visible(await form.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var refused = await imported.ReadAsync();
        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed", true), (imported.StatusCode, Error(refused), refused["errors"]!["body"] is not null));
        Assert.Equal(HttpStatusCode.NotFound, (await app.Admin.GetAsync("/v1/customers/c1")).StatusCode);
        Assert.Equal(prices, (await (await app.Admin.GetAsync("/v1/admin/llm/prices")).ReadAsync()).ToJsonString());
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string key) =>
        client.PostAsync(new Uri("/admin/login", UriKind.Relative), new FormUrlEncodedContent([new("key", key)]));

    /// <summary>A client whose connections come from <paramref name="local"/>: every 127.x address is this machine.</summary>
    private static HttpClient ClientFrom(Uri server, string local) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(local), 0));
            await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = server };
}

public sealed class SqliteHardeningTests(SharedServer shared) : HardeningContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresHardeningTests(SharedServer shared) : HardeningContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
