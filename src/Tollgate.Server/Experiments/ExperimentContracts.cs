using System.ComponentModel.DataAnnotations;

namespace Tollgate.Server.Experiments;

/// <summary>POST /v1/admin/experiments: a draft with a "control" variant (the catalog as it is) and challengers with price overrides.</summary>
public sealed record CreateExperimentRequest(
    [property: Required] string? Name = null, [property: Required] IReadOnlyList<ExperimentVariantRequest>? Variants = null);

public sealed record ExperimentVariantRequest(string? Key = null, int? Weight = null, IReadOnlyList<VariantPriceRequest>? Prices = null);

public sealed record VariantPriceRequest(string? Plan = null, string? BillingPeriod = null, long? PriceCents = null);

/// <summary>POST …/stop: with promote, the variant's prices become new plan versions of the catalog.</summary>
public sealed record StopExperimentRequest(string? Promote = null);

public sealed record ExperimentResponse(
    string Id,
    string Name,
    string Status,
    IReadOnlyList<ExperimentVariantResponse> Variants,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt);

public sealed record ExperimentVariantResponse(string Key, int Weight, bool Control, IReadOnlyList<VariantPriceResponse> Prices);

public sealed record VariantPriceResponse(string Plan, string BillingPeriod, long PriceCents);

public sealed record ExperimentListResponse(IReadOnlyList<ExperimentResponse> Experiments);

/// <summary>Per-variant results; rates are fractions (0.05 is 5%), money is in cents.</summary>
public sealed record ExperimentResultsResponse(
    string Experiment, string Status, double ConfidenceLevel, IReadOnlyList<VariantResultResponse> Variants);

public sealed record VariantResultResponse(
    string Variant,
    bool Control,
    long Visitors,
    long Conversions,
    double ConversionRate,
    double ConversionRateLow,
    double ConversionRateHigh,
    long MrrCents,
    decimal MrrPerVisitorCents,
    double? PValue,
    double? RelativeLift);
