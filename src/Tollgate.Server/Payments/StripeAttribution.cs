using Tollgate.Core.Catalog;

namespace Tollgate.Server.Payments;

/// <summary>
/// A checkout made for a visitor in a price experiment, as its subscription's metadata carries it: the variant to count the
/// conversion under and, when the variant overrides the price, the plan version and price sold inline (Stripe has no price
/// id for it, so the plan cannot be found by price).
/// </summary>
public sealed record StripeAttribution(
    string ExperimentId, string Variant, string VisitorId, string PlanVersionId, BillingInterval BillingPeriod, long? PriceCents)
{
    public const string ExperimentKey = "tollgate_experiment";
    public const string VariantKey = "tollgate_variant";
    public const string VisitorKey = "tollgate_visitor";
    public const string PlanVersionKey = "tollgate_plan_version";
    public const string BillingPeriodKey = "tollgate_billing_period";
    public const string PriceKey = "tollgate_price_cents";

    /// <summary>The metadata pairs a checkout sends under subscription_data[metadata].</summary>
    public IEnumerable<KeyValuePair<string, string>> Metadata()
    {
        yield return new(ExperimentKey, ExperimentId);
        yield return new(VariantKey, Variant);
        yield return new(VisitorKey, VisitorId);
        yield return new(PlanVersionKey, PlanVersionId);
        yield return new(BillingPeriodKey, BillingPeriod.ToWire());
        if (PriceCents is { } cents)
        {
            yield return new(PriceKey, cents.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The attribution in a subscription's metadata, or null when it has none or any part of it is unreadable.</summary>
    public static StripeAttribution? From(Func<string, string?> metadata)
    {
        if (metadata(ExperimentKey) is not { } experiment || metadata(VariantKey) is not { } variant || metadata(VisitorKey) is not { } visitor
            || metadata(PlanVersionKey) is not { } version || !BillingIntervalNames.TryParse(metadata(BillingPeriodKey), out var period))
        {
            return null;
        }

        long? price = null;
        if (metadata(PriceKey) is { } text)
        {
            if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var cents))
            {
                return null;
            }

            price = cents;
        }

        return new StripeAttribution(experiment, variant, visitor, version, period, price);
    }
}
