using Microsoft.Extensions.Options;
using Tollgate.Core.Catalog;
using Tollgate.Server.Http;

namespace Tollgate.Server.Catalog;

/// <summary>Loads the example catalog on first start, so a fresh server has plans to show.</summary>
public sealed class CatalogSeeder(CatalogStore store, CatalogCache cache, IOptions<TollgateOptions> options, ILogger<CatalogSeeder> logger)
{
    public const string EmbeddedName = "Tollgate.Server.catalogs.career-coach.json";

    public async Task SeedIfEmptyAsync(CancellationToken cancellationToken = default)
    {
        var seedFile = options.Value.Catalog.SeedFile;
        if (string.Equals(seedFile, "none", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var current = await store.LoadAsync(cancellationToken);
        if (current.Plans.Count > 0 || current.Features.Count > 0)
        {
            return;
        }

        var (json, source) = string.IsNullOrWhiteSpace(seedFile)
            ? (ReadEmbedded(), "the embedded career-coach catalog")
            : (await File.ReadAllTextAsync(ShellPath.Resolve(seedFile), cancellationToken), ShellPath.Resolve(seedFile));
        var parsed = CatalogDocument.Parse(json);
        if (!parsed.IsValid)
        {
            throw new InvalidOperationException($"The seed catalog {source} is invalid: {string.Join("; ", parsed.Problems)}");
        }

        var result = await store.ApplyAsync(parsed.Catalog!, cancellationToken);
        cache.Invalidate();
        logger.LogInformation("Catalog was empty; loaded {Source} ({Changes} changes).", source, result.Changes.Count);
    }

    /// <summary>Refuses, before anything starts, a seed file that is not there: one clear line instead of a stack trace.</summary>
    public static void CheckSeedFile(string? seedFile)
    {
        if (!string.IsNullOrWhiteSpace(seedFile) && !string.Equals(seedFile, "none", StringComparison.OrdinalIgnoreCase)
            && !File.Exists(ShellPath.Resolve(seedFile)))
        {
            throw new StartupException(
                $"Tollgate:Catalog:SeedFile names '{seedFile}', which does not exist (looked for {ShellPath.Resolve(seedFile)}). " +
                "Give an existing catalog file, leave it empty for the example catalog, or set it to 'none'.");
        }
    }

    public static string ReadEmbedded()
    {
        using var stream = typeof(CatalogSeeder).Assembly.GetManifestResourceStream(EmbeddedName)
            ?? throw new InvalidOperationException($"Missing embedded resource {EmbeddedName}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
