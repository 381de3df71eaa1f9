using Tollgate.Core.Experiments;
using Tollgate.Storage.Catalog;

namespace Tollgate.Server.Experiments;

/// <summary>
/// Makes a winning variant's prices the catalog's: the plans it overrides get a new version with those prices, so new
/// subscribers pay them and existing subscribers keep the version (and any override) they bought.
/// </summary>
public sealed class ExperimentPromotion(CatalogStore store, CatalogCache cache)
{
    /// <summary>Applies the variant's prices as new plan versions; the catalog revisions it produced, or none when nothing changed.</summary>
    public async Task<IReadOnlyList<string>> PromoteAsync(ExperimentVariant variant, CancellationToken cancellationToken = default)
    {
        var definition = (await store.LoadAsync(cancellationToken)).ToDefinition();
        var promoted = definition with
        {
            Plans = [.. definition.Plans.Select(plan => plan with
            {
                Terms = plan.Terms with
                {
                    // The Stripe price id belonged to the old amount; Stripe needs a new price for the new one.
                    Prices = [.. plan.Terms.Prices.Select(p => variant.PriceFor(plan.Code, p.BillingPeriod) is { } o
                        ? p with { PriceCents = o.PriceCents, StripePriceId = null } : p)],
                },
            })],
        };
        var result = await store.ApplyAsync(promoted, cancellationToken);
        if (result.Changed)
        {
            cache.Invalidate();
        }

        return result.Changes;
    }
}
