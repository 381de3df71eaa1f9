using System.Text.RegularExpressions;

namespace Tollgate.Core.Llm;

/// <summary>
/// Finds the price in effect for a model at an instant. A provider-prefixed row (azure/gpt-4o) prices only calls whose
/// model carries that prefix or whose provider is that provider; a bare row prices the bare name. Then the name
/// without its date suffix (gpt-4o-2024-08-06 → gpt-4o), then the most specific glob pattern. Never a bare prefix
/// match, which would price gpt-4o-mini as gpt-4o.
/// </summary>
public sealed partial class PriceBook
{
    private readonly ILookup<string, ModelPrice> _byModel;
    private readonly ILookup<(string Provider, string Name), ModelPrice> _byProvider;
    private readonly IReadOnlyList<(string Pattern, ModelPrice Price)> _patterns;
    private readonly Dictionary<ModelPrice, string> _families = new(ReferenceEqualityComparer.Instance);

    public PriceBook(IEnumerable<ModelPrice> prices)
    {
        var all = prices.ToList();
        _byModel = all.ToLookup(p => p.Model, StringComparer.Ordinal);
        foreach (var price in all)
        {
            _families[price] = LlmProviders.Family(price.Provider);
        }

        // Shortest prefix first, so a call of provider azure takes azure/gpt-4o before azure/eu/gpt-4o.
        _byProvider = all.Where(p => p.Model.Contains('/', StringComparison.Ordinal)).OrderBy(p => p.Model.Length).ThenBy(p => p.Model, StringComparer.Ordinal)
            .ToLookup(p => (LlmProviders.Family(p.Model[..p.Model.IndexOf('/', StringComparison.Ordinal)]), Normalize(p.Model)));
        _patterns = [.. all.Where(p => p.Pattern is not null)
            .OrderByDescending(p => p.Pattern!.Replace("*", "", StringComparison.Ordinal).Length)
            .Select(p => (p.Pattern!.ToLowerInvariant(), p))];
    }

    public ModelPrice? Find(string model, DateTimeOffset at) => Find(model, null, at);

    /// <summary>The row for a call of <paramref name="model"/> through <paramref name="provider"/> (null when the call does not say).</summary>
    public ModelPrice? Find(string model, string? provider, DateTimeOffset at)
    {
        var full = RowName(model);
        var name = Normalize(full);
        var slash = full.LastIndexOf('/');
        var family = provider is { Length: > 0 } ? LlmProviders.Family(provider) : slash > 0 ? LlmProviders.Family(full[..full.IndexOf('/', StringComparison.Ordinal)]) : null;
        var prefixed = slash > 0 ? Effective(_byModel[full], at) ?? Effective(_byModel[full[..(slash + 1)] + WithoutVersion(name)], at) : null;
        return prefixed
            ?? ForProvider(family, name, at)
            ?? Effective(_byModel[name], at)
            ?? Effective(_byModel[WithoutVersion(name)], at)
            ?? ByPattern(name, at);
    }

    /// <summary>The provider's own row for the name, or for the name without its version suffix.</summary>
    private ModelPrice? ForProvider(string? family, string name, DateTimeOffset at)
    {
        if (family is null)
        {
            return null;
        }

        var unversioned = WithoutVersion(name);
        return OwnRow(family, name, at) ?? (unversioned == name ? null : OwnRow(family, unversioned, at));
    }

    /// <summary>The bare row when it is already the provider's, else the provider's prefixed row (shortest name first).</summary>
    private ModelPrice? OwnRow(string family, string name, DateTimeOffset at)
    {
        if (Effective(_byModel[name], at) is { } bare && _families[bare] == family)
        {
            return bare;
        }

        foreach (var rows in _byProvider[(family, name)].GroupBy(p => p.Model, StringComparer.Ordinal))
        {
            if (Effective(rows, at) is { } price)
            {
                return price;
            }
        }

        return null;
    }

    /// <summary>The most specific matching pattern that has a row in effect, and its latest row.</summary>
    private ModelPrice? ByPattern(string name, DateTimeOffset at)
    {
        // _patterns is ordered most specific first, and GroupBy keeps that order.
        foreach (var rows in _patterns.Where(p => ModelPattern.Matches(p.Pattern, name)).GroupBy(p => p.Price.Pattern, StringComparer.Ordinal))
        {
            if (Effective(rows.Select(r => r.Price), at) is { } price)
            {
                return price;
            }
        }

        return null;
    }

    /// <summary>Lower case, without a provider or route prefix ("openai/gpt-4o" → "gpt-4o"): the name a call is stored under.</summary>
    public static string Normalize(string model)
    {
        var name = model.Trim().ToLowerInvariant();
        var slash = name.LastIndexOf('/');
        return slash >= 0 ? name[(slash + 1)..] : name;
    }

    /// <summary>Lower case, prefix kept: the name a price row is stored under ("Azure/GPT-4o" → "azure/gpt-4o").</summary>
    public static string RowName(string model) => model.Trim().ToLowerInvariant();

    public static string WithoutVersion(string name) => VersionSuffix().Replace(name, "");

    private static ModelPrice? Effective(IEnumerable<ModelPrice> rows, DateTimeOffset at) =>
        rows.Where(p => p.EffectiveFrom <= at).OrderByDescending(p => p.EffectiveFrom).FirstOrDefault();

    [GeneratedRegex(@"(-\d{4}-\d{2}-\d{2}|-\d{8}|-latest|@\d{8}|-\d{4})$")]
    private static partial Regex VersionSuffix();
}
