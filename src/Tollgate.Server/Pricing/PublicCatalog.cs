using System.Runtime.CompilerServices;
using Tollgate.Core.Catalog;
using Tollgate.Storage.Catalog;

namespace Tollgate.Server.Pricing;

/// <summary>
/// What of a catalog the public may see. A feature that only private plans list would name what a deal includes, so
/// it is left out; a feature no plan lists, or a public plan lists, is shown.
/// </summary>
public static class PublicCatalog
{
    private static readonly ConditionalWeakTable<CatalogSnapshot, IReadOnlyList<Feature>> Shown = [];

    public static IReadOnlyList<Feature> PublicFeatures(this CatalogSnapshot catalog) => Shown.GetValue(catalog, Compute);

    private static IReadOnlyList<Feature> Compute(CatalogSnapshot catalog)
    {
        var onPublic = catalog.PublicPlans.SelectMany(p => p.Current.Terms.Features).Select(f => f.FeatureCode).ToHashSet(StringComparer.Ordinal);
        var privateOnly = catalog.Plans.Where(p => p.IsPrivate).SelectMany(p => p.Current.Terms.Features).Select(f => f.FeatureCode)
            .Where(code => !onPublic.Contains(code)).ToHashSet(StringComparer.Ordinal);
        return [.. catalog.Features.Where(f => !privateOnly.Contains(f.Code))];
    }
}
