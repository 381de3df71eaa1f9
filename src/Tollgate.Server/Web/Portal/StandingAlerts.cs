using Tollgate.Core.Alerts;
using Tollgate.Core.Entitlements;

namespace Tollgate.Server.Web.Portal;

/// <summary>
/// The unread alerts that still hold for the customer now. An alert says what was true when it fired; after an upgrade
/// ("You have reached your limit of 10" on a plan that now gives 100) or once its window has passed, it would only
/// mislead, so the portal shows an alert only while its own window is the feature's current one and it is still true
/// under the current plan's limit. The alert stays stored and listed by the API.
/// </summary>
public static class StandingAlerts
{
    public static IReadOnlyList<UsageAlert> Of(PortalView view) => [.. view.Alerts.Where(a => Holds(a, view))];

    private static bool Holds(UsageAlert alert, PortalView view)
    {
        if (alert.FeatureCode == LlmBudget.FeatureCode)
        {
            return view.Budget is { LimitNano: > 0 } budget && alert.PeriodStart == LlmBudget.Window(view.Usage.Context).Start
                && Reached(budget.SpentNano, budget.LimitNano, alert.Threshold);
        }

        var context = view.Usage.Context;
        if (context.Grant(alert.FeatureCode) is not { IsIncluded: true } grant
            || (view.Usage.StoredWindow(alert.FeatureCode) ?? context.Window(grant)).Start != alert.PeriodStart)
        {
            return false;
        }

        var counter = view.Usage.Counter(alert.FeatureCode);
        if (QuotaRules.Limit(grant, counter.CarriedIn) is not { } limit || limit <= 0)
        {
            return false; // unlimited now
        }

        return alert.Kind switch
        {
            AlertKind.Threshold => Reached(counter.Used, limit, alert.Threshold),
            // A hard cap is reached when used up; a soft cap is exceeded once use goes past it, as the alert fired.
            AlertKind.Exceeded => QuotaRules.Enforced(grant) ? counter.Used >= limit : counter.Used > limit,
            // A projection was made against its limit; under another one it says nothing about this plan.
            _ => limit == alert.Limit && counter.Used < limit,
        };
    }

    /// <summary>Whether <paramref name="used"/> is at least <paramref name="threshold"/> percent of <paramref name="limit"/>, exactly.</summary>
    private static bool Reached(long used, long limit, int threshold) => (Int128)used * 100 >= (Int128)threshold * limit;
}
