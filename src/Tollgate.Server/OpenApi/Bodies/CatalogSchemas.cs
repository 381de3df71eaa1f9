using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tollgate.Core.Catalog;

namespace Tollgate.Server.OpenApi.Bodies;

/// <summary>
/// The catalog parser's constraints (Core/Catalog: CatalogDocument, PlanReader, QuotaTermsReader, OverageTiersReader,
/// CatalogPacks) on the catalog bodies' properties, so a generated client knows the allowed words and ranges, not only the
/// types the records give. Each rule is keyed by the body and the property's JSON name.
/// </summary>
public sealed class CatalogSchemas : IOpenApiSchemaTransformer
{
    private const string CodePattern = "^[a-z][a-z0-9_]{0,63}$";
    private const long MaxQuota = CatalogDocument.MaxQuota;
    private const long MaxCents = CatalogDocument.MaxPriceCents;

    private static readonly Dictionary<(Type, string), Action<OpenApiSchema>> Rules = new()
    {
        [(typeof(CatalogDocumentBody), "default_plan")] = s => Text(s, 64, CodePattern),
        [(typeof(CatalogDocumentBody), "rate_limit_feature")] = s => Text(s, 64, CodePattern),
        [(typeof(CatalogDocumentBody), "on_suspension")] = s => Enum(s, [SuspensionPolicy.DefaultPlan.ToWire(), SuspensionPolicy.Deny.ToWire()]),
        [(typeof(CatalogDocumentBody), "upgrade_url")] = s => Text(s, 2000),
        [(typeof(CatalogDocumentBody), "faq")] = s => s.MaxItems = 100,
        [(typeof(CatalogDocumentBody), "packs")] = s => s.MaxItems = 100,
        [(typeof(CatalogNotifyBody), "email")] = s => Item(s, i => Enum(i, CatalogNotify.EmailKinds)),
        [(typeof(CatalogFeatureBody), "code")] = s => Text(s, 64, CodePattern),
        [(typeof(CatalogFeatureBody), "name")] = s => Text(s, 200, minLength: 1),
        [(typeof(CatalogFeatureBody), "description")] = s => Text(s, 2000),
        [(typeof(CatalogFeatureBody), "unit")] = s => Text(s, 64),
        [(typeof(CatalogFeatureBody), "kind")] = s => Enum(s, ["boolean", "metered", "value"]),
        [(typeof(CatalogPlanBody), "code")] = s => Text(s, 64, CodePattern),
        [(typeof(CatalogPlanBody), "name")] = s => Text(s, 200, minLength: 1),
        [(typeof(CatalogPlanBody), "description")] = s => Text(s, 2000),
        [(typeof(CatalogPlanBody), "sort_order")] = s => Range(s, -1_000_000, 1_000_000),
        [(typeof(CatalogPlanBody), "llm_budget_usd")] = s => Range(s, 0, 1_000_000_000),
        [(typeof(CatalogPlanBody), "llm_budget_reset")] = s => Enum(s, ["day", "week", "month", "year", "billing_period", "calendar_month", "calendar_year"]),
        [(typeof(CatalogPlanBody), "prices")] = s => s.MaxItems = PlanTerms.MaxPrices,
        [(typeof(CatalogPlanBody), "visibility")] = s => Enum(s, ["public", "private"]),
        [(typeof(CatalogPriceBody), "billing_period")] = s => Enum(s, ["monthly", "yearly"]),
        [(typeof(CatalogPriceBody), "price_cents")] = s => Range(s, 0, MaxCents),
        [(typeof(CatalogPriceBody), "currency")] = s => Text(s, 3, "^[A-Za-z]{3}$"),
        [(typeof(CatalogPriceBody), "trial_days")] = s => Range(s, 0, 730),
        [(typeof(CatalogPriceBody), "stripe_price_id")] = s => Text(s, 255),
        [(typeof(CatalogPriceBody), "included_seats")] = s => Range(s, 1, 1_000_000),
        [(typeof(CatalogPriceBody), "max_seats")] = s => Range(s, 1, 1_000_000),
        [(typeof(CatalogPlanFeatureBody), "feature_code")] = s => Text(s, 64, minLength: 1),
        [(typeof(CatalogPlanFeatureBody), "monthly_quota")] = s => Range(s, 0, MaxQuota),
        [(typeof(CatalogPlanFeatureBody), "limit")] = s => Range(s, 0, MaxQuota),
        [(typeof(CatalogPlanFeatureBody), "reset")] = s => Enum(s, [.. System.Enum.GetValues<QuotaReset>().Select(r => r.ToWire())]),
        [(typeof(CatalogPlanFeatureBody), "overage_unit_price_cents")] = s => Range(s, 0, MaxCents),
        [(typeof(CatalogPlanFeatureBody), "alert_thresholds")] = s => { s.MaxItems = 10; Item(s, i => Range(i, 1, 1000)); },
        [(typeof(CatalogPlanFeatureBody), "per_member_limit")] = s => Range(s, 1, MaxQuota),
        [(typeof(CatalogPlanFeatureBody), "overage_tiers")] = s => { s.MinItems = 1; s.MaxItems = OverageTiersReader.MaxTiers; },
        [(typeof(CatalogPlanFeatureBody), "tiers_mode")] = s => Enum(s, [TiersMode.Graduated.ToWire(), TiersMode.Volume.ToWire()]),
        [(typeof(CatalogRateLimitBody), "limit")] = s => Range(s, 1, MaxQuota),
        [(typeof(CatalogRateLimitBody), "per")] = s => Enum(s, [.. System.Enum.GetValues<RateLimitPer>().Select(p => p.ToWire())]),
        [(typeof(CatalogMeterBody), "llm")] = s => Enum(s, [.. System.Enum.GetValues<LlmMeasure>().Select(m => m.ToWire())]),
        [(typeof(CatalogMeterBody), "features")] = s => { s.MaxItems = 50; Item(s, i => Text(i, 64, minLength: 1)); },
        [(typeof(CatalogMeterBody), "providers")] = s => { s.MaxItems = 50; Item(s, i => Text(i, 64, minLength: 1)); },
        [(typeof(CatalogOverageTierBody), "up_to")] = UpTo,
        [(typeof(CatalogOverageTierBody), "unit_price_cents")] = s => Range(s, 0, MaxCents),
        [(typeof(CatalogOverageTierBody), "per_units")] = s => Range(s, 1, OverageTiersReader.MaxPerUnits),
        [(typeof(CatalogOverageTierBody), "flat_cents")] = s => Range(s, 0, MaxCents),
        [(typeof(CatalogDocumentBody), "metrics")] = s => s.MaxItems = 200,
        [(typeof(CatalogMetricBody), "code")] = s => Text(s, 64, CodePattern),
        [(typeof(CatalogMetricBody), "name")] = s => Text(s, 200, minLength: 1),
        [(typeof(CatalogMetricBody), "event")] = s => Text(s, 64, minLength: 1),
        [(typeof(CatalogMetricBody), "aggregation")] = s => Enum(s, [.. System.Enum.GetValues<MetricAggregation>().Select(a => a.ToWire())]),
        [(typeof(CatalogMetricBody), "property")] = s => Text(s, 64, minLength: 1),
        [(typeof(CatalogMetricBody), "filters")] = s => s.MaxProperties = CatalogMetrics.MaxFilters,
        [(typeof(CatalogMetricBody), "group_by")] = s => { s.MaxItems = CatalogMetrics.MaxGroupBy; Item(s, i => Text(i, 64, minLength: 1)); },
        [(typeof(CatalogOveragePackageBody), "size")] = s => Range(s, 1, OveragePackage.MaxSize),
        [(typeof(CatalogOveragePackageBody), "price_cents")] = s => Range(s, 0, MaxCents),
        [(typeof(CatalogPlanFeatureBody), "metric")] = s => Text(s, 64, CodePattern),
        [(typeof(CatalogPackBody), "code")] = s => Text(s, 64, CodePattern),
        [(typeof(CatalogPackBody), "name")] = s => Text(s, 200, minLength: 1),
        [(typeof(CatalogPackBody), "feature")] = s => Text(s, 64, CodePattern),
        [(typeof(CatalogPackBody), "amount")] = s => Range(s, 1, CatalogPacks.MaxAmount),
        [(typeof(CatalogPackBody), "price_cents")] = s => Range(s, 0, MaxCents),
        [(typeof(CatalogPackBody), "currency")] = s => Text(s, 3, "^[A-Za-z]{3}$"),
        [(typeof(CatalogPackBody), "expires_after_days")] = s => Range(s, 1, CatalogPacks.MaxExpiryDays),
        [(typeof(CatalogPackBody), "stripe_price_id")] = s => Text(s, 255),
        [(typeof(CatalogPackOptionBody), "price_cents")] = s => Range(s, 0, MaxCents),
        [(typeof(CatalogPackOptionBody), "stripe_price_id")] = s => Text(s, 255),
        [(typeof(CatalogOverageOptionBody), "overage_unit_price_cents")] = s => Range(s, 0, MaxCents),
        [(typeof(CatalogOverageOptionBody), "overage_tiers")] = s => { s.MinItems = 1; s.MaxItems = OverageTiersReader.MaxTiers; },
    };

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is { } property && Rules.TryGetValue((property.DeclaringType, property.Name), out var rule))
        {
            rule(schema);
        }

        return Task.CompletedTask;
    }

    private static void Text(OpenApiSchema s, int maxLength, string? pattern = null, int? minLength = null)
    {
        s.MaxLength = maxLength;
        s.MinLength = minLength;
        s.Pattern = pattern;
    }

    private static void Range(OpenApiSchema s, long minimum, long maximum)
    {
        s.Minimum = minimum.ToString(CultureInfo.InvariantCulture);
        s.Maximum = maximum.ToString(CultureInfo.InvariantCulture);
    }

    // A nullable property's enum lists null too, or a validator would refuse the null its type allows.
    private static void Enum(OpenApiSchema s, IReadOnlyList<string> values)
    {
        s.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
        if (s.Type is { } type && type.HasFlag(JsonSchemaType.Null))
        {
            s.Enum.Add(null!);
        }
    }

    private static void Item(OpenApiSchema s, Action<OpenApiSchema> rule)
    {
        if (s.Items is OpenApiSchema items)
        {
            rule(items);
        }
    }

    // A whole number from 1, or null or "inf" for the last tier.
    private static void UpTo(OpenApiSchema s)
    {
        var description = s.Description ?? (s.OneOf?.OfType<OpenApiSchema>().Select(o => o.Description).FirstOrDefault(d => d is not null));
        s.OneOf = null;
        s.Type = null;
        s.Description = description;
        s.OneOf =
        [
            new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1" },
            new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("inf")] },
            new OpenApiSchema { Type = JsonSchemaType.Null },
        ];
    }
}
