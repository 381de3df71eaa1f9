namespace Tollgate.Contracts;

/// <summary>The outcome of applying a catalog document (or, with dry_run, of what applying it would do).</summary>
/// <param name="Changed">False when the document matched what was stored: nothing was (or would be) written.</param>
/// <param name="Revision">The catalog revision after the apply (unchanged by a dry run).</param>
/// <param name="Changes">What changed, one line per feature, plan, version or setting.</param>
/// <param name="DryRun">True when nothing was written: the answer is what the apply would do.</param>
/// <param name="Diff">Each feature, plan and setting the document changes, before and after.</param>
/// <param name="Warnings">Changes worth a second look, such as a price a promoted experiment set that the document changes back.</param>
public sealed record CatalogApplyResponse(
    bool Changed, long Revision, IReadOnlyList<string> Changes, bool DryRun, CatalogDiffResponse Diff, IReadOnlyList<CatalogWarning> Warnings);

/// <summary>What a catalog document changes, in the document's own shape.</summary>
/// <param name="Features">Features created or updated.</param>
/// <param name="Plans">Plans created or updated, with their prices and features before and after.</param>
/// <param name="Settings">Top-level settings (default_plan, upgrade_url, faq, notify, packs, on_suspension, …) before and after.</param>
public sealed record CatalogDiffResponse(
    IReadOnlyList<CatalogFeatureChange> Features, IReadOnlyList<CatalogPlanChange> Plans, IReadOnlyList<CatalogSettingChange> Settings);

/// <summary>A feature the document creates or updates.</summary>
/// <param name="Code">The feature's code.</param>
/// <param name="Change">"created" or "updated".</param>
/// <param name="Before">The feature as the export showed it; null when new.</param>
/// <param name="After">The feature as the document has it.</param>
public sealed record CatalogFeatureChange(string Code, string Change, System.Text.Json.Nodes.JsonObject? Before, System.Text.Json.Nodes.JsonObject? After);

/// <summary>A plan the document creates or updates.</summary>
/// <param name="Code">The plan's code.</param>
/// <param name="Change">"created" or "updated".</param>
/// <param name="Fields">The plan's fields that differ (name, prices, features, llm_budget_usd, …).</param>
/// <param name="NewVersion">Its prices or quotas differ: new subscribers get a new version, current ones keep theirs.</param>
/// <param name="Prices">Each billing period whose price differs.</param>
/// <param name="Features">Each feature whose grant (quota, cap, rate limit, …) differs.</param>
/// <param name="Before">The plan as the export showed it; null when new.</param>
/// <param name="After">The plan as the document has it.</param>
public sealed record CatalogPlanChange(
    string Code, string Change, IReadOnlyList<string> Fields, bool NewVersion, IReadOnlyList<CatalogPriceChange> Prices,
    IReadOnlyList<CatalogPlanFeatureChange> Features, System.Text.Json.Nodes.JsonObject? Before, System.Text.Json.Nodes.JsonObject? After);

/// <summary>One billing period's price before and after, in minor units; null where there was or will be none.</summary>
/// <param name="BillingPeriod">monthly or yearly.</param>
/// <param name="Currency">The price's currency.</param>
/// <param name="BeforeCents">The price before.</param>
/// <param name="AfterCents">The price after.</param>
public sealed record CatalogPriceChange(string BillingPeriod, string? Currency, long? BeforeCents, long? AfterCents);

/// <summary>One feature of a plan before and after.</summary>
/// <param name="Feature">The feature's code.</param>
/// <param name="Before">The grant before; null when the plan did not list it.</param>
/// <param name="After">The grant after; null when the document drops it.</param>
public sealed record CatalogPlanFeatureChange(string Feature, System.Text.Json.Nodes.JsonObject? Before, System.Text.Json.Nodes.JsonObject? After);

/// <summary>A top-level setting before and after.</summary>
/// <param name="Field">The document's field.</param>
/// <param name="Before">Its value before; null when absent.</param>
/// <param name="After">Its value after; null when absent.</param>
public sealed record CatalogSettingChange(string Field, System.Text.Json.Nodes.JsonNode? Before, System.Text.Json.Nodes.JsonNode? After);

/// <summary>A change worth a second look.</summary>
/// <param name="Code">"reverts_promoted_price": the document changes a price a stopped experiment's winning variant set.</param>
/// <param name="Message">What happens, in a sentence.</param>
/// <param name="Plan">The plan.</param>
/// <param name="BillingPeriod">The price's billing period.</param>
/// <param name="Experiment">The experiment whose promotion set the price.</param>
/// <param name="Variant">Its promoted variant.</param>
/// <param name="PromotedCents">The promoted price.</param>
/// <param name="DocumentCents">The document's price; null when it drops the period.</param>
public sealed record CatalogWarning(
    string Code, string Message, string Plan, string BillingPeriod, string Experiment, string Variant, long PromotedCents, long? DocumentCents);

/// <summary>The database as the server sees it.</summary>
/// <param name="Provider">"sqlite" or "postgres".</param>
/// <param name="Reachable">Whether a query succeeded.</param>
/// <param name="LatencyMs">Round-trip time of that query.</param>
/// <param name="SchemaVersion">The newest migration applied.</param>
/// <param name="ExpectedSchemaVersion">The newest migration this build knows.</param>
/// <param name="Error">What failed, when unreachable.</param>
public sealed record DatabaseHealthResponse(
    string Provider, bool Reachable, double LatencyMs, int SchemaVersion, int ExpectedSchemaVersion, string? Error);

/// <summary>Request to create an API key.</summary>
/// <param name="Name">A label for the key.</param>
/// <param name="Role">"admin", "secret" or "publishable".</param>
public sealed record CreateApiKeyRequest(string Name, string Role);

/// <summary>An API key; <paramref name="Key"/> is shown once, at creation.</summary>
/// <param name="Id">The key's id.</param>
/// <param name="Name">Its label.</param>
/// <param name="Role">"admin", "secret" or "publishable".</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
/// <param name="Key">The plain key, only in the answer to its creation.</param>
public sealed record ApiKeyResponse(string Id, string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? Key);

/// <summary>One version of a plan's terms.</summary>
/// <param name="Id">The version's id, such as "pro_v2".</param>
/// <param name="Plan">The plan's code.</param>
/// <param name="Version">1 for the first terms, then up by one per change.</param>
/// <param name="CreatedAt">When these terms were applied.</param>
/// <param name="IsCurrent">Whether new subscriptions get this version.</param>
/// <param name="Prices">The version's prices.</param>
/// <param name="Features">The version's feature grants.</param>
public sealed record PlanVersionResponse(
    string Id,
    string Plan,
    int Version,
    DateTimeOffset CreatedAt,
    bool IsCurrent,
    IReadOnlyList<PricingPrice> Prices,
    IReadOnlyList<PricingPlanFeature> Features);
