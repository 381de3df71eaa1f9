using System.CommandLine;
using System.Globalization;
using Tollgate.Server.Llm;

namespace Tollgate.Server.Cli;

/// <summary>llm prices import: a price table (Tollgate's shape or LiteLLM's, .gz too) applied as the import endpoint does.</summary>
public static class LlmCliVerbs
{
    public static Command Command(Func<CancellationToken, Task<ServiceProvider>> ready)
    {
        var file = new Argument<FileInfo>("file") { Description = "A price table: Tollgate's {\"prices\": [...]} or LiteLLM's map; gzipped or not." };
        var effective = new Option<string>("--effective-from") { Description = "When rows without their own date take effect (default: now)." };
        var import = new Command("import", "Import a price table and print what changed and what was skipped.") { file, effective };
        import.SetAction(async (parse, ct) =>
        {
            // FileInfo resolves a relative path against the current directory, where the user typed it.
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                await Console.Error.WriteLineAsync($"No such file: {path.FullName}");
                return 2;
            }

            DateTimeOffset? given = null;
            if (parse.GetValue(effective) is { } text)
            {
                given = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
            }

            if (parse.GetValue(effective) is { } bad && given is null)
            {
                await Console.Error.WriteLineAsync($"--effective-from: '{bad}' is not a date or an ISO 8601 instant");
                return 2;
            }

            await using var services = await ready(ct);
            var from = given ?? services.GetRequiredService<TimeProvider>().GetUtcNow();
            var store = services.GetRequiredService<ModelPriceStore>();
            // As the server does on its first start: otherwise an import into a new database would keep the defaults out for good.
            await LlmPricesApi.SeedDefaultsAsync(store, ct);

            LlmPriceImport.Outcome outcome;
            await using (var stream = path.OpenRead())
            {
                try
                {
                    var (table, problem) = await LlmPriceImport.ReadAsync(stream, path.Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase), ct);
                    if (problem is not null)
                    {
                        await Console.Error.WriteLineAsync($"{path.FullName}: {problem.Message}");
                        return 1;
                    }

                    using var document = table!;
                    outcome = await LlmPriceImport.ApplyAsync(document.RootElement, from.ToUniversalTime(), store, ct);
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or BadHttpRequestException)
                {
                    await Console.Error.WriteLineAsync($"{path.FullName}: {(e is BadHttpRequestException ? $"larger than {LlmPriceImport.MaxBytes} bytes" : e.Message)}");
                    return 1;
                }
            }

            if (outcome.Report is not { } report)
            {
                foreach (var problem in outcome.Problems)
                {
                    await Console.Error.WriteLineAsync(problem.ToString());
                }

                await Console.Error.WriteLineAsync($"{outcome.Problems.Count} problem(s); nothing was imported.");
                return 1;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{report.Imported.Count} imported, {report.Unchanged.Count} unchanged, {report.Skipped.Count} skipped (effective from {from.ToUniversalTime():O})."));
            foreach (var (kind, count) in report.SkippedByKind ?? new Dictionary<string, int>())
            {
                Console.WriteLine($"  skipped {kind}: {count}");
            }

            foreach (var reason in report.Skipped.Where(s => s.Contains("sanity bound", StringComparison.Ordinal)))
            {
                Console.WriteLine("  " + reason);
            }

            // A bad upstream price held that model's update back: on stderr, which a cron job mails, though the rest imported.
            foreach (var reason in outcome.HeldBack)
            {
                await Console.Error.WriteLineAsync("held back: " + reason);
            }

            return 0;
        });
        return new Command("llm", "Manage LLM prices.") { new Command("prices", "LLM model prices.") { import } };
    }
}
