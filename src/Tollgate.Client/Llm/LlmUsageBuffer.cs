using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;

namespace Tollgate.Client.Llm;

/// <summary>How captured calls reach Tollgate.</summary>
public sealed class LlmCaptureOptions
{
    /// <summary>Calls held in memory at most; past it, new calls are dropped (and counted) rather than slowing the app.</summary>
    public int Capacity { get; set; } = 10_000;

    /// <summary>Calls sent in one request at most (1 to 1000).</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>How long a partial batch waits for more calls; zero sends each call as soon as it is queued.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long shutdown waits for the last calls to be sent.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The bounded queue between the capture handler and the background sender.</summary>
public sealed class LlmUsageBuffer(IOptions<LlmCaptureOptions> options)
{
    private readonly Channel<LlmCallRequest> _channel = Channel.CreateBounded<LlmCallRequest>(
        new BoundedChannelOptions(Math.Max(1, options.Value.Capacity)) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private long _dropped;
    private long _failures;

    /// <summary>Calls lost: the buffer was full, Tollgate refused or stayed unreachable through a batch's retries, or shutdown's timeout passed first.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Responses whose usage could not be read.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    internal ChannelReader<LlmCallRequest> Reader => _channel.Reader;

    /// <summary>Queues a call without waiting; a full buffer drops it and counts it.</summary>
    public void Add(LlmCallRequest? call)
    {
        if (call is not null && !_channel.Writer.TryWrite(call))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    internal void CountFailure(Exception _) => Interlocked.Increment(ref _failures);

    internal void CountDropped(int calls) => Interlocked.Add(ref _dropped, calls);
}

/// <summary>Sends queued calls to Tollgate in batches, retrying with backoff (request ids make retries count once); flushes at shutdown.</summary>
public sealed class LlmUsageSender(LlmUsageBuffer buffer, TollgateClient client, IOptions<LlmCaptureOptions> options, ILogger<LlmUsageSender> logger)
    : BackgroundService
{
    // Calls taken from the buffer but not yet sent; StopAsync sends them after the loop has ended.
    private readonly List<LlmCallRequest> _batch = [];

    // At least 1 and at most the server's 1000: a batch size of 0 would take nothing and go round for ever.
    private int BatchSize => Math.Clamp(options.Value.BatchSize, 1, 1000);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await buffer.Reader.WaitToReadAsync(stoppingToken))
            {
                TakeAvailable();
                // A call is waiting, so each turn takes at least one and sends: the loop never goes round empty-handed.
                // A partial batch waits up to FlushInterval for more; zero or less sends what is there now.
                if (_batch.Count < BatchSize && options.Value.FlushInterval > TimeSpan.Zero)
                {
                    using var window = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    window.CancelAfter(options.Value.FlushInterval);
                    try
                    {
                        while (_batch.Count < BatchSize && await buffer.Reader.WaitToReadAsync(window.Token))
                        {
                            TakeAvailable();
                        }
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                    }
                }

                if (await SendAsync(_batch, stoppingToken))
                {
                    _batch.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void TakeAvailable()
    {
        while (_batch.Count < BatchSize && buffer.Reader.TryRead(out var call))
        {
            _batch.Add(call);
        }
    }

    /// <summary>Stops reading, then sends what is left (the unsent batch and the buffer) within the shutdown timeout.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var timeout = new CancellationTokenSource(options.Value.ShutdownTimeout);
        var rest = new List<LlmCallRequest>(_batch);
        _batch.Clear();
        while (buffer.Reader.TryRead(out var call))
        {
            rest.Add(call);
        }

        var settled = 0;
        foreach (var chunk in rest.Chunk(BatchSize))
        {
            if (!await SendAsync([.. chunk], timeout.Token))
            {
                buffer.CountDropped(rest.Count - settled);
                logger.LogError("Dropped {Count} LLM calls that could not be sent to Tollgate before shutdown", rest.Count - settled);
                return;
            }

            settled += chunk.Length;
        }
    }

    /// <summary>True once the batch is settled (sent, or refused for good); false when cancelled first, so the caller keeps it.</summary>
    private async Task<bool> SendAsync(List<LlmCallRequest> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return true;
        }

        for (var attempt = 1; attempt <= 6; attempt++)
        {
            try
            {
                var answer = await client.LogLlmUsageOnceAsync(batch, cancellationToken);
                if (answer.Rejected.Count > 0)
                {
                    // A call Tollgate refuses (unknown customer, unpriced model in strict mode) will not pass on retry either.
                    logger.LogWarning("Tollgate rejected {Count} LLM calls: {First}", answer.Rejected.Count, answer.Rejected[0].Reason);
                }

                return true;
            }
            catch (TollgateException e) when (e.Status == System.Net.HttpStatusCode.RequestEntityTooLarge && batch.Count > 1)
            {
                // Too big a body (long metadata): send it in halves rather than lose it.
                var half = batch.Count / 2;
                return await SendAsync(batch[..half], cancellationToken) & await SendAsync(batch[half..], cancellationToken);
            }
            catch (TollgateException e) when (e.Status < System.Net.HttpStatusCode.InternalServerError
                && e.Status is not (System.Net.HttpStatusCode.RequestTimeout or System.Net.HttpStatusCode.TooManyRequests))
            {
                logger.LogError(e, "Tollgate refused {Count} LLM calls", batch.Count);
                buffer.CountDropped(batch.Count);
                return true;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Network errors, timeouts, 408, 429 and 5xx are worth retrying: request ids make a repeated batch count once.
                logger.LogWarning(e, "Sending {Count} LLM calls to Tollgate failed (attempt {Attempt})", batch.Count, attempt);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 << attempt), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        logger.LogError("Dropped {Count} LLM calls that could not be sent to Tollgate", batch.Count);
        buffer.CountDropped(batch.Count);
        return true;
    }
}
