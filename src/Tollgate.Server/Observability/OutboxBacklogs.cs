using System.Diagnostics.Metrics;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Observability;

/// <summary>One outbox whose backlog /metrics reports: its label and how to count what waits in it.</summary>
public sealed record BacklogSource(string Outbox, Func<CancellationToken, Task<OutboxBacklog>> ReadAsync);

/// <summary>
/// The webhook, e-mail and Stripe invoice-item outboxes' backlogs as gauges. Counting needs the database, which a gauge's
/// synchronous callback must not wait for: a scrape refreshes them first, and an OTLP export that finds them older than
/// <see cref="MaxAge"/> starts a refresh in the background and reports the last values.
/// </summary>
public sealed class OutboxBacklogs
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);
    private readonly IReadOnlyList<BacklogSource> _sources;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxBacklogs> _logger;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile Snapshot _last = new([], long.MinValue);

    public OutboxBacklogs(IEnumerable<BacklogSource> sources, TimeProvider time, IMeterFactory meters, ILogger<OutboxBacklogs> logger)
    {
        (_sources, _time, _logger) = ([.. sources], time, logger);
        var meter = meters.Create(TollgateMetrics.MeterName);
        meter.CreateObservableGauge("tollgate.outbox.backlog", () => Observe(b => b.Backlog.Pending), "{message}",
            "Messages waiting in an outbox (pending, whether due now or retrying later), by outbox.");
        meter.CreateObservableGauge("tollgate.outbox.oldest_age", () => Observe(b => b.Age.TotalSeconds), "s",
            "Age of the oldest message waiting in an outbox, by outbox; 0 when it is empty.");
    }

    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            var read = new List<(string, OutboxBacklog, TimeSpan)>();
            foreach (var source in _sources)
            {
                var backlog = await source.ReadAsync(cancellationToken);
                read.Add((source.Outbox, backlog, backlog.OldestCreatedAt is { } oldest && oldest < now ? now - oldest : TimeSpan.Zero));
            }

            _last = new Snapshot([.. read.Select(r => new Entry(r.Item1, r.Item2, r.Item3))], Environment.TickCount64);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A database that cannot answer must not fail the scrape: the gauges keep their last values (readyz reports the outage).
            _logger.LogWarning("Counting the outboxes' backlogs failed: {Error}", e.Message);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<Entry, T> value)
        where T : struct
    {
        var last = _last;
        if (Environment.TickCount64 - last.ReadAtTicks > MaxAge.TotalMilliseconds && _refreshing.CurrentCount > 0)
        {
            _ = Task.Run(() => RefreshAsync());
        }

        return last.Entries.Select(e => new Measurement<T>(value(e), new KeyValuePair<string, object?>("outbox", e.Outbox)));
    }

    private sealed record Entry(string Outbox, OutboxBacklog Backlog, TimeSpan Age);

    private sealed record Snapshot(IReadOnlyList<Entry> Entries, long ReadAtTicks);
}
