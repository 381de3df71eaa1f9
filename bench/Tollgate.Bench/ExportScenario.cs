using System.Diagnostics;
using System.Globalization;

namespace Tollgate.Bench;

/// <summary>
/// The admin export's memory: 1,000,000 LLM calls streamed as CSV and as NDJSON while the server's working set (VmRSS)
/// is sampled; the growth over the idle server is the figure (issue 14 allows 50 MB), time is secondary on a loaded machine.
/// </summary>
public sealed partial class Scenarios
{
    private const long ExportCalls = 1_000_000;

    private async Task<IReadOnlyList<LoadResult>> ExportAsync(string path)
    {
        var results = new List<LoadResult>();
        foreach (var format in new[] { "csv", "ndjson" })
        {
            // A fresh server per format, so each growth is measured from the same idle state; the calls are seeded once.
            var seeding = Stopwatch.StartNew();
            await using var server = await StartTollgateAsync("sqlite", path, LlmCatalog,
                results.Count == 0 ? () => SeedLlmCallsAsync(path, ExportCalls) : null);
            if (results.Count == 0)
            {
                Console.WriteLine($"export: seeded {ExportCalls:N0} calls in {seeding.Elapsed.TotalSeconds:N0} s");
            }

            using var admin = new HttpClient { BaseAddress = server.Address, Timeout = Timeout.InfiniteTimeSpan };
            admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
            await DrainAsync(admin, "v1/admin/exports/llm-calls?to=2000-01-01"); // warm: routes, JIT and pools, no rows
            results.Add(await ExportOnceAsync(server, admin, format));
        }

        return results;
    }

    private static async Task<LoadResult> ExportOnceAsync(ChildProcess server, HttpClient admin, string format)
    {
        await Task.Delay(TimeSpan.FromSeconds(2));
        var idle = server.MemoryBytes;
        var peak = idle;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, server.MemoryBytes);
                await Task.Delay(20, CancellationToken.None);
            }
        });
        var clock = Stopwatch.StartNew();
        var (bytes, lines, ok) = await DrainAsync(admin, $"v1/admin/exports/llm-calls?format={format}");
        clock.Stop();
        await stop.CancelAsync();
        await sampler;
        var rows = format == "csv" ? lines - 1 : lines;
        const double MB = 1024 * 1024;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"export {format}: {rows:N0} rows, {bytes / MB:N0} MB in {clock.Elapsed.TotalSeconds:N1} s ({rows / clock.Elapsed.TotalSeconds:N0} rows/s); " +
            $"working set idle {idle / MB:N1} MB, peak {peak / MB:N1} MB, growth {(peak - idle) / MB:N1} MB"));
        return new LoadResult($"(export) llm-calls {format}, {rows / 1_000_000.0:0.#}M rows, growth {(peak - idle) / MB:N1} MB", 1,
            clock.Elapsed.TotalSeconds, 1, ok ? 0 : 1, clock.Elapsed.TotalMilliseconds, clock.Elapsed.TotalMilliseconds, null) { ItemsPerRequest = (int)rows };
    }

    private static async Task<(long Bytes, long Lines, bool Ok)> DrainAsync(HttpClient admin, string path)
    {
        using var response = await admin.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long bytes = 0, lines = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return (bytes, lines, response.IsSuccessStatusCode);
    }
}
