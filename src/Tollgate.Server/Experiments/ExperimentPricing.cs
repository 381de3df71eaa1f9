using Tollgate.Contracts;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Experiments;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Experiments;

/// <summary>A visitor's standing in the running experiment when they subscribe: their variant and its price for the plan, if any.</summary>
public sealed record ExperimentOffer(string ExperimentId, string VisitorId, string Variant, VariantPrice? Price)
{
    public PriceOverride? OverrideFor(PlanVersion version) => Price is { } p ? new PriceOverride(p.PriceCents, version.Id, p.BillingPeriod) : null;
}

/// <summary>Where experiments meet the pricing API and subscriptions: a visitor's prices, and a subscription's attribution.</summary>
public sealed class ExperimentPricing(ExperimentStore experiments, ExperimentTallies tallies, CatalogCache catalog)
{
    /// <summary>
    /// The active plans as the visitor sees them (their variant's prices) and the experiment they come from, null when
    /// none runs; the exposure is recorded once.
    /// </summary>
    public async Task<(IReadOnlyList<Plan> Plans, PricingExperiment? Experiment)> PlansOfAsync(
        string visitorId, CatalogSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        // An experiment whose plans are all off sale now tests nothing a visitor can buy: no variant, no exposure counted.
        if (await experiments.RunningAsync(cancellationToken) is not { } running
            || !running.Variants.SelectMany(v => v.Prices).Any(p => snapshot.PublicPlans.Any(plan => plan.Code == p.PlanCode)))
        {
            return ([.. snapshot.PublicPlans], null);
        }

        var variant = running.Assign(visitorId);
        await tallies.ExposeAsync(running.Id, visitorId, variant.Key, cancellationToken);
        return ([.. snapshot.PublicPlans.Select(p => WithPrices(p, variant))], new PricingExperiment(running.Id, variant.Key));
    }

    /// <summary>The visitor's variant and price for a purchase, or null when no experiment runs or the visitor never saw it.</summary>
    public async Task<ExperimentOffer?> OfferAsync(
        string visitorId, string planCode, BillingInterval interval, CancellationToken cancellationToken = default)
    {
        if (await experiments.RunningAsync(cancellationToken) is not { } running
            || await tallies.ExposureAsync(running.Id, visitorId, cancellationToken) is not { } key)
        {
            return null;
        }

        return new ExperimentOffer(running.Id, visitorId, key, running.Variant(key)?.PriceFor(planCode, interval));
    }

    /// <summary>Counts the subscription as the visitor's conversion; a second subscription for the same visitor is not counted again.</summary>
    public async Task ConvertAsync(ExperimentOffer offer, Subscription subscription, CancellationToken cancellationToken = default)
    {
        var version = await catalog.GetVersionAsync(subscription.PlanVersionId, cancellationToken);
        var price = version is null ? null : subscription.PriceOn(version);
        await tallies.ConvertAsync(offer.ExperimentId, offer.VisitorId, offer.Variant, subscription.Id, subscription.CustomerId,
            price is null ? 0 : PlanChange.MonthlyTwelfths(price), cancellationToken);
    }

    /// <summary>The plan with the variant's prices in place of the catalog's; a Stripe price id no longer matches, so it is dropped.</summary>
    public static Plan WithPrices(Plan plan, ExperimentVariant variant) => plan with
    {
        Current = plan.Current with
        {
            Terms = plan.Current.Terms with
            {
                // A variant prices the default currency; the plan's other currencies keep theirs.
                Prices = [.. plan.Current.Terms.Prices.Select(p => p.Currency == plan.Current.Terms.DefaultCurrency
                    && variant.PriceFor(plan.Code, p.BillingPeriod) is { } o
                    ? p with { PriceCents = o.PriceCents, StripePriceId = null } : p)],
            },
        },
    };
}
