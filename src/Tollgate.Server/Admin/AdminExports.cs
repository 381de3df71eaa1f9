using System.Globalization;
using System.Text;
using Tollgate.Server.Exports;
using Tollgate.Storage.Exports;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

/// <summary>
/// The console's export buttons: a range and a format, then one button per export. A download runs the same writer as
/// GET /v1/admin/exports/{kind}, authorized by the console session instead of a key (a browser link cannot send one).
/// </summary>
public static class AdminExports
{
    private static readonly (string Kind, string Label)[] Buttons =
    [
        ("usage-daily", "Usage per day"), ("llm-calls", "LLM calls"), ("events", "Usage events"), ("invoices", "Invoices"), ("customers", "Customers"),
    ];

    public static RouteGroupBuilder MapAdminExports(this RouteGroupBuilder group)
    {
        group.MapGet("/exports", PageAsync);
        group.MapGet("/exports/download", DownloadAsync);
        return group;
    }

    private static async Task<IResult> PageAsync(HttpContext http, AdminData data, CancellationToken cancellationToken) =>
        await data.Session.CurrentAsync(http, cancellationToken) is { } user
            ? Render(http, user, data, null, null, null, "csv", null)
            : AdminLayout.SignIn();

    private static async Task<IResult> DownloadAsync(
        HttpContext http, string? kind, string? from, string? to, string? format, AdminData data, ExportWriter writer, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        var request = ExportRequest.Parse(kind, from, to, format, data.Time.GetUtcNow(), out var errors);
        if (request is null)
        {
            return Render(http, user, data, from, to, kind, format, errors);
        }

        return Results.Stream(body => writer.WriteAsync(request.Spec, request.From, request.To, request.Format, body, cancellationToken: cancellationToken),
            ExportWriter.ContentType(request.Format), request.FileName);
    }

    private static IResult Render(
        HttpContext http, AdminUser user, AdminData data, string? from, string? to, string? kind, string? format, Dictionary<string, string>? errors)
    {
        var page = new StringBuilder("""
            <h1>Exports</h1>
            <p class="lead">Download usage, LLM calls, events, invoices or customers for accounting or analysis. Money is in decimal units beside its currency; times are UTC.</p>
            """);
        if (errors is { Count: > 0 })
        {
            page.Append(CultureInfo.InvariantCulture,
                $"<p class=\"notice bad\" role=\"alert\">{E(string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")))}</p>");
        }

        page.Append(CultureInfo.InvariantCulture, $"""
            <form method="get" action="/admin/exports/download" class="card stack">
              <div class="row"><label for="from">From</label><input id="from" name="from" type="date" value="{E(from)}">
              <label for="to">To (exclusive)</label><input id="to" name="to" type="date" value="{E(to)}"></div>
              <div class="row"><label for="format">Format</label><select id="format" name="format">
                <option value="csv"{(format is "ndjson" ? "" : " selected")}>CSV</option><option value="ndjson"{(format is "ndjson" ? " selected" : "")}>NDJSON</option></select></div>
              <p class="muted">Leave the dates empty for everything up to now.</p>
              <div class="actions">{string.Concat(Buttons.Select(b =>
                  $"<button type=\"submit\" name=\"kind\" value=\"{b.Kind}\" data-export=\"{b.Kind}\"{(b.Kind == kind ? " class=\"secondary\"" : "")}>{E(b.Label)}</button>"))}</div>
            </form>
            <section><h2>From a script</h2>
            <p>The same files come from <code>GET /v1/admin/exports/{"{kind}"}?from=&amp;to=&amp;format=csv|ndjson</code> with an admin key, and from the
            command line: <code>tollgate export llm-calls --from 2026-01-01 --to 2026-02-01 --format csv --output calls.csv</code>.
            Kinds: {E(string.Join(", ", ExportQueries.All.Select(s => s.Name)))}.</p></section>
            """);
        return AdminLayout.Page(http, user, "/admin/exports", "Exports", page.ToString(), data.Product);
    }
}
