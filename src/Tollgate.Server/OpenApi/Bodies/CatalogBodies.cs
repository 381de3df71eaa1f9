using System.Text.Json;
using Tollgate.Client.Contracts;

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
public sealed record CatalogDocumentBody(
    IReadOnlyList<CatalogFeatureBody> Features,
    IReadOnlyList<CatalogPlanBody> Plans,
    string? DefaultPlan = null,
    string? UpgradeUrl = null,
    IReadOnlyList<FaqItem>? Faq = null,
    CatalogNotifyBody? Notify = null);

/// <summary>The catalog's notify block.</summary>
/// <param name="Email">
/// The e-mail kinds sent to customers: threshold, exceeded, projected, invoice_issued, invoice_paid, invoice_payment_failed,
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
/// <param name="Prices">One or two prices: monthly and/or yearly, in one currency.</param>
/// <param name="Description">A line for the pricing page.</param>
/// <param name="IsActive">False hides it from the pricing page and new subscriptions (default true).</param>
/// <param name="SortOrder">Its place on the pricing page.</param>
/// <param name="IsPopular">Highlighted on the pricing page.</param>
/// <param name="LlmBudgetUsd">A monthly LLM spending cap in USD, at most 9 decimals; none when absent.</param>
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
    string? Visibility = null);

/// <summary>A plan's price for one billing period.</summary>
/// <param name="BillingPeriod">monthly or yearly.</param>
/// <param name="PriceCents">The price in minor units of the currency.</param>
/// <param name="Currency">An ISO 4217 code in capitals (default USD).</param>
/// <param name="TrialDays">Days of free trial, 0 to 730.</param>
/// <param name="StripePriceId">The Stripe price to charge through Checkout.</param>
/// <param name="PerSeat">The price is for one seat; a subscription pays it for each of its seats.</param>
/// <param name="IncludedSeats">Per seat: the fewest seats sold (default 1).</param>
/// <param name="MaxSeats">Per seat: the most seats sold (default no cap).</param>
public sealed record CatalogPriceBody(
    string BillingPeriod, long PriceCents, string? Currency = null, int? TrialDays = null, string? StripePriceId = null, bool? PerSeat = null,
    int? IncludedSeats = null, int? MaxSeats = null);

/// <summary>What a plan grants of one feature; which fields apply depends on the feature's kind.</summary>
/// <param name="FeatureCode">The feature.</param>
/// <param name="MonthlyQuota">Metered: units a period; null for unlimited.</param>
/// <param name="HardCap">Metered: refuse past the quota (default true), or allow overage.</param>
/// <param name="Rollover">Metered: carry unused units into the next period.</param>
/// <param name="OverageUnitPriceCents">Metered without a hard cap: the price of each unit past the quota.</param>
/// <param name="Enabled">Boolean: whether the plan has it (default true).</param>
/// <param name="Value">Value: a number, string, boolean or null.</param>
/// <param name="AlertThresholds">Metered: percentages of the quota that raise an alert.</param>
/// <param name="PerMemberLimit">Metered: what each member of an organisation may use of the limit in one window.</param>
/// <param name="PerSeat">Metered: the limit is multiplied by the subscription's seats.</param>
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
    bool? PerSeat = null);
