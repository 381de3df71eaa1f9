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
        Used = problem["used"]?.GetValue<long?>();
        Remaining = problem["remaining"]?.GetValue<long?>();
        ResetsAt = Instant(problem["resets_at"]);
        UpgradeUrl = problem["upgrade_url"]?.GetValue<string>();
        RetryAfter = problem["retry_after"]?.GetValue<long?>() is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>The feature that was refused.</summary>
    public string Feature { get; }

    /// <summary>The customer's plan.</summary>
    public string? Plan { get; }

    /// <summary>The period's limit.</summary>
    public long? Limit { get; }

    /// <summary>Units used in the quota's window; null when the denial does not say (a rate limit counts requests, not units).</summary>
    public long? Used { get; }

    /// <summary>Units left this period.</summary>
    public long? Remaining { get; }

    /// <summary>When the quota resets.</summary>
    public DateTimeOffset? ResetsAt { get; }

    /// <summary>Where the customer can upgrade.</summary>
    public string? UpgradeUrl { get; }

    /// <summary>How long until a retry can pass (the body's <c>retry_after</c>, as in the Retry-After header); null when not sent.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>An ISO 8601 instant of the problem, or null.</summary>
    protected static DateTimeOffset? Instant(JsonNode? value) =>
        value?.GetValue<string>() is { } text ? DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : null;
}

/// <summary>429 quota_exceeded (or budget_exceeded): the period's quota is used up under a hard cap.</summary>
public sealed class QuotaExceededException(string error, string detail, JsonObject problem)
    : EntitlementDeniedException(HttpStatusCode.TooManyRequests, error, detail, problem);

/// <summary>
/// 429 rate_limited: too many requests in the feature's rate window. <see cref="EntitlementDeniedException.Limit"/> is the
/// requests a window allows, <see cref="EntitlementDeniedException.Remaining"/> 0, <see cref="ResetAt"/> the window's end.
/// Nothing was counted against the quota.
/// </summary>
public sealed class RateLimitedException(string detail, JsonObject problem)
    : EntitlementDeniedException(HttpStatusCode.TooManyRequests, "rate_limited", detail, problem)
{
    /// <summary>When the rate window ends and a request can pass again.</summary>
    public DateTimeOffset? ResetAt { get; } = Instant(problem["reset_at"]);

    /// <summary>The rate window's length: second, minute or hour.</summary>
    public string? Per { get; } = problem["per"]?.GetValue<string>();

    /// <summary>feature for the feature's own limit, plan for the plan-wide one.</summary>
    public string? Scope { get; } = problem["scope"]?.GetValue<string>();
}

/// <summary>402 feature_not_in_plan: the customer's plan does not include the feature.</summary>
public sealed class FeatureNotInPlanException(string detail, JsonObject problem)
    : EntitlementDeniedException(HttpStatusCode.PaymentRequired, "feature_not_in_plan", detail, problem);

/// <summary>
/// 402 subscription_inactive: the subscription is suspended (its invoice past due) and the catalog's on_suspension is deny;
/// the feature passes again once the invoice is paid.
/// </summary>
public sealed class SubscriptionInactiveException(string detail, JsonObject problem)
    : EntitlementDeniedException(HttpStatusCode.PaymentRequired, "subscription_inactive", detail, problem);

/// <summary>404 not_found: something the call named does not exist; <see cref="Resource"/> says what (customer, plan, invoice, …).</summary>
public sealed class TollgateNotFoundException(string detail, JsonObject problem)
    : TollgateException(HttpStatusCode.NotFound, "not_found", detail, problem)
{
    /// <summary>What was missing, such as "customer"; empty when Tollgate did not say.</summary>
    public string Resource { get; } = problem["resource"]?.GetValue<string>() ?? "";
}

/// <summary>401: the client's API key is missing, not valid, or revoked.</summary>
public sealed class TollgateAuthenticationException(string error, string detail, JsonObject? problem)
    : TollgateException(HttpStatusCode.Unauthorized, error, detail, problem);

/// <summary>403 forbidden: the key's role may not make this call (a publishable key on a server-side endpoint).</summary>
public sealed class TollgatePermissionException(string detail, JsonObject? problem)
    : TollgateException(HttpStatusCode.Forbidden, "forbidden", detail, problem);

/// <summary>A 5xx from Tollgate (or a proxy in front of it): the server could not answer now.</summary>
public sealed class TollgateUnavailableException(HttpStatusCode status, string error, string detail, JsonObject? problem)
    : TollgateException(status, error, detail, problem);

/// <summary>400 promotion_code_invalid: the code or coupon in <see cref="Field"/> cannot apply, for <see cref="Reason"/>; nothing was written.</summary>
public sealed class PromotionCodeInvalidException(string detail, JsonObject problem)
    : TollgateException(HttpStatusCode.BadRequest, "promotion_code_invalid", detail, problem)
{
    /// <summary>unknown, inactive, expired, used_up, not_applicable or first_time_only.</summary>
    public string Reason { get; } = problem["reason"]?.GetValue<string>() ?? "";

    /// <summary>The request field that named it: promotion_code or coupon.</summary>
    public string Field { get; } = problem["field"]?.GetValue<string>() ?? "";
}

/// <summary>402 seats_exhausted: every seat of the organisation is taken; add seats or remove a member first.</summary>
public sealed class SeatsExhaustedException(string detail, JsonObject problem)
    : TollgateException(HttpStatusCode.PaymentRequired, "seats_exhausted", detail, problem)
{
    /// <summary>The organisation (customer) that is full.</summary>
    public string Customer { get; } = problem["customer"]?.GetValue<string>() ?? "";

    /// <summary>How many members hold its seats.</summary>
    public long Seats { get; } = problem["seats"]?.GetValue<long>() ?? 0;
}
