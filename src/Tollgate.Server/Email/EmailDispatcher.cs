using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Tollgate.Server.Email;

/// <summary>
/// Sends the e-mail outbox: claims due messages (each node its own), renders and relays them over SMTP, retries what the
/// server refuses for now with growing delays, and gives a message up as dead after the attempt limit or a final refusal.
/// Without SMTP settings it sends nothing: due messages are marked skipped, and startup says so once.
/// </summary>
public sealed class EmailDispatcher(
    EmailStore store, EmailComposer composer, SmtpSender smtp, IOptions<EmailOptions> options, TimeProvider time, ILogger<EmailDispatcher> logger,
    Observability.TollgateMetrics metrics, Storage.Database.TollgateDatabase database, IHostApplicationLifetime lifetime)
    : BackgroundService
{
    private readonly Storage.Database.OutageLog _outage = new(database, logger, "E-mail dispatch");

    public const string NotConfigured = "SMTP is not configured (Tollgate:Email:Smtp:Host and From)";

    // After the first failure 30 s, then 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, then every 8 h.
    private static readonly TimeSpan[] Backoff =
    [
        TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1),
        TimeSpan.FromHours(2), TimeSpan.FromHours(4), TimeSpan.FromHours(8),
    ];

    /// <summary>When to try again after <paramref name="attempts"/> failed attempts, or null once the limit is reached.</summary>
    public static DateTimeOffset? RetryAt(int attempts, int maxAttempts, DateTimeOffset now, double jitter) =>
        attempts >= maxAttempts ? null : now + (Backoff[Math.Min(attempts, Backoff.Length) - 1] * (1 + jitter));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Http.HostStarted.WaitAsync(lifetime, stoppingToken);
        if (!options.Value.IsConfigured)
        {
            logger.LogWarning("E-mail is off: {Reason}; customer e-mails are recorded as skipped", NotConfigured);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var handled = await RunOnceAsync(stoppingToken);
                _outage.Reached();
                if (handled == 0)
                {
                    await Task.Delay(options.Value.PollInterval, stoppingToken);
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
                logger.LogError(e, "E-mail dispatch failed; trying again");
                await Task.Delay(options.Value.PollInterval, stoppingToken);
            }
        }
    }

    /// <summary>Sends what is due now; answers how many messages were handled.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!await store.HasDueAsync(cancellationToken))
        {
            return 0;
        }

        var claimed = await store.ClaimDueAsync(Math.Max(1, options.Value.MaxConcurrency), cancellationToken);
        await Task.WhenAll(claimed.Select(m => SendAsync(m, cancellationToken)));
        return claimed.Count;
    }

    private async Task SendAsync(ClaimedEmail message, CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured)
        {
            await store.SkipAsync(message, NotConfigured, CancellationToken.None);
            metrics.EmailDelivery("skipped");
            return;
        }

        var started = Stopwatch.GetTimestamp();
        RenderedEmail? email = null;
        SmtpResult result;
        try
        {
            email = await composer.ComposeAsync(message, cancellationToken);
            result = await smtp.SendAsync(message.Recipient, message.Id, email, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or IOException)
        {
            // A template that does not render, or data that is gone, will not mend itself by waiting.
            result = new SmtpResult(false, true, null, e.Message);
        }

        var retryAt = result.Sent || result.Permanent
            ? null
            : RetryAt(message.AttemptsSinceReplay + 1, options.Value.MaxAttempts, time.GetUtcNow(), (Random.Shared.NextDouble() * 0.4) - 0.2);
        if (!result.Sent)
        {
            logger.LogInformation("E-mail {Message} ({Kind}) failed: {Error}; {Next}", message.Id, message.Kind, result.Error,
                retryAt is { } at ? $"next attempt at {at:O}" : "giving up");
        }

        await store.RecordAttemptAsync(message, email?.Subject, result.Sent, result.Status, result.Error, Stopwatch.GetElapsedTime(started), retryAt,
            CancellationToken.None);
        metrics.EmailDelivery(result.Sent ? "sent" : retryAt is null ? "gave_up" : "retrying");
    }
}
