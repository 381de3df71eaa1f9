using System.ComponentModel.DataAnnotations;

namespace Tollgate.Contracts;

/// <summary>POST /v1/admin/experiments: a draft with a "control" variant (the catalog as it is) and challengers with price overrides.</summary>
/// <param name="Name">What the experiment is called in the console.</param>
/// <param name="Variants">Two or more variants; one is keyed "control" and lists no prices.</param>
public sealed record CreateExperimentRequest(
    [property: Required] string? Name = null, [property: Required] IReadOnlyList<ExperimentVariantRequest>? Variants = null);

/// <summary>A variant of a new experiment.</summary>
/// <param name="Key">The variant's key: "control", or a challenger's name.</param>
/// <param name="Weight">Its share of visitors, relative to the other variants' weights.</param>
/// <param name="Prices">A challenger's price overrides; none for control.</param>
public sealed record ExperimentVariantRequest(string? Key = null, int? Weight = null, IReadOnlyList<VariantPriceRequest>? Prices = null);

/// <summary>One price a challenger shows in place of the catalog's.</summary>
/// <param name="Plan">A public plan's code.</param>
/// <param name="BillingPeriod">"monthly" or "yearly": a period the plan has a price for.</param>
/// <param name="PriceCents">The price shown and charged, in minor units.</param>
public sealed record VariantPriceRequest(string? Plan = null, string? BillingPeriod = null, long? PriceCents = null);

/// <summary>POST …/stop: with promote, the variant's prices become new plan versions of the catalog.</summary>
/// <param name="Promote">A challenger's key whose prices the catalog takes on; left out, the catalog stays as it is.</param>
public sealed record StopExperimentRequest(string? Promote = null);

/// <summary>A price experiment.</summary>
/// <param name="Id">The experiment's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Status">"draft", "running" or "stopped".</param>
/// <param name="Variants">Its variants, in the order they were created.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="StartedAt">When it started; null for a draft.</param>
/// <param name="StoppedAt">When it stopped; null until then.</param>
public sealed record ExperimentResponse(
    string Id,
    string Name,
    string Status,
    IReadOnlyList<ExperimentVariantResponse> Variants,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt);

/// <summary>A variant of an experiment.</summary>
/// <param name="Key">The variant's key.</param>
/// <param name="Weight">Its share of visitors, relative to the others'.</param>
/// <param name="Control">Whether it is the control (the catalog as it is).</param>
/// <param name="Prices">The prices it shows in place of the catalog's.</param>
public sealed record ExperimentVariantResponse(string Key, int Weight, bool Control, IReadOnlyList<VariantPriceResponse> Prices);

/// <summary>A price a variant shows.</summary>
/// <param name="Plan">The plan's code.</param>
/// <param name="BillingPeriod">"monthly" or "yearly".</param>
/// <param name="PriceCents">The price, in minor units.</param>
public sealed record VariantPriceResponse(string Plan, string BillingPeriod, long PriceCents);

/// <summary>Every experiment, newest first.</summary>
/// <param name="Experiments">The experiments.</param>
public sealed record ExperimentListResponse(IReadOnlyList<ExperimentResponse> Experiments);

/// <summary>Per-variant results; rates are fractions (0.05 is 5%), money is in cents.</summary>
/// <param name="Experiment">The experiment's id.</param>
/// <param name="Status">Its status.</param>
/// <param name="ConfidenceLevel">The confidence level of the intervals (0.95).</param>
/// <param name="Variants">One result per variant, in the experiment's order.</param>
public sealed record ExperimentResultsResponse(
    string Experiment, string Status, double ConfidenceLevel, IReadOnlyList<VariantResultResponse> Variants);

/// <summary>One variant's results.</summary>
/// <param name="Variant">The variant's key.</param>
/// <param name="Control">Whether it is the control.</param>
/// <param name="Visitors">Visitors the pricing API showed it to, each once.</param>
/// <param name="Conversions">Those visitors who then subscribed, each counted once.</param>
/// <param name="ConversionRate">Conversions ÷ visitors.</param>
/// <param name="ConversionRateLow">The conversion rate's Wilson 95 % interval, low end.</param>
/// <param name="ConversionRateHigh">The conversion rate's Wilson 95 % interval, high end.</param>
/// <param name="MrrCents">The MRR its conversions bring, in minor units.</param>
/// <param name="MrrPerVisitorCents">MRR ÷ visitors, in minor units to two decimals.</param>
/// <param name="PValue">The two-proportion z-test's p-value against control; null for control.</param>
/// <param name="RelativeLift">The conversion rate's lift over control (0.1 is 10 % better); null for control.</param>
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
