using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Core.Metrics;
using Tollgate.Core.Money;
using Tollgate.Server.Http;
using Tollgate.Server.Billing;

namespace Tollgate.Server.Metrics;

/// <summary>GET /v1/admin/stats/saas: MRR, its movements, churn, LTV, trial conversion and a monthly series.</summary>
public static class SaasStatsApi
{
    public static RouteGroupBuilder MapSaasStats(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/stats").WithTags("Stats").RequireAuthorization(Policies.Admin);
        group.MapGet("/saas", SaasAsync);
        return group;
    }

    private static async Task<Results<Ok<SaasStatsResponse>, ProblemHttpResult>> SaasAsync(
        string? from, string? to, SubscriptionHistory history, RevenueQueries revenue, IOptions<MetricsOptions> options, ReportingCurrency reporting,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string>();
        var end = Stored(ParseInstant(to, "to", errors), "to", errors) ?? now;
        var start = Stored(ParseInstant(from, "from", errors), "from", errors) ?? DefaultStart(end);
        if (errors.Count == 0 && start >= end)
        {
            errors["to"] = "must be after from"; // as every range of the API names it
        }

        if (errors.Count == 0 && end - start > TimeSpan.FromDays(3660))
        {
            errors["from"] = "the window is at most ten years";
        }

        return errors.Count > 0 ? Problems.Validation(errors) : TypedResults.Ok(await ReadSaasAsync(start, end, history, revenue, options, reporting, cancellationToken));
    }

    // The report steps month by month from the first of from's month to past to: year 1 or 9999 would overflow.
    private static DateTimeOffset? Stored(DateTimeOffset? at, string field, Dictionary<string, string> errors)
    {
        if (at is { } instant && InstantRange.OutsideStoredYears(instant) is { } problem)
        {
            errors[field] = problem;
            return null;
        }

        return at;
    }

    /// <summary>The twelve months up to <paramref name="end"/>, from the first of the month eleven months before.</summary>
    internal static DateTimeOffset DefaultStart(DateTimeOffset end) => new DateTimeOffset(end.Year, end.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-11);

    /// <summary>The report over [<paramref name="start"/>, <paramref name="end"/>): what the endpoint answers and the console's dashboard shows.</summary>
    internal static async Task<SaasStatsResponse> ReadSaasAsync(
        DateTimeOffset start, DateTimeOffset end, SubscriptionHistory history, RevenueQueries revenue, IOptions<MetricsOptions> options,
        ReportingCurrency reporting, CancellationToken cancellationToken)
    {
        var rates = reporting.Rates;
        var policy = options.Value.ToPolicy() with { Currency = rates.Currency };
        var read = await history.WindowAsync(start, end, cancellationToken);
        var states = options.Value.CreditNotesLowerMrr
            ? CreditedMrr.Apply(read.States, await revenue.RecurringCreditsAsync(end, cancellationToken), end)
            : read.States;
        var report = SaasReport.Build(states, policy, start, end, rates);
        var exponent = Currency.Exponent(policy.Currency);
        decimal Money(long twelfths) => Math.Round(twelfths / 12m / MinorUnits.Factor(policy.Currency), exponent, MidpointRounding.AwayFromZero);
        MrrMovements Moves(MrrWindow w) => RoundedMovements(w, Money);
        static decimal? Rate(decimal? r) => r is { } v ? Math.Round(v, 4, MidpointRounding.AwayFromZero) : null;
        var w = report.Window;
        var churnByReason = RoundedChurn(new CurrencyMrr(states, policy, rates).ChurnByReason(start, end, read.Cancellations), Money);
        return new SaasStatsResponse(
            start, end, policy.Currency, Money(w.StartTwelfths), Money(w.EndTwelfths), Money(w.EndTwelfths * 12),
            report.ArpaMinor is { } arpa ? Math.Round(arpa / MinorUnits.Factor(policy.Currency), exponent, MidpointRounding.AwayFromZero) : null,
            w.PayingAtStart, w.PayingAtEnd, Moves(w), w.ChurnedCustomers, Rate(report.LogoChurnRate), Rate(report.GrossMrrChurnRate),
            Rate(report.NetMrrChurnRate),
            report.LtvMinor is { } ltv ? Math.Round(ltv / MinorUnits.Factor(policy.Currency), exponent, MidpointRounding.AwayFromZero) : null,
            report.TrialsEnded, report.TrialsConverted, Rate(report.TrialConversionRate), report.Upgrades, report.Downgrades,
            Rate(report.QuickRatio),
            [.. report.Months.Select(m => new SaasMonth(m.From.ToString("yyyy-MM", CultureInfo.InvariantCulture), Money(m.StartTwelfths),
                Money(m.EndTwelfths), Moves(m), m.PayingAtEnd))],
            new MetricsPolicyResponse(policy.Churn == ChurnRecognition.CancelRequest ? "cancel_request" : "period_end",
                policy.QuickRatioIncludesReactivation),
            churnByReason, rates.Currency, reporting.Configured, report.Unconverted);
    }

    /// <summary>
    /// The movements rounded so that the rounded figures add up: start + movements = end, exactly, as the core's do.
    /// Rounding each movement alone could miss by a cent (a $299/year customer and a new one: 24.92 + 24.92 ≠ 49.83).
    /// </summary>
    internal static MrrMovements RoundedMovements(MrrWindow window, Func<long, decimal> money)
    {
        MovementKind[] order =
            [MovementKind.New, MovementKind.Expansion, MovementKind.Contraction, MovementKind.Churn, MovementKind.Reactivation];
        var steps = new decimal[order.Length];
        var running = window.StartTwelfths;
        for (var i = 0; i < order.Length; i++)
        {
            // Each movement is the step between rounded running totals, so rounding error never accumulates.
            var before = money(running);
            running += window.MovementTwelfths[order[i]];
            steps[i] = money(running) - before;
        }

        return new MrrMovements(steps[0], steps[1], steps[2], steps[3], steps[4]);
    }

    /// <summary>Each reason's lost MRR as a step between rounded running totals, so rounding error never accumulates over the reasons.</summary>
    internal static IReadOnlyList<ChurnReasonResponse> RoundedChurn(IReadOnlyList<ChurnByReason> reasons, Func<long, decimal> money)
    {
        var running = 0L;
        var rounded = new List<ChurnReasonResponse>(reasons.Count);
        foreach (var r in reasons)
        {
            var before = money(running);
            running += r.LostTwelfths;
            rounded.Add(new ChurnReasonResponse(r.Reason, r.Customers, money(running) - before));
        }

        return rounded;
    }

    internal static DateTimeOffset? ParseInstant(string? text, string field, Dictionary<string, string> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var day))
        {
            return day.ToUniversalTime();
        }

        // A time of day must say its zone, as in lists and bodies; an instant whose UTC falls outside the calendar does not parse.
        if (text.Contains('T') && !InstantRange.HasTimeWithoutZone(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return instant;
        }

        errors[field] = "must be a date (2026-01-31) or an ISO 8601 instant with Z or an offset (2026-01-31T00:00:00Z)";
        return null;
    }
}
