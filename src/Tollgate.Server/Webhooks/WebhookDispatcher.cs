using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;

namespace Tollgate.Server.Webhooks;

/// <summary>
/// Sends the outbox: claims due deliveries (each node its own, never the same one twice), posts them signed, and
/// retries failures with growing, jittered delays for up to 24 hours before giving a delivery up as dead.
/// </summary>
public sealed class WebhookDispatcher(
    WebhookStore store, IHttpClientFactory http, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookDispatcher> logger,
    Observability.TollgateMetrics metrics, Storage.Database.TollgateDatabase database, IHostApplicationLifetime lifetime)
    : BackgroundService
{
    private readonly Storage.Database.OutageLog _outage = new(database, logger, "Webhook dispatch");

    public const string HttpClientName = "tollgate-webhooks";

    /// <summary>How long Tollgate keeps trying a delivery.</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromHours(24);

    // After the first failure 30 s, then 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, then every 8 h until 24 h have passed.
    private static readonly TimeSpan[] Backoff =
    [
        TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1),
        TimeSpan.FromHours(2), TimeSpan.FromHours(4), TimeSpan.FromHours(8),
    ];

    /// <summary>When to try again after <paramref name="attempts"/> failed attempts, or null to give up.</summary>
    public static DateTimeOffset? RetryAt(int attempts, DateTimeOffset firstQueuedAt, DateTimeOffset now, double jitter)
    {
        var delay = Backoff[Math.Min(attempts, Backoff.Length) - 1] * (1 + jitter);
        var at = now + delay;
        return at - firstQueuedAt > GiveUpAfter ? null : at;
    }

    /// <summary>
    /// Keeps up to <see cref="WebhookOptions.MaxConcurrency"/> sends in flight and claims more as each one ends, one endpoint
    /// holding at most half the slots, so an endpoint that never answers delays its own deliveries and no other's.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Http.HostStarted.WaitAsync(lifetime, stoppingToken);
        // By delivery id: a send is its delivery's, and a task that ended at once may be a shared completed one.
        var inFlight = new Dictionary<string, (Task Send, string Endpoint)>(StringComparer.Ordinal);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    foreach (var (id, (send, _)) in inFlight.Where(f => f.Value.Send.IsCompleted).ToList())
                    {
                        inFlight.Remove(id);
                        await send; // a send whose attempt could not be recorded (the database away) is handled below
                    }

                    var slots = Math.Max(1, options.Value.MaxConcurrency);
                    var claimed = inFlight.Count < slots
                        ? await ClaimAsync(slots - inFlight.Count, Math.Max(1, slots / 2), inFlight, stoppingToken)
                        : [];
                    _outage.Reached();
                    foreach (var delivery in claimed)
                    {
                        inFlight[delivery.Id] = (SendAsync(delivery, stoppingToken), delivery.EndpointId);
                    }

                    if (claimed.Count == 0 || inFlight.Count >= slots)
                    {
                        // A slot freed or the poll interval passed, whichever first.
                        await Task.WhenAny(inFlight.Values.Select(f => f.Send).Append(Task.Delay(options.Value.PollInterval, stoppingToken)));
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (_outage.Logged(e))
                {
                    await Task.Delay(options.Value.PollInterval, stoppingToken);
                }
                catch (Exception e)
                {
                    logger.LogError(e, "Webhook dispatch failed; trying again");
                    await Task.Delay(options.Value.PollInterval, stoppingToken);
                }
            }
        }
        finally
        {
            // Sends that are ending record their attempt before the host lets the database go; the rest stop with the host.
            try
            {
                await Task.WhenAll(inFlight.Values.Select(f => f.Send));
            }
            catch (Exception e) when (e is OperationCanceledException || stoppingToken.IsCancellationRequested)
            {
                // A send the stop cancelled is claimed again when its lease ends.
            }
        }
    }

    /// <summary>Due deliveries for the free slots, leaving out endpoints that already hold <paramref name="perEndpoint"/> sends.</summary>
    private async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(
        int free, int perEndpoint, IReadOnlyDictionary<string, (Task Send, string Endpoint)> inFlight, CancellationToken cancellationToken)
    {
        if (!await store.HasDueAsync(cancellationToken))
        {
            return [];
        }

        // The lease outlasts any send, so no other node can claim a delivery while it is still being sent.
        var lease = TimeSpan.FromTicks(Math.Max(WebhookStore.MinimumLease.Ticks, options.Value.Timeout.Ticks * 3));
        var sending = inFlight.Values.Select(f => f.Endpoint).ToList();
        var full = sending.GroupBy(e => e, StringComparer.Ordinal).Where(g => g.Count() >= perEndpoint).Select(g => g.Key).ToList();
        var claimed = await store.ClaimDueAsync(free, lease, cancellationToken, full, [.. inFlight.Keys]);
        // A claim may bring one endpoint more than its share: those beyond it are let go at once, for a later claim.
        var kept = claimed.GroupBy(d => d.EndpointId, StringComparer.Ordinal)
            .SelectMany(g => g.Take(Math.Max(0, perEndpoint - sending.Count(e => e == g.Key)))).ToList();
        if (kept.Count < claimed.Count)
        {
            await store.ReleaseAsync([.. claimed.Except(kept).Select(d => d.Id)], cancellationToken);
        }

        return kept;
    }

    private async Task SendAsync(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        int? status = null;
        string? error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
            {
                Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
            };
            foreach (var (name, value) in WebhookSignatures.Headers(delivery, time.GetUtcNow()))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            request.Headers.TryAddWithoutValidation("Tollgate-Event-Id", delivery.EventId);
            request.Headers.TryAddWithoutValidation("Tollgate-Event-Type", delivery.EventType);
            request.Headers.TryAddWithoutValidation("Tollgate-Delivery-Id", delivery.Id);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.Timeout);
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            error = response.IsSuccessStatusCode ? null : $"HTTP {status}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"no answer within {options.Value.Timeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException e)
        {
            error = e.Message;
        }

        var succeeded = error is null;
        var now = time.GetUtcNow();
        // 410 Gone: the receiver wants no more webhooks from here. Standard Webhooks says to disable the endpoint and stop,
        // rather than retry it for a day.
        var gone = status == StatusCodes.Status410Gone;
        error = gone ? "HTTP 410: the receiver is gone, so the endpoint was disabled" : error;
        var retryAt = succeeded || gone ? null : RetryAt(delivery.Attempts + 1, delivery.FirstQueuedAt, now, (Random.Shared.NextDouble() * 0.4) - 0.2);
        if (gone)
        {
            logger.LogWarning("Webhook endpoint {Endpoint} at {Host} answered 410 Gone; it is disabled (POST /v1/admin/webhook-endpoints/{Endpoint}/enable turns it back on)",
                delivery.EndpointId, new Uri(delivery.Url).Host, delivery.EndpointId);
        }
        else if (!succeeded)
        {
            // The host only: webhook URLs often carry a token in their path or query.
            logger.LogInformation("Webhook {Delivery} to endpoint {Endpoint} at {Host} failed ({Error}); {Next}", delivery.Id, delivery.EndpointId,
                new Uri(delivery.Url).Host, error,
                retryAt is { } at ? $"next attempt at {at:O}" : "giving up");
        }

        await store.RecordAttemptAsync(delivery, succeeded, status, error, Stopwatch.GetElapsedTime(started), retryAt, CancellationToken.None);
        if (gone)
        {
            await store.DisableEndpointAsync(delivery.EndpointId, CancellationToken.None); // its other pending deliveries are canceled
        }

        metrics.WebhookDelivery(succeeded ? "delivered" : retryAt is null ? "gave_up" : "retrying");
    }
}
