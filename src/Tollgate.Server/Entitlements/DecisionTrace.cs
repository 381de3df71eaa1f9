using System.Diagnostics;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// Adds a decision to the request's span when one is being recorded: the feature and the reason, never the customer (an
/// id the app chose, which may be an e-mail address). Without tracing there is no span and this costs a null check.
/// </summary>
public static class DecisionTrace
{
    public static void Tag(string feature, string reason, bool replayed)
    {
        // ASP.NET Core makes an activity for each request even with no tracing; only a sampled one (Recorded) is exported.
        if (Activity.Current is not { Recorded: true } span)
        {
            return;
        }

        span.SetTag("tollgate.feature", feature);
        span.SetTag("tollgate.decision.reason", reason);
        if (replayed)
        {
            span.SetTag("tollgate.decision.replayed", true);
        }
    }
}
