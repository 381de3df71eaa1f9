namespace Tollgate.Client.Contracts;

/// <summary>The outcome of applying a catalog document.</summary>
/// <param name="Changed">False when the document matched what was stored: nothing was written.</param>
/// <param name="Revision">The catalog revision after the apply.</param>
/// <param name="Changes">What changed, one line per feature, plan, version or setting.</param>
public sealed record CatalogApplyResponse(bool Changed, long Revision, IReadOnlyList<string> Changes);

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
