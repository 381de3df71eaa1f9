using System.Text.Json;
using Tollgate.Core.Json;

namespace Tollgate.Core.Catalog;

/// <summary>Reads a plan feature's limit and window, its rate limit and its LLM meter.</summary>
internal static class QuotaTermsReader
{
    /// <summary>
    /// <c>limit</c> with <c>reset</c>, or the older <c>monthly_quota</c> (a limit per month); one of them is required.
    /// Null is unlimited, 0 is not in the plan.
    /// </summary>
    public static (long? Limit, QuotaReset Reset, bool Present) ReadLimit(ElementReader r)
    {
        if (r.Has("monthly_quota"))
        {
            foreach (var name in new[] { "limit", "reset" }.Where(r.Has))
            {
                r.Problem(r.Child(name), "cannot be given with monthly_quota (monthly_quota means limit with reset: month)");
            }

            var monthly = r.Integer("monthly_quota", required: true, 0, CatalogDocument.MaxQuota, out var present, allowNull: true);
            return (monthly, QuotaReset.Month, present);
        }

        if (!r.Has("limit"))
        {
            r.Problem(r.Child("limit"), "is required (or monthly_quota)");
            return (null, QuotaReset.Month, false);
        }

        var limit = r.Integer("limit", required: true, 0, CatalogDocument.MaxQuota, out var limitPresent, allowNull: true);
        var resetText = r.String("reset", required: false, 32);
        var reset = QuotaReset.Month;
        if (resetText is not null && !QuotaTermNames.TryParseReset(resetText, out reset))
        {
            r.Problem(r.Child("reset"), QuotaTermNames.ResetHint);
            return (null, QuotaReset.Month, false);
        }

        return (limit, reset, limitPresent);
    }

    /// <summary>
    /// A plan's <c>llm_budget_reset</c>: a quota's windows but never (a budget that never resets is a grant, not a plan's
    /// budget); it needs <c>llm_budget_usd</c>, and defaults to the billing period.
    /// </summary>
    public static QuotaReset ReadBudgetReset(ElementReader plan, bool hasBudget)
    {
        if (plan.String("llm_budget_reset", required: false, 32) is not { } text)
        {
            return QuotaReset.BillingPeriod;
        }

        if (!QuotaTermNames.TryParseReset(text, out var reset) || reset == QuotaReset.Never)
        {
            plan.Problem(plan.Child("llm_budget_reset"), "must be day, week, month, year, billing_period, calendar_month or calendar_year");
            return QuotaReset.BillingPeriod;
        }

        if (!hasBudget)
        {
            plan.Problem(plan.Child("llm_budget_reset"), "needs llm_budget_usd: a plan without a budget has nothing to reset");
        }

        return reset;
    }

    /// <summary><c>rate_limit: {limit, per}</c>, or null when absent; <paramref name="ok"/> is false when it is wrong.</summary>
    public static RateLimit? ReadRateLimit(ElementReader plan, out bool ok)
    {
        ok = true;
        if (plan.Raw("rate_limit") is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var problems = new List<DocumentProblem>();
        var r = new ElementReader(element, plan.Child("rate_limit"), problems, "limit", "per");
        var limit = r.Integer("limit", required: true, 1, CatalogDocument.MaxQuota);
        var perText = r.String("per", required: true, 16);
        if (perText is not null && !QuotaTermNames.TryParsePer(perText, out _))
        {
            r.Problem(r.Child("per"), QuotaTermNames.PerHint);
        }

        foreach (var problem in problems)
        {
            plan.Problem(problem.Path, problem.Message);
        }

        ok = problems.Count == 0;
        return ok && limit is { } l && QuotaTermNames.TryParsePer(perText, out var per) ? new RateLimit(l, per) : null;
    }

    /// <summary><c>meter: {llm, features?, providers?}</c>, or null when absent.</summary>
    public static LlmMeter? ReadMeter(ElementReader plan, IReadOnlyDictionary<string, Feature> features, out bool ok)
    {
        ok = true;
        if (plan.Raw("meter") is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var problems = new List<DocumentProblem>();
        var r = new ElementReader(element, plan.Child("meter"), problems, "llm", "features", "providers");
        var measureText = r.String("llm", required: true, 32);
        if (measureText is not null && !QuotaTermNames.TryParseMeasure(measureText, out _))
        {
            r.Problem(r.Child("llm"), QuotaTermNames.MeasureHint);
        }

        var onlyFeatures = Strings(r, "features", code => features.ContainsKey(code) ? null : $"names no feature in this document: '{code}'",
            StringComparer.Ordinal);
        var onlyProviders = Strings(r, "providers", _ => null, StringComparer.OrdinalIgnoreCase); // providers match in any case
        foreach (var problem in problems)
        {
            plan.Problem(problem.Path, problem.Message);
        }

        ok = problems.Count == 0;
        return ok && QuotaTermNames.TryParseMeasure(measureText, out var measure) ? new LlmMeter(measure, onlyFeatures, onlyProviders) : null;
    }

    /// <summary>
    /// A meter's <c>features</c> or <c>providers</c>: left out means every one, so an empty list (which would read as
    /// none but count all) and a repeated entry are refused rather than guessed at.
    /// </summary>
    private static List<string> Strings(ElementReader r, string name, Func<string, string?> check, StringComparer comparer)
    {
        var values = new List<string>();
        if (r.Raw(name) is { ValueKind: JsonValueKind.Array } list && list.GetArrayLength() == 0)
        {
            r.Problem(r.Child(name), "must not be empty; leave the field out to count every one");
            return values;
        }

        foreach (var (element, path) in r.Array(name, required: false, maxItems: 50))
        {
            if (element.ValueKind != JsonValueKind.String || element.GetString() is not { Length: > 0 and <= 64 } text)
            {
                r.Problem(path, "must be a string of 1-64 characters");
                continue;
            }

            if (check(text) is { } problem)
            {
                r.Problem(path, problem);
                continue;
            }

            if (values.Contains(text, comparer))
            {
                r.Problem(r.Child(name), $"lists '{text}' twice");
                continue;
            }

            values.Add(text);
        }

        return values;
    }
}
