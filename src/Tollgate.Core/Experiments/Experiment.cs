using Tollgate.Core.Catalog;

namespace Tollgate.Core.Experiments;

public enum ExperimentStatus
{
    Draft,
    Running,
    Stopped,
}

/// <summary>A price override a variant shows for one plan and billing period, in integer minor units.</summary>
public sealed record VariantPrice(string PlanCode, BillingInterval BillingPeriod, long PriceCents);

/// <summary>One arm of an experiment; the control arm ("control") shows the catalog as it is and has no prices.</summary>
public sealed record ExperimentVariant(string Key, int Weight, IReadOnlyList<VariantPrice> Prices)
{
    public const string ControlKey = "control";

    public bool IsControl => Key == ControlKey;

    public VariantPrice? PriceFor(string planCode, BillingInterval period) =>
        Prices.FirstOrDefault(p => p.PlanCode == planCode && p.BillingPeriod == period);
}

/// <summary>A price experiment: visitors are split across its variants by weight while it runs.</summary>
public sealed record Experiment(
    string Id,
    string Name,
    ExperimentStatus Status,
    IReadOnlyList<ExperimentVariant> Variants,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt)
{
    public ExperimentVariant Assign(string visitorId) => VariantAssignment.Assign(Id, visitorId, Variants);

    public ExperimentVariant? Variant(string key) => Variants.FirstOrDefault(v => v.Key == key);
}

public static class ExperimentStatusNames
{
    public static string ToWire(this ExperimentStatus status) => status switch
    {
        ExperimentStatus.Running => "running",
        ExperimentStatus.Stopped => "stopped",
        _ => "draft",
    };

    public static ExperimentStatus Parse(string value) => value switch
    {
        "running" => ExperimentStatus.Running,
        "stopped" => ExperimentStatus.Stopped,
        _ => ExperimentStatus.Draft,
    };
}
