using System.Text.Json;
using Tollgate.Contracts;

namespace Tollgate.Server.OpenApi.Bodies;

// The catalog is read field by field (Core/Catalog/CatalogDocument.cs, PlanReader.cs); these records only describe
// that document to OpenAPI, with the same names and optional fields. docs/catalog.md has the rules.

/// <summary>The whole catalog: PUT /v1/admin/catalog applies it all or nothing; GET exports it.</summary>
/// <param name="Features">Every feature a plan can grant.</param>
/// <param name="Plans">The plans.</param>
/// <param name="DefaultPlan">The plan a new customer without a subscription is on.</param>
/// <param name="UpgradeUrl">Where denials send a customer to upgrade (relative to the app, such as /pricing, or absolute).</param>
/// <param name="Faq">Questions and answers for the pricing page.</param>
/// <param name="Notify">Which e-mails customers get; every kind when absent.</param>
/// <param name="RateLimitFeature">
/// A feature of this document whose rate_limit in a plan is that plan's plan-wide rate limit: it counts every consume and
/// reserve of the plan, whatever the feature.
/// </param>
/// <param name="Packs">Credit packs sold once, at most 100; none when absent.</param>
/// <param name="OnSuspension">
/// What a customer whose subscription is past due beyond its grace may use: the default plan (default_plan, the default),
/// or nothing (deny: consume and reserve answer 402 subscription_inactive until the invoice is paid).
/// </param>
/// <param name="Metrics">
/// Billable metrics over event properties, at most 200: each folds the events of one name per quota window; a metered plan
/// feature names one with metric.
/// </param>
public sealed record CatalogDocumentBody(
    IReadOnlyList<CatalogFeatureBody> Features,
    IReadOnlyList<CatalogPlanBody> Plans,
    string? DefaultPlan = null,
    string? UpgradeUrl = null,
    IReadOnlyList<FaqItem>? Faq = null,
    CatalogNotifyBody? Notify = null,
    string? RateLimitFeature = null,
    IReadOnlyList<CatalogPackBody>? Packs = null,
    string? OnSuspension = null,
    IReadOnlyList<CatalogMetricBody>? Metrics = null);

/// <summary>A billable metric: the events of one name folded into one number per quota window, optionally filtered and grouped by properties.</summary>
/// <param name="Code">Its code, unique among metrics: lower case letters, digits and underscores.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Aggregation">
/// count (events), sum, max or latest (of a whole-number property), or unique_count (distinct values of a scalar property).
/// </param>
/// <param name="Event">The event name it reads, 1 to 64 characters; the metric's code when absent, which only a metric a plan feature uses may leave out.</param>
/// <param name="Property">The property it reads: required for sum, max, latest and unique_count, not taken by count.</param>
/// <param name="Filters">An event counts only if every named property has one of the listed string values (a number or boolean as its JSON text).</param>
/// <param name="GroupBy">At most 3 property names: usage is also shown per group of their values.</param>
public sealed record CatalogMetricBody(
    string Code, string Name, string Aggregation, string? Event = null, string? Property = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Filters = null, IReadOnlyList<string>? GroupBy = null);

/// <summary>A credit pack: units of a metered feature sold once, granted to the buyer as a credit grant.</summary>
/// <param name="Code">Its code, unique among packs: lower case letters, digits and underscores.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Feature">A metered feature of this document.</param>
/// <param name="Amount">Units granted, 1 to 10^12.</param>
/// <param name="PriceCents">The price in minor units of the currency.</param>
/// <param name="Currency">An ISO 4217 code in either case (usd, as Stripe writes it); kept and exported in capitals.</param>
/// <param name="ExpiresAfterDays">Days after the purchase when the grant expires, 1 to 3650; never when absent.</param>
/// <param name="StripePriceId">A one-time Stripe price, unique among packs; needed to sell the pack through Checkout.</param>
/// <param name="CurrencyOptions">
/// The pack's price in other currencies, keyed by ISO 4217 code in either case ({"EUR": {"price_cents": 900}}), kept in capitals.
/// A customer buys in its own currency: the pack's, or one of these; a customer in any other is refused.
/// </param>
public sealed record CatalogPackBody(
    string Code, string Name, string Feature, long Amount, long PriceCents, string Currency, int? ExpiresAfterDays = null,
    string? StripePriceId = null, IReadOnlyDictionary<string, CatalogPackOptionBody>? CurrencyOptions = null);

/// <summary>A credit pack's price in one more currency.</summary>
/// <param name="PriceCents">The price in that currency's minor units.</param>
/// <param name="StripePriceId">A one-time Stripe price in that currency, unique among packs; needed to sell the pack through Checkout in it.</param>
public sealed record CatalogPackOptionBody(long PriceCents, string? StripePriceId = null);

/// <summary>The catalog's notify block.</summary>
/// <param name="Email">
/// The e-mail kinds sent to customers: threshold, exceeded, projected, budget, invoice_issued, invoice_paid, invoice_payment_failed,
/// trial_ending. An empty list sends none.
/// </param>
public sealed record CatalogNotifyBody(IReadOnlyList<string> Email);

/// <summary>A feature.</summary>
/// <param name="Code">Its code, such as cv_generate: lower case letters, digits and underscores.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Kind">boolean, metered or value.</param>
/// <param name="Description">A sentence for the pricing page.</param>
/// <param name="Unit">What is counted, such as "CVs".</param>
/// <param name="UsesLlm">True when using it calls a model (shown in the cost stats).</param>
public sealed record CatalogFeatureBody(
    string Code, string Name, string Kind, string? Description = null, string? Unit = null, bool? UsesLlm = null);

/// <summary>A plan.</summary>
/// <param name="Code">Its code, such as pro.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Prices">Its prices, one per billing period (monthly and/or yearly) and currency; every currency prices the same periods, and the first price's currency is the default.</param>
/// <param name="Description">A line for the pricing page.</param>
/// <param name="IsActive">False hides it from the pricing page and new subscriptions (default true).</param>
/// <param name="SortOrder">Its place on the pricing page.</param>
/// <param name="IsPopular">Highlighted on the pricing page.</param>
/// <param name="LlmBudgetUsd">An LLM spending cap in USD per llm_budget_reset window, at most 9 decimals; none when absent.</param>
/// <param name="LlmBudgetReset">The window the LLM budget counts in: day, week, month, year, billing_period (default), calendar_month or calendar_year, as a quota's; needs llm_budget_usd.</param>
/// <param name="Features">What the plan grants, feature by feature.</param>
/// <param name="Visibility">public (default) or private: a private plan never appears in the public pricing API, page or embed.</param>
public sealed record CatalogPlanBody(
    string Code,
    string Name,
    IReadOnlyList<CatalogPriceBody> Prices,
    string? Description = null,
    bool? IsActive = null,
    int? SortOrder = null,
    bool? IsPopular = null,
    decimal? LlmBudgetUsd = null,
    IReadOnlyList<CatalogPlanFeatureBody>? Features = null,
    string? Visibility = null,
    string? LlmBudgetReset = null);

/// <summary>A plan's price for one billing period in one currency.</summary>
/// <param name="BillingPeriod">monthly or yearly.</param>
/// <param name="PriceCents">The price in minor units of the currency.</param>
/// <param name="Currency">An ISO 4217 code in either case (usd, as Stripe writes it); kept and exported in capitals (default USD).</param>
/// <param name="TrialDays">Days of free trial, 0 to 730.</param>
/// <param name="StripePriceId">The Stripe price to charge through Checkout.</param>
/// <param name="PerSeat">The price is for one seat; a subscription pays it for each of its seats.</param>
/// <param name="IncludedSeats">Per seat: the fewest seats sold (default 1).</param>
/// <param name="MaxSeats">Per seat: the most seats sold (default no cap).</param>
public sealed record CatalogPriceBody(
    string BillingPeriod, long PriceCents, string? Currency = null, int? TrialDays = null, string? StripePriceId = null, bool? PerSeat = null,
    int? IncludedSeats = null, int? MaxSeats = null);

/// <summary>
/// What a plan grants of one feature; which fields apply depends on the feature's kind (metered: limit or monthly_quota,
/// reset, hard_cap, rollover, overage_unit_price_cents or overage_tiers with tiers_mode, alert_thresholds, meter,
/// per_member_limit, per_seat, rate_limit; boolean: enabled, rate_limit; value: value).
/// </summary>
/// <param name="FeatureCode">The feature.</param>
/// <param name="MonthlyQuota">Metered, the older form of limit: means limit with reset month; not together with limit or reset.</param>
/// <param name="HardCap">Metered: refuse past the limit (default true), or allow overage.</param>
/// <param name="Rollover">Metered: carry unused units into the next window, at most one window's limit; needs a positive limit and a window that resets.</param>
/// <param name="OverageUnitPriceCents">Metered with hard_cap false: the price of each unit past the limit.</param>
/// <param name="Enabled">Boolean: whether the plan has it (default true).</param>
/// <param name="Value">Value: a number, string, boolean or null (required for a value feature).</param>
/// <param name="AlertThresholds">
/// Metered: at most 10 whole percentages of the window's limit, 1 to 1000, each greater than the one before, that raise an
/// alert (80, 90, 100 when absent; [] turns them off).
/// </param>
/// <param name="PerMemberLimit">Metered, with a positive limit: what each member of an organisation may use of the limit in one window.</param>
/// <param name="PerSeat">Metered, with a positive limit: the limit is multiplied by the subscription's seats.</param>
/// <param name="Limit">
/// Metered: units per window (see reset); null for unlimited, 0 for not included. A metered grant needs limit or monthly_quota.
/// </param>
/// <param name="Reset">Metered: when the window starts again (default month, from the subscription's anchor); calendar_month and calendar_year are UTC calendar windows for everyone; never is one window for the customer's whole life.</param>
/// <param name="RateLimit">
/// Metered or boolean: at most limit consume or reserve calls per second, minute or hour, decided before the quota. A value
/// feature takes none, and a disabled gate none unless it is the catalog's rate_limit_feature.
/// </param>
/// <param name="Meter">Metered: logged LLM calls feed the quota.</param>
/// <param name="OverageTiers">
/// Metered with hard_cap false, not with overage_unit_price_cents: 1 to 20 tiers pricing the units past the limit; only the
/// last is open-ended.
/// </param>
/// <param name="TiersMode">With overage_tiers: graduated (default) prices each tier's units at its price; volume prices all at the tier reached.</param>
/// <param name="OveragePackage">
/// Metered with hard_cap false, not with overage_unit_price_cents or overage_tiers: bill the overage per started package.
/// </param>
/// <param name="Metric">
/// Metered, not with meter: a metric of this document whose value over each window's events is the feature's used; such a
/// feature takes events, not consume or reserve.
/// </param>
/// <param name="CurrencyOptions">
/// Metered with overage_unit_price_cents, overage_package or overage_tiers: the overage price in other currencies of the plan,
/// keyed by ISO 4217 code in either case, kept in capitals ({"EUR": {"overage_unit_price_cents": 3}}), each of the feature's
/// own kind (tiers in the feature's tiers_mode). A subscription in a currency other than the plan's default needs one for
/// every feature that bills overage.
/// </param>
public sealed record CatalogPlanFeatureBody(
    string FeatureCode,
    long? MonthlyQuota = null,
    bool? HardCap = null,
    bool? Rollover = null,
    long? OverageUnitPriceCents = null,
    bool? Enabled = null,
    JsonElement? Value = null,
    IReadOnlyList<int>? AlertThresholds = null,
    long? PerMemberLimit = null,
    bool? PerSeat = null,
    long? Limit = null,
    string? Reset = null,
    CatalogRateLimitBody? RateLimit = null,
    CatalogMeterBody? Meter = null,
    IReadOnlyList<CatalogOverageTierBody>? OverageTiers = null,
    string? TiersMode = null,
    string? Metric = null,
    CatalogOveragePackageBody? OveragePackage = null,
    IReadOnlyDictionary<string, CatalogOverageOptionBody>? CurrencyOptions = null);

/// <summary>A feature's overage price in one more currency: the same kind as the feature's own, in that currency's minor units.</summary>
/// <param name="OverageUnitPriceCents">When the feature prices each unit past the limit.</param>
/// <param name="OveragePackage">When the feature prices overage per started package.</param>
/// <param name="OverageTiers">When the feature prices overage in tiers: 1 to 20, checked as the feature's own; the feature's tiers_mode applies.</param>
public sealed record CatalogOverageOptionBody(
    long? OverageUnitPriceCents = null, CatalogOveragePackageBody? OveragePackage = null, IReadOnlyList<CatalogOverageTierBody>? OverageTiers = null);

/// <summary>Overage billed per started package, as Lago's package charge: $5 per 1,000 started.</summary>
/// <param name="Size">Units in a package, 1 to 10^12; a part package is billed whole.</param>
/// <param name="PriceCents">The price of one package, in minor units.</param>
public sealed record CatalogOveragePackageBody(long Size, long PriceCents);

/// <summary>A rate limit: at most Limit requests (consume or reserve calls, whatever their amount) per fixed window aligned to the Unix epoch.</summary>
/// <param name="Limit">Requests allowed in one window, at least 1.</param>
/// <param name="Per">The window: second, minute or hour.</param>
public sealed record CatalogRateLimitBody(long Limit, string Per);

/// <summary>Makes logged LLM calls feed a metered quota: each call adds its measure.</summary>
/// <param name="Llm">What a call adds: total_tokens, input_tokens, output_tokens or calls.</param>
/// <param name="Features">Only calls logged for these features of this document (every call when absent); at most 50.</param>
/// <param name="Providers">Only calls made through these providers (any when absent); at most 50.</param>
public sealed record CatalogMeterBody(string Llm, IReadOnlyList<string>? Features = null, IReadOnlyList<string>? Providers = null);

/// <summary>One overage tier, counted in units past the limit from 1.</summary>
/// <param name="UpTo">The tier's last unit, inclusive, greater than the tier before's; null or "inf" for the last, open-ended tier (and only the last).</param>
/// <param name="UnitPriceCents">The price of per_units units, in minor units (default 0).</param>
/// <param name="PerUnits">How many units unit_price_cents is for, 1 to 1,000,000,000 (default 1).</param>
/// <param name="FlatCents">Charged once when any unit reaches the tier (default 0).</param>
public sealed record CatalogOverageTierBody(JsonElement? UpTo = null, long? UnitPriceCents = null, long? PerUnits = null, long? FlatCents = null);
