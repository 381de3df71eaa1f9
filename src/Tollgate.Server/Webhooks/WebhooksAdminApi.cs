using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Server.Http;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Webhooks;

/// <summary>Outbound webhooks (admin key): endpoints, the delivery log, and replay.</summary>
public static class WebhooksAdminApi
{
    private static readonly string[] Statuses = ["pending", "succeeded", "dead", "canceled"];

    public static RouteGroupBuilder MapWebhooksAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin").WithTags("Webhooks").RequireAuthorization(Policies.Admin);
        group.MapPost("/webhook-endpoints", CreateAsync);
        group.MapGet("/webhook-endpoints", ListEndpointsAsync);
        group.MapGet("/webhook-endpoints/{id}", async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> (string id, WebhookStore store,
            CancellationToken ct) => await store.GetEndpointAsync(id, ct) is { } e ? TypedResults.Ok(ToWire(e, withSecret: false)) : Problems.NotFound("endpoint", id));
        group.MapPost("/webhook-endpoints/{id}/disable", (string id, WebhookStore store, CancellationToken ct) =>
            ChangeAsync(id, store, store.DisableEndpointAsync(id, ct), ct));
        group.MapPost("/webhook-endpoints/{id}/enable", (string id, WebhookStore store, CancellationToken ct) =>
            ChangeAsync(id, store, store.EnableEndpointAsync(id, ct), ct));
        group.MapDelete("/webhook-endpoints/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, WebhookStore store, CancellationToken ct) =>
            await store.DeleteEndpointAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound("endpoint", id));
        group.MapPost("/webhook-endpoints/{id}/test", TestAsync).ProducesProblems(409);
        group.MapPost("/webhook-endpoints/{id}/rotate-secret", RotateSecretAsync);
        group.MapGet("/webhook-deliveries", ListDeliveriesAsync).TakesQueryValues("status", Statuses);
        group.MapGet("/webhook-deliveries/{id}", GetDeliveryAsync);
        group.MapPost("/webhook-deliveries/{id}/replay", ReplayAsync).ProducesProblems(409);
        return group;
    }

    private static async Task<Results<Created<WebhookEndpointResponse>, ProblemHttpResult>> CreateAsync(
        CreateWebhookEndpointRequest request, WebhookStore store, IOptions<WebhookOptions> options, CancellationToken cancellationToken)
    {
        var events = (request.Events ?? []).Where(e => e != "*").Distinct(StringComparer.Ordinal).ToList();
        // By position, not by value: a null in the list was its own "not found" and passed, and an endpoint with no
        // event types left takes every event.
        var unknown = events.FindIndex(e => e is null || !WebhookEventTypes.All.Contains(e, StringComparer.Ordinal)) is var at and >= 0
            ? events[at] is { } name ? $"'{name}' is not an event type; known: {string.Join(", ", WebhookEventTypes.All)}" : "must hold event types, not null"
            : null;
        var scheme = request.SignatureScheme ?? WebhookSchemes.Tollgate;
        var schemeError = WebhookSchemes.All.Contains(scheme, StringComparer.Ordinal) ? null : $"must be one of {string.Join(", ", WebhookSchemes.All)}";
        var errors = Validate.Errors(
            ("signature_scheme", schemeError),
            ("url", await WebhookTargets.CheckAsync(request.Url, options.Value.AllowPrivateTargets, cancellationToken)),
            ("description", request.Description is { Length: > 500 } ? "must be at most 500 characters" : null),
            ("events", unknown),
            ("secret", SecretProblem(scheme, request.Secret)));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var endpoint = await store.CreateEndpointAsync(request.Url, request.Description, events, cancellationToken, request.Secret, scheme);
        return TypedResults.Created($"/v1/admin/webhook-endpoints/{endpoint.Id}", ToWire(endpoint, withSecret: true));
    }

    /// <summary>A new signing secret (given, or made in the endpoint's scheme); the old one signs beside it for the grace asked.</summary>
    private static async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> RotateSecretAsync(
        string id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] RotateWebhookSecretRequest? request, WebhookStore store,
        TollgateDatabase database, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await store.GetEndpointAsync(id, cancellationToken) is not { } endpoint)
        {
            return Problems.NotFound("endpoint", id);
        }

        var hours = request?.PreviousSecretExpiresInHours;
        var errors = Validate.Errors(
            ("previous_secret_expires_in_hours", hours is null or (>= 0 and <= WebhookSecretRotation.MaxGraceHours)
                ? null : $"must be 0 (the old secret stops at once) to {WebhookSecretRotation.MaxGraceHours} hours"),
            ("secret", SecretProblem(endpoint.SignatureScheme, request?.Secret)
                ?? (request?.Secret == endpoint.Secret ? "must differ from the endpoint's current secret" : null)));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var grace = hours is { } h ? TimeSpan.FromHours(h) : WebhookSecretRotation.DefaultGrace;
        var secret = request?.Secret ?? WebhookSchemes.NewSecret(endpoint.SignatureScheme);
        return await WebhookSecretRotation.RotateAsync(database, time, id, secret, grace, cancellationToken)
            && await store.GetEndpointAsync(id, cancellationToken) is { } rotated
            ? TypedResults.Ok(ToWire(rotated, withSecret: true))
            : Problems.NotFound("endpoint", id);
    }

    private static async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> ChangeAsync(
        string id, WebhookStore store, Task<bool> change, CancellationToken cancellationToken) =>
        await change && await store.GetEndpointAsync(id, cancellationToken) is { } endpoint
            ? TypedResults.Ok(ToWire(endpoint, withSecret: false))
            : Problems.NotFound("endpoint", id);

    /// <summary>Endpoints oldest first; there are few, so the page is cut from the whole list by the same keyset rule.</summary>
    private static async Task<Results<Ok<ListResponse<WebhookEndpointResponse>>, ProblemHttpResult>> ListEndpointsAsync(
        string? limit, string? cursor, WebhookStore store, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("webhook_endpoints", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        var all = await store.ListEndpointsAsync(cancellationToken);
        return TypedResults.Ok(Lists.ToWire(Keyset.Walk(all, page, e => new Cursor(e.CreatedAt.ToUnixTimeMilliseconds(), e.Id), descending: false),
            e => ToWire(e, withSecret: false)));
    }

    private static async Task<Results<Ok<ListResponse<WebhookDeliveryResponse>>, ProblemHttpResult>> ListDeliveriesAsync(
        string? endpoint, string? status, string? limit, string? cursor, WebhookStore store, CancellationToken cancellationToken)
    {
        if (status is not null && !Statuses.Contains(status, StringComparer.Ordinal))
        {
            return Problems.Validation("status", $"must be one of {string.Join(", ", Statuses)}");
        }

        if (!Lists.TryRead("webhook_deliveries", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        var list = await store.ListDeliveriesAsync(endpoint, status, page, cancellationToken);
        return TypedResults.Ok(Lists.ToWire(list, d => ToWire(d)));
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
                ? Problems.Create(409, "endpoint_disabled", "The delivery's endpoint is disabled or deleted; enable it (POST /v1/admin/webhook-endpoints/{id}/enable) or add it again to send to it.")
                : Problems.NotFound("delivery", id);
        }

        var created = await store.GetDeliveryAsync(replay, cancellationToken);
        return TypedResults.Created($"/v1/admin/webhook-deliveries/{replay}", ToWire(created!.Value.Delivery));
    }

    /// <summary>Sends the endpoint a signed webhook.test event through the outbox, whatever types it takes; answers the delivery to watch.</summary>
    private static async Task<Results<Created<WebhookDeliveryResponse>, ProblemHttpResult>> TestAsync(
        string id, WebhookStore store, TollgateDatabase database, TimeProvider time, CancellationToken cancellationToken)
    {
        var (delivery, disabled) = await WebhookTestEvents.EnqueueAsync(database, id, time, cancellationToken);
        if (delivery is null)
        {
            return disabled
                ? Problems.Create(409, "endpoint_disabled", "The endpoint is disabled; enable it (POST /v1/admin/webhook-endpoints/{id}/enable) to send it a test event.")
                : Problems.NotFound("endpoint", id);
        }

        var created = await store.GetDeliveryAsync(delivery, cancellationToken);
        return TypedResults.Created($"/v1/admin/webhook-deliveries/{delivery}", ToWire(created!.Value.Delivery));
    }

    /// <summary>
    /// What is wrong with a secret the caller chose, in the endpoint's scheme; null when it is fine or none was given. A
    /// standard secret is the key's bytes in base64 after whsec_, as Standard Webhooks verifiers decode it.
    /// </summary>
    private static string? SecretProblem(string scheme, string? secret) =>
        secret is null ? null
        : secret.Length is < 16 or > 256 || secret.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) ? "must be 16 to 256 printable characters without spaces"
        : scheme == WebhookSchemes.Standard && WebhookSchemes.StandardKey(secret) is null ? "for the standard scheme, must be whsec_ followed by the base64 of 24 to 64 bytes"
        : null;

    private static WebhookEndpointResponse ToWire(WebhookEndpoint e, bool withSecret) =>
        new(e.Id, e.Url, e.Description, e.EventTypes, e.Enabled, withSecret ? e.Secret : null, e.CreatedAt, e.SignatureScheme, e.PreviousSecretExpiresAt);

    private static WebhookDeliveryResponse ToWire(WebhookDelivery d) => new(d.Id, d.EventId, d.EventType, d.EndpointId, d.Url, d.Status, d.Attempts,
        d.NextAttemptAt, d.LastAttemptAt, d.LastStatus, d.LastError, d.SucceededAt, d.CreatedAt);
}
