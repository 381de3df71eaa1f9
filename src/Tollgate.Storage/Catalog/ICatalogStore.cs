using Tollgate.Core.Catalog;

namespace Tollgate.Storage.Catalog;

public interface ICatalogStore
{
    Task<CatalogSnapshot> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>The revision only: a cheap check of whether a cached snapshot is still current.</summary>
    Task<long> RevisionAsync(CancellationToken cancellationToken = default);

    /// <summary>Applies a whole document in one transaction; the same document twice changes nothing.</summary>
    Task<CatalogApplyResult> ApplyAsync(CatalogDefinition catalog, CancellationToken cancellationToken = default);

    Task<PlanVersion?> GetPlanVersionAsync(string id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PlanVersion>> ListPlanVersionsAsync(string planCode, CancellationToken cancellationToken = default);
}
