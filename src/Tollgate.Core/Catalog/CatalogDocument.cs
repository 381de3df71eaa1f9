using System.Text.Json;
using System.Text.RegularExpressions;
using Tollgate.Core.Json;
using Tollgate.Core.Llm;

namespace Tollgate.Core.Catalog;

/// <summary>Parses and validates a catalog document as a whole: either every part is valid or every problem is named.</summary>
public static partial class CatalogDocument
{
    public const long MaxPriceCents = 100_000_000_000; // a billion major units: far past any plan, far below overflow
    public const long MaxQuota = 1_000_000_000_000;

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[A-Za-z]{3}$")]
    private static partial Regex AnyCaseCurrencyPattern();

    internal const string CodeHint = "must be 1-64 characters of a-z, 0-9 and _, starting with a letter";

    public static CatalogParseResult Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            // Where it broke, in words, not the parser's message (its LineNumber/BytePositionInLine text, counted from 0).
            return new CatalogParseResult(null, [new DocumentProblem("$", string.IsNullOrWhiteSpace(json) ? "is empty: send a catalog JSON object"
                : $"malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}")]);
        }

        using (document)
        {
            return Parse(document.RootElement);
        }
    }

    public static CatalogParseResult Parse(JsonElement root)
    {
        var problems = new List<DocumentProblem>();
        var reader = new ElementReader(root, "", problems, "default_plan", "upgrade_url", "features", "plans", "faq",
            "rate_limit_feature", "notify", "packs", "metrics", SuspensionPolicyNames.Field);
        if (!reader.IsObject)
        {
            return new CatalogParseResult(null, problems);
        }

        var features = ReadFeatures(reader, problems);
        var byCode = features.GroupBy(f => f.Code, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        // Read before the plans: a disabled gate's rate_limit still applies when it is the plan-wide one.
        var planWide = root.TryGetProperty("rate_limit_feature", out var named) && named.ValueKind == JsonValueKind.String ? named.GetString() : null;
        var metrics = CatalogMetrics.Read(reader, problems, out var metricCodes);
        var plans = PlanReader.ReadPlans(reader, byCode, problems, planWide, metricCodes);
        CatalogMetrics.CheckUsed(reader, metrics, plans);
        var defaultPlan = reader.String("default_plan", required: false, 64, CodePattern(), CodeHint);
        if (defaultPlan is not null && !plans.Any(p => p.Code == defaultPlan))
        {
            reader.Problem("default_plan", $"names no plan in this document: '{defaultPlan}'");
        }

        var upgradeUrl = reader.String("upgrade_url", required: false, 2000);
        if (upgradeUrl is not null && !IsSafeLink(upgradeUrl))
        {
            reader.Problem("upgrade_url", "must be an absolute http or https URL or a path starting with / (no javascript:, data: or other schemes)");
        }

        // The plan-wide rate limit: each plan's rate_limit on this feature counts every consume and reserve of that plan.
        var rateLimitFeature = reader.String("rate_limit_feature", required: false, 64, CodePattern(), CodeHint);
        if (rateLimitFeature is not null && !byCode.ContainsKey(rateLimitFeature))
        {
            reader.Problem("rate_limit_feature", $"names no feature in this document: '{rateLimitFeature}'");
        }
        else if (rateLimitFeature is not null && byCode[rateLimitFeature].Kind == FeatureKind.Value)
        {
            reader.Problem("rate_limit_feature", $"must name a boolean or metered feature: '{rateLimitFeature}' is a value feature, which takes no rate_limit");
        }

        var faq = new List<FaqEntry>();
        foreach (var (element, path) in reader.Array("faq", required: false, maxItems: 100))
        {
            var entry = new ElementReader(element, path, problems, "question", "answer");
            var question = entry.String("question", required: true, 500);
            var answer = entry.String("answer", required: true, 5000);
            if (question is not null && answer is not null)
            {
                faq.Add(new FaqEntry(question, answer));
            }
        }

        var onSuspension = reader.String(SuspensionPolicyNames.Field, required: false, 32);
        if (onSuspension is not null && !SuspensionPolicyNames.TryParse(onSuspension, out _))
        {
            reader.Problem(SuspensionPolicyNames.Field, "must be default_plan or deny");
        }

        SuspensionPolicyNames.TryParse(onSuspension, out var suspension);
        var notifyEmail = CatalogNotify.Read(reader, problems);
        var packs = CatalogPacks.Read(reader, byCode, problems);
        return problems.Count > 0
            ? new CatalogParseResult(null, problems)
            : new CatalogParseResult(
                new CatalogDefinition(defaultPlan, upgradeUrl, features, plans, faq, rateLimitFeature) {
                    NotifyEmail = notifyEmail, Packs = packs, OnSuspension = suspension,
                    Metrics = [.. metrics.Select(m => m.Metric).OrderBy(m => m.Code, StringComparer.Ordinal)],
                }, []);
    }

    internal static Regex Code() => CodePattern();

    /// <summary>
    /// <paramref name="code"/> (three letters, as read) when it is an ISO 4217 code; else a problem on the field and null:
    /// "ZZZ" or "NaN" has the shape of a code, and a price in it could never be sold or converted.
    /// </summary>
    internal static string? IsoCurrency(ElementReader reader, string? code)
    {
        if (code is null || Money.Currency.IsIso(code.ToUpperInvariant()))
        {
            return code;
        }

        reader.Problem(reader.Child("currency"), $"'{code}' is not an ISO 4217 currency code");
        return null;
    }

    /// <summary>A currency as Stripe users write it (usd); the reader stores it in capitals.</summary>
    internal static Regex AnyCaseCurrencyCode() => AnyCaseCurrencyPattern();

    private static List<Feature> ReadFeatures(ElementReader root, List<DocumentProblem> problems)
    {
        var features = new List<Feature>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (element, path) in root.Array("features", required: true))
        {
            var r = new ElementReader(element, path, problems, "code", "name", "description", "unit", "kind", "uses_llm");
            var code = r.String("code", required: true, 64, CodePattern(), CodeHint);
            var name = r.String("name", required: true);
            var description = r.String("description", required: false, 2000) ?? "";
            var unit = r.String("unit", required: false, 64) ?? "";
            var kindText = r.String("kind", required: true, 16);
            var usesLlm = r.Boolean("uses_llm", defaultValue: false);
            FeatureKind? kind = kindText switch
            {
                "boolean" => FeatureKind.Boolean,
                "metered" => FeatureKind.Metered,
                "value" => FeatureKind.Value,
                null => null,
                _ => null,
            };
            if (kindText is not null && kind is null)
            {
                r.Problem(r.Child("kind"), "must be one of boolean, metered, value");
            }

            if (code is not null && !seen.Add(code))
            {
                r.Problem(r.Child("code"), $"duplicates feature '{code}'");
                continue;
            }

            if (code is not null && name is not null && kind is not null)
            {
                features.Add(new Feature(code, name, description, unit, kind.Value, usesLlm));
            }
        }

        return features;
    }

    /// <summary>A USD amount field as exact nano-USD: at most <paramref name="maxUsd"/>, at most 9 decimal places.</summary>
    internal static long? NanoUsd(ElementReader reader, string name, decimal maxUsd = 1_000_000_000m)
    {
        var usd = reader.Decimal(name, 0m, maxUsd);
        if (usd is null)
        {
            return null;
        }

        if (!NanoUsdAmount.TryFromUsd(usd.Value, out var nano))
        {
            reader.Problem(reader.Child(name), "must have at most 9 decimal places");
            return null;
        }

        return nano;
    }

    /// <summary>Shown to visitors as a link: only http(s) or a path on this site, never a script or another scheme.</summary>
    public static bool IsSafeLink(string url) =>
        !url.Any(char.IsControl)
        && ((url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal))
            || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.UserInfo)));
}

public sealed record CatalogParseResult(CatalogDefinition? Catalog, IReadOnlyList<DocumentProblem> Problems)
{
    public bool IsValid => Catalog is not null;
}
