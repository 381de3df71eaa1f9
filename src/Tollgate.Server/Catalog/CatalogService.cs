using Tollgate.Core.Catalog;

namespace Tollgate.Server.Catalog;

/// <summary>Parse, validate and apply a catalog document; shared by the admin API and the CLI.</summary>
public sealed class CatalogService(CatalogStore store, CatalogCache cache)
{
    public async Task<CatalogApplyResult> ApplyAsync(string json, CancellationToken cancellationToken = default) =>
        await ApplyAsync(json, dryRun: false, cancellationToken);

    /// <summary>Applies the document, or with <paramref name="dryRun"/> answers what applying it would change and writes nothing.</summary>
    public async Task<CatalogApplyResult> ApplyAsync(string json, bool dryRun, CancellationToken cancellationToken = default)
    {
        var parsed = CatalogDocument.Parse(json);
        if (!parsed.IsValid)
        {
            return new CatalogApplyResult(false, 0, [], parsed.Problems) { DryRun = dryRun };
        }

        var result = await store.ApplyAsync(parsed.Catalog!, new CatalogApplyOptions(DryRun: dryRun), cancellationToken);
        if (result.Changed && !dryRun)
        {
            cache.Invalidate();
        }

        return result;
    }

    public async Task<string> ExportAsync(CancellationToken cancellationToken = default) =>
        CatalogDocumentWriter.Write((await store.LoadAsync(cancellationToken)).ToDefinition());
}
