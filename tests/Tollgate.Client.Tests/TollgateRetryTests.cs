using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Client.AspNetCore;
using Tollgate.Contracts;

namespace Tollgate.Client.Tests;

/// <summary>
/// The SDK's retry rules against a loopback HTTP server that answers what each test scripts, on the real wire: the
/// answers Tollgate itself cannot be made to give on demand (a 503, a proxy's 429, a refused connection).
/// </summary>
public sealed class TollgateRetryTests
{
    private const string ProblemJson = "application/problem+json";

    [Fact]
    public async Task ServiceUnavailableWithRetryAfterOneSecondIsRetriedOnceAndSucceeds()
    {
        // The wait is on a fake clock, moved on in steps until the retry comes: it must have waited a second on that clock,
        // and the test waits for no real second.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await FakeTollgate.StartAsync(clock,
            Problem(503, "database_unavailable", retryAfter: "1"),
            Granted);
        using var services = Services(server.BaseAddress, time: clock);

        var consume = services.Client.ConsumeAsync("c1", "cv_generate");
        for (var step = 0; step < 200 && !consume.IsCompleted; step++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10));
            clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        var answer = await consume.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(server.Requests[1].At - server.Requests[0].At >= TimeSpan.FromSeconds(1), "the retry waited out Retry-After on the clock");
        Assert.True(answer.Allowed);
        Assert.Equal(2, server.Requests.Count);
        Assert.Single(server.Requests.Select(r => r.IdempotencyKey).Distinct()); // both attempts are one consume
        Assert.StartsWith("idem_", server.Requests[0].IdempotencyKey, StringComparison.Ordinal);
        Assert.Contains($"\"idempotency_key\":\"{server.Requests[0].IdempotencyKey}\"", server.Requests[1].Body, StringComparison.Ordinal); // resent whole
    }

    [Fact]
    public async Task RetryAfterOverSixtySecondsIsThrownAtOnce()
    {
        await using var server = await FakeTollgate.StartAsync(Problem(503, "database_unavailable", retryAfter: "120"), Granted);
        using var services = Services(server.BaseAddress);

        var error = await Assert.ThrowsAsync<TollgateUnavailableException>(() => services.Client.ConsumeAsync("c1", "cv_generate"));

        Assert.Equal(("database_unavailable", 1), (error.Error, server.Requests.Count));
    }

    [Fact]
    public async Task ProxysTooManyRequestsWithATextBodyIsRetried()
    {
        await using var server = await FakeTollgate.StartAsync(
            async http =>
            {
                http.Response.StatusCode = 429;
                http.Response.ContentType = "text/plain";
                await http.Response.WriteAsync("slow down");
            },
            Granted);
        using var services = Services(server.BaseAddress);

        var answer = await services.Client.ConsumeAsync("c1", "cv_generate");

        Assert.True(answer.Allowed);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task TollgatesQuotaExceededIsNeverRetried()
    {
        await using var server = await FakeTollgate.StartAsync(Problem(429, "quota_exceeded", retryAfter: "1"), Granted);
        using var services = Services(server.BaseAddress);

        await Assert.ThrowsAsync<QuotaExceededException>(() => services.Client.ConsumeAsync("c1", "cv_generate"));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task ClientErrorIsNeverRetried()
    {
        await using var server = await FakeTollgate.StartAsync(Problem(400, "validation_failed"), Granted);
        using var services = Services(server.BaseAddress);

        await Assert.ThrowsAsync<TollgateException>(() => services.Client.ConsumeAsync("c1", "cv_generate"));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task RefusedConnectionIsRetriedMaxRetriesTimesThenThrows()
    {
        var attempts = new StrongBox<int>();
        using var services = Services(new Uri($"http://127.0.0.1:{ClosedPort()}/"), client: http => http.AddHttpMessageHandler(() => new CountingHandler(attempts)));

        await Assert.ThrowsAsync<HttpRequestException>(() => services.Client.ConsumeAsync("c1", "cv_generate"));

        Assert.Equal(3, attempts.Value); // the first attempt and MaxRetries (2) retries
    }

    [Fact]
    public async Task MaxRetriesZeroSendsEachCallOnce()
    {
        await using var server = await FakeTollgate.StartAsync(Problem(503, "database_unavailable", retryAfter: "0"), Granted);
        using var services = Services(server.BaseAddress, o => o.MaxRetries = 0);

        await Assert.ThrowsAsync<TollgateUnavailableException>(() => services.Client.ConsumeAsync("c1", "cv_generate"));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task CommitOutcomeUnknownIsRetriedOnlyForARequestWithAnIdempotencyKey()
    {
        await using var server = await FakeTollgate.StartAsync(
            Problem(503, "commit_outcome_unknown", retryAfter: "0"),
            Granted,
            Problem(503, "commit_outcome_unknown", retryAfter: "0"),
            Granted);
        using var services = Services(server.BaseAddress);

        var consumed = await services.Client.ConsumeAsync("c1", "cv_generate", idempotencyKey: "order-7");
        var track = await Assert.ThrowsAsync<TollgateUnavailableException>(() =>
            services.Client.TrackAsync([new UsageEvent("evt_1", "c1", "cv_generate", 1, TimeProvider.System.GetUtcNow())]));

        Assert.True(consumed.Allowed);
        Assert.Equal("commit_outcome_unknown", track.Error);
        Assert.Equal([("/v1/entitlements/consume", "order-7"), ("/v1/entitlements/consume", "order-7"), ("/v1/events", null)],
            server.Requests.Select(r => (r.Path, r.IdempotencyKey)));
    }

    [Fact]
    public async Task ClientFromCreateRetriesAndOneOverAPlainHttpClientDoesNot()
    {
        await using var server = await FakeTollgate.StartAsync(
            Problem(503, "overloaded", retryAfter: "0"), Granted,
            Problem(503, "overloaded", retryAfter: "0"), Granted);
        var created = TollgateClient.Create(server.BaseAddress, "tg_sk_test");
        using var plain = new HttpClient { BaseAddress = server.BaseAddress };

        var answer = await created.ConsumeAsync("c1", "cv_generate");
        await Assert.ThrowsAsync<TollgateUnavailableException>(() => new TollgateClient(plain).ConsumeAsync("c1", "cv_generate"));

        Assert.True(answer.Allowed);
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal("Bearer tg_sk_test", server.Requests[0].Authorization);
        created.Http.Dispose();
    }

    private static readonly Func<HttpContext, Task> Granted = http => http.Response.WriteAsJsonAsync(new
    {
        allowed = true, reason = "granted", feature = "cv_generate", used = 1, limit = 10, remaining = 9,
    });

    private static Func<HttpContext, Task> Problem(int status, string error, string? retryAfter = null) => async http =>
    {
        http.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            http.Response.Headers.RetryAfter = retryAfter;
        }

        await http.Response.WriteAsJsonAsync(new { type = "about:blank", status, error, detail = $"scripted {error}" },
            (System.Text.Json.JsonSerializerOptions?)null, ProblemJson);
    };

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // free again once stopped: nothing listens there
    }

    private sealed record ClientServices(ServiceProvider Provider) : IDisposable
    {
        public TollgateClient Client => Provider.GetRequiredService<TollgateClient>();

        public void Dispose() => Provider.Dispose();
    }

    private static ClientServices Services(Uri baseAddress, Action<TollgateOptions>? configure = null, Action<IHttpClientBuilder>? client = null,
        TimeProvider? time = null)
    {
        var services = new ServiceCollection().AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time); // the SDK only adds the system clock where none is registered
        }

        var builder = services.AddTollgate(o =>
        {
            o.BaseAddress = baseAddress;
            o.ApiKey = "tg_sk_test";
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(10); // the rules, not the waiting, are under test
            configure?.Invoke(o);
        });
        client?.Invoke(builder);
        return new ClientServices(services.BuildServiceProvider());
    }

    /// <summary>Counts every attempt that leaves the client, retries included.</summary>
    private sealed class CountingHandler(StrongBox<int> count) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref count.Value);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed record Received(string Path, string? IdempotencyKey, string? Authorization, DateTimeOffset At, string Body);

    /// <summary>A loopback server answering each request with the next scripted answer.</summary>
    private sealed class FakeTollgate(WebApplication app, List<Received> requests) : IAsyncDisposable
    {
        public Uri BaseAddress { get; } = new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");

        public IReadOnlyList<Received> Requests
        {
            get
            {
                lock (requests)
                {
                    return [.. requests];
                }
            }
        }

        public static Task<FakeTollgate> StartAsync(params Func<HttpContext, Task>[] answers) => StartAsync(TimeProvider.System, answers);

        /// <summary>Stamps each request with <paramref name="clock"/>'s time.</summary>
        public static async Task<FakeTollgate> StartAsync(TimeProvider clock, params Func<HttpContext, Task>[] answers)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var script = new ConcurrentQueue<Func<HttpContext, Task>>(answers);
            var requests = new List<Received>();
            app.Run(async http =>
            {
                var body = await new StreamReader(http.Request.Body).ReadToEndAsync(http.RequestAborted);
                lock (requests)
                {
                    requests.Add(new Received(http.Request.Path, http.Request.Headers["Idempotency-Key"].FirstOrDefault(),
                        http.Request.Headers.Authorization.FirstOrDefault(), clock.GetUtcNow(), body));
                }

                if (script.TryDequeue(out var answer))
                {
                    await answer(http);
                    return;
                }

                http.Response.StatusCode = 500; // more requests than the test scripted
            });
            await app.StartAsync();
            return new FakeTollgate(app, requests);
        }

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }
}
