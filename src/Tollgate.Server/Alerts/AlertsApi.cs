using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Client.Contracts;
using Tollgate.Core.Alerts;
using Tollgate.Server.Auth;
using Tollgate.Server.Hosting;
using Tollgate.Storage.Alerts;
using Tollgate.Storage.Customers;

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

    private static async Task<Results<Ok<AlertListResponse>, ProblemHttpResult>> ListAsync(
        string id, bool? unread, int? limit, ICustomerStore customers, AlertStore alerts, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > AlertStore.MaxListed)
        {
            return Problems.Validation("limit", $"must be from 1 to {AlertStore.MaxListed}");
        }

        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("customer", id);
        }

        var list = await alerts.ListAsync(id, unread ?? false, limit ?? 50, cancellationToken);
        return TypedResults.Ok(new AlertListResponse([.. list.Select(ToWire)]));
    }

    private static async Task<Results<Ok<AlertResponse>, ProblemHttpResult>> ReadAsync(string id, AlertStore alerts, CancellationToken cancellationToken) =>
        await alerts.MarkReadAsync(id, null, cancellationToken) is { } alert ? TypedResults.Ok(ToWire(alert)) : Problems.NotFound("alert", id);

    public static AlertResponse ToWire(UsageAlert a) => new(a.Id, a.CustomerId, a.FeatureCode, a.Kind.ToString().ToLowerInvariant(),
        a.Threshold, a.Severity.ToString().ToLowerInvariant(), a.Used, a.Limit, a.Message, a.PeriodStart, a.PeriodEnd, a.ProjectedAt, a.CreatedAt,
        a.ReadAt);
}
