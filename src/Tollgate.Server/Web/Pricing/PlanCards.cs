using Tollgate.Core.Catalog;
using Tollgate.Core.Money;
using Tollgate.Server.Pricing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Discounts;

namespace Tollgate.Server.Web.Pricing;

/// <summary>A plan's card on the pricing page in words: prices, savings, seats, trials, features and calls to action.</summary>
public static class PlanCards
{
    public static PlanCardView Card(Plan plan, CatalogSnapshot catalog, (string Monthly, string Yearly) cta, bool embedded, PromotionOffer? offer)
    {
        var terms = plan.Current.Terms;
        var monthly = ListedPrice.Of(plan, catalog.DefaultPlan, BillingInterval.Monthly);
        var yearly = ListedPrice.Of(plan, catalog.DefaultPlan, BillingInterval.Yearly);
        var currency = (monthly ?? yearly)?.Currency ?? "USD";
        return new PlanCardView(
            plan.Code, plan.Name, plan.Description, plan.IsPopular,
            Price(monthly ?? yearly, monthly is null ? BillingInterval.Yearly : BillingInterval.Monthly, plan.Code, offer),
            Price(yearly ?? monthly, yearly is null ? BillingInterval.Monthly : BillingInterval.Yearly, plan.Code, offer),
            QuotaDisplay.YearlySavingPercent(terms),
            BilledMonthlyOnly: yearly is null && monthly is { PriceCents: > 0 },
            HasSeats: monthly is { PerSeat: true } || yearly is { PerSeat: true },
            SeatRange(monthly ?? yearly), SeatRange(yearly ?? monthly), Trial(monthly ?? yearly), Trial(yearly ?? monthly),
            [.. catalog.PublicFeatures.Select(feature =>
            {
                var granted = terms.Feature(feature.Code);
                var included = granted is { IsIncluded: true } && (feature.Kind != FeatureKind.Boolean || granted.Enabled);
                return new FeatureLine(included, FeatureWords(feature, granted, currency), Tiers(feature, granted, currency));
            })],
            cta.Monthly, cta.Yearly, CtaText(monthly ?? yearly), CtaText(yearly ?? monthly), embedded);
    }

    private static PriceView Price(PlanPrice? price, BillingInterval interval, string planCode, PromotionOffer? offer) => price switch
    {
        null => new("Contact us"),
        { PriceCents: 0 } => new("Free"),
        _ when offer?.PriceFor(planCode, price) is { } discounted =>
            new(MinorUnits.Display(discounted, price.Currency), Per(price, interval), MinorUnits.Display(price.PriceCents, price.Currency),
                Lasting(offer.Coupon, interval)),
        _ => new(MinorUnits.Display(price.PriceCents, price.Currency), Per(price, interval)),
    };

    private static string Per(PlanPrice price, BillingInterval interval) => PriceWords.Per(price, interval);

    /// <summary>
    /// How long the promotion's price lasts: "$14.50 / month" under a 3-month coupon read as the price for good. A coupon
    /// in months covers the invoices issued within them, so on a yearly price it covers the first year's.
    /// </summary>
    private static string? Lasting(Tollgate.Core.Discounts.Coupon coupon, BillingInterval interval) => coupon.Duration switch
    {
        Tollgate.Core.Discounts.CouponDuration.Once => interval == BillingInterval.Yearly ? "for the first year" : "for the first month",
        Tollgate.Core.Discounts.CouponDuration.Repeating when coupon.DurationInMonths is { } months => interval == BillingInterval.Yearly
            ? (months <= 12 ? "for the first year" : $"for the first {(months + 11) / 12} years")
            : months == 1 ? "for the first month" : $"for the first {months} months",
        _ => null,
    };

    /// <summary>
    /// "From 2 seats, up to 50" under a per-seat price, for each interval, since a yearly price may sell other seats than the
    /// monthly one and the switch shows one interval at a time.
    /// </summary>
    private static string SeatRange(PlanPrice? price) => PriceWords.Seats(price) ?? "";

    private static string Trial(PlanPrice? price) => price is { TrialDays: > 0 } ? $"{price.TrialDays}-day free trial" : "";

    private static string CtaText(PlanPrice? price) => price switch
    {
        { PriceCents: 0 } => "Get started",
        { TrialDays: > 0 } => "Start free trial",
        _ => "Choose plan",
    };

    /// <summary>
    /// "10 CVs a month", "1 scan a day", "Unlimited messages", "Data retention: 90 days", or the feature's name for a gate; then
    /// the rate limit, if any. The window is the quota's own, so it reads the same whichever billing interval is shown.
    /// </summary>
    public static FeatureWordsView FeatureWords(Feature feature, PlanFeature? granted, string currency)
    {
        var display = QuotaDisplay.For(granted);
        var words = feature.Kind switch
        {
            FeatureKind.Boolean => new FeatureWordsView(feature.Name),
            // A value the plan leaves out (or sets to false) is off: its name alone, like a gate, never "Not included days".
            FeatureKind.Value when display is QuotaDisplay.NotIncluded => new FeatureWordsView(feature.Name),
            FeatureKind.Value => new FeatureWordsView($"{feature.Name}: {QuotaWords.Value(display, feature.Unit)}"),
            _ when display == QuotaDisplay.NotIncluded => new FeatureWordsView(feature.Name),
            _ when display == QuotaDisplay.Unlimited => new FeatureWordsView($"Unlimited {feature.Unit}", Muted: feature.Name),
            // Nothing is free, so the price is the grant: "$0.01 per second (Compute)"; tiers list their prices below.
            _ when display == QuotaDisplay.PayAsYouGo => new FeatureWordsView(
                granted!.OverageTiers is null && PriceWords.Overage(feature, granted, currency) is [var price] ? price : QuotaDisplay.PayAsYouGo,
                Muted: feature.Name),
            _ => new FeatureWordsView($"{display} {QuotaDisplay.UnitFor(granted!.MonthlyQuota ?? 0, feature.Unit)}",
                QuotaWords.Window(granted.Reset) + (granted.PerSeat ? " per seat" : ""), granted.Reset.ToWire(), feature.Name),
        };
        return words with { Rate = QuotaWords.RateLimit(granted, "requests") };
    }

    /// <summary>A soft-capped feature's overage tiers, or null when it has none.</summary>
    private static TiersView? Tiers(Feature feature, PlanFeature? granted, string currency) =>
        PriceWords.Tiers(feature, granted, currency) is { } tiers
            ? new TiersView(tiers.Mode.ToWire(), tiers.ModeWords, [.. tiers.Lines.Select(l => new TierLine(l.UpTo, l.Text))], granted!.IsPayAsYouGo)
            : null;
}
