using Microsoft.Extensions.Options;

namespace Tollgate.Server.Payments;

/// <summary>
/// Sends the invoice-item outbox to Stripe. Each line is claimed by one node for a lease and posted under its own
/// idempotency key, so a resend after a crash, a lost answer or a lapsed lease gets the same Stripe item back rather than
/// a second one. Stripe's refusals (4xx) are final and logged; outages are retried for 24 hours, inside Stripe's
/// 24-hour idempotency window.
/// </summary>
public sealed class StripeInvoiceItemSender(
    StripeInvoiceItemStore store, IServiceProvider services, IOptions<StripeOptions> options, TimeProvider time, ILogger<StripeInvoiceItemSender> logger,
    Storage.Database.TollgateDatabase database, IHostApplicationLifetime lifetime)
    : BackgroundService
{
    private readonly Storage.Database.OutageLog _outage = new(database, logger, "Sending invoice items to Stripe");

    private const int BatchSize = 20;
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromHours(24);
    // Longer than Stripe.net's three attempts with their backoff and 30 s timeouts, so no other node claims a line mid-send.
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    // One send at a time on this node: a caller that finds another send under way waits for it, so when it returns, what
    // was due has reached Stripe (or failed), not merely been leased by the other.
    private readonly SemaphoreSlim _sending = new(1, 1);

    /// <summary>When to try a line again after <paramref name="attempts"/> failures: 1, 2, 4 … minutes, at most an hour apart, for 24 hours.</summary>
    public static DateTimeOffset? RetryAt(int attempts, DateTimeOffset createdAt, DateTimeOffset now)
    {
        var at = now + TimeSpan.FromMinutes(Math.Min(60, Math.Pow(2, Math.Min(attempts, 10) - 1)));
        return at - createdAt > GiveUpAfter ? null : at;
    }

    /// <summary>Sends what is due; answers how many lines were attempted. Safe to call from a request after its commit.</summary>
    public Task<int> SendDueAsync(CancellationToken cancellationToken = default) => SendDueAsync(wait: true, cancellationToken);

    private async Task<int> SendDueAsync(bool wait, CancellationToken cancellationToken)
    {
        if (!options.Value.HasSecretKey)
        {
            return 0;
        }

        // A request's best-effort send does not queue behind a send under way (which may be retrying Stripe); the
        // background loop sends what the request committed.
        if (!await _sending.WaitAsync(wait ? Timeout.InfiniteTimeSpan : TimeSpan.Zero, cancellationToken))
        {
            return 0;
        }

        try
        {
            if (!await store.HasDueAsync(cancellationToken))
            {
                return 0;
            }

            var claimed = await store.ClaimDueAsync(BatchSize, Lease, cancellationToken);
            // The client is transient (its HttpClient's handler is pooled and rotated); one per batch, never held by this singleton.
            var stripe = services.GetRequiredService<StripeClient>();
            foreach (var item in claimed)
            {
                await SendAsync(stripe, item, cancellationToken);
            }

            return claimed.Count;
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>A best-effort send right after a request committed lines; what fails here is left for the background loop.</summary>
    public async Task TrySendNowAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await SendDueAsync(wait: false, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Sending invoice items to Stripe failed; the background sender retries them");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Http.HostStarted.WaitAsync(lifetime, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await SendDueAsync(stoppingToken);
                _outage.Reached();
                if (sent == 0)
                {
                    await Task.Delay(options.Value.InvoiceItemPollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (_outage.Logged(e))
            {
                await Task.Delay(options.Value.InvoiceItemPollInterval, stoppingToken);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Sending invoice items to Stripe failed; trying again");
                await Task.Delay(options.Value.InvoiceItemPollInterval, stoppingToken);
            }
        }
    }

    private async Task SendAsync(StripeClient stripe, ClaimedInvoiceItem item, CancellationToken cancellationToken)
    {
        if (item.StripeCustomerId is null)
        {
            await store.RecordFailedAsync(item.Id, $"customer {item.CustomerId} has no Stripe customer", null, CancellationToken.None);
            return;
        }

        try
        {
            var stripeId = await stripe.CreateInvoiceItemAsync(item, cancellationToken);
            await store.RecordSentAsync(item.Id, stripeId, CancellationToken.None);
        }
        catch (StripeException e)
        {
            // Stripe refused the line itself (a 4xx other than 409 and 429): sending it again would be refused again.
            var final = e.Status is >= 400 and < 500 and not 409 and not 429;
            var retryAt = final ? null : RetryAt(item.Attempts + 1, item.CreatedAt, time.GetUtcNow());
            logger.LogWarning("Invoice item {Line} for {Customer} ({Amount} {Currency}) was not sent to Stripe: {Error}; {Next}", item.Id,
                item.CustomerId, item.AmountCents, item.Currency, e.Message, retryAt is { } at ? $"next attempt at {at:O}" : "given up");
            await store.RecordFailedAsync(item.Id, $"{e.Status} {e.Type} {e.Code}: {e.Message}", retryAt, CancellationToken.None);
        }
    }
}
