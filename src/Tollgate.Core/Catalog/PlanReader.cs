using System.Text.Json;
using Tollgate.Core.Json;

namespace Tollgate.Core.Catalog;

/// <summary>Reads the plans of a catalog document, checking each plan feature against its feature's kind.</summary>
internal static class PlanReader
{
    public static List<PlanDefinition> ReadPlans(ElementReader root, IReadOnlyDictionary<string, Feature> features, List<DocumentProblem> problems,
        string? planWideRateFeature = null, IReadOnlySet<string>? metrics = null)
    {
        var plans = new List<PlanDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (element, path) in root.Array("plans", required: true))
        {
            var r = new ElementReader(element, path, problems,
                "code", "name", "description", "is_active", "sort_order", "is_popular", "llm_budget_usd", "llm_budget_reset", "prices",
                "features", "visibility");
            var code = r.String("code", required: true, 64, CatalogDocument.Code(), CatalogDocument.CodeHint);
            var name = r.String("name", required: true);
            var description = r.String("description", required: false, 2000) ?? "";
            var isActive = r.Boolean("is_active", defaultValue: true);
            var sortOrder = (int)(r.Integer("sort_order", required: false, -1_000_000, 1_000_000) ?? 0);
            var isPopular = r.Boolean("is_popular", defaultValue: false);
            var visibility = r.String("visibility", required: false, 16) ?? "public";
            if (visibility is not ("public" or "private"))
            {
                r.Problem(r.Child("visibility"), "must be public or private");
            }

            var budget = CatalogDocument.NanoUsd(r, "llm_budget_usd");
            var budgetReset = QuotaTermsReader.ReadBudgetReset(r, r.Raw("llm_budget_usd") is { ValueKind: not JsonValueKind.Null });
            var prices = ReadPrices(r, problems);
            var planFeatures = ReadPlanFeatures(r, features, problems, planWideRateFeature, metrics ?? new HashSet<string>());
            if (code is not null && !seen.Add(code))
            {
                r.Problem(r.Child("code"), $"duplicates plan '{code}'");
                continue;
            }

            if (code is not null && name is not null)
            {
                plans.Add(new PlanDefinition(code, name, description, isActive, sortOrder, isPopular,
                    new PlanTerms(prices, planFeatures, budget, budgetReset), IsPrivate: visibility == "private"));
            }
        }

        return plans;
    }

    private static List<PlanPrice> ReadPrices(ElementReader plan, List<DocumentProblem> problems)
    {
        var prices = new List<PlanPrice>();
        foreach (var (element, path) in plan.Array("prices", required: true, maxItems: PlanTerms.MaxPrices))
        {
            var r = new ElementReader(element, path, problems, "billing_period", "price_cents", "currency", "trial_days", "stripe_price_id",
                "per_seat", "included_seats", "max_seats");
            var periodText = r.String("billing_period", required: true, 16);
            var amount = r.Integer("price_cents", required: true, 0, CatalogDocument.MaxPriceCents);
            // Either case is taken ("eur", as Stripe writes it), as packs, coupons and customers take it; kept in capitals.
            var currency = CatalogDocument.IsoCurrency(r,
                r.String("currency", required: false, 3, CatalogDocument.AnyCaseCurrencyCode(), "must be an ISO 4217 code, such as USD or usd"))
                ?.ToUpperInvariant() ?? "USD";
            var trialDays = (int)(r.Integer("trial_days", required: false, 0, 730) ?? 0);
            var stripePriceId = r.String("stripe_price_id", required: false, 255);
            var (perSeat, includedSeats, maxSeats) = ReadSeats(r);
            if (periodText is not null && !BillingIntervalNames.TryParse(periodText, out _))
            {
                r.Problem(r.Child("billing_period"), "must be monthly or yearly");
                continue;
            }

            if (periodText is null || amount is null)
            {
                continue;
            }

            BillingIntervalNames.TryParse(periodText, out var interval);
            if (prices.Any(p => p.BillingPeriod == interval && p.Currency == currency))
            {
                r.Problem(r.Child("billing_period"), $"duplicates the {periodText} price in {currency}");
                continue;
            }

            prices.Add(new PlanPrice(interval, amount.Value, currency, trialDays, stripePriceId, perSeat, includedSeats, maxSeats));
        }

        // A subscription may move between periods in its own currency, so every currency prices the same periods.
        var periods = prices.Select(p => p.BillingPeriod).Distinct().ToList();
        foreach (var currency in prices.Select(p => p.Currency).Distinct(StringComparer.Ordinal))
        {
            var missing = periods.Where(period => !prices.Any(p => p.Currency == currency && p.BillingPeriod == period)).ToList();
            if (missing.Count > 0)
            {
                plan.Problem(plan.Child("prices"),
                    $"must price the same billing periods in every currency: {currency} has no {string.Join(" or ", missing.Select(m => m.ToWire()))} price");
            }
        }

        return [.. PlanTerms.Canonical(prices)];
    }

    /// <summary><c>per_seat</c> with <c>included_seats</c> (the fewest seats sold, 1 by default) and <c>max_seats</c> (no cap by default).</summary>
    private static (bool PerSeat, int Included, int? Max) ReadSeats(ElementReader r)
    {
        var perSeat = r.Boolean("per_seat", defaultValue: false);
        var included = (int)(r.Integer("included_seats", required: false, 1, 1_000_000) ?? 1);
        var max = (int?)r.Integer("max_seats", required: false, 1, 1_000_000);
        if (!perSeat)
        {
            foreach (var name in new[] { "included_seats", "max_seats" }.Where(r.Has))
            {
                r.Problem(r.Child(name), "only applies when per_seat is true");
            }
        }

        if (max is { } m && m < included)
        {
            r.Problem(r.Child("max_seats"), "must be at least included_seats");
        }

        return (perSeat, included, max);
    }

    private static List<PlanFeature> ReadPlanFeatures(
        ElementReader plan, IReadOnlyDictionary<string, Feature> features, List<DocumentProblem> problems, string? planWideRateFeature,
        IReadOnlySet<string> metrics)
    {
        var result = new List<PlanFeature>();
        foreach (var (element, path) in plan.Array("features", required: false))
        {
            var r = new ElementReader(element, path, problems, "feature_code", "monthly_quota", "limit", "reset", "hard_cap", "rollover",
                "overage_unit_price_cents", "enabled", "value", "alert_thresholds", "rate_limit", "meter", "per_member_limit", "per_seat", "overage_tiers",
                "tiers_mode", "metric", "overage_package", "currency_options");
            var code = r.String("feature_code", required: true, 64);
            if (code is null)
            {
                continue;
            }

            if (!features.TryGetValue(code, out var feature))
            {
                r.Problem(r.Child("feature_code"), $"names no feature in this document: '{code}'");
                continue;
            }

            if (result.Any(f => f.FeatureCode == code))
            {
                r.Problem(r.Child("feature_code"), $"duplicates feature '{code}' in this plan");
                continue;
            }

            var rateOk = true;
            var parsed = feature.Kind switch
            {
                FeatureKind.Metered => ReadMetered(r, code, features, metrics),
                FeatureKind.Boolean => ReadBoolean(r, code, planWide: code == planWideRateFeature),
                _ => ReadValue(r, code),
            };
            var rateLimit = feature.Kind == FeatureKind.Value ? null : QuotaTermsReader.ReadRateLimit(r, out rateOk);
            if (parsed is not null && rateOk)
            {
                result.Add(parsed with { RateLimit = rateLimit });
            }
        }

        return result;
    }

    private static PlanFeature? ReadMetered(ElementReader r, string code, IReadOnlyDictionary<string, Feature> features, IReadOnlySet<string> metrics)
    {
        RejectFields(r, "metered", "enabled", "value");
        var (quota, reset, present) = QuotaTermsReader.ReadLimit(r);
        var meter = QuotaTermsReader.ReadMeter(r, features, out var meterOk);
        var metric = r.String("metric", required: false, 64);
        if (metric is not null && !metrics.Contains(metric))
        {
            r.Problem(r.Child("metric"), $"names no metric in this document: '{metric}'");
            meterOk = false;
        }
        else if (metric is not null && meter is not null)
        {
            r.Problem(r.Child("metric"), "cannot be combined with meter: a feature counts either a metric's events or LLM calls");
            meterOk = false;
        }

        var hardCap = r.Boolean("hard_cap", defaultValue: true);
        var rollover = r.Boolean("rollover", defaultValue: false);
        var overage = r.Integer("overage_unit_price_cents", required: false, 0, CatalogDocument.MaxPriceCents);
        var thresholds = ReadThresholds(r);
        var perMember = r.Integer("per_member_limit", required: false, 1, CatalogDocument.MaxQuota);
        var perSeat = r.Boolean("per_seat", defaultValue: false);
        if ((perMember is not null || perSeat) && quota is null or 0 && present)
        {
            r.Problem(r.Child(perSeat ? "per_seat" : "per_member_limit"), "needs a positive limit");
        }

        if (overage is not null && hardCap)
        {
            r.Problem(r.Child("overage_unit_price_cents"), "only applies when hard_cap is false");
        }

        var tiers = OverageTiersReader.Read(r, out var tiersOk);
        if (tiers is not null && hardCap)
        {
            r.Problem(r.Child("overage_tiers"), "only applies when hard_cap is false");
        }
        else if (tiers is not null && overage is not null)
        {
            r.Problem(r.Child("overage_tiers"), "cannot be combined with overage_unit_price_cents");
        }

        var package = ReadPackage(r, out var packageOk);
        if (package is not null && hardCap)
        {
            r.Problem(r.Child("overage_package"), "only applies when hard_cap is false");
        }
        else if (package is not null && (overage is not null || tiers is not null))
        {
            r.Problem(r.Child("overage_package"), "cannot be combined with overage_unit_price_cents or overage_tiers");
        }

        if (rollover && (quota is null or 0) && present)
        {
            r.Problem(r.Child("rollover"), "needs a positive limit");
        }

        if (rollover && reset == QuotaReset.Never)
        {
            r.Problem(r.Child("rollover"), "needs a window that resets (reset is never)");
        }

        var options = ReadCurrencyOptions(r, overage, package, tiers, out var optionsOk);
        if (!(present && thresholds is not null && meterOk && tiersOk && packageOk && optionsOk))
        {
            return null;
        }

        var read = new PlanFeature(code, FeatureKind.Metered, quota, hardCap, rollover, overage, Enabled: true, null, thresholds, reset,
            Meter: meter, PerMemberLimit: perMember, PerSeat: perSeat, OverageTiers: tiers, Metric: metric, OveragePackage: package,
            CurrencyOptions: options);
        return read with { Enabled = read.IsIncluded };
    }

    /// <summary>
    /// <c>currency_options: {"EUR": {overage_unit_price_cents} | {overage_package} | {overage_tiers}}</c>, or null when absent.
    /// Each option prices overage as the feature itself does (tiers in the feature's <c>tiers_mode</c>, checked as its own
    /// tiers are), so an option of another kind, or on a feature without an overage price, is refused at its path.
    /// <paramref name="ok"/> is false when something is wrong.
    /// </summary>
    private static IReadOnlyList<OverageCurrencyOption>? ReadCurrencyOptions(
        ElementReader plan, long? unitPrice, OveragePackage? package, OverageTiers? tiers, out bool ok)
    {
        ok = true;
        if (plan.Raw("currency_options") is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var path = plan.Child("currency_options");
        if (element.ValueKind != JsonValueKind.Object)
        {
            plan.Problem(path, "must be an object of options by currency, such as {\"EUR\": {\"overage_unit_price_cents\": 3}}");
            ok = false;
            return null;
        }

        if (unitPrice is null && package is null && tiers is null)
        {
            plan.Problem(path, "needs overage_unit_price_cents, overage_package or overage_tiers on the feature");
            ok = false;
            return null;
        }

        // The one field each option gives: the kind of price the feature has.
        var field = tiers is not null ? "overage_tiers" : package is not null ? "overage_package" : "overage_unit_price_cents";
        var options = new List<OverageCurrencyOption>();
        foreach (var property in element.EnumerateObject())
        {
            var at = path + "." + property.Name;
            var code = Money.Currency.Canonical(property.Name);
            var wrong = code is null || !Money.Currency.IsIso(code) ? "must be a three-letter ISO 4217 code, such as EUR or eur"
                : options.Any(o => o.Currency == code) ? $"gives {code} a second time"
                : null;
            if (wrong is not null)
            {
                plan.Problem(at, wrong);
                ok = false;
                continue;
            }

            var problems = new List<DocumentProblem>();
            var r = new ElementReader(property.Value, at, problems, field);
            // A null price is no price: it would leave the currency's overage free, so it is refused as a missing one.
            var given = r.Raw(field) is { ValueKind: not JsonValueKind.Null };
            if (r.IsObject && !given)
            {
                r.Problem(r.Child(field), field == "overage_unit_price_cents" ? "is required"
                    : $"is required, as the feature prices overage {(field == "overage_tiers" ? "in tiers" : "per package")}");
            }
            else if (r.IsObject)
            {
                options.Add(field switch
                {
                    "overage_tiers" => new OverageCurrencyOption(code!, null, null, OverageTiersReader.ReadTiers(r, out _)),
                    "overage_package" => new OverageCurrencyOption(code!, null, ReadPackage(r, out _)),
                    _ => new OverageCurrencyOption(code!, r.Integer(field, required: true, 0, CatalogDocument.MaxPriceCents), null),
                });
            }

            foreach (var problem in problems)
            {
                plan.Problem(problem.Path, problem.Message);
            }

            ok &= problems.Count == 0;
        }

        return ok ? options : null;
    }

    /// <summary><c>overage_package: {size, price_cents}</c>, or null when absent; <paramref name="ok"/> is false when it is wrong.</summary>
    private static OveragePackage? ReadPackage(ElementReader plan, out bool ok)
    {
        ok = true;
        if (plan.Raw("overage_package") is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var problems = new List<DocumentProblem>();
        var r = new ElementReader(element, plan.Child("overage_package"), problems, "size", "price_cents");
        var size = r.Integer("size", required: true, 1, OveragePackage.MaxSize);
        var price = r.Integer("price_cents", required: true, 0, CatalogDocument.MaxPriceCents);
        foreach (var problem in problems)
        {
            plan.Problem(problem.Path, problem.Message);
        }

        ok = problems.Count == 0;
        return ok && size is { } s && price is { } c ? new OveragePackage(s, c) : null;
    }

    private static PlanFeature? ReadBoolean(ElementReader r, string code, bool planWide)
    {
        RejectFields(r, "boolean", "metric", "overage_package", "currency_options", "per_member_limit", "per_seat", "monthly_quota", "limit", "reset", "hard_cap", "rollover", "overage_unit_price_cents", "value",
            "alert_thresholds", "meter", "overage_tiers", "tiers_mode");
        var enabled = r.Boolean("enabled", defaultValue: true);
        if (!enabled && !planWide && r.Raw("rate_limit") is { ValueKind: not JsonValueKind.Null })
        {
            // A disabled gate refuses every request before any rate limit is counted: the limit could never apply. The
            // catalog's rate_limit_feature is the exception: its rate_limit counts the plan's other features.
            r.Problem(r.Child("rate_limit"), "does not apply to a disabled feature (enabled: false) unless it is the rate_limit_feature");
        }

        return new PlanFeature(code, FeatureKind.Boolean, enabled ? null : 0, true, false, null, enabled, null, []);
    }

    private static PlanFeature? ReadValue(ElementReader r, string code)
    {
        // A value is read, never consumed or reserved, so a rate limit on it could never count a request.
        RejectFields(r, "value", "metric", "overage_package", "currency_options", "per_member_limit", "per_seat", "monthly_quota", "limit", "reset", "hard_cap", "rollover", "overage_unit_price_cents", "enabled",
            "alert_thresholds", "meter", "overage_tiers", "tiers_mode", "rate_limit");
        var value = r.Raw("value");
        if (value is null)
        {
            r.Problem(r.Child("value"), "is required");
            return null;
        }

        if (value.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            r.Problem(r.Child("value"), "must be a number, string, boolean or null");
            return null;
        }

        return new PlanFeature(code, FeatureKind.Value, null, true, false, null, true, value.Value.GetRawText(), []);
    }

    private static IReadOnlyList<int>? ReadThresholds(ElementReader r)
    {
        if (!r.Has("alert_thresholds"))
        {
            return PlanFeature.DefaultThresholds;
        }

        var thresholds = new List<int>();
        var ok = true;
        foreach (var (element, path) in r.Array("alert_thresholds", required: false, maxItems: 10))
        {
            if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var percent) || percent is < 1 or > 1000)
            {
                r.Problem(path, "must be a whole percentage between 1 and 1000");
                ok = false;
                continue;
            }

            if (thresholds.Count > 0 && percent <= thresholds[^1])
            {
                r.Problem(path, "must be greater than the threshold before it");
                ok = false;
                continue;
            }

            thresholds.Add(percent);
        }

        return ok ? thresholds : null;
    }

    private static void RejectFields(ElementReader r, string kind, params string[] names)
    {
        foreach (var name in names.Where(r.Has))
        {
            r.Problem(r.Child(name), $"does not apply to a {kind} feature");
        }
    }
}
