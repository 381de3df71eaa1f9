using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;
using Tollgate.Server.Grants;

namespace Tollgate.Server.Entitlements;

/// <summary>What a customer's plan gives them this period: per-feature usage and the entitlement list, under /v1/customers.</summary>
public static class CustomerEntitlementsApi
{
    public static RouteGroupBuilder MapCustomerEntitlements(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/customers").WithTags("Customers").RequireAuthorization(Policies.Secret);
        group.MapGet("/{id}/usage", UsageAsync);
        group.MapGet("/{id}/entitlements", EntitlementsAsync);
        return group;
    }

    private static async Task<Results<Ok<UsageResponse>, ProblemHttpResult>> UsageAsync(
        string id, string? at, UsageQueries usage, CatalogCache catalog, CreditGrantStore grants, CancellationToken cancellationToken)
    {
        var errors = InstantRange.TryParse(at, null, 0, out var instant);
        if (errors.Remove("from", out var problem))
        {
            return Problems.Validation("at", problem);
        }

        var period = await usage.PeriodAtAsync(id, instant.From, cancellationToken);
        if (period is null)
        {
            return Problems.NotFound("customer", id);
        }

        var granted = await grants.RemainingAsync(period.Context.CustomerId, cancellationToken);
        var features = new Dictionary<string, FeatureUsage>(StringComparer.Ordinal);
        var snapshot = await catalog.GetAsync(cancellationToken);
        foreach (var feature in snapshot.Features.Where(f => f.Kind == FeatureKind.Metered))
        {
            var decision = EntitlementMapper.Describe(period, feature.Code);
            features[feature.Code] = new FeatureUsage(decision.Limit, decision.Used, decision.Remaining, decision.Unlimited,
                decision.HardCap, decision.Overage, decision.Reserved, decision.WindowStart, EntitlementMapper.ResetsAt(decision),
                granted.GetValueOrDefault(feature.Code), await GroupsAsync(usage, period, feature.Code, snapshot, cancellationToken));
        }

        var context = period.Context;
        return TypedResults.Ok(new UsageResponse(context.CustomerId, context.PlanCode, context.Period.Start, context.Period.End, features));
    }

    /// <summary>A grouped metric's used per group; null for any other feature, so the usage of others is read as before.</summary>
    private static async Task<IReadOnlyList<MetricGroupUsage>?> GroupsAsync(
        UsageQueries usage, PeriodUsage period, string feature, CatalogSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (period.Context.Grant(feature)?.Metric is not { } code || snapshot.Metric(code) is not { GroupBy.Count: > 0 } metric)
        {
            return null;
        }

        var groups = await usage.MetricGroupsAsync(period, feature, metric, cancellationToken);
        return [.. groups.Select(g => new MetricGroupUsage(JsonSerializer.Deserialize<JsonElement>(g.Group), g.Used))];
    }

    private static async Task<Results<Ok<EntitlementsResponse>, ProblemHttpResult>> EntitlementsAsync(
        string id, UsageQueries usage, CatalogCache catalog, CreditGrantStore grants, CancellationToken cancellationToken)
    {
        var period = await usage.CurrentPeriodAsync(id, cancellationToken);
        if (period is null)
        {
            return Problems.NotFound("customer", id);
        }

        var granted = await grants.RemainingAsync(period.Context.CustomerId, cancellationToken);
        var list = (await catalog.GetAsync(cancellationToken)).Features.Select(feature =>
        {
            var decision = EntitlementMapper.Describe(period, feature.Code);
            var metered = feature.Kind == FeatureKind.Metered;
            var grantLeft = metered ? granted.GetValueOrDefault(feature.Code) : (long?)null;
            var included = decision.Reason != Core.Entitlements.DecisionReason.FeatureNotInPlan;
            return new FeatureEntitlement(
                feature.Code, feature.Name, feature.Kind.ToString().ToLowerInvariant(),
                metered ? decision.Allowed || (included && grantLeft > 0) : included,
                metered ? decision.Limit : null,
                metered ? decision.Used : null,
                metered ? decision.Remaining : null,
                metered && decision.Unlimited,
                feature.Kind == FeatureKind.Value && decision.ValueJson is { } v ? JsonSerializer.Deserialize<JsonElement>(v) : null,
                metered ? decision.WindowStart : null,
                metered ? EntitlementMapper.ResetsAt(decision) : null,
                grantLeft);
        }).ToList();
        var context = period.Context;
        return TypedResults.Ok(new EntitlementsResponse(context.CustomerId, context.PlanCode, context.Period.Start, context.Period.End, list));
    }
}
