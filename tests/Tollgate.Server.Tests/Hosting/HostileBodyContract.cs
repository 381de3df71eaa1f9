using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>
/// Bodies and content types no client should send, to every route the server maps, written byte for byte on a real
/// socket (so a wrong charset, a broken multipart boundary or a body cut short reach Kestrel as sent). None may answer
/// 5xx, and every refusal from the API is a problem+json: bad input is the caller's 4xx, on a GET as on a POST. A class
/// shares one server; the sweep over every route starts its own, on Kestrel with Stripe's fake.
/// </summary>
public abstract partial class HostileBodyContract(SharedServer shared) : ApiContract(shared)
{
    private const string Json = "{\"customer\":\"c1\",\"feature\":\"api_calls\",\"amount\":1}";

    /// <summary>
    /// A request's content headers and body bytes. Declared overrides Content-Length, and the body is then cut short by
    /// closing the connection's sending side: Kestrel writes no answer to a client that has gone, so that case is seen only
    /// in the server's own count of the statuses it answered.
    /// </summary>
    private sealed record Hostile(string Name, string? ContentType, byte[] Body, string? ContentEncoding = null, int? Declared = null, bool Chunked = false);

    private static readonly Hostile[] Bodies =
    [
        new("multipart, boundary an open quote", "multipart/form-data; boundary=\"", Utf8(Json)),
        new("multipart, body not multipart", "multipart/form-data; boundary=abc", Utf8(Json)),
        new("multipart, cut inside a part", "multipart/form-data; boundary=abc", Utf8("--abc\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1")),
        new("multipart, well formed", "multipart/form-data; boundary=abc", Utf8("--abc\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--abc--\r\n")),
        new("multipart, no boundary", "multipart/form-data", Utf8(Json)),
        new("multipart/mixed", "multipart/mixed; boundary=abc", Utf8(Json)),
        new("a form that does not decode", "application/x-www-form-urlencoded", Utf8("a=%ZZ&b&%00=1")),
        new("text/plain", "text/plain", Utf8(Json)),
        new("octet-stream", "application/octet-stream", [0xFF, 0xFE, 0x00, 0x7B]),
        new("no content type", null, Utf8(Json)),
        new("an unparsable content type", "garbage;;==", Utf8(Json)),
        new("a wildcard content type", "*/*", Utf8(Json)),
        new("an unknown charset", "application/json; charset=bogus", Utf8(Json)),
        new("an empty charset", "application/json; charset=", Utf8(Json)),
        new("utf-16 said and sent", "application/json; charset=utf-16", Encoding.Unicode.GetBytes(Json)),
        new("utf-16 said, utf-8 sent", "application/json; charset=utf-16", Utf8(Json)),
        new("utf-16 said, an even count of utf-8 bytes sent", "application/json; charset=utf-16", Utf8(Json + " ")),
        new("latin-1 said and sent", "application/json; charset=iso-8859-1", Encoding.Latin1.GetBytes("{\"customer\":\"caf\u00e9\"}")),
        new("a +json media type", "application/vnd.tollgate+json", Utf8(Json)),
        new("a UTF-8 byte order mark", "application/json", [0xEF, 0xBB, 0xBF, .. Utf8(Json)]),
        new("UTF-16 with its byte order mark", "application/json", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(Json)]),
        new("bytes that are not UTF-8", "application/json", [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D]),
        new("gzip said, not sent", "application/json", Utf8(Json), ContentEncoding: "gzip"),
        new("an unknown content encoding", "application/json", Utf8(Json), ContentEncoding: "br"),
        new("cut short of its Content-Length", "application/json", Utf8(Json[..10]), Declared: Json.Length),
        new("a chunk size that is not hex", "application/json", Utf8("zz\r\n{}\r\n0\r\n\r\n"), Chunked: true),
    ];

    [Fact]
    public async Task NoRouteAnswersAHostileBodyOrContentTypeWithA5xxAndTheApiRefusesItAsAProblem()
    {
        // With Stripe on (a fake), so the payment routes and Stripe's webhook read their bodies instead of answering 503.
        await using var harness = await PaymentsHarness.StartAsync(Kind, kestrel: true);
        var app = harness.App;
        await app.CustomerAsync("c1", "c1@example.com");
        var routes = Routes(app);
        var failures = new List<string>();
        var sent = 0;

        foreach (var (method, path) in routes)
        {
            foreach (var hostile in Bodies)
            {
                var (status, text) = await SendAsync(app.BaseAddress!, method, path, hostile);
                sent++;
                var problem = text.Contains("\r\nContent-Type: application/problem+json", StringComparison.OrdinalIgnoreCase);
                if ((status == 0 && hostile.Declared is null) || status >= 500 || (status >= 400 && path.StartsWith("/v1/", StringComparison.Ordinal) && !problem))
                {
                    failures.Add($"{method} {path} [{hostile.Name}] → {status} {Shorten(text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 1)..])}");
                }
            }
        }

        Assert.True(routes.Count(r => r.Path.StartsWith("/v1/", StringComparison.Ordinal)) > 90, $"only {routes.Count} routes");
        // The server's own count of what it answered, the requests cut short among them (their clients saw nothing).
        var counted = (await (await app.Anonymous.GetAsync("/metrics")).Content.ReadAsStringAsync()).Split('\n')
            .Where(line => line.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal)
                && line.Contains("http_response_status_code=\"5", StringComparison.Ordinal));
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} answers were 5xx:\n{string.Join("\n", failures.Take(3000))}");
        Assert.Empty(counted);
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=\"")]
    [InlineData("multipart/form-data; boundary=abc")]
    [InlineData("text/plain")]
    public async Task AJsonRouteRefusesAMultipartBodyWithAMalformedBoundaryAsAnyOtherWrongContentType(string contentType)
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");

        var response = await app.Admin.SendAsync(Request(HttpMethod.Post, "/v1/entitlements/consume", contentType, Utf8(Json)));
        var problem = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"), (response.StatusCode, problem["error"].Value<string>()));
        Assert.Equal("Send the body as application/json.", problem["detail"].Value<string>());
    }

    [Theory]
    [InlineData("application/json; charset=bogus", "bogus")]
    [InlineData("application/json; charset=utf-16", "utf-16")]
    [InlineData("application/json; charset=iso-8859-1", "iso-8859-1")]
    public async Task AJsonBodyInACharsetOtherThanUtf8Is415NamingTheCharsetAndWritesNothing(string contentType, string charset)
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());

        var response = await app.Admin.SendAsync(Request(HttpMethod.Put, "/v1/customers/c9", contentType, Utf8("{\"email\":\"c9@example.com\"}")));
        var problem = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"), (response.StatusCode, problem["error"].Value<string>()));
        Assert.Equal($"Send the body as JSON in UTF-8; the charset '{charset}' is not accepted.", problem["detail"].Value<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await app.Admin.GetAsync("/v1/customers/c9")).StatusCode);
    }

    // A customer of its own per case: the class shares one server.
    [Theory]
    [InlineData("application/json; charset=utf-8", "u1")]
    [InlineData("application/json; charset=\"UTF-8\"", "u2")]
    [InlineData("application/json; charset=utf8", "u3")]
    [InlineData("application/json", "u4")]
    public async Task AJsonBodyInUtf8IsTakenWithOrWithoutItsCharset(string contentType, string customer)
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());

        var response = await app.Admin.SendAsync(Request(HttpMethod.Put, $"/v1/customers/{customer}", contentType, Utf8("{\"email\":\"caf\u00e9@example.com\"}")));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("caf\u00e9@example.com", (await (await app.Admin.GetAsync($"/v1/customers/{customer}")).ReadAsync())["email"].Value<string>());
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=\"", "its content type's multipart boundary is malformed")]
    [InlineData("multipart/form-data; boundary=abc", "the multipart body ends inside a part")]
    public async Task APageFormWhoseMultipartBodyDoesNotDecodeIs400NamingTheFormOnAPage(string contentType, string why)
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());

        var response = await app.Anonymous.SendAsync(
            Request(HttpMethod.Post, "/admin/login", contentType, Utf8("--abc\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nx")));
        var page = await response.Content.ReadAsStringAsync();

        // A page's form is answered with a page, as its other refusals are (it was a problem document).
        Assert.Equal((HttpStatusCode.BadRequest, "text/html"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        Assert.Contains($"form: cannot be read: {why}", Pages.PageText.Visible(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APortalFormWithANulIsRefusedWithAPageNotAProblemDocument()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("nul-form");
        using var portal = await Pages.PageText.PortalAsync(app, "nul-form");

        var response = await portal.SendAsync(Request(HttpMethod.Post, "/portal/cancel", "application/x-www-form-urlencoded", Utf8("reason=other&comment=a%00b")));

        Assert.Equal((HttpStatusCode.BadRequest, "text/html"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
    }

    [Fact]
    public async Task APathWithDotSegmentsIsRefusedAndNeverReachesTheRouteItWouldResolveTo()
    {
        // DELETE …/members/.. resolved to DELETE /v1/customers/{id} and erased the customer (a trial, stop 60).
        await using var app = await TollgateApp.StartAsync(Kind, kestrel: true);
        await app.CustomerAsync("c-dots");
        var none = new Hostile("no body", null, []);
        var paths = new[] { "/v1/customers/c-dots/members/..", "/v1/customers/c-dots/members/%2E%2E", "/v1/customers/c-dots/sessions/%2e",
            "/v1/customers/c-dots/members/../", "/v1/customers/c-dots/./members/x" };

        var answers = new List<(int Status, bool NamesPath)>();
        foreach (var path in paths)
        {
            var (status, text) = await SendAsync(app.BaseAddress!, "DELETE", path, none);
            answers.Add((status, text.Contains("\"path\"", StringComparison.Ordinal)));
        }

        // Nor can an id that a path would resolve away be stored, from a body either.
        var dotted = await app.Admin.PostJsonAsync("/v1/entitlements/consume", new { customer = "..", feature = "cv_generate" });

        Assert.All(answers, a => Assert.Equal((400, true), a));
        Assert.Equal(HttpStatusCode.BadRequest, dotted.StatusCode);
        Assert.Contains("'..'", (await dotted.ReadAsync())["errors"]!["customer"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.Admin.GetAsync("/v1/customers/c-dots")).StatusCode);
    }

    [Fact]
    public async Task APathQueryOrHeadersPastTheirLimitAreRefusedUnauthenticatedAsAProblemNamingTheLongestPart()
    {
        // Kestrel answered these with an empty 414 or 431 at its own, lower limits (a trial, stop 63).
        await using var app = await TollgateApp.StartAsync(Kind, kestrel: true);
        using var anonymous = new HttpClient { BaseAddress = app.BaseAddress };
        using var bigHeader = new HttpRequestMessage(HttpMethod.Get, new Uri("/healthz", UriKind.Relative));
        bigHeader.Headers.TryAddWithoutValidation("X-Big", new string('y', 40_000));
        var x = new string('x', 9_000);

        var query = await anonymous.GetAsync(new Uri($"/v1/customers?limit=5&cursor={x}", UriKind.Relative));
        var path = await anonymous.GetAsync(new Uri($"/v1/customers/{x}", UriKind.Relative));
        var headers = await anonymous.SendAsync(bigHeader);
        var under = await anonymous.GetAsync(new Uri($"/healthz?pad={new string('x', 8_000)}", UriKind.Relative));
        // The in-memory host (the class's shared server), which has no request-line limit of its own, takes the same rule.
        await using var shared = await StartAsync(ApiSetup.RulesCatalog());
        var inMemory = await shared.Anonymous.GetAsync(new Uri($"/v1/customers?limit=5&cursor={x}", UriKind.Relative));

        Assert.Equal((414, "uri_too_long", true), await RefusalAsync(query, "cursor"));
        Assert.Equal((414, "uri_too_long", true), await RefusalAsync(path, "path"));
        Assert.Equal((431, "headers_too_large", true), await RefusalAsync(headers, "X-Big"));
        Assert.Equal(HttpStatusCode.OK, under.StatusCode);
        Assert.Equal((414, "uri_too_long", true), await RefusalAsync(inMemory, "cursor"));

        static async Task<(int Status, string? Error, bool Names)> RefusalAsync(HttpResponseMessage answer, string field)
        {
            var problem = await answer.ReadAsync();
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            return ((int)answer.StatusCode, problem["error"]?.Value<string>(), problem["errors"]?[field] is not null);
        }
    }

    [Fact]
    public async Task ABodyOnAGetIsIgnored()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");

        var multipart = await app.Admin.SendAsync(Request(HttpMethod.Get, "/v1/customers/c1", "multipart/form-data; boundary=\"", Utf8(Json)));
        var text = await app.Admin.SendAsync(Request(HttpMethod.Get, "/healthz", "text/plain", Utf8("hello")));

        Assert.Equal((HttpStatusCode.OK, "c1"), (multipart.StatusCode, (await multipart.ReadAsync())["id"].Value<string>()));
        Assert.Equal(HttpStatusCode.OK, text.StatusCode);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string contentType, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
    }

    /// <summary>Every method of every route the server maps (JSON API and pages), with its path parameters filled in.</summary>
    private static List<(string Method, string Path)> Routes(TollgateApp app) =>
        [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, PathParameter().Replace("/" + e.RoutePattern.RawText!.TrimStart('/'), "c1"))))
            .Where(r => !r.Item2.Contains('*', StringComparison.Ordinal))
            .Distinct()];

    /// <summary>Writes the request as raw HTTP/1.1 and reads the status line and body until the server closes.</summary>
    private static async Task<(int Status, string Text)> SendAsync(Uri server, string method, string path, Hostile hostile)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        var head = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n");
        head.Append($"Authorization: Bearer {TollgateApp.AdminKey}\r\n");
        if (hostile.ContentType is not null)
        {
            head.Append($"Content-Type: {hostile.ContentType}\r\n");
        }

        if (hostile.ContentEncoding is not null)
        {
            head.Append($"Content-Encoding: {hostile.ContentEncoding}\r\n");
        }

        head.Append(hostile.Chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {hostile.Declared ?? hostile.Body.Length}\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
        await stream.WriteAsync(hostile.Body);
        if (hostile.Declared is not null)
        {
            client.Client.Shutdown(SocketShutdown.Send); // the body ends here, whatever was declared
        }

        using var response = new MemoryStream();
        try
        {
            await stream.CopyToAsync(response).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (IOException)
        {
            // A reset after the answer was written still leaves the answer in the buffer.
        }

        var text = Encoding.UTF8.GetString(response.ToArray());
        var status = text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(text.AsSpan(9, 3), out var code) ? code : 0;
        return (status, text);
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] : text;

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [GeneratedRegex("{[^}]+}")]
    private static partial Regex PathParameter();
}

public sealed class SqliteHostileBodyTests(SharedServer shared) : HostileBodyContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresHostileBodyTests(SharedServer shared) : HostileBodyContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
