using Tollgate.Core.Catalog;
using Tollgate.Storage.Catalog;

namespace Tollgate.Server.Catalog;

/// <summary>Parse, validate and apply a catalog document; shared by the admin API and the CLI.</summary>
public sealed class CatalogService(CatalogStore store, CatalogCache cache)
{
    public async Task<CatalogApplyResult> ApplyAsync(string json, CancellationToken cancellationToken = default)
    {
        var parsed = CatalogDocument.Parse(json);
        if (!parsed.IsValid)
        {
            return new CatalogApplyResult(false, 0, [], parsed.Problems);
        }

        var result = await store.ApplyAsync(parsed.Catalog!, cancellationToken);
        if (result.Changed)
        {
            cache.Invalidate();
        }

        return result;
    }

    public async Task<string> ExportAsync(CancellationToken cancellationToken = default) =>
        CatalogDocumentWriter.Write((await store.LoadAsync(cancellationToken)).ToDefinition());
}
