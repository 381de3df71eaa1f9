using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Alerts;
using Tollgate.Server.Http;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Alerts;

/// <summary>Usage alerts: a customer's list (all or unread) and marking one read.</summary>
public static class AlertsApi
{
    public static RouteGroupBuilder MapAlerts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Alerts").RequireAuthorization(Policies.Secret);
        group.MapGet("/customers/{id}/alerts", ListAsync);
        group.MapPost("/alerts/{id}/read", ReadAsync);
        return group;
    }

    private static async Task<Results<Ok<ListResponse<AlertResponse>>, ProblemHttpResult>> ListAsync(
        string id, bool? unread, string? limit, string? cursor, CustomerStore customers, AlertStore alerts, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("alerts", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("customer", id);
        }

        return TypedResults.Ok(Lists.ToWire(await alerts.PageAsync(id, unread ?? false, page, cancellationToken), ToWire));
    }

    private static async Task<Results<Ok<AlertResponse>, ProblemHttpResult>> ReadAsync(string id, AlertStore alerts, CancellationToken cancellationToken) =>
        await alerts.MarkReadAsync(id, null, cancellationToken) is { } alert ? TypedResults.Ok(ToWire(alert)) : Problems.NotFound("alert", id);

    public static AlertResponse ToWire(UsageAlert a) => new(a.Id, a.CustomerId, a.FeatureCode, a.Kind.ToString().ToLowerInvariant(),
        a.Threshold, a.Severity.ToString().ToLowerInvariant(), a.Used, a.Limit, a.Message, a.PeriodStart, a.PeriodEnd, a.ProjectedAt, a.CreatedAt,
        a.ReadAt);
}
