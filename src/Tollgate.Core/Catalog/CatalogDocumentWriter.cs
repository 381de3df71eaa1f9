using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Tollgate.Core.Llm;

namespace Tollgate.Core.Catalog;

/// <summary>Writes a catalog in the document shape <see cref="CatalogDocument"/> reads, so export then apply round-trips.</summary>
public static class CatalogDocumentWriter
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(CatalogDefinition catalog)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Indented))
        {
            w.WriteStartObject();
            if (catalog.DefaultPlan is not null)
            {
                w.WriteString("default_plan", catalog.DefaultPlan);
            }

            if (catalog.UpgradeUrl is not null)
            {
                w.WriteString("upgrade_url", catalog.UpgradeUrl);
            }

            if (catalog.RateLimitFeature is not null)
            {
                w.WriteString("rate_limit_feature", catalog.RateLimitFeature);
            }

            if (catalog.OnSuspension != SuspensionPolicy.DefaultPlan)
            {
                w.WriteString(SuspensionPolicyNames.Field, catalog.OnSuspension.ToWire());
            }

            w.WriteStartArray("features");
            foreach (var f in catalog.Features)
            {
                w.WriteStartObject();
                w.WriteString("code", f.Code);
                w.WriteString("name", f.Name);
                w.WriteString("description", f.Description);
                w.WriteString("unit", f.Unit);
                w.WriteString("kind", f.Kind.ToString().ToLowerInvariant());
                if (f.UsesLlm)
                {
                    w.WriteBoolean("uses_llm", true);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("plans");
            foreach (var p in catalog.Plans)
            {
                w.WriteStartObject();
                w.WriteString("code", p.Code);
                w.WriteString("name", p.Name);
                w.WriteString("description", p.Description);
                w.WriteBoolean("is_active", p.IsActive);
                w.WriteNumber("sort_order", p.SortOrder);
                w.WriteBoolean("is_popular", p.IsPopular);
                if (p.IsPrivate)
                {
                    w.WriteString("visibility", "private");
                }

                WriteTerms(w, p.Terms, canonical: true);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (catalog.Faq.Count > 0)
            {
                w.WriteStartArray("faq");
                foreach (var entry in catalog.Faq)
                {
                    w.WriteStartObject();
                    w.WriteString("question", entry.Question);
                    w.WriteString("answer", entry.Answer);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            CatalogNotify.Write(w, catalog.NotifyEmail);
            CatalogPacks.Write(w, catalog.Packs);
            CatalogMetrics.Write(w, catalog.Metrics);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>A stable hash of the terms: equal terms give equal hashes whatever order the document listed them in.</summary>
    public static string TermsHash(PlanTerms terms)
    {
        var canonical = terms with
        {
            Prices = PlanTerms.Canonical(terms.Prices),
            Features = [.. terms.Features.OrderBy(f => f.FeatureCode, StringComparer.Ordinal)],
        };
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            WriteTerms(w, canonical, canonical: false);
            w.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(stream.ToArray()));
    }

    private static void WriteTerms(Utf8JsonWriter w, PlanTerms terms, bool canonical)
    {
        if (terms.LlmBudgetNanoUsd is { } budget)
        {
            w.WriteNumber("llm_budget_usd", NanoUsdAmount.ToUsd(budget));
        }

        // Written only when it is not the default, so the terms hash of every plan that never set it stays what it was.
        if (terms.LlmBudgetReset != QuotaReset.BillingPeriod)
        {
            w.WriteString("llm_budget_reset", terms.LlmBudgetReset.ToWire());
        }

        w.WriteStartArray("prices");
        foreach (var price in terms.Prices)
        {
            w.WriteStartObject();
            w.WriteString("billing_period", price.BillingPeriod.ToWire());
            w.WriteNumber("price_cents", price.PriceCents);
            w.WriteString("currency", price.Currency);
            w.WriteNumber("trial_days", price.TrialDays);
            if (price.StripePriceId is not null)
            {
                w.WriteString("stripe_price_id", price.StripePriceId);
            }

            // Written only when per seat, so the hashes of plans stored before seats existed stay the same.
            if (price.PerSeat)
            {
                w.WriteBoolean("per_seat", true);
                w.WriteNumber("included_seats", price.IncludedSeats);
                if (price.MaxSeats is { } max)
                {
                    w.WriteNumber("max_seats", max);
                }
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("features");
        foreach (var pf in terms.Features)
        {
            WritePlanFeature(w, pf, canonical);
        }

        w.WriteEndArray();
    }

    /// <summary>
    /// Export writes the canonical <c>limit</c> and <c>reset</c>. The terms hash keeps writing a monthly limit as
    /// <c>monthly_quota</c>, so plans stored before windows existed keep their hash and no version is bumped for nothing.
    /// </summary>
    private static void WritePlanFeature(Utf8JsonWriter w, PlanFeature pf, bool canonical)
    {
        w.WriteStartObject();
        w.WriteString("feature_code", pf.FeatureCode);
        switch (pf.Kind)
        {
            case FeatureKind.Boolean:
                w.WriteBoolean("enabled", pf.Enabled);
                break;
            case FeatureKind.Value:
                w.WritePropertyName("value");
                w.WriteRawValue(pf.ValueJson ?? "null");
                break;
            default:
                WriteLimit(w, pf, canonical);
                w.WriteBoolean("hard_cap", pf.HardCap);
                w.WriteBoolean("rollover", pf.Rollover);
                if (pf.OverageUnitPriceCents is { } overage)
                {
                    w.WriteNumber("overage_unit_price_cents", overage);
                }

                OverageWriter.WriteTiers(w, pf.OverageTiers);
                OverageWriter.WritePackage(w, pf.OveragePackage);
                OverageWriter.WriteCurrencyOptions(w, pf.CurrencyOptions);

                if (!pf.AlertThresholds.SequenceEqual(PlanFeature.DefaultThresholds))
                {
                    w.WriteStartArray("alert_thresholds");
                    foreach (var t in pf.AlertThresholds)
                    {
                        w.WriteNumberValue(t);
                    }

                    w.WriteEndArray();
                }

                WriteMeter(w, pf.Meter);
                if (pf.Metric is { } metric)
                {
                    w.WriteString("metric", metric); // only when set, so the hashes of terms without one stay the same
                }

                if (pf.PerMemberLimit is { } perMember)
                {
                    w.WriteNumber("per_member_limit", perMember);
                }

                if (pf.PerSeat)
                {
                    w.WriteBoolean("per_seat", true);
                }

                break;
        }

        if (pf.RateLimit is { } rate)
        {
            w.WriteStartObject("rate_limit");
            w.WriteNumber("limit", rate.Limit);
            w.WriteString("per", rate.Per.ToWire());
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteLimit(Utf8JsonWriter w, PlanFeature pf, bool canonical)
    {
        var name = canonical || pf.Reset != QuotaReset.Month ? "limit" : "monthly_quota";
        if (pf.MonthlyQuota is { } quota)
        {
            w.WriteNumber(name, quota);
        }
        else
        {
            w.WriteNull(name);
        }

        if (name == "limit")
        {
            w.WriteString("reset", pf.Reset.ToWire());
        }
    }

    private static void WriteMeter(Utf8JsonWriter w, LlmMeter? meter)
    {
        if (meter is null)
        {
            return;
        }

        w.WriteStartObject("meter");
        w.WriteString("llm", meter.Measure.ToWire());
        WriteStrings(w, "features", meter.Features);
        WriteStrings(w, "providers", meter.Providers);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
