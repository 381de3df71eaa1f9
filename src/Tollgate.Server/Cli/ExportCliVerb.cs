using System.CommandLine;
using System.Diagnostics;
using Tollgate.Server.Exports;

namespace Tollgate.Server.Cli;

/// <summary>export &lt;kind&gt;: the admin export endpoint's output, written to a file or stdout, with a progress bar on a terminal.</summary>
public static class ExportCliVerb
{
    public static Command Command(Func<CancellationToken, Task<ServiceProvider>> ready)
    {
        var kind = new Argument<string>("kind") { Description = ExportRequest.KindNames };
        var from = new Option<string>("--from") { Description = "Start of the range: a date (2026-01-31) or an ISO 8601 instant; default: the beginning." };
        var to = new Option<string>("--to") { Description = "End of the range, exclusive; default: now." };
        var format = new Option<string>("--format") { Description = "csv (default) or ndjson" };
        var output = new Option<FileInfo>("--output") { Description = "Write to this file instead of stdout." };
        var command = new Command("export", "Export usage, LLM calls, events, invoices or customers as CSV or NDJSON.") { kind, from, to, format, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await ready(ct);
            var request = ExportRequest.Parse(parse.GetValue(kind), parse.GetValue(from), parse.GetValue(to), parse.GetValue(format),
                services.GetRequiredService<TimeProvider>().GetUtcNow(), out var errors);
            if (request is null)
            {
                foreach (var (field, problem) in errors)
                {
                    await Console.Error.WriteLineAsync($"{(field == "kind" ? "kind" : "--" + field)}: {problem}");
                }

                return 2;
            }

            var file = parse.GetValue(output);
            await using var stream = file is null ? Console.OpenStandardOutput() : file.Create();
            var bar = Console.IsErrorRedirected ? null
                : new ProgressBar(await services.GetRequiredService<ExportQueries>().CountAsync(request.Spec, request.From, request.To, ct));
            var rows = await services.GetRequiredService<ExportWriter>().WriteAsync(request.Spec, request.From, request.To, request.Format, stream,
                bar is null ? null : bar.Report, ct);
            bar?.Finish(rows);
            if (file is not null)
            {
                await Console.Error.WriteLineAsync($"Wrote {rows} row(s) to {file.FullName}.");
            }

            return 0;
        });
        return command;
    }

    /// <summary>One stderr line redrawn at most five times a second: a bar, the rows so far and rows per second.</summary>
    private sealed class ProgressBar(long total)
    {
        private const int Width = 30;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _drawnAt = -1000;

        public void Report(long rows)
        {
            if (_clock.ElapsedMilliseconds - _drawnAt < 200)
            {
                return;
            }

            _drawnAt = _clock.ElapsedMilliseconds;
            Draw(rows);
        }

        public void Finish(long rows)
        {
            Draw(rows);
            Console.Error.WriteLine();
        }

        private void Draw(long rows)
        {
            var done = total == 0 ? Width : (int)Math.Min(Width, rows * Width / total);
            var perSecond = rows / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
            Console.Error.Write($"\r[{new string('#', done)}{new string('.', Width - done)}] {rows:N0}/{total:N0} rows  {perSecond:N0} rows/s ");
        }
    }
}
