using Tollgate.Core.Experiments;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Experiments;

/// <summary>
/// Makes a winning variant's prices the catalog's: the plans it overrides get a new version with those prices, so new
/// subscribers pay them and existing subscribers keep the version (and any override) they bought.
/// </summary>
public sealed class ExperimentPromotion(CatalogStore store, CatalogCache cache, ExperimentStore experiments)
{
    /// <summary>
    /// Stops an experiment and, when <paramref name="promote"/> names a challenger, makes its prices the catalog's: the one
    /// path the API and the console both take. Naming the control or an unknown variant stops nothing.
    /// </summary>
    public async Task<ExperimentStop> StopAsync(string id, string? promote, CancellationToken cancellationToken = default)
    {
        if (promote is not null)
        {
            if (await experiments.GetAsync(id, cancellationToken) is not { } experiment)
            {
                return new ExperimentStop.Changed(new ExperimentChange.NotFound());
            }

            if (experiment.Variant(promote) is not { IsControl: false } winner)
            {
                return new ExperimentStop.NotAChallenger([.. experiment.Variants.Where(v => !v.IsControl).Select(v => v.Key)]);
            }

            // A plan taken off sale since the start would get a new version at the winning price and stay off sale.
            var inactive = (await store.LoadAsync(cancellationToken)).ToDefinition().Plans.Where(p => !p.IsActive).Select(p => p.Code).ToHashSet();
            if (winner.Prices.Select(p => p.PlanCode).Where(inactive.Contains).Distinct().ToList() is { Count: > 0 } off)
            {
                return new ExperimentStop.PlanInactive(off);
            }
        }

        var change = await experiments.StopAsync(id, cancellationToken);
        if (change is ExperimentChange.Done done && promote is not null)
        {
            await PromoteAsync(done.Experiment.Id, done.Experiment.Variant(promote)!, cancellationToken);
        }

        return new ExperimentStop.Changed(change);
    }

    /// <summary>Applies the variant's prices as new plan versions; the catalog revisions it produced, or none when nothing changed.</summary>
    public async Task<IReadOnlyList<string>> PromoteAsync(string experimentId, ExperimentVariant variant, CancellationToken cancellationToken = default)
    {
        var definition = (await store.LoadAsync(cancellationToken)).ToDefinition();
        var promoted = definition with
        {
            Plans = [.. definition.Plans.Select(plan => plan with
            {
                Terms = plan.Terms with
                {
                    // The Stripe price id belonged to the old amount; Stripe needs a new price for the new one.
                    // A variant prices the default currency; the plan's other currencies keep theirs.
                    Prices = [.. plan.Terms.Prices.Select(p => p.Currency == plan.Terms.DefaultCurrency
                        && variant.PriceFor(plan.Code, p.BillingPeriod) is { } o
                        ? p with { PriceCents = o.PriceCents, StripePriceId = null } : p)],
                },
            })],
        };
        // Marked as this promotion's, so a catalog file exported before it that would put the old price back is named.
        var result = await store.ApplyAsync(promoted, new CatalogApplyOptions(Promotion: new CatalogPromotion(experimentId, variant.Key)),
            cancellationToken);
        if (result.Changed)
        {
            cache.Invalidate();
        }

        return result.Changes;
    }
}

/// <summary>What a stop did: the experiment's change, or a refusal because the variant to promote is no challenger or prices a plan off sale.</summary>
public abstract record ExperimentStop
{
    public sealed record Changed(ExperimentChange Change) : ExperimentStop;

    public sealed record NotAChallenger(IReadOnlyList<string> Challengers) : ExperimentStop;

    /// <summary>The winning variant prices plans no longer on sale: nothing is stopped or promoted.</summary>
    public sealed record PlanInactive(IReadOnlyList<string> Plans) : ExperimentStop;
}
