using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly.Timeout;
using Tollgate.Client.AspNetCore;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>A small app gating its endpoints with RequireQuota, talking to a real Tollgate server over HTTP, once on each store.</summary>
public abstract class RequireQuotaContract
{
    protected abstract StoreKind Kind { get; }

    private sealed record Fixture(TollgateApp Tollgate, WebApplication App, HttpClient Caller) : IAsyncDisposable
    {
        public async Task<long> UsedAsync(string customer, string feature)
        {
            var usage = await (await Tollgate.Admin.GetAsync($"/v1/customers/{customer}/usage")).ReadAsync();
            return usage["features"]![feature]!["used"].Value<long>();
        }

        public Task<HttpResponseMessage> CallAsync(string path, string? user = "c1", string? idempotencyKey = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path);
            if (user is not null)
            {
                request.Headers.Add("X-User", user);
            }

            if (idempotencyKey is not null)
            {
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            }

            return Caller.SendAsync(request);
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Tollgate.DisposeAsync();
        }
    }

    private async Task<Fixture> StartAsync(
        Action<TollgateOptions>? configure = null, Dictionary<string, string?>? catalog = null, Action<IHttpClientBuilder>? client = null)
    {
        var tollgate = await TollgateApp.StartAsync(Kind, catalog ?? ApiSetup.RulesCatalog(), kestrel: true);
        await tollgate.CustomerAsync("c1");
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var tollgateClient = builder.Services.AddTollgate(o =>
        {
            o.BaseAddress = tollgate.BaseAddress!;
            o.ApiKey = TollgateApp.AdminKey;
            o.CustomerResolver = http => http.Request.Headers["X-User"].FirstOrDefault();
            configure?.Invoke(o);
        });
        client?.Invoke(tollgateClient);
        var app = builder.Build();
        app.MapPost("/cv", () => TypedResults.Ok(new { cv = "done" })).RequireQuota("capped");
        app.MapPost("/batch/{n:long}", (long n) => TypedResults.Ok(new { n })).RequireQuota("capped", http => long.Parse(
            (string)http.Request.RouteValues["n"]!, System.Globalization.CultureInfo.InvariantCulture));
        app.MapPost("/fails", () => TypedResults.Problem(statusCode: 500)).RequireQuota("capped", 5);
        app.MapPost("/throws", IResult () => throw new InvalidOperationException("boom")).RequireQuota("capped", 5);
        app.MapPost("/partial", (HttpContext http) =>
        {
            http.SetQuotaUsage("capped", 4);
            return TypedResults.Ok();
        }).RequireQuota("capped", 10);
        app.MapPost("/premium", () => TypedResults.Ok()).RequireQuota("gate");
        app.MapPost("/calls", () => TypedResults.Ok()).RequireQuota("calls"); // rate limited in QuotaWindowsContract's catalog
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Fixture(tollgate, app, new HttpClient { BaseAddress = new Uri(address) });
    }

    [Fact]
    public async Task SuccessfulHandlerCommitsItsUnits()
    {
        await using var f = await StartAsync();

        var one = await f.CallAsync("/cv");
        var three = await f.CallAsync("/batch/3");

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.OK, three.StatusCode);
        Assert.Equal(4, await f.UsedAsync("c1", "capped"));
    }

    [Fact]
    public async Task FailingOrThrowingHandlerReleasesItsUnits()
    {
        await using var f = await StartAsync();

        var failed = await f.CallAsync("/fails");
        var threw = await f.CallAsync("/throws");
        var usage = await (await f.Tollgate.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, threw.StatusCode);
        Assert.Equal((0L, 0L), (usage["features"]!["capped"]!["used"].Value<long>(), usage["features"]!["capped"]!["reserved"].Value<long>()));
    }

    [Fact]
    public async Task HandlerCanSettleToTheUnitsItReallyUsed()
    {
        await using var f = await StartAsync();

        await f.CallAsync("/partial");

        Assert.Equal(4, await f.UsedAsync("c1", "capped"));
    }

    [Fact]
    public async Task DenialReachesTheAppsCallerAsTheSameProblem()
    {
        await using var f = await StartAsync();
        await f.CallAsync("/batch/100");

        var denied = await f.CallAsync("/cv");
        var gated = await f.CallAsync("/premium");
        var problem = await denied.ReadAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, denied.StatusCode);
        Assert.NotNull(denied.Headers.RetryAfter);
        Assert.Equal(("quota_exceeded", "capped", 100L, $"{f.Tollgate.BaseAddress}pricing"), (problem["error"].Value<string>(),
            problem["feature"].Value<string>(), problem["limit"].Value<long>(), problem["upgrade_url"].Value<string>()));
        Assert.Equal(HttpStatusCode.PaymentRequired, gated.StatusCode);
        Assert.Equal(100, await f.UsedAsync("c1", "capped"));
    }

    [Fact]
    public async Task RateLimitReachesTheAppsCallerAs429WithRetryAfterAtOnceThroughTheBuiltInRetries()
    {
        var reserves = new StrongBox<int>();
        await using var f = await StartAsync(catalog: ApiSetup.CatalogOf("client-windows", QuotaWindowsContract.Catalog),
            client: http => http.AddHttpMessageHandler(() => new CountingHandler("/v1/entitlements/reserve", reserves))); // inside the retries

        var granted = new[] { await f.CallAsync("/calls"), await f.CallAsync("/calls") };
        var limited = await f.CallAsync("/calls");
        var problem = await limited.ReadAsync();

        Assert.All(granted, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
        Assert.Equal(("rate_limited", "calls", 2L, 0L, "2026-01-15T12:01:00Z"), (problem["error"].Value<string>(), problem["feature"].Value<string>(),
            problem["limit"].Value<long>(), problem["remaining"].Value<long>(), problem["reset_at"].Value<string>()));
        Assert.Equal(3, reserves.Value); // one reserve per request: no retry reached Tollgate
        Assert.Equal(2, await f.UsedAsync("c1", "calls"));
    }

    [Fact]
    public async Task QuotaExceededReachesTheAppsCallerAtOnceThroughTheBuiltInRetries()
    {
        var reserves = new StrongBox<int>();
        await using var f = await StartAsync(client: http => http.AddHttpMessageHandler(() => new CountingHandler("/v1/entitlements/reserve", reserves)));
        await f.CallAsync("/batch/100");

        var denied = await f.CallAsync("/cv");

        Assert.Equal(HttpStatusCode.TooManyRequests, denied.StatusCode);
        Assert.Equal("quota_exceeded", (await denied.ReadAsync())["error"].Value<string>());
        Assert.Equal(2, reserves.Value);
        Assert.Equal(100, await f.UsedAsync("c1", "capped"));
    }

    [Fact]
    public async Task RateLimitReachesTheAppsCallerAtOnceBehindTheDocumentedOwnResilienceHandler()
    {
        var reserves = new StrongBox<int>();
        await using var f = await StartAsync(o => o.MaxRetries = 0, ApiSetup.CatalogOf("client-windows", QuotaWindowsContract.Catalog), http =>
        {
            http.AddStandardResilienceHandler(o => o.Retry.ShouldHandle = args => ValueTask.FromResult( // as docs/sdk.md shows
                args.Outcome.Exception is HttpRequestException or TimeoutRejectedException
                || args.Outcome.Result?.StatusCode is HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError));
            http.AddHttpMessageHandler(() => new CountingHandler("/v1/entitlements/reserve", reserves));
        });

        await f.CallAsync("/calls");
        await f.CallAsync("/calls");
        var limited = await f.CallAsync("/calls");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
        Assert.Equal(3, reserves.Value);
    }

    /// <summary>Counts the requests to one path that leave the app's Tollgate client, retries included.</summary>
    private sealed class CountingHandler(string path, StrongBox<int> count) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri?.AbsolutePath == path)
            {
                Interlocked.Increment(ref count.Value);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task OnDeniedShapesTheAnswerTheAppsCallerSees()
    {
        await using var f = await StartAsync(o => o.OnDenied = (_, denied) =>
            TypedResults.Json(new { message = $"{denied.Used} of {denied.Limit} used", upgrade = denied.UpgradeUrl }, statusCode: 429));
        await f.CallAsync("/batch/100");

        var denied = await f.CallAsync("/cv");
        var body = await denied.ReadAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, denied.StatusCode);
        Assert.Equal(("100 of 100 used", "/pricing"), (body["message"].Value<string>(), body["upgrade"].Value<string>()));
    }

    [Fact]
    public async Task UnknownCustomerIsAnswered403CustomerUnknownWhateverTheErrorPolicy()
    {
        await using var closed = await StartAsync();
        await using var open = await StartAsync(o => o.OnError = TollgateErrorPolicy.FailOpen);

        var refused = await closed.CallAsync("/cv", user: "ghost");
        var alsoRefused = await open.CallAsync("/cv", user: "ghost");
        var problem = await refused.ReadAsync();

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (refused.StatusCode, alsoRefused.StatusCode));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(("customer_unknown", 403L), (problem["error"].Value<string>(), problem["status"].Value<long>()));
    }

    [Fact]
    public async Task AnAmountOrCustomerTollgateTakesNoUsageForIsAnswered400InvalidUsageNot500()
    {
        await using var f = await StartAsync();

        var zero = await f.CallAsync("/batch/0");
        var huge = await f.CallAsync("/batch/10000000000000");
        var spaced = await f.CallAsync("/cv", user: "has a space");
        var problem = await zero.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (zero.StatusCode, huge.StatusCode, spaced.StatusCode));
        Assert.Equal("application/problem+json", zero.Content.Headers.ContentType?.MediaType);
        Assert.Equal("invalid_usage", problem["error"].Value<string>());
        Assert.Contains("amount", problem["detail"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal("invalid_usage", (await spaced.ReadAsync())["error"].Value<string>());
    }

    [Fact]
    public async Task AutoCreateCustomersCreatesTheCustomerOnFirstUseAndCountsTheCall()
    {
        await using var f = await StartAsync(o => o.AutoCreateCustomers = true);

        var first = await f.CallAsync("/cv", user: "newcomer");
        var second = await f.CallAsync("/cv", user: "newcomer");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal(2, await f.UsedAsync("newcomer", "capped"));
    }

    [Fact]
    public async Task RejectedKeyFailsClosedByDefaultAndRunsUncountedWhenFailingOpen()
    {
        await using var closed = await StartAsync(o => o.ApiKey = "tg_sk_not_a_real_key");
        await using var open = await StartAsync(o => (o.ApiKey, o.OnError) = ("tg_sk_not_a_real_key", TollgateErrorPolicy.FailOpen));

        var refused = await closed.CallAsync("/cv");
        var let = await open.CallAsync("/cv");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, let.StatusCode);
        Assert.Equal(0, await open.UsedAsync("c1", "capped"));
    }

    [Fact]
    public async Task UnreachableTollgateFailsClosedByDefaultAndRunsWhenFailingOpen()
    {
        var nowhere = new Uri("http://127.0.0.1:1/");
        await using var closed = await StartAsync(o => o.BaseAddress = nowhere);
        await using var open = await StartAsync(o => (o.BaseAddress, o.OnError) = (nowhere, TollgateErrorPolicy.FailOpen));

        var refused = await closed.CallAsync("/cv");
        var let = await open.CallAsync("/cv");

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK), (refused.StatusCode, let.StatusCode));
    }

    [Fact]
    public async Task TheAppsCallersIdempotencyKeyIsNotReplayedSoEveryRunOfTheHandlerCounts()
    {
        // Passed on, one key let the handler run 20 times and counted 1; another customer's key answered 500.
        await using var f = await StartAsync();
        await f.Tollgate.CustomerAsync("c2");

        var runs = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add((await f.CallAsync("/cv", idempotencyKey: "same-key")).StatusCode);
        }

        var other = await f.CallAsync("/cv", user: "c2", idempotencyKey: "same-key");

        Assert.All(runs, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal((5L, 1L), (await f.UsedAsync("c1", "capped"), await f.UsedAsync("c2", "capped")));
    }

    [Theory]
    [InlineData("hangs")]
    [InlineData("throttles")]
    public async Task ATollgateThatHangsOrAGatewayThatThrottlesIsAnswered503WithinTheGateTimeoutNotWaitedOut(string upstream)
    {
        // A gateway's 429 with Retry-After: 10 was waited out twice (20 s), and a hanging server held the caller 100 s.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var served = ServeAsync(listener, upstream == "throttles", stop.Token);
        var address = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/");
        await using var f = await StartAsync(o => (o.BaseAddress, o.GateTimeout) = (address, TimeSpan.FromSeconds(1)));
        f.Caller.Timeout = TimeSpan.FromSeconds(15); // the old gate's waits (20 s, 100 s) fail here instead of passing late

        var answer = await f.CallAsync("/cv");
        var problem = await answer.ReadAsync();
        await stop.CancelAsync();
        listener.Stop();
        await served;

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "quota_unavailable"), (answer.StatusCode, problem["error"].Value<string>()));
    }

    private static async Task ServeAsync(System.Net.Sockets.TcpListener listener, bool throttle, CancellationToken stop)
    {
        var held = new List<System.Net.Sockets.TcpClient>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stop);
                held.Add(client);
                if (throttle)
                {
                    var stream = client.GetStream();
                    _ = await stream.ReadAsync(new byte[8192], stop); // the request, whatever of it came; its answer is the same
                    await stream.WriteAsync("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 10\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), stop);
                    client.Close();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task AnonymousCallerIs401AndNothingIsCounted()
    {
        await using var f = await StartAsync();

        var response = await f.CallAsync("/cv", user: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await f.UsedAsync("c1", "capped"));
    }
}

public sealed class SqliteRequireQuotaTests : RequireQuotaContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresRequireQuotaTests : RequireQuotaContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
