using Tollgate.Core.Catalog;

namespace Tollgate.Server.Catalog;

/// <summary>The whole catalog as stored at one revision: features, plans with their newest versions, and settings.</summary>
public sealed record CatalogSnapshot(
    long Revision,
    string? DefaultPlan,
    string? UpgradeUrl,
    IReadOnlyList<FaqEntry> Faq,
    IReadOnlyList<Feature> Features,
    IReadOnlyList<Plan> Plans,
    string? RateLimitFeature = null)
{
    public static readonly CatalogSnapshot Empty = new(0, null, null, [], [], []);

    /// <summary>The e-mail kinds customers get (the catalog's notify.email), or null for every kind.</summary>
    public IReadOnlyList<string>? NotifyEmail { get; init; }

    /// <summary>The credit packs on sale (the catalog's packs), in code order.</summary>
    public IReadOnlyList<CreditPack> Packs { get; init; } = [];

    /// <summary>What a customer suspended after dunning may use (the catalog's on_suspension).</summary>
    public SuspensionPolicy OnSuspension { get; init; }

    /// <summary>The billable metrics (the catalog's metrics), in code order.</summary>
    public IReadOnlyList<BillableMetric> Metrics { get; init; } = [];

    public BillableMetric? Metric(string code) => Metrics.FirstOrDefault(m => m.Code == code);

    public CreditPack? Pack(string code) => Packs.FirstOrDefault(p => p.Code == code);

    public Feature? Feature(string code) => Features.FirstOrDefault(f => f.Code == code);

    public Plan? Plan(string code) => Plans.FirstOrDefault(p => p.Code == code);

    public IEnumerable<Plan> ActivePlans => Plans.Where(p => p.IsActive).OrderBy(p => p.SortOrder).ThenBy(p => p.Code, StringComparer.Ordinal);

    /// <summary>The active plans anyone may see: private plans never reach the public pricing API, page or embed.</summary>
    public IEnumerable<Plan> PublicPlans => ActivePlans.Where(p => !p.IsPrivate);

    /// <summary>
    /// The features anyone may see. A feature that only private plans list would name what a deal includes, so it is left
    /// out; a feature no plan lists, or a public plan lists, is shown.
    /// </summary>
    public IReadOnlyList<Feature> PublicFeatures
    {
        get
        {
            var onPublic = PublicPlans.SelectMany(p => p.Current.Terms.Features).Select(f => f.FeatureCode).ToHashSet(StringComparer.Ordinal);
            var privateOnly = Plans.Where(p => p.IsPrivate).SelectMany(p => p.Current.Terms.Features).Select(f => f.FeatureCode)
                .Where(code => !onPublic.Contains(code)).ToHashSet(StringComparer.Ordinal);
            return [.. Features.Where(f => !privateOnly.Contains(f.Code))];
        }
    }

    /// <summary>The document that, applied, reproduces this catalog.</summary>
    public CatalogDefinition ToDefinition() => new(
        DefaultPlan,
        UpgradeUrl,
        Features,
        [.. Plans.OrderBy(p => p.SortOrder).ThenBy(p => p.Code, StringComparer.Ordinal)
            .Select(p => new PlanDefinition(p.Code, p.Name, p.Description, p.IsActive, p.SortOrder, p.IsPopular, p.Current.Terms, p.IsPrivate))],
        Faq,
        RateLimitFeature) { NotifyEmail = NotifyEmail, Packs = Packs, OnSuspension = OnSuspension, Metrics = Metrics };
}

public sealed record CatalogApplyResult(bool Changed, long Revision, IReadOnlyList<string> Changes, IReadOnlyList<Core.Json.DocumentProblem> Problems)
{
    /// <summary>What the document changed (or, in a dry run, would change), element by element.</summary>
    public CatalogDiff Diff { get; init; } = CatalogDiff.None;

    /// <summary>Prices a promoted experiment set that the document changed back (or would).</summary>
    public IReadOnlyList<PromotionRevert> Reverts { get; init; } = [];

    /// <summary>Nothing was written: the answer is what the apply would do.</summary>
    public bool DryRun { get; init; }

    public bool IsValid => Problems.Count == 0;
}
