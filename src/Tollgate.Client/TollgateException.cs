using System.Net;
using System.Text.Json.Nodes;

namespace Tollgate.Client;

/// <summary>An error answer from Tollgate, carrying its problem+json body.</summary>
public class TollgateException : Exception
{
    /// <summary>Creates the exception from an error answer.</summary>
    public TollgateException(HttpStatusCode status, string error, string detail, JsonObject? problem)
        : base($"Tollgate answered {(int)status} {error}: {detail}")
    {
        Status = status;
        Error = error;
        Detail = detail;
        Problem = problem ?? [];
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The machine-readable error code, such as "quota_exceeded".</summary>
    public string Error { get; }

    /// <summary>The human-readable explanation.</summary>
    public string Detail { get; }

    /// <summary>The whole problem body, for fields this SDK does not model.</summary>
    public JsonObject Problem { get; }
}

/// <summary>A denial for a feature: the fields a product shows its user, and an upgrade link.</summary>
public abstract class EntitlementDeniedException : TollgateException
{
    /// <summary>Creates the exception from a 429 or 402 problem.</summary>
    protected EntitlementDeniedException(HttpStatusCode status, string error, string detail, JsonObject problem)
        : base(status, error, detail, problem)
    {
        Feature = problem["feature"]?.GetValue<string>() ?? "";
        Plan = problem["plan"]?.GetValue<string>();
        Limit = problem["limit"]?.GetValue<long?>();
        Used = problem["used"]?.GetValue<long>() ?? 0;
        Remaining = problem["remaining"]?.GetValue<long?>();
        ResetsAt = problem["resets_at"] is { } r ? DateTimeOffset.Parse(r.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) : null;
        UpgradeUrl = problem["upgrade_url"]?.GetValue<string>();
    }

    /// <summary>The feature that was refused.</summary>
    public string Feature { get; }

    /// <summary>The customer's plan.</summary>
    public string? Plan { get; }

    /// <summary>The period's limit.</summary>
    public long? Limit { get; }

    /// <summary>Units used this period.</summary>
    public long Used { get; }

    /// <summary>Units left this period.</summary>
    public long? Remaining { get; }

    /// <summary>When the quota resets.</summary>
    public DateTimeOffset? ResetsAt { get; }

    /// <summary>Where the customer can upgrade.</summary>
    public string? UpgradeUrl { get; }
}

/// <summary>429 quota_exceeded (or budget_exceeded): the period's quota is used up under a hard cap.</summary>
public sealed class QuotaExceededException(string error, string detail, JsonObject problem)
    : EntitlementDeniedException(HttpStatusCode.TooManyRequests, error, detail, problem);

/// <summary>402 feature_not_in_plan: the customer's plan does not include the feature.</summary>
public sealed class FeatureNotInPlanException(string detail, JsonObject problem)
    : EntitlementDeniedException(HttpStatusCode.PaymentRequired, "feature_not_in_plan", detail, problem);
