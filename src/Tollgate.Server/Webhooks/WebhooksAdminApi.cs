using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Client.Contracts;
using Tollgate.Server.Auth;
using Tollgate.Server.Hosting;
using Tollgate.Storage.Webhooks;

namespace Tollgate.Server.Webhooks;

/// <summary>Outbound webhooks (admin key): endpoints, the delivery log, and replay.</summary>
public static class WebhooksAdminApi
{
    private const int MaxListed = 200;
    private static readonly string[] Statuses = ["pending", "succeeded", "dead", "canceled"];

    public static RouteGroupBuilder MapWebhooksAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.Admin);
        group.MapPost("/endpoints", CreateAsync);
        group.MapGet("/endpoints", async (WebhookStore store, CancellationToken ct) =>
            TypedResults.Ok(new WebhookEndpointListResponse([.. (await store.ListEndpointsAsync(ct)).Select(e => ToWire(e, withSecret: false))])));
        group.MapGet("/endpoints/{id}", async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> (string id, WebhookStore store,
            CancellationToken ct) => await store.GetEndpointAsync(id, ct) is { } e ? TypedResults.Ok(ToWire(e, withSecret: true)) : Problems.NotFound("endpoint", id));
        group.MapDelete("/endpoints/{id}", DeleteAsync);
        group.MapGet("/deliveries", ListDeliveriesAsync);
        group.MapGet("/deliveries/{id}", GetDeliveryAsync);
        group.MapPost("/deliveries/{id}/replay", ReplayAsync);
        return group;
    }

    private static async Task<Results<Created<WebhookEndpointResponse>, ProblemHttpResult>> CreateAsync(
        CreateWebhookEndpointRequest request, WebhookStore store, IOptions<WebhookOptions> options, CancellationToken cancellationToken)
    {
        var events = (request.Events ?? []).Where(e => e != "*").Distinct(StringComparer.Ordinal).ToList();
        var unknown = events.FirstOrDefault(e => !WebhookEventTypes.All.Contains(e, StringComparer.Ordinal));
        var errors = Validate.Errors(
            ("url", await WebhookTargets.CheckAsync(request.Url, options.Value.AllowPrivateTargets, cancellationToken)),
            ("description", request.Description is { Length: > 500 } ? "must be at most 500 characters" : null),
            ("events", unknown is null ? null : $"'{unknown}' is not an event type; known: {string.Join(", ", WebhookEventTypes.All)}"));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var endpoint = await store.CreateEndpointAsync(request.Url, request.Description, events, cancellationToken);
        return TypedResults.Created($"/v1/admin/webhooks/endpoints/{endpoint.Id}", ToWire(endpoint, withSecret: true));
    }

    private static async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> DeleteAsync(
        string id, WebhookStore store, CancellationToken cancellationToken)
    {
        if (!await store.DisableEndpointAsync(id, cancellationToken))
        {
            return Problems.NotFound("endpoint", id);
        }

        return TypedResults.Ok(ToWire((await store.GetEndpointAsync(id, cancellationToken))!, withSecret: false));
    }

    private static async Task<Results<Ok<WebhookDeliveryListResponse>, ProblemHttpResult>> ListDeliveriesAsync(
        string? endpoint, string? status, int? limit, WebhookStore store, CancellationToken cancellationToken)
    {
        var errors = Validate.Errors(
            ("status", status is null || Statuses.Contains(status, StringComparer.Ordinal) ? null : $"must be one of {string.Join(", ", Statuses)}"),
            ("limit", limit is null or (>= 1 and <= MaxListed) ? null : $"must be from 1 to {MaxListed}"));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var list = await store.ListDeliveriesAsync(endpoint, status, limit ?? 50, cancellationToken);
        return TypedResults.Ok(new WebhookDeliveryListResponse([.. list.Select(d => ToWire(d))]));
    }

    private static async Task<Results<Ok<WebhookDeliveryResponse>, ProblemHttpResult>> GetDeliveryAsync(
        string id, WebhookStore store, CancellationToken cancellationToken)
    {
        if (await store.GetDeliveryAsync(id, cancellationToken) is not { } found)
        {
            return Problems.NotFound("delivery", id);
        }

        return TypedResults.Ok(ToWire(found.Delivery) with
        {
            Payload = found.Payload,
            AttemptLog = [.. found.Attempts.Select(a => new WebhookAttemptResponse(a.Attempt, a.At, a.StatusCode, a.Error, a.DurationMs))],
        });
    }

    private static async Task<Results<Created<WebhookDeliveryResponse>, ProblemHttpResult>> ReplayAsync(
        string id, WebhookStore store, CancellationToken cancellationToken)
    {
        var (replay, disabled) = await store.ReplayAsync(id, cancellationToken);
        if (replay is null)
        {
            return disabled
                ? Problems.Create(409, "endpoint_disabled", "The delivery's endpoint is disabled; add the endpoint again to send to it.")
                : Problems.NotFound("delivery", id);
        }

        var created = await store.GetDeliveryAsync(replay, cancellationToken);
        return TypedResults.Created($"/v1/admin/webhooks/deliveries/{replay}", ToWire(created!.Value.Delivery));
    }

    private static WebhookEndpointResponse ToWire(WebhookEndpoint e, bool withSecret) =>
        new(e.Id, e.Url, e.Description, e.EventTypes, e.Enabled, withSecret ? e.Secret : null, e.CreatedAt);

    private static WebhookDeliveryResponse ToWire(WebhookDelivery d) => new(d.Id, d.EventId, d.EventType, d.EndpointId, d.Url, d.Status, d.Attempts,
        d.NextAttemptAt, d.LastAttemptAt, d.LastStatus, d.LastError, d.SucceededAt, d.CreatedAt);
}
