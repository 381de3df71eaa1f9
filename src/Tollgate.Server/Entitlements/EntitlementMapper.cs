using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;
using Tollgate.Server.Http;

namespace Tollgate.Server.Entitlements;

/// <summary>Maps decisions to the wire: 200 with the counter, or the 429/402 problem an app can show its user.</summary>
public static class EntitlementMapper
{
    /// <summary>
    /// The decision as sent. A gate, a value or a feature the plan lacks counts nothing, so it has no window and no cap:
    /// <c>window_start</c> and <c>resets_at</c> are null and <c>hard_cap</c> false there, as <c>/entitlements</c> shows them.
    /// </summary>
    public static EntitlementResponse ToWire(EntitlementDecision d)
    {
        var counted = Counted(d);
        return new(
            d.Allowed, d.Reason.ToWire(), d.Feature, d.Plan, d.Limit, d.Used, d.Remaining, d.Unlimited, counted ? ResetsAt(d) : null, d.HardCap && counted,
            d.Overage, d.Reserved, d.ValueJson is { } v ? JsonSerializer.Deserialize<JsonElement>(v) : null, counted ? d.WindowStart : null,
            d.Customer, d.Member, d.GrantedRemaining);
    }

    // Only a metered quota the plan has counts anything: a gate, a value or a feature the plan lacks has no window and no cap.
    private static bool Counted(EntitlementDecision d) => d.Reason is not (DecisionReason.Included or DecisionReason.Value or DecisionReason.FeatureNotInPlan);

    /// <summary>When the decision's window ends; null for a lifetime allowance, which never resets.</summary>
    public static DateTimeOffset? ResetsAt(EntitlementDecision d) =>
        QuotaWindow.Resets(new BillingPeriod(d.WindowStart, d.ResetsAt)) ? d.ResetsAt : null;

    /// <summary>
    /// The IETF httpapi draft's RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (seconds) on every answer of a
    /// rate-limited feature.
    /// </summary>
    public static void RateLimitHeaders(HttpContext http, EntitlementDecision d, TimeProvider time)
    {
        if (d.Rate is not { } rate)
        {
            return;
        }

        http.Response.Headers["RateLimit-Limit"] = rate.Limit.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers["RateLimit-Remaining"] = rate.Remaining.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers["RateLimit-Reset"] = SecondsUntil(rate.ResetAt, time).ToString(CultureInfo.InvariantCulture);
    }

    // Whole seconds, rounded up and at least 1, as Retry-After wants.
    private static long SecondsUntil(DateTimeOffset at, TimeProvider time) => Math.Max(1, (long)Math.Ceiling((at - time.GetUtcNow()).TotalSeconds));

    /// <summary>The decision a check of one unit would give, for listings.</summary>
    public static EntitlementDecision Describe(PeriodUsage usage, string feature)
    {
        var grant = usage.Context.Grant(feature);
        var counter = usage.Counter(feature);
        var decision = EntitlementDecision.From(QuotaRules.Check(grant, counter, 1), feature, usage.Context, grant, counter);
        return usage.StoredWindow(feature) is { } stored ? decision with { PeriodStart = stored.Start, ResetsAt = stored.End } : decision;
    }

    /// <summary>The problem for a denial, carrying what the customer needs to see and Retry-After for quota limits.</summary>
    /// <remarks>
    /// <paramref name="holdsLapseAt"/>: when a refusal that held units cause can be tried again (the first hold lapses),
    /// sooner than the window's end; the problem then says so, with the units <c>reserved</c>.
    /// </remarks>
    public static ProblemHttpResult Denied(HttpContext http, EntitlementDecision d, string upgradeUrl, TimeProvider time,
        DateTimeOffset? holdsLapseAt = null)
    {
        RateLimitHeaders(http, d, time);
        if (d.Reason == DecisionReason.RateLimited && d.Rate is { } rate)
        {
            var wait = SecondsUntil(rate.ResetAt, time);
            http.Response.Headers.RetryAfter = wait.ToString(CultureInfo.InvariantCulture);
            var per = QuotaDisplay.Per(rate.Per);
            // A plan-wide limit is not the feature's own, so the answer says whose limit it was.
            var whose = !rate.PlanWide
                ? $"for '{d.Feature}': at most {rate.Limit} {per}"
                : $"on the {d.Plan} plan: at most {rate.Limit} {per} across all features";
            return Problems.Create(429, "rate_limited",
                $"Too many requests {whose}, until {rate.ResetAt:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}.",
                new Dictionary<string, object?>
                {
                    ["feature"] = d.Feature, ["plan"] = d.Plan, ["limit"] = rate.Limit, ["per"] = rate.Per.ToWire(),
                    ["scope"] = rate.PlanWide ? "plan" : "feature", ["remaining"] = 0, ["reset_at"] = rate.ResetAt,
                    ["upgrade_url"] = upgradeUrl, ["retry_after"] = wait,
                });
        }

        var resetsAt = Counted(d) ? ResetsAt(d) : null;
        var fields = new Dictionary<string, object?>
        {
            ["feature"] = d.Feature,
            ["plan"] = d.Plan,
            ["limit"] = d.Limit,
            ["used"] = d.Used,
            ["remaining"] = d.Remaining,
            ["window_start"] = Counted(d) ? d.WindowStart : null,
            ["resets_at"] = resetsAt,
            ["upgrade_url"] = upgradeUrl,
        };
        if (d.Member is not null)
        {
            fields["customer"] = d.Customer;
            fields["member"] = d.Member;
        }

        if (d.GrantedRemaining is { } granted)
        {
            fields["granted_remaining"] = granted;
        }

        if (d.Budget is { } budget)
        {
            fields["budget_usd"] = Core.Llm.NanoUsdAmount.ToUsd(budget.LimitNano);
            fields["budget_spent_usd"] = Core.Llm.NanoUsdAmount.ToUsd(budget.SpentNano);
            fields["budget_reserved_usd"] = Core.Llm.NanoUsdAmount.ToUsd(budget.ReservedNano);
            fields["budget_granted_remaining_usd"] = Core.Llm.NanoUsdAmount.ToUsd(budget.GrantedRemainingNano);
        }

        if (d.Reason == DecisionReason.SubscriptionInactive)
        {
            return Problems.Create(402, "subscription_inactive",
                $"An active subscription is required to use '{d.Feature}': the subscription is past due and suspended until its invoice is paid.",
                fields);
        }

        if (d.Reason == DecisionReason.FeatureNotInPlan)
        {
            return Problems.Create(402, "feature_not_in_plan", $"The {d.Plan ?? "current"} plan does not include '{d.Feature}'.", fields);
        }

        var error = d.Reason == DecisionReason.BudgetExceeded ? "budget_exceeded" : "quota_exceeded";
        var what = d.Reason == DecisionReason.BudgetExceeded ? "LLM budget" : $"quota of {d.Limit}";
        // A request larger than what is left is refused with some left: say so, rather than that it is used up.
        var state = d.Reason != DecisionReason.BudgetExceeded && d.Remaining is > 0 and var left ? $"has {left} left, less than asked," : "is used up";
        if (resetsAt is not { } reset)
        {
            return Problems.Create(429, error, $"The {what} for '{d.Feature}' {state.TrimEnd(',')}; it does not reset.", fields);
        }

        if (d.Reason == DecisionReason.QuotaExceeded && d.Reserved > 0)
        {
            fields["reserved"] = d.Reserved;
        }

        if (d.Reason == DecisionReason.QuotaExceeded && holdsLapseAt is { } lapse && lapse < reset)
        {
            // Held, not used: a hold is committed, released or lapses within its TTL, so the wait is until the first one
            // lapses, not the window's end (a month of Retry-After to a caller who lost a race).
            var wait = SecondsUntil(lapse, time);
            http.Response.Headers.RetryAfter = wait.ToString(CultureInfo.InvariantCulture);
            fields["retry_after"] = wait;
            return Problems.Create(429, error, $"The {what} for '{d.Feature}' is taken by {d.Used} used and {d.Reserved} held by reservations; " +
                $"the first hold lapses by {lapse:yyyy-MM-dd'T'HH:mm:ss'Z'} unless it is committed first.", fields);
        }

        // The body says it too (retry_after, whole seconds), for clients that read the problem and not the headers.
        var seconds = SecondsUntil(reset, time);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        fields["retry_after"] = seconds;
        return Problems.Create(429, error, $"The {what} for '{d.Feature}' {state} until {reset:yyyy-MM-dd'T'HH:mm:ss'Z'}.", fields);
    }
}
