using System.Text.Json;

namespace Tollgate.Contracts;

/// <summary>A plan as the public pricing API shows it.</summary>
/// <param name="Code">The plan's code, such as "pro".</param>
/// <param name="Name">The display name.</param>
/// <param name="Description">Marketing copy.</param>
/// <param name="SortOrder">Position on a pricing page, ascending.</param>
/// <param name="IsPopular">Whether a pricing page should highlight the plan.</param>
/// <param name="Version">The plan version new subscriptions get.</param>
/// <param name="Prices">One price per billing period.</param>
/// <param name="Features">Every catalog feature, with this plan's quota in words.</param>
/// <param name="Experiment">The price experiment and variant the visitor was assigned, when asked with ?visitor= during an experiment.</param>
/// <param name="Currencies">Every ISO 4217 currency the plan is priced in, its default first; <c>prices</c> are in one of them (?currency=, else the default).</param>
public sealed record PricingPlan(
    string Code,
    string Name,
    string Description,
    int SortOrder,
    bool IsPopular,
    int Version,
    IReadOnlyList<PricingPrice> Prices,
    IReadOnlyList<PricingPlanFeature> Features,
    PricingExperiment? Experiment = null,
    IReadOnlyList<string>? Currencies = null);

/// <summary>The price experiment a visitor takes part in; its prices are already in the plan's prices.</summary>
/// <param name="Id">The experiment's id.</param>
/// <param name="Variant">The variant's key; "control" sees the catalog's prices.</param>
public sealed record PricingExperiment(string Id, string Variant);

/// <summary>A plan's price for one billing period.</summary>
/// <param name="BillingPeriod">"monthly" or "yearly".</param>
/// <param name="PriceCents">The price in minor units of <paramref name="Currency"/>.</param>
/// <param name="Currency">ISO 4217 code, such as "USD".</param>
/// <param name="TrialDays">Free trial length for new subscriptions.</param>
/// <param name="DisplayPrice">The price as a pricing page shows it, such as "$29.99".</param>
/// <param name="SavingPercent">On a yearly price, whole percent saved against twelve monthly payments.</param>
/// <param name="StripePriceId">The Stripe price Checkout sells, when configured.</param>
/// <param name="PerSeat">Whether the price is per seat: <paramref name="PriceCents"/> is one seat's, for each seat bought.</param>
/// <param name="IncludedSeats">On a per-seat price, the fewest seats sold (and the seats a subscription gets when it names none).</param>
/// <param name="MaxSeats">On a per-seat price, the most seats sold; null for no limit.</param>
/// <param name="DisplayPer">What the price is for, as the pricing page shows it beside the amount: "/ month", "/ seat / month", "/ year".</param>
/// <param name="DisplaySeats">On a per-seat price, the seats sold in words: "From 2 seats, up to 50"; null otherwise.</param>
public sealed record PricingPrice(
    string BillingPeriod,
    long PriceCents,
    string Currency,
    int TrialDays,
    string DisplayPrice,
    int? SavingPercent,
    string? StripePriceId,
    bool PerSeat = false,
    int? IncludedSeats = null,
    int? MaxSeats = null,
    string? DisplayPer = null,
    string? DisplaySeats = null);

/// <summary>What a plan gives for one feature.</summary>
/// <param name="FeatureCode">The feature's code.</param>
/// <param name="Name">The feature's display name.</param>
/// <param name="Unit">What is counted, such as "CVs".</param>
/// <param name="Kind">"boolean", "metered" or "value".</param>
/// <param name="MonthlyQuota">
/// For metered features, the same as <paramref name="Limit"/>: kept for older clients, it is a monthly quota only when
/// <paramref name="Reset"/> is "month". Null unlimited, 0 not included.
/// </param>
/// <param name="HardCap">Whether use past the quota is refused (true) or billed as overage (false).</param>
/// <param name="Rollover">Whether unused units carry into the next period.</param>
/// <param name="OverageUnitPriceCents">Price per unit past a soft cap.</param>
/// <param name="Enabled">Whether the plan includes the feature at all.</param>
/// <param name="Value">For value features, the plan's setting.</param>
/// <param name="DisplayQuota">"Unlimited", "Not included", "Included", a value feature's value or the number, without its window (see <paramref name="DisplayTerms"/>).</param>
/// <param name="TiersMode">"graduated" or "volume" when the overage is tiered; null otherwise.</param>
/// <param name="OverageTiers">The overage tiers, counted in units past the limit; null when the overage has one unit price.</param>
/// <param name="Limit">For metered features: units per window (see <paramref name="Reset"/>); null unlimited, 0 not included.</param>
/// <param name="Reset">
/// For metered features, when the window starts again: "day", "week", "month", "year", "billing_period", "calendar_month",
/// "calendar_year" or "never" (a lifetime allowance); null for other kinds.
/// </param>
/// <param name="RateLimit">The plan's rate limit on the feature's consume and reserve calls, or null.</param>
/// <param name="DisplayTerms">
/// The grant in words with its window: "1 a day", "50 a week", "30 a month", "100 in total" (reset never), "100 per billing
/// period", "10 a month per seat", or <paramref name="DisplayQuota"/> where there is no window.
/// </param>
/// <param name="DisplayRateLimit">The rate limit in words, such as "600 a minute"; null when there is none.</param>
/// <param name="DisplayOverage">
/// What use past a soft cap costs, in words and in the currency the prices are in: "Then $0.02 per call", or one line per
/// tier ("Over the limit, 1–100: $0.02 per call"); null under a hard cap.
/// </param>
public sealed record PricingPlanFeature(
    string FeatureCode,
    string Name,
    string Unit,
    string Kind,
    long? MonthlyQuota,
    bool HardCap,
    bool Rollover,
    long? OverageUnitPriceCents,
    bool Enabled,
    JsonElement? Value,
    string DisplayQuota,
    string? TiersMode = null,
    IReadOnlyList<PricingTier>? OverageTiers = null,
    long? Limit = null,
    string? Reset = null,
    PricingRateLimit? RateLimit = null,
    string? DisplayTerms = null,
    string? DisplayRateLimit = null,
    IReadOnlyList<string>? DisplayOverage = null);

/// <summary>At most <paramref name="Limit"/> consume or reserve calls per <paramref name="Per"/>, whatever their amount.</summary>
/// <param name="Limit">Calls allowed in one window.</param>
/// <param name="Per">"second", "minute" or "hour": fixed windows aligned to the Unix epoch.</param>
public sealed record PricingRateLimit(long Limit, string Per);

/// <summary>One overage tier: units up to <paramref name="UpTo"/> (null: no end) cost <paramref name="UnitPriceCents"/> per
/// <paramref name="PerUnits"/> units, plus <paramref name="FlatCents"/> once when the tier is reached.</summary>
/// <param name="UpTo">The tier's last unit, inclusive; null for the last, open-ended tier.</param>
/// <param name="UnitPriceCents">Price per <paramref name="PerUnits"/> units, in minor units.</param>
/// <param name="PerUnits">How many units the unit price is for (1,000 for "1 cent per 1,000 calls").</param>
/// <param name="FlatCents">Charged once when any unit falls in the tier.</param>
public sealed record PricingTier(long? UpTo, long UnitPriceCents, long PerUnits, long FlatCents);

/// <summary>A feature of the catalog.</summary>
/// <param name="Code">The feature's code, such as "cv_generate".</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">What the feature is.</param>
/// <param name="Unit">What is counted.</param>
/// <param name="Kind">"boolean", "metered" or "value".</param>
public sealed record PricingFeature(string Code, string Name, string Description, string Unit, string Kind);

/// <summary>A feature × plan table for a comparison page.</summary>
/// <param name="Plans">The columns: active plans in sort order.</param>
/// <param name="Rows">One row per feature.</param>
/// <param name="Faq">The operator's questions and answers.</param>
public sealed record PricingComparison(IReadOnlyList<ComparisonPlan> Plans, IReadOnlyList<ComparisonRow> Rows, IReadOnlyList<FaqItem> Faq);

/// <summary>A column of the comparison table.</summary>
/// <param name="Code">Plan code.</param>
/// <param name="Name">Plan name.</param>
/// <param name="IsPopular">Whether to highlight the column.</param>
/// <param name="Prices">The plan's prices.</param>
public sealed record ComparisonPlan(string Code, string Name, bool IsPopular, IReadOnlyList<PricingPrice> Prices);

/// <summary>A row of the comparison table.</summary>
/// <param name="FeatureCode">The feature's code.</param>
/// <param name="Name">The feature's name.</param>
/// <param name="Unit">What is counted.</param>
/// <param name="Cells">One cell per plan, in the order of <see cref="PricingComparison.Plans"/>.</param>
public sealed record ComparisonRow(string FeatureCode, string Name, string Unit, IReadOnlyList<ComparisonCell> Cells);

/// <summary>One plan's value for one feature.</summary>
/// <param name="Plan">Plan code.</param>
/// <param name="DisplayQuota">The value in words, without the window: "Unlimited", "Not included", "Included", a value or the number.</param>
/// <param name="Included">Whether the plan includes the feature.</param>
/// <param name="DisplayTerms">The value in words with its window, such as "1 a day" or "30 a month" (see <see cref="PricingPlanFeature.DisplayTerms"/>).</param>
/// <param name="DisplayRateLimit">The plan's rate limit on the feature in words, such as "600 a minute"; null when there is none.</param>
public sealed record ComparisonCell(string Plan, string DisplayQuota, bool Included, string? DisplayTerms = null, string? DisplayRateLimit = null);

/// <summary>A question and its answer, written by the operator in the catalog.</summary>
/// <param name="Question">The question.</param>
/// <param name="Answer">The answer.</param>
public sealed record FaqItem(string Question, string Answer);
