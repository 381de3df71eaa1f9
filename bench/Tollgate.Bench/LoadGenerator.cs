using System.Diagnostics;

namespace Tollgate.Bench;

public sealed record LoadResult(string Name, int Concurrency, double Seconds, long Requests, long Errors, double P50Ms, double P99Ms, double? TargetRate)
{
    public double Throughput => Requests / Seconds;

    /// <summary>Items (LLM calls, events) each request carries; a batch endpoint's real rate is Throughput × this.</summary>
    public int ItemsPerRequest { get; init; } = 1;
}

/// <summary>
/// Drives one endpoint at a fixed concurrency (closed loop: as fast as answers come) or at a fixed rate (open loop:
/// each connection sends on its own schedule and catches up after a slow answer). Latency is counted from the send:
/// Task.Delay wakes up to a millisecond late here, which would otherwise be charged to the server.
/// </summary>
public sealed class LoadGenerator(Uri baseAddress, string? bearer, TimeSpan warmup)
{
    private long _next;
    private long _succeeded;

    /// <summary>2xx answers over every run of this generator, warm-ups included: what the server must have counted.</summary>
    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>
    /// Requests are made from a JSON body per sequence number, rotated over a prebuilt set; with <paramref name="unique"/>
    /// every request gets its own sequence number (for bodies that carry ids that must not repeat) and is built on the fly.
    /// </summary>
    public async Task<LoadResult> RunAsync(
        string name, string path, Func<int, string> body, int concurrency, TimeSpan duration, double? rate = null,
        bool unique = false, string method = "POST")
    {
        var prebuilt = Enumerable.Range(0, unique ? 0 : 4096)
            .Select(i => RawHttpConnection.Request(baseAddress, method, path, bearer, method == "GET" ? null : body(i))).ToArray();
        Func<int, byte[]> requests = unique
            ? _ => RawHttpConnection.Request(baseAddress, "POST", path, bearer, body((int)Interlocked.Increment(ref _next)))
            : sequence => prebuilt[sequence % prebuilt.Length];
        var connections = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => RawHttpConnection.ConnectAsync(baseAddress)));
        try
        {
            await Phase(connections, requests, warmup, rate, record: false);
            var (latencies, errors, seconds) = await Phase(connections, requests, duration, rate, record: true);
            return Summarize(name, concurrency, rate, latencies, errors, seconds);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static LoadResult Summarize(string name, int concurrency, double? rate, List<long> latencies, long errors, double seconds)
    {
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN
            : latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))] * 1000.0 / Stopwatch.Frequency;
        return new LoadResult(name, concurrency, seconds, latencies.Count, errors, Percentile(0.50), Percentile(0.99), rate);
    }

    private async Task<(List<long> Latencies, long Errors, double Seconds)> Phase(
        RawHttpConnection[] connections, Func<int, byte[]> requests, TimeSpan duration, double? rate, bool record)
    {
        var concurrency = connections.Length;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var interval = rate is { } r ? Stopwatch.Frequency * concurrency / r : 0;
        long errors = 0;
        var perWorker = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var latencies = new List<long>(1 << 16);
            var sequence = worker;
            var due = start + (interval * worker / concurrency);
            while (true)
            {
                var now = Stopwatch.GetTimestamp();
                if (rate is not null)
                {
                    if (due > now)
                    {
                        await Task.Delay(TimeSpan.FromTicks((long)((due - now) * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
                    }

                    now = Stopwatch.GetTimestamp();
                }

                if (now >= end)
                {
                    break;
                }

                var status = await connections[worker].SendAsync(requests(sequence));
                sequence += concurrency;
                if (status is < 200 or >= 300)
                {
                    Interlocked.Increment(ref errors);
                }
                else
                {
                    Interlocked.Increment(ref _succeeded);
                }

                if (record)
                {
                    latencies.Add(Stopwatch.GetTimestamp() - now);
                }

                due += interval;
            }

            return latencies;
        }));
        var seconds = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
        return ([.. perWorker.SelectMany(l => l)], errors, seconds);
    }
}
