using Tollgate.Core.Catalog;

namespace Tollgate.Server.Web.Pricing;

/// <summary>What the pricing page shows, worked out from the catalog before any markup is written.</summary>
public sealed record PricingView(
    string Title, string Heading, string Shown, int? Saving, string? PromoCode, string? PromoName, Contracts.PricingExperiment? Experiment,
    IReadOnlyList<PlanCardView> Plans, ComparisonView Compare, IReadOnlyList<FaqEntry> Faq, string? Theme, bool Embedded)
{
    /// <summary>The currency switch's links, one per currency the plans are priced in; empty when there is only one.</summary>
    public IReadOnlyList<CurrencyLink> Currencies { get; init; } = [];
}

/// <summary>A link of the currency switch: the code, the page in that currency, and whether it is the one shown.</summary>
public sealed record CurrencyLink(string Code, string Href, bool Current);

/// <summary>One plan's card: its price in each interval, what the switch shows under it, its features and its call to action.</summary>
public sealed record PlanCardView(
    string Code, string Name, string? Description, bool IsPopular, PriceView Monthly, PriceView Yearly, int? Saving, bool BilledMonthlyOnly,
    bool HasSeats, string SeatsMonthly, string SeatsYearly, string TrialMonthly, string TrialYearly, IReadOnlyList<FeatureLine> Features,
    string CtaMonthly, string CtaYearly, string CtaTextMonthly, string CtaTextYearly, bool Embedded);

/// <summary>A price as shown: "Free", "Contact us", or an amount with its period, struck-through <paramref name="Was"/> under a promotion.</summary>
/// <summary>A card's price; <paramref name="For"/> says how long a promotion's price lasts ("for 3 months"), null when for good.</summary>
public sealed record PriceView(string Amount, string? Per = null, string? Was = null, string? For = null);

/// <summary>A feature line on a card, struck through when the plan lacks it, with the overage tiers of a soft cap.</summary>
public sealed record FeatureLine(bool Included, FeatureWordsView Words, TiersView? Tiers);

/// <summary>
/// A feature in words: <paramref name="Lead"/> ("10 CVs", "Unlimited messages", "Data retention: 90 days" or the name),
/// the quota's window ("a month", with its reset code), the feature's name after a quota, and the rate limit.
/// </summary>
public sealed record FeatureWordsView(string Lead, string? Window = null, string? Reset = null, string? Muted = null, string? Rate = null);

/// <summary>A soft cap's overage tiers, one line per tier, as the invoice will price them.</summary>
public sealed record TiersView(string Mode, string ModeWords, IReadOnlyList<TierLine> Lines, bool PayAsYouGo = false)
{
    /// <summary>What the tiers price: pay as you go has no limit to be past, so its tiers price every unit.</summary>
    public string Lead => PayAsYouGo ? $"Every unit ({ModeWords})" : $"Past the limit ({ModeWords})";
}

/// <summary>One tier: the units it covers ("11–100") and its price; <paramref name="UpTo"/> is "inf" for the last.</summary>
public sealed record TierLine(string UpTo, string Text);

/// <summary>The comparison table: one column per plan, one row per public feature, in the words of /v1/pricing/compare.</summary>
public sealed record ComparisonView(IReadOnlyList<(string Code, string Name)> Plans, IReadOnlyList<ComparisonRow> Rows);

public sealed record ComparisonRow(string FeatureCode, string Name, IReadOnlyList<ComparisonCell> Cells);

public sealed record ComparisonCell(string PlanCode, string Terms, string? Rate);
