using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Tollgate.Server.Webhooks;
using Tollgate.Storage.Database;
using Tollgate.Storage.Webhooks;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

/// <summary>The console's webhooks: endpoints (add, disable, enable, delete), the delivery log with each delivery's state, and replay.</summary>
public static class AdminWebhooks
{
    public static RouteGroupBuilder MapAdminWebhooks(this RouteGroupBuilder group)
    {
        group.MapGet("/webhooks", PageAsync);
        group.MapPost("/webhooks/endpoints", AddAsync);
        group.MapPost("/webhooks/endpoints/{id}/{action:regex(^(disable|enable|delete)$)}", ChangeAsync);
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

        var page = new StringBuilder("<h1>Webhooks</h1>");
        if (done is not null)
        {
            page.Append(CultureInfo.InvariantCulture, $"<p class=\"notice good\" role=\"status\">{E(done switch { "added" => "The endpoint was added.", "disable" => "The endpoint was disabled; its pending deliveries were canceled.", "enable" => "The endpoint was enabled.", "delete" => "The endpoint was deleted; its deliveries stay in the log.", "tested" => "A test event was queued; its delivery is listed below.", _ => "The delivery was queued again." })}</p>");
        }

        page.Append("<section><h2>Endpoints</h2><div class=\"table-scroll\"><table><thead><tr><th scope=\"col\">URL</th><th scope=\"col\">Events</th><th scope=\"col\">State</th><th scope=\"col\"><span class=\"skip\">Actions</span></th></tr></thead><tbody>");
        foreach (var endpoint in await store.ListEndpointsAsync(cancellationToken))
        {
            page.Append(CultureInfo.InvariantCulture, $"""
                <tr data-endpoint="{E(endpoint.Id)}"><td>{E(endpoint.Url)}<br><span class="muted">{E(endpoint.Id)}{(endpoint.Description is { } d ? " · " + E(d) : "")}</span></td>
                <td>{E(endpoint.EventTypes.Count == 0 ? "all" : string.Join(", ", endpoint.EventTypes))}</td>
                <td>{(endpoint.Enabled ? "<span class=\"badge good\">enabled</span>" : "<span class=\"badge\">disabled</span>")}</td>
                <td><div class="actions">{(endpoint.Enabled ? TestButton(endpoint.Id, user.Csrf) : "")}{EndpointAction(endpoint.Id, endpoint.Enabled ? "disable" : "enable", user.Csrf)}<a class="button danger" href="/admin/webhooks/endpoints/{E(endpoint.Id)}/delete">Delete</a></div></td></tr>
                """);
        }

        page.Append(CultureInfo.InvariantCulture, $"""
            </tbody></table></div>
            <form method="post" action="/admin/webhooks/endpoints" class="card stack">{CsrfField(user.Csrf)}<h3>Add an endpoint</h3>
              <label for="url">URL</label><input id="url" name="url" type="url" required placeholder="https://app.example.com/webhooks/tollgate">
              <label for="description">Description</label><input id="description" name="description">
              <fieldset><legend>Events (none checked: all)</legend><div class="grid">
              {string.Concat(WebhookEventTypes.All.Select(t => $"<label class=\"check\"><input type=\"checkbox\" name=\"events\" value=\"{E(t)}\"> {E(t)}</label>"))}
              </div></fieldset>
              <button type="submit">Add endpoint</button>
            </form></section>
            <section><h2>Deliveries</h2>
            <form method="get" action="/admin/webhooks" class="row"><label for="status">Status</label>
              <select id="status" name="status"><option value="">all</option>{string.Concat(new[] { "pending", "succeeded", "dead", "canceled" }.Select(s => $"<option{(s == status ? " selected" : "")}>{s}</option>"))}</select>
              <button class="secondary" type="submit">Filter</button></form>
            <div class="table-scroll"><table><thead><tr><th scope="col">Event and endpoint</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Last result</th><th scope="col">Next attempt</th><th scope="col"><span class="skip">Replay</span></th></tr></thead><tbody>
            """);
        var deliveries = (await store.ListDeliveriesAsync(null, status is "pending" or "succeeded" or "dead" or "canceled" ? status : null, new PageRequest(PageRequest.MaxLimit, null), cancellationToken)).Items;
        foreach (var d in deliveries)
        {
            page.Append(CultureInfo.InvariantCulture, $"""
                <tr data-delivery="{E(d.Id)}"><td>{E(d.EventType)} · {AdminCustomers.Day(d.CreatedAt)}<br><span class="muted">{E(d.Url)}</span><br><span class="muted">{E(d.EventId)}</span></td>
                <td>{Badge(d.Status)}</td><td class="num">{d.Attempts}</td><td>{E(d.LastError ?? (d.LastStatus is { } s ? $"HTTP {s}" : ""))}</td>
                <td>{(d.NextAttemptAt is { } next ? E(next.UtcDateTime.ToString("MMM d HH:mm:ss", CultureInfo.InvariantCulture)) : "")}</td>
                <td><form class="inline" method="post" action="/admin/webhooks/deliveries/{E(d.Id)}/replay">{CsrfField(user.Csrf)}<button class="secondary" type="submit">Replay</button></form></td></tr>
                """);
        }

        page.Append(deliveries.Count == 0 ? "</tbody></table></div><p class=\"muted\">No deliveries yet.</p></section>" : "</tbody></table></div></section>");
        return AdminLayout.Page(http, user, "/admin/webhooks", "Webhooks", page.ToString(), data.Product);
    }

    private static string EndpointAction(string id, string action, string csrf) =>
        $"<form class=\"inline\" method=\"post\" action=\"/admin/webhooks/endpoints/{E(id)}/{action}\">{CsrfField(csrf)}" +
        $"<button class=\"{(action == "enable" ? "secondary" : "danger")}\" type=\"submit\">{char.ToUpperInvariant(action[0])}{action[1..]}</button></form>";

    private static string TestButton(string id, string csrf) =>
        $"<form class=\"inline\" method=\"post\" action=\"/admin/webhooks/endpoints/{E(id)}/test\">{CsrfField(csrf)}" +
        "<button class=\"secondary\" type=\"submit\">Send test event</button></form>";

    private static string Badge(string status) => status switch
    {
        "succeeded" => "<span class=\"badge good\">succeeded</span>",
        "dead" => "<span class=\"badge bad\">dead</span>",
        "pending" => "<span class=\"badge warn\">pending</span>",
        _ => $"<span class=\"badge\">{E(status)}</span>",
    };

    private static async Task<IResult> AddAsync(HttpContext http, AdminData data, WebhookStore store, IOptions<WebhookOptions> options,
        CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is not { } posted)
        {
            return AdminLayout.SignIn();
        }

        var url = posted.Form["url"].ToString().Trim();
        var events = posted.Form["events"].Where(e => e is not null && WebhookEventTypes.All.Contains(e, StringComparer.Ordinal)).Select(e => e!).ToList();
        if (await WebhookTargets.CheckAsync(url, options.Value.AllowPrivateTargets, cancellationToken) is { } problem)
        {
            return Message(http, 400, "The endpoint was not added", $"URL: {problem}.");
        }

        var description = posted.Form["description"].ToString();
        var endpoint = await store.CreateEndpointAsync(url, description.Length == 0 ? null : description[..Math.Min(500, description.Length)], events,
            cancellationToken);
        return AdminLayout.Page(http, posted.User, "/admin/webhooks", "Endpoint added", $"""
            <h1>Endpoint added</h1>
            <p>Events for {E(endpoint.Url)} are signed with this secret. Copy it into the app now: it is shown only this once.</p>
            <p class="card"><code data-testid="secret">{E(endpoint.Secret)}</code></p>
            <p><a href="/admin/webhooks">Back to webhooks</a></p>
            """, data.Product);
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
            return Message(http, 404, "No such endpoint", $"There is no endpoint '{id}'.");
        }

        return AdminLayout.Page(http, user, "/admin/webhooks", "Delete endpoint", $"""
            <h1>Delete this endpoint?</h1>
            <p>{E(endpoint.Url)} will get no more events, and it cannot be enabled again. Its deliveries stay in the log.</p>
            <div class="actions">{EndpointAction(endpoint.Id, "delete", user.Csrf)}<a class="button secondary" href="/admin/webhooks">Keep it</a></div>
            """, data.Product);
    }

    private static async Task<IResult> ChangeAsync(string id, string action, HttpContext http, AdminData data, WebhookStore store,
        CancellationToken cancellationToken)
    {
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
            : Message(http, 404, "No such endpoint", $"There is no endpoint '{id}'.");
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
            : disabled ? Message(http, 409, "The endpoint is disabled", "Enable the endpoint to send it a test event.")
            : Message(http, 404, "No such endpoint", $"There is no endpoint '{id}'.");
    }

    private static async Task<IResult> ReplayAsync(string id, HttpContext http, AdminData data, WebhookStore store, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is null)
        {
            return AdminLayout.SignIn();
        }

        var (replay, disabled) = await store.ReplayAsync(id, cancellationToken);
        return replay is not null ? Results.Redirect("/admin/webhooks?done=replayed")
            : disabled ? Message(http, 409, "The endpoint is disabled", "Enable the endpoint (or add it again if it was deleted) to send to it.")
            : Message(http, 404, "No such delivery", $"There is no delivery '{id}'.");
    }
}
