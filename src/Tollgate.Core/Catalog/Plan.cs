namespace Tollgate.Core.Catalog;

/// <summary>An immutable version of a plan's terms; subscriptions keep the version they were sold.</summary>
public sealed record PlanVersion(string Id, string PlanCode, int Version, PlanTerms Terms, string TermsHash, DateTimeOffset CreatedAt)
{
    /// <summary>The version with its overage priced in <paramref name="currency"/> (<see cref="PlanTerms.OverageIn"/>), as an invoice in it bills.</summary>
    public PlanVersion OverageIn(string? currency) => this with { Terms = Terms.OverageIn(currency) };

    /// <summary>The version with its per-seat limits multiplied by <paramref name="seats"/> (<see cref="PlanFeature.ForSeats"/>).</summary>
    public PlanVersion ForSeats(int? seats) => this with { Terms = Terms.ForSeats(seats) };
}

/// <summary>A plan's marketing fields and its current (newest) version; a private plan is sold only by API, console or offer link.</summary>
public sealed record Plan(
    string Code,
    string Name,
    string Description,
    bool IsActive,
    int SortOrder,
    bool IsPopular,
    PlanVersion Current,
    bool IsPrivate = false);

/// <summary>A plan as a catalog document describes it: marketing fields plus the terms to sell from now on.</summary>
public sealed record PlanDefinition(
    string Code,
    string Name,
    string Description,
    bool IsActive,
    int SortOrder,
    bool IsPopular,
    PlanTerms Terms,
    bool IsPrivate = false);

public sealed record FaqEntry(string Question, string Answer);

/// <summary>A whole catalog document, parsed and valid.</summary>
public sealed record CatalogDefinition(
    string? DefaultPlan,
    string? UpgradeUrl,
    IReadOnlyList<Feature> Features,
    IReadOnlyList<PlanDefinition> Plans,
    IReadOnlyList<FaqEntry> Faq,
    string? RateLimitFeature = null)
{
    /// <summary>The e-mail kinds customers get (notify.email), or null for every kind.</summary>
    public IReadOnlyList<string>? NotifyEmail { get; init; }

    /// <summary>The credit packs the catalog sells, in code order.</summary>
    public IReadOnlyList<CreditPack> Packs { get; init; } = [];

    /// <summary>What a customer suspended after dunning may use (on_suspension).</summary>
    public SuspensionPolicy OnSuspension { get; init; }

    /// <summary>The billable metrics over event properties, in code order.</summary>
    public IReadOnlyList<BillableMetric> Metrics { get; init; } = [];
}
