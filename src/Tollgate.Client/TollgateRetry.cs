using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Tollgate.Client;

/// <summary>
/// The SDK's retry rules, the same as the Python and TypeScript SDKs': 408, 5xx, a 429 without a Tollgate code (a proxy's)
/// and connection failures are retried with exponential backoff and jitter (0.5 s doubling to at most 8 s), or after the
/// answer's <c>Retry-After</c> when it is at most 60 s. Never retried: Tollgate's denials (a 429 or 402 whose problem has an
/// <c>error</c>, such as <c>quota_exceeded</c> or <c>rate_limited</c>), any other 4xx, a <c>Retry-After</c> over 60 s, and a
/// 503 <c>commit_outcome_unknown</c> to a request without an <c>Idempotency-Key</c>. <c>services.AddTollgate</c> installs
/// these rules; a client built with <c>new TollgateClient(httpClient)</c> has them only through <see cref="CreateHandler"/>.
/// </summary>
public static class TollgateRetry
{
    /// <summary>Retries after the first attempt unless told otherwise: 2, as in the Python and TypeScript SDKs.</summary>
    public const int DefaultMaxRetries = 2;

    /// <summary>A longer <c>Retry-After</c> is a quota reset or a long outage: it is thrown at once rather than waited out.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

    /// <summary>The first backoff; each retry doubles it, up to <see cref="MaxDelay"/>.</summary>
    public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest backoff between two attempts (a <c>Retry-After</c> may ask for more, up to <see cref="MaxRetryAfter"/>).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(8);

    /// <summary>Set to true on a request to send it once: the LLM usage sender has its own retries over whole batches.</summary>
    internal static readonly HttpRequestOptionsKey<bool> SendOnce = new("Tollgate.SendOnce");

    /// <summary>Set to true for a gate's call: any answer (a 408, 429 or 5xx) is final, never waited out; only a lost one is retried.</summary>
    internal static readonly HttpRequestOptionsKey<bool> FailFast = new("Tollgate.FailFast");

    /// <summary>
    /// The retry strategy with Tollgate's rules, for a pipeline of your own; <paramref name="maxRetries"/> must be at least 1
    /// (for none, add no retry). <paramref name="baseDelay"/> replaces the 0.5 s first backoff.
    /// </summary>
    public static HttpRetryStrategyOptions CreateOptions(int maxRetries = DefaultMaxRetries, TimeSpan? baseDelay = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetries, 1);
        var clock = time ?? TimeProvider.System;
        return new HttpRetryStrategyOptions
        {
            Name = "Tollgate",
            MaxRetryAttempts = maxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true, // clients that failed together do not retry together
            Delay = baseDelay ?? BaseDelay,
            MaxDelay = MaxDelay,
            ShouldRetryAfterHeader = true, // the library waits the header's seconds or date instead of the backoff
            ShouldHandle = args => ShouldRetryAsync(args, clock),
        };
    }

    /// <summary>A pipeline holding only the retry strategy; with <paramref name="maxRetries"/> 0, an empty one.</summary>
    public static ResiliencePipeline<HttpResponseMessage> CreatePipeline(
        int maxRetries = DefaultMaxRetries, TimeSpan? baseDelay = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (maxRetries > 0)
        {
            builder.AddRetry(CreateOptions(maxRetries, baseDelay, time));
        }

        return builder.Build();
    }

    /// <summary>
    /// A handler that retries with Tollgate's rules, for an <see cref="HttpClient"/> built by hand:
    /// <c>new TollgateClient(new HttpClient(TollgateRetry.CreateHandler()) { BaseAddress = … })</c>.
    /// Without <paramref name="inner"/> it sends through a new <see cref="SocketsHttpHandler"/>.
    /// </summary>
    public static DelegatingHandler CreateHandler(int maxRetries = DefaultMaxRetries, HttpMessageHandler? inner = null) =>
        new ResilienceHandler(CreatePipeline(maxRetries)) { InnerHandler = inner ?? new SocketsHttpHandler() };

    private static async ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<HttpResponseMessage> args, TimeProvider clock)
    {
        var request = args.Context.GetRequestMessage();
        if (request is not null && request.Options.TryGetValue(SendOnce, out var once) && once)
        {
            return false;
        }

        if (args.Outcome.Exception is { } exception)
        {
            // A user's per-attempt timeout inside the pipeline throws TimeoutRejectedException; the caller's own cancellation is final.
            return exception is HttpRequestException or TimeoutRejectedException;
        }

        if (args.Outcome.Result is not { } response
            || response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError)
            || RetryAfter(response.Headers.RetryAfter, clock) > MaxRetryAfter)
        {
            return false;
        }

        if (request is not null && request.Options.TryGetValue(FailFast, out var fast) && fast)
        {
            return false; // an answer, whatever it asks, is final for a gate; only a lost one is sent again
        }

        var error = await ProblemErrorAsync(response, args.Context.CancellationToken);
        return (response.StatusCode, error) switch
        {
            (HttpStatusCode.TooManyRequests, not null) => false, // Tollgate's decision about the customer, for the caller to pass on now
            (HttpStatusCode.ServiceUnavailable, "commit_outcome_unknown") => request?.Headers.Contains("Idempotency-Key") == true,
            _ => true,
        };
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, TimeProvider clock) =>
        header?.Delta ?? (header?.Date is { } date ? date - clock.GetUtcNow() : null);

    /// <summary>The problem's <c>error</c> code; null for a body that is not a JSON object (a proxy's page).</summary>
    private static async Task<string?> ProblemErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return null;
        }

        // Buffered, so the client still reads the problem when the answer is final.
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return problem.RootElement.ValueKind == JsonValueKind.Object
                && problem.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String
                ? error.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
