using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tollgate.Testing;

/// <summary>One call the fake received, as it arrived, and the status it answered.</summary>
public sealed record FakeStripeRequest(
    string Method, string Path, string? Authorization, string? StripeVersion, string? IdempotencyKey, string? ContentType,
    IReadOnlyDictionary<string, string> Form, int Status, string? Traceparent = null, string? ClientTelemetry = null,
    string? ClientUserAgent = null);

/// <summary>
/// Stripe's REST API for the calls Tollgate makes, on a real port, in Stripe's documented wire format: a secret key as
/// Bearer (or Basic), form-encoded bodies with bracketed keys, JSON answers, <c>{"error": {type, code, param, message}}</c>
/// errors, and idempotency keys (the same key and body replay the first answer; the same key with another body is a 400
/// idempotency_error). It also requires the Stripe-Version header, which real Stripe only recommends, so a client that
/// forgets to pin its version fails here. Objects are shaped as in API version 2025-03-31.basil.
/// </summary>
public sealed partial class FakeStripe : IAsyncDisposable
{
    public const string SecretKey = "sk_test_tollgate_fake_51Fake";
    public const string WebhookSecret = "whsec_test_tollgate_fake";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Amount, string Interval)> _prices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _customers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _sessions = new(StringComparer.Ordinal);
    // What each session sells, kept aside as real Stripe keeps it on line_items and subscription_data.
    private readonly Dictionary<string, (string Price, int TrialDays, JsonObject Metadata)> _checkouts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Fingerprint, int Status, string Body)> _idempotency = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _lostAnswersTo = new(StringComparer.Ordinal);
    private readonly List<FakeStripeRequest> _requests = [];
    private readonly Queue<(int Status, string? Page)> _failures = new();
    private WebApplication? _app;
    private long _sequence;
    private int _lostAnswers;

    private FakeStripe()
    {
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>The clock objects and events are stamped with; set it to the server's test clock.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Runs before a POST is answered (path, form): a test makes something happen while Tollgate waits on Stripe.</summary>
    public Func<string, IReadOnlyDictionary<string, string>, Task>? BeforePost { get; set; }

    /// <summary>The calls received, in order.</summary>
    public IReadOnlyList<FakeStripeRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The settings that point a Tollgate server at this fake.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["Tollgate:Stripe:SecretKey"] = SecretKey,
        ["Tollgate:Stripe:WebhookSecret"] = WebhookSecret,
        ["Tollgate:Stripe:ApiBase"] = Address.ToString(),
    };

    public static async Task<FakeStripe> StartAsync()
    {
        var fake = new FakeStripe();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Map("/{**path}", fake.HandleAsync);
        await app.StartAsync();
        fake._app = app;
        fake.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return fake;
    }

    /// <summary>A recurring price Checkout may sell; any other price id is "No such price".</summary>
    public void AddPrice(string id, long unitAmount, string interval = "month")
    {
        lock (_lock)
        {
            _prices[id] = (unitAmount, interval);
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> calls fail with <paramref name="status"/> before reaching the API, as a load
    /// balancer would: with Stripe's error JSON, or with <paramref name="page"/> (a proxy's HTML, say) when given.
    /// </summary>
    public void FailNext(int count, int status = 503, string? page = null)
    {
        lock (_lock)
        {
            for (var i = 0; i < count; i++)
            {
                _failures.Enqueue((status, page));
            }
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> calls are carried out (and their idempotency keys kept), but their answers are
    /// lost on the way back (a 503), as when a connection drops after Stripe acted.
    /// </summary>
    public void LoseNextAnswers(int count)
    {
        lock (_lock)
        {
            _lostAnswers += count;
        }
    }

    /// <summary>As <see cref="LoseNextAnswers"/>, for the next <paramref name="count"/> calls to one method and path only.</summary>
    public void LoseNextAnswersTo(string method, string path, int count)
    {
        lock (_lock)
        {
            _lostAnswersTo[$"{method} {path}"] = _lostAnswersTo.GetValueOrDefault($"{method} {path}") + count;
        }
    }

    private bool TakeLostAnswer(string call)
    {
        if (_lostAnswersTo.GetValueOrDefault(call) is > 0 and var left)
        {
            _lostAnswersTo[call] = left - 1;
            return true;
        }

        return false;
    }

    public JsonObject Session(string id)
    {
        lock (_lock)
        {
            return (JsonObject)_sessions[id].DeepClone();
        }
    }

    public JsonObject Subscription(string id)
    {
        lock (_lock)
        {
            return (JsonObject)_subscriptions[id].DeepClone();
        }
    }

    /// <summary>A checkout started outside Tollgate (a payment link, the dashboard) for a price Tollgate may not know; answers its id.</summary>
    public string OpenCheckout(string stripeCustomer, string price, string clientReferenceId, int unitAmount = 4200)
    {
        lock (_lock)
        {
            _prices.TryAdd(price, (unitAmount, "month"));
            var (_, body) = CreateSession(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["mode"] = "subscription", ["customer"] = stripeCustomer, ["line_items[0][price]"] = price, ["line_items[0][quantity]"] = "1",
                ["success_url"] = "https://example.com/ok", ["cancel_url"] = "https://example.com/cancel", ["client_reference_id"] = clientReferenceId,
            });
            return JsonNode.Parse(body)!["id"]!.GetValue<string>();
        }
    }

    /// <summary>The customer pays on the hosted page: the session completes and its subscription exists (trialing if the session has a trial).</summary>
    public JsonObject CompleteCheckout(string sessionId)
    {
        lock (_lock)
        {
            var session = _sessions[sessionId];
            var (price, trialDays, metadata) = _checkouts[sessionId];
            var subscription = NewSubscription(session["customer"]!.GetValue<string>(), price, trialDays, (JsonObject)metadata.DeepClone());
            _subscriptions[subscription["id"]!.GetValue<string>()] = subscription;
            session["status"] = "complete";
            session["payment_status"] = trialDays > 0 ? "no_payment_required" : "paid";
            session["subscription"] = subscription["id"]!.GetValue<string>();
            return (JsonObject)subscription.DeepClone();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var body = await new StreamReader(request.Body).ReadToEndAsync();
        // Stripe's SDKs send a DELETE's parameters (cancellation_details) in the query string, as a GET's list filters.
        var form = request.HasFormContentType ? ParseForm(body)
            : request.Method is "DELETE" or "GET" ? ParseForm(request.QueryString.Value?.TrimStart('?') ?? "")
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var key = request.Headers["Idempotency-Key"].FirstOrDefault();
        if (request.Method == "POST" && BeforePost is { } hook)
        {
            await hook(request.Path.Value ?? "", form);
        }

        var (status, json) = Answer(request, body, form, key);
        lock (_lock)
        {
            _requests.Add(new FakeStripeRequest(request.Method, request.Path, request.Headers.Authorization.FirstOrDefault(),
                request.Headers["Stripe-Version"].FirstOrDefault(), key, request.ContentType, form, status,
                request.Headers["traceparent"].FirstOrDefault(), request.Headers["X-Stripe-Client-Telemetry"].FirstOrDefault(),
                request.Headers["X-Stripe-Client-User-Agent"].FirstOrDefault()));
        }

        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(json);
    }

    private (int Status, string Body) Answer(HttpRequest request, string body, Dictionary<string, string> form, string? key)
    {
        if (!Authorized(request.Headers.Authorization.FirstOrDefault()))
        {
            return Error(401, "invalid_request_error", null, null, "Invalid API Key provided.");
        }

        if (string.IsNullOrEmpty(request.Headers["Stripe-Version"].FirstOrDefault()))
        {
            return Error(400, "invalid_request_error", "api_version_missing", null, "This fake requires a pinned Stripe-Version header.");
        }

        lock (_lock)
        {
            if (_failures.TryDequeue(out var failure))
            {
                return (failure.Status, failure.Page ?? """{"error":{"type":"api_error","message":"The fake was told to fail this call."}}""");
            }

            if (request.Method == "POST" && !request.HasFormContentType)
            {
                return Error(400, "invalid_request_error", null, null, "POST bodies must be application/x-www-form-urlencoded.");
            }

            if (key is { Length: > 255 })
            {
                return Error(400, "invalid_request_error", null, null, "Keys for idempotent requests can only be 255 characters long.");
            }

            var answer = Idempotent(request, body, form, key);
            if (_lostAnswers > 0 || TakeLostAnswer($"{request.Method} {request.Path}"))
            {
                _lostAnswers = Math.Max(0, _lostAnswers - 1);
                return (503, """{"error":{"type":"api_error","message":"The fake lost this answer after acting on the call."}}""");
            }

            return answer;
        }
    }

    private (int Status, string Body) Idempotent(HttpRequest request, string body, Dictionary<string, string> form, string? key)
    {
        var fingerprint = $"{request.Method} {request.Path} {body}";
        if (request.Method == "POST" && key is not null && _idempotency.TryGetValue(key, out var first))
        {
            return first.Fingerprint == fingerprint
                ? (first.Status, first.Body)
                : Error(400, "idempotency_error", null, null, "Keys for idempotent requests can only be used with the same parameters " +
                    $"they were first used with. Try using a key other than '{key}'.");
        }

        var answer = Route(request.Method, request.Path.Value ?? "", form);
        if (request.Method == "POST" && key is not null)
        {
            _idempotency[key] = (fingerprint, answer.Status, answer.Body);
        }

        return answer;
    }

    private (int Status, string Body) Route(string method, string path, Dictionary<string, string> form) => (method, path) switch
    {
        ("POST", "/v1/customers") => CreateCustomer(form),
        ("POST", "/v1/checkout/sessions") => CreateSession(form),
        ("POST", "/v1/billing_portal/sessions") => CreatePortalSession(form),
        ("GET", _) when path.StartsWith("/v1/prices/", StringComparison.Ordinal) => RetrievePrice(path["/v1/prices/".Length..]),
        ("GET", _) when path.StartsWith("/v1/tax_rates/", StringComparison.Ordinal) => RetrieveTaxRate(path["/v1/tax_rates/".Length..]),
        ("POST", "/v1/invoiceitems") => CreateInvoiceItem(form),
        ("GET", "/v1/invoice_payments") => ListInvoicePayments(form),
        ("POST", "/v1/refunds") => CreateRefund(form),
        ("GET", "/v1/refunds") => ListRefunds(form),
        ("GET", _) when path.StartsWith("/v1/refunds/", StringComparison.Ordinal) => RetrieveRefund(path["/v1/refunds/".Length..]),
        ("POST", _) when path.StartsWith("/v1/subscriptions/", StringComparison.Ordinal) => UpdateSubscription(path["/v1/subscriptions/".Length..], form),
        ("DELETE", _) when path.StartsWith("/v1/subscriptions/", StringComparison.Ordinal) => CancelSubscription(path["/v1/subscriptions/".Length..], form),
        ("GET", _) when path.StartsWith("/v1/subscriptions/", StringComparison.Ordinal) =>
            _subscriptions.TryGetValue(path["/v1/subscriptions/".Length..], out var subscription)
                ? (200, subscription.ToJsonString())
                : Error(404, "invalid_request_error", "resource_missing", "id", $"No such subscription: '{path["/v1/subscriptions/".Length..]}'"),
        _ => Error(404, "invalid_request_error", null, null, $"Unrecognized request URL ({method}: {path})."),
    };

    private bool Authorized(string? header)
    {
        if (header is null)
        {
            return false;
        }

        if (header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return header["Bearer ".Length..] == SecretKey;
        }

        return header.StartsWith("Basic ", StringComparison.Ordinal)
            && System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..])) == SecretKey + ":";
    }

    private static Dictionary<string, string> ParseForm(string body)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : pair[(equals + 1)..];
            form[WebUtility.UrlDecode(name)] = WebUtility.UrlDecode(value);
        }

        return form;
    }

    private static (int, string) Error(int status, string type, string? code, string? param, string message) =>
        (status, new JsonObject
        {
            ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["param"] = param, ["message"] = message },
        }.ToJsonString());

    private string NewId(string prefix) => $"{prefix}_{Interlocked.Increment(ref _sequence):D4}{Guid.NewGuid().ToString("N")[..10]}";

    private long Now => Clock.GetUtcNow().ToUnixTimeSeconds();
}
