using Microsoft.Extensions.Options;
using Tollgate.Server.Webhooks;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Web.Admin;

/// <summary>The console's webhooks: endpoints (add, disable, enable, delete), the delivery log with each delivery's state, and replay.</summary>
public static class AdminWebhooks
{
    public static RouteGroupBuilder MapAdminWebhooks(this RouteGroupBuilder group)
    {
        group.MapGet("/webhooks", PageAsync);
        group.MapPost("/webhooks/endpoints", AddAsync);
        // The action is checked in the handler, not by a regex route constraint: that compiled a regex at every host's start.
        group.MapPost("/webhooks/endpoints/{id}/{action}", ChangeAsync);
        group.MapGet("/webhooks/endpoints/{id}/delete", ConfirmDeleteAsync);
        group.MapPost("/webhooks/endpoints/{id}/test", TestAsync);
        group.MapPost("/webhooks/deliveries/{id}/replay", ReplayAsync);
        return group;
    }

    private static async Task<IResult> PageAsync(HttpContext http, string? done, string? status, AdminData data, WebhookStore store,
        CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        // An unknown status is refused, as the other console lists refuse a bad filter, rather than showing every delivery.
        var filter = FormText.Blank(status);
        if (filter is not (null or "pending" or "succeeded" or "dead" or "canceled"))
        {
            return PageResults.Message(http, 400, "No such status", $"Status: '{filter}' is not one of pending, succeeded, dead and canceled.");
        }

        return AdminLayout.Page<WebhooksPage>(http, new
        {
            User = user,
            data.Product,
            Done = done switch
            {
                null => null,
                "added" => "The endpoint was added.",
                "disable" => "The endpoint was disabled; its pending deliveries were canceled.",
                "enable" => "The endpoint was enabled.",
                "delete" => "The endpoint was deleted; its deliveries stay in the log.",
                "tested" => "A test event was queued; its delivery is listed below.",
                _ => "The delivery was queued again.",
            },
            Status = filter,
            Endpoints = await store.ListEndpointsAsync(cancellationToken),
            Deliveries = (await store.ListDeliveriesAsync(null, filter, new PageRequest(PageRequest.MaxLimit, null), cancellationToken)).Items,
        });
    }

    private static async Task<IResult> AddAsync(HttpContext http, AdminData data, WebhookStore store, IOptions<WebhookOptions> options,
        CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is not { } posted)
        {
            return AdminLayout.SignIn();
        }

        var url = posted.Form["url"].ToString().Trim();
        var events = posted.Form["events"].Select(e => e ?? "").ToList();
        // An event Tollgate does not send is refused, as the API refuses it: the list must not silently shrink, least
        // of all to empty, which subscribes the endpoint to every event.
        if (events.FirstOrDefault(e => !WebhookEventTypes.All.Contains(e, StringComparer.Ordinal)) is { } unknown)
        {
            return PageResults.Message(http, 400, "The endpoint was not added", $"Events: '{unknown}' is not an event Tollgate sends.");
        }

        if (await WebhookTargets.CheckAsync(url, options.Value.AllowPrivateTargets, cancellationToken) is { } problem)
        {
            return PageResults.Message(http, 400, "The endpoint was not added", $"URL: {problem}.");
        }

        var description = posted.Form["description"].ToString();
        var endpoint = await store.CreateEndpointAsync(url, description.Length == 0 ? null : description[..Math.Min(500, description.Length)], events,
            cancellationToken);
        return AdminLayout.Page<EndpointAddedPage>(http, new { posted.User, data.Product, endpoint.Url, endpoint.Secret });
    }

    // Deleting cannot be undone, so it asks first; disabling can, so it does not.
    private static async Task<IResult> ConfirmDeleteAsync(string id, HttpContext http, AdminData data, WebhookStore store, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        if (await store.GetEndpointAsync(id, cancellationToken) is not { } endpoint)
        {
            return PageResults.Message(http, 404, "No such endpoint", $"There is no endpoint '{id}'.");
        }

        return AdminLayout.Page<ConfirmDeletePage>(http, new { User = user, data.Product, Endpoint = endpoint });
    }

    private static async Task<IResult> ChangeAsync(string id, string action, HttpContext http, AdminData data, WebhookStore store,
        CancellationToken cancellationToken)
    {
        if (action is not ("disable" or "enable" or "delete"))
        {
            return Results.NotFound();
        }

        if (await data.Session.PostedAsync(http, cancellationToken) is null)
        {
            return AdminLayout.SignIn();
        }

        var changed = action switch
        {
            "enable" => store.EnableEndpointAsync(id, cancellationToken),
            "delete" => store.DeleteEndpointAsync(id, cancellationToken),
            _ => store.DisableEndpointAsync(id, cancellationToken),
        };
        return await changed
            ? Results.Redirect($"/admin/webhooks?done={action}")
            : PageResults.Message(http, 404, "No such endpoint", $"There is no endpoint '{id}'.");
    }

    private static async Task<IResult> TestAsync(string id, HttpContext http, AdminData data, TollgateDatabase database, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is null)
        {
            return AdminLayout.SignIn();
        }

        var (delivery, disabled) = await WebhookTestEvents.EnqueueAsync(database, id, time, cancellationToken);
        return delivery is not null ? Results.Redirect("/admin/webhooks?done=tested")
            : disabled ? PageResults.Message(http, 409, "The endpoint is disabled", "Enable the endpoint to send it a test event.")
            : PageResults.Message(http, 404, "No such endpoint", $"There is no endpoint '{id}'.");
    }

    private static async Task<IResult> ReplayAsync(string id, HttpContext http, AdminData data, WebhookStore store, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is null)
        {
            return AdminLayout.SignIn();
        }

        var (replay, disabled) = await store.ReplayAsync(id, cancellationToken);
        return replay is not null ? Results.Redirect("/admin/webhooks?done=replayed")
            : disabled ? PageResults.Message(http, 409, "The endpoint is disabled", "Enable the endpoint (or add it again if it was deleted) to send to it.")
            : PageResults.Message(http, 404, "No such delivery", $"There is no delivery '{id}'.");
    }
}
