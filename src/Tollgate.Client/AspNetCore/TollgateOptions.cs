using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Tollgate.Client.AspNetCore;

/// <summary>How an app reaches Tollgate and who its caller is.</summary>
public sealed class TollgateOptions
{
    /// <summary>The Tollgate server, such as http://localhost:5080/.</summary>
    public Uri BaseAddress { get; set; } = new("http://localhost:5080/");

    /// <summary>A secret key (tg_sk_…).</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>
    /// Finds the Tollgate customer for the current request; by default the authenticated user's "sub" or
    /// name-identifier claim. Return null for an anonymous caller, who is answered 401.
    /// </summary>
    public Func<HttpContext, string?> CustomerResolver { get; set; } = context =>
        context.User.FindFirst("sub")?.Value ?? context.User.FindFirst(ClaimTypes.NameIdentifier)?.Value;

    /// <summary>
    /// Retries after the first attempt, by the rules of <see cref="TollgateRetry"/> (408, 5xx, a proxy's 429, connection
    /// failures; never a denial): 2 by default, as in the Python and TypeScript SDKs. 0 sends each call once.
    /// </summary>
    public int MaxRetries { get; set; } = TollgateRetry.DefaultMaxRetries;

    /// <summary>The first backoff, 0.5 s; tests shorten it so a retry does not slow them.</summary>
    internal TimeSpan RetryBaseDelay { get; set; } = TollgateRetry.BaseDelay;

    /// <summary>
    /// How long <c>RequireQuota</c> waits for Tollgate's decision, every attempt together (5 s): past it Tollgate cannot
    /// decide (see <see cref="OnError"/>), where a hanging server held the caller 100 s. It never waits out a Retry-After.
    /// A hold whose answer comes after the deadline lapses after <see cref="ReservationTtl"/>.
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits as long as the client's own timeouts and retries allow.
    /// </summary>
    public TimeSpan GateTimeout
    {
        get;
        set => field = value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan ? value
            : throw new ArgumentOutOfRangeException(nameof(GateTimeout), value, "must be positive, or Timeout.InfiniteTimeSpan");
    } = TimeSpan.FromSeconds(5);

    /// <summary>How long a hold taken before a handler lasts if the app dies before settling it.</summary>
    public TimeSpan ReservationTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// What <c>RequireQuota</c> does when Tollgate cannot decide: it is unreachable or answers 5xx, or rejects this app's
    /// key (401/403). Fail closed (the default) answers 503 quota_unavailable; fail open lets the request through
    /// uncounted. Either way the cause is logged. An unknown customer is not such a case: it is answered 403 customer_unknown.
    /// </summary>
    public TollgateErrorPolicy OnError { get; set; } = TollgateErrorPolicy.FailClosed;

    /// <summary>
    /// When true, <c>RequireQuota</c> creates a customer Tollgate does not know yet (with only its id, on the default
    /// plan) and tries again. Off by default, when such a caller is answered 403 customer_unknown: create customers at
    /// sign-up with <c>UpsertCustomerAsync</c>, where their e-mail and name are known.
    /// </summary>
    public bool AutoCreateCustomers { get; set; }

    /// <summary>
    /// Shapes the answer to a denial (429 quota or budget, 402 not in plan). By default, <see cref="QuotaDenials.Default"/>:
    /// Tollgate's problem without the cost fields (budget_*_usd) and with upgrade_url made absolute.
    /// </summary>
    public Func<HttpContext, EntitlementDeniedException, IResult>? OnDenied { get; set; }
}

/// <summary>What <c>RequireQuota</c> does when Tollgate cannot decide.</summary>
public enum TollgateErrorPolicy
{
    /// <summary>Answer 503 quota_unavailable: nothing runs uncounted.</summary>
    FailClosed,

    /// <summary>Run the handler uncounted: the feature stays up while Tollgate is down.</summary>
    FailOpen,
}
