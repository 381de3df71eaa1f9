using System.Text.Json.Nodes;

namespace Tollgate.Core.Catalog;

/// <summary>
/// What applying a document changes, element by element, before and after, in the document's own shape: the features
/// it names, the plans it names (their fields, prices by billing period and features by code) and the settings. Both
/// sides are written by <see cref="CatalogDocumentWriter"/>, so a difference here is a difference an export would show.
/// </summary>
public sealed record CatalogDiff(IReadOnlyList<FeatureDiff> Features, IReadOnlyList<PlanDiff> Plans, IReadOnlyList<SettingDiff> Settings)
{
    public static readonly CatalogDiff None = new([], [], []);

    public bool IsEmpty => Features.Count == 0 && Plans.Count == 0 && Settings.Count == 0;

    /// <summary>The difference <paramref name="next"/> makes to <paramref name="stored"/>. Elements the document leaves out stay as they are.</summary>
    public static CatalogDiff Between(CatalogDefinition stored, CatalogDefinition next)
    {
        var before = JsonNode.Parse(CatalogDocumentWriter.Write(stored))!.AsObject();
        var after = JsonNode.Parse(CatalogDocumentWriter.Write(next))!.AsObject();
        var storedPlans = stored.Plans.ToDictionary(p => p.Code, StringComparer.Ordinal);

        var features = new List<FeatureDiff>();
        var oldFeatures = ByKey(before["features"], "code");
        foreach (var (code, element) in ByKey(after["features"], "code"))
        {
            var old = oldFeatures.GetValueOrDefault(code);
            if (!JsonNode.DeepEquals(old, element))
            {
                features.Add(new FeatureDiff(code, old is null ? "created" : "updated", Copy(old), Copy(element)));
            }
        }

        var plans = new List<PlanDiff>();
        var oldPlans = ByKey(before["plans"], "code");
        foreach (var (code, element) in ByKey(after["plans"], "code"))
        {
            var old = oldPlans.GetValueOrDefault(code);
            if (JsonNode.DeepEquals(old, element))
            {
                continue;
            }

            var fields = element.AsObject().Select(p => p.Key).Union(old?.AsObject().Select(p => p.Key) ?? [])
                .Where(key => !JsonNode.DeepEquals(old?[key], element[key])).ToList();
            var nextTerms = next.Plans.First(p => p.Code == code).Terms;
            // A Stripe price id added where there was none links the same terms in place, as the apply does: no new version.
            var newTerms = !storedPlans.TryGetValue(code, out var was)
                || (CatalogDocumentWriter.TermsHash(was.Terms) != CatalogDocumentWriter.TermsHash(nextTerms) && !OnlyLinksStripePrices(was.Terms, nextTerms));
            plans.Add(new PlanDiff(code, old is null ? "created" : "updated", fields, Prices(old, element), PlanFeatures(old, element), newTerms,
                Copy(old), Copy(element)));
        }

        var settings = after.Select(p => p.Key).Union(before.Select(p => p.Key))
            .Where(key => key is not ("features" or "plans") && !JsonNode.DeepEquals(before[key], after[key]))
            .Select(key => new SettingDiff(key, before[key]?.DeepClone(), after[key]?.DeepClone()))
            .ToList();
        return new CatalogDiff(features, plans, settings);
    }

    /// <summary>
    /// The prices the document would change away from what a promoted experiment set: the document likely predates the
    /// promotion (exported before it), so applying it as it is would quietly undo the winning price.
    /// </summary>
    public IReadOnlyList<PromotionRevert> RevertsOf(IReadOnlyList<PromotedPrice> promoted) =>
        [.. promoted.SelectMany(p => Plans.Where(plan => plan.Code == p.PlanCode)
            .SelectMany(plan => plan.Prices.Where(price => price.BillingPeriod == p.BillingPeriod && price.Currency == p.Currency && price.BeforeCents == p.PriceCents
                && price.AfterCents != p.PriceCents))
            .Select(price => new PromotionRevert(p, price.AfterCents)))];

    private static List<PriceDiff> Prices(JsonNode? old, JsonNode next)
    {
        // A price is one billing period in one currency: a plan may price a period in several.
        var before = ByPrice(old?["prices"]);
        var after = ByPrice(next["prices"]);
        return [.. after.Keys.Union(before.Keys)
            .Where(key => !JsonNode.DeepEquals(before.GetValueOrDefault(key), after.GetValueOrDefault(key)))
            .Select(key => new PriceDiff(key.Period, key.Currency,
                before.GetValueOrDefault(key)?["price_cents"]?.GetValue<long>(),
                after.GetValueOrDefault(key)?["price_cents"]?.GetValue<long>(),
                Copy(before.GetValueOrDefault(key)), Copy(after.GetValueOrDefault(key))))];
    }

    private static Dictionary<(string Period, string Currency), JsonNode> ByPrice(JsonNode? array)
    {
        var prices = new Dictionary<(string, string), JsonNode>();
        foreach (var e in (array?.AsArray() ?? []).OfType<JsonNode>())
        {
            if (e["billing_period"]?.GetValue<string>() is { } period)
            {
                prices.TryAdd((period, e["currency"]?.GetValue<string>() ?? "USD"), e);
            }
        }

        return prices;
    }

    private static List<PlanFeatureDiff> PlanFeatures(JsonNode? old, JsonNode next)
    {
        var before = ByKey(old?["features"], "feature_code");
        var after = ByKey(next["features"], "feature_code");
        return [.. after.Keys.Union(before.Keys)
            .Where(code => !JsonNode.DeepEquals(before.GetValueOrDefault(code), after.GetValueOrDefault(code)))
            .Select(code => new PlanFeatureDiff(code, Copy(before.GetValueOrDefault(code)), Copy(after.GetValueOrDefault(code))))];
    }

    /// <summary>
    /// Whether the new terms differ only by stripe_price_ids added where there were none. Replacing an id still makes a
    /// version, so Stripe subscriptions on the old price keep mapping to the version that names it.
    /// </summary>
    public static bool OnlyLinksStripePrices(PlanTerms stored, PlanTerms next)
    {
        static PlanTerms Unlinked(PlanTerms terms) => terms with { Prices = [.. terms.Prices.Select(p => p with { StripePriceId = null })] };
        return CatalogDocumentWriter.TermsHash(Unlinked(stored)) == CatalogDocumentWriter.TermsHash(Unlinked(next))
            && stored.Prices.All(old => old.StripePriceId is null || next.Price(old.BillingPeriod, old.Currency)?.StripePriceId == old.StripePriceId);
    }

    private static Dictionary<string, JsonNode> ByKey(JsonNode? array, string key) =>
        (array?.AsArray() ?? []).Where(e => e?[key] is not null)
            .GroupBy(e => e![key]!.GetValue<string>(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()!, StringComparer.Ordinal);

    private static JsonObject? Copy(JsonNode? node) => node?.DeepClone().AsObject();
}

/// <summary>A feature the document creates or updates, as the document writes it before and after.</summary>
public sealed record FeatureDiff(string Code, string Change, JsonObject? Before, JsonObject? After);

/// <summary>
/// A plan the document creates or updates: the fields that differ, the prices and features among them, and whether its
/// terms differ (a new version, which new subscribers get and current ones do not).
/// </summary>
public sealed record PlanDiff(
    string Code, string Change, IReadOnlyList<string> Fields, IReadOnlyList<PriceDiff> Prices, IReadOnlyList<PlanFeatureDiff> Features,
    bool NewTerms, JsonObject? Before, JsonObject? After);

/// <summary>One billing period's price in one currency before and after; null where there was or will be none.</summary>
public sealed record PriceDiff(string BillingPeriod, string? Currency, long? BeforeCents, long? AfterCents, JsonObject? Before, JsonObject? After);

/// <summary>One feature of a plan (its quota, cap, rate limit, …) before and after.</summary>
public sealed record PlanFeatureDiff(string Feature, JsonObject? Before, JsonObject? After);

/// <summary>A top-level setting (default_plan, faq, notify, packs, on_suspension, …) before and after.</summary>
public sealed record SettingDiff(string Field, JsonNode? Before, JsonNode? After);

/// <summary>A current price that a stopped experiment's winning variant set.</summary>
public sealed record PromotedPrice(string PlanCode, string BillingPeriod, string Currency, long PriceCents, string ExperimentId, string Variant);

/// <summary>A promoted price the document would replace, and with what.</summary>
public sealed record PromotionRevert(PromotedPrice Promoted, long? DocumentCents);
