using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Client.Contracts;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Hosting;
using Tollgate.Storage.Usage;

namespace Tollgate.Server.Entitlements;

/// <summary>Maps decisions to the wire: 200 with the counter, or the 429/402 problem an app can show its user.</summary>
public static class EntitlementMapper
{
    public static EntitlementResponse ToWire(EntitlementDecision d) => new(
        d.Allowed, d.Reason.ToWire(), d.Feature, d.Plan, d.Limit, d.Used, d.Remaining, d.Unlimited, d.ResetsAt, d.HardCap, d.Overage,
        d.Reserved, d.ValueJson is { } v ? JsonSerializer.Deserialize<JsonElement>(v) : null);

    /// <summary>The decision a check of one unit would give, for listings.</summary>
    public static EntitlementDecision Describe(PeriodUsage usage, string feature)
    {
        var grant = usage.Context.Grant(feature);
        var counter = usage.Counter(feature);
        return EntitlementDecision.From(QuotaRules.Check(grant, counter, 1), feature, usage.Context, grant, counter);
    }

    /// <summary>The problem for a denial, carrying what the customer needs to see and Retry-After for quota limits.</summary>
    public static ProblemHttpResult Denied(HttpContext http, EntitlementDecision d, string upgradeUrl, TimeProvider time)
    {
        var fields = new Dictionary<string, object?>
        {
            ["feature"] = d.Feature,
            ["plan"] = d.Plan,
            ["limit"] = d.Limit,
            ["used"] = d.Used,
            ["remaining"] = d.Remaining,
            ["resets_at"] = d.ResetsAt,
            ["upgrade_url"] = upgradeUrl,
        };
        if (d.Budget is { } budget)
        {
            fields["budget_usd"] = Core.Llm.NanoUsdAmount.ToUsd(budget.LimitNano);
            fields["budget_spent_usd"] = Core.Llm.NanoUsdAmount.ToUsd(budget.SpentNano);
            fields["budget_reserved_usd"] = Core.Llm.NanoUsdAmount.ToUsd(budget.ReservedNano);
        }

        if (d.Reason == DecisionReason.FeatureNotInPlan)
        {
            return Problems.Create(402, "feature_not_in_plan", $"The {d.Plan ?? "current"} plan does not include '{d.Feature}'.", fields);
        }

        var seconds = Math.Max(1, (long)Math.Ceiling((d.ResetsAt - time.GetUtcNow()).TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var error = d.Reason == DecisionReason.BudgetExceeded ? "budget_exceeded" : "quota_exceeded";
        var what = d.Reason == DecisionReason.BudgetExceeded ? "LLM budget" : $"quota of {d.Limit}";
        return Problems.Create(429, error, $"The {what} for '{d.Feature}' is used up until {d.ResetsAt:yyyy-MM-dd'T'HH:mm:ss'Z'}.", fields);
    }
}
