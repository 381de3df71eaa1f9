using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.History;

/// <summary>Usage over time from the daily rollup: one customer's series, and totals across customers.</summary>
public static class HistoryApi
{
    private const int MaxDays = 366;
    private const int MaxMonthDays = 1096;

    public static IEndpointRouteBuilder MapUsageHistory(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/customers/{id}/usage/history", CustomerAsync).WithTags("Customers").RequireAuthorization(Policies.Secret)
            .TakesQueryValues("granularity", [UsageSeries.Day, UsageSeries.Month]);
        app.MapGet("/v1/admin/usage/daily", DailyAsync).WithTags("Usage").RequireAuthorization(Policies.Admin);
        return app;
    }

    /// <summary>from and to are UTC days, both included; by default the last 30 days (or 12 months) up to today.</summary>
    private static async Task<Results<Ok<UsageHistoryResponse>, ProblemHttpResult>> CustomerAsync(
        string id, string? feature, string? from, string? to, string? granularity, CustomerStore customers, UsageHistory history, CatalogCache catalog,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var unit = granularity ?? UsageSeries.Day;
        if (unit is not (UsageSeries.Day or UsageSeries.Month))
        {
            return Problems.Validation("granularity", "must be day or month");
        }

        if ((Days(from, to, unit == UsageSeries.Month ? MaxMonthDays : MaxDays, unit, time, out var first, out var last)
                ?? await UnknownFeatureAsync(feature, catalog, cancellationToken)) is { } problem)
        {
            return problem;
        }

        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("customer", id);
        }

        first = UsageSeries.Start(first, unit); // a month series starts on the 1st, so its first point covers the whole month
        var rows = await history.DailyAsync(id, feature, first, last, cancellationToken);
        var features = feature is null ? await MeteredAsync(catalog, cancellationToken) : [feature];
        return TypedResults.Ok(new UsageHistoryResponse(id, unit, first, last, UsageSeries.Fill(features, rows, first, last, unit)));
    }

    private static async Task<Results<Ok<DailyUsageResponse>, ProblemHttpResult>> DailyAsync(
        string? feature, string? from, string? to, UsageHistory history, CatalogCache catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        if ((Days(from, to, MaxDays, UsageSeries.Day, time, out var first, out var last)
                ?? await UnknownFeatureAsync(feature, catalog, cancellationToken)) is { } problem)
        {
            return problem;
        }

        var rows = await history.DailyAsync(null, feature, first, last, cancellationToken);
        var features = feature is null ? await MeteredAsync(catalog, cancellationToken) : [feature];
        return TypedResults.Ok(new DailyUsageResponse(first, last, UsageSeries.FillDaily(features, rows, first, last)));
    }

    // A code the catalog never had would answer a series of zeros, which reads as "no usage" rather than "no such feature".
    private static async Task<ProblemHttpResult?> UnknownFeatureAsync(string? feature, CatalogCache catalog, CancellationToken cancellationToken) =>
        feature is not null && !(await catalog.GetAsync(cancellationToken)).Features.Any(f => f.Code == feature)
            ? Problems.Validation("feature", "is not a feature of the catalog (unknown feature code)")
            : null;

    private static async Task<IReadOnlyList<string>> MeteredAsync(CatalogCache catalog, CancellationToken cancellationToken) =>
        [.. (await catalog.GetAsync(cancellationToken)).Features.Where(f => f.Kind == FeatureKind.Metered).Select(f => f.Code)];

    /// <summary>The range's first and last day, or a 400 naming from or to when either is unreadable, reversed or too long.</summary>
    private static ProblemHttpResult? Days(string? from, string? to, int maxDays, string unit, TimeProvider time, out DateOnly first, out DateOnly last)
    {
        var errors = InstantRange.TryParse(from, to, maxDays, out var range);
        last = DateOnly.FromDateTime((range.To ?? time.GetUtcNow()).UtcDateTime);
        first = range.From is { } f ? DateOnly.FromDateTime(f.UtcDateTime) : unit == UsageSeries.Month ? last.AddMonths(-11) : last.AddDays(-29);
        if (errors.Count == 0 && first > last)
        {
            errors[range.From is null ? "to" : "from"] = "must not be after to";
        }
        else if (errors.Count == 0 && last.DayNumber - first.DayNumber >= maxDays)
        {
            errors[range.From is null ? "to" : "from"] = $"must be at most {maxDays} days before to";
        }

        return errors.Count > 0 ? Problems.Validation(errors) : null;
    }
}
