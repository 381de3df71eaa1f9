using System.Globalization;
using Tollgate.Core.Catalog;

namespace Tollgate.Server.Catalog;

// Storage rows: Dapper fills settable properties, converting SQLite's INTEGER to bool and int as it goes.
internal sealed class FeatureRow
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public string Unit { get; set; } = "";
    public string Kind { get; set; } = "";
    public bool UsesLlm { get; set; }

    public Feature ToDomain() => new(Code, Name, Description, Unit, CatalogRows.ParseKind(Kind), UsesLlm);
}

internal sealed class PlanRow
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public bool IsActive { get; set; }
    public int SortOrder { get; set; }
    public bool IsPopular { get; set; }
    public string? CurrentVersionId { get; set; }
    public string Visibility { get; set; } = "public";
}

internal sealed class PlanVersionRow
{
    public string Id { get; set; } = "";
    public string PlanCode { get; set; } = "";
    public int Version { get; set; }
    public string TermsHash { get; set; } = "";
    public long? LlmBudgetNanoUsd { get; set; }
    public string LlmBudgetReset { get; set; } = "billing_period";
    public long CreatedAt { get; set; }
}

internal sealed class PlanPriceRow
{
    public string PlanVersionId { get; set; } = "";
    public string BillingPeriod { get; set; } = "";
    public long PriceCents { get; set; }
    public string Currency { get; set; } = "";
    public int TrialDays { get; set; }
    public string? StripePriceId { get; set; }
    public bool PerSeat { get; set; }
    public int IncludedSeats { get; set; } = 1;
    public int? MaxSeats { get; set; }
    public long CurrencyPosition { get; set; }

    public PlanPrice ToDomain()
    {
        BillingIntervalNames.TryParse(BillingPeriod, out var interval);
        return new PlanPrice(interval, PriceCents, Currency, TrialDays, StripePriceId, PerSeat, IncludedSeats, MaxSeats);
    }
}

internal sealed class PlanFeatureRow
{
    public string PlanVersionId { get; set; } = "";
    public string FeatureCode { get; set; } = "";
    public string Kind { get; set; } = "";
    public long? MonthlyQuota { get; set; }
    public bool HardCap { get; set; }
    public bool Rollover { get; set; }
    public long? OverageUnitPriceCents { get; set; }
    public bool Enabled { get; set; }
    public string? ValueJson { get; set; }
    public string AlertThresholds { get; set; } = "";
    public string QuotaReset { get; set; } = "month";
    public long? RateLimit { get; set; }
    public string? RateLimitPer { get; set; }
    public string? MeterJson { get; set; }
    public long? PerMemberLimit { get; set; }
    public bool PerSeat { get; set; }
    public string? OverageTiersJson { get; set; }
    public string? MetricCode { get; set; }
    public long? OveragePackageSize { get; set; }
    public long? OveragePackageCents { get; set; }
    public string? CurrencyOptionsJson { get; set; }

    public PlanFeature ToDomain() => new(
        FeatureCode, CatalogRows.ParseKind(Kind), MonthlyQuota, HardCap, Rollover, OverageUnitPriceCents, Enabled, ValueJson,
        AlertThresholds.Length == 0 ? [] : [.. AlertThresholds.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture))],
        QuotaTermNames.TryParseReset(QuotaReset, out var reset) ? reset : Core.Catalog.QuotaReset.Month,
        RateLimit is { } limit && QuotaTermNames.TryParsePer(RateLimitPer, out var per) ? new RateLimit(limit, per) : null,
        MeterJson is null ? null : MeterColumn.Read(MeterJson), PerMemberLimit, PerSeat,
        OverageTiersJson is null ? null : TiersColumn.Read(OverageTiersJson), MetricCode,
        OveragePackageSize is { } size && OveragePackageCents is { } cents ? new OveragePackage(size, cents) : null,
        CurrencyOptionsColumn.Read(CurrencyOptionsJson));
}

internal sealed class SettingsRow
{
    public string? DefaultPlan { get; set; }
    public string? UpgradeUrl { get; set; }
    public string? RateLimitFeature { get; set; }
    public string? NotifyEmail { get; set; }
    public string? PacksJson { get; set; }
    public string? MetricsJson { get; set; }
    public string? OnSuspension { get; set; }
    public string FaqJson { get; set; } = "[]";
    public long Revision { get; set; }
}

internal static class CatalogRows
{
    public static FeatureKind ParseKind(string kind) => kind switch
    {
        "boolean" => FeatureKind.Boolean,
        "metered" => FeatureKind.Metered,
        _ => FeatureKind.Value,
    };

    public static string ToWire(this FeatureKind kind) => kind.ToString().ToLowerInvariant();

    public static PlanVersion ToVersion(PlanVersionRow row, IEnumerable<PlanPriceRow> prices, IEnumerable<PlanFeatureRow> features) => new(
        row.Id,
        row.PlanCode,
        row.Version,
        new PlanTerms(
            [.. prices.OrderBy(p => p.CurrencyPosition).Select(p => p.ToDomain()).OrderBy(p => p.BillingPeriod)],
            [.. features.Select(f => f.ToDomain())],
            row.LlmBudgetNanoUsd,
            QuotaTermNames.TryParseReset(row.LlmBudgetReset, out var budgetReset) ? budgetReset : Core.Catalog.QuotaReset.BillingPeriod),
        row.TermsHash,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt));
}
