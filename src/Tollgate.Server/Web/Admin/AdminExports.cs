using Tollgate.Server.Exports;

namespace Tollgate.Server.Web.Admin;

/// <summary>
/// The console's export buttons: a range and a format, then one button per export. A download runs the same writer as
/// GET /v1/admin/exports/{kind}, authorized by the console session instead of a key (a browser link cannot send one).
/// </summary>
public static class AdminExports
{
    private static readonly IReadOnlyList<(string Kind, string Label)> Buttons =
    [
        ("usage-daily", "Usage per day"), ("llm-calls", "LLM calls"), ("events", "Usage events"), ("invoices", "Invoices"), ("credit-notes", "Credit notes"),
        ("customers", "Customers"),
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
        HttpContext http, AdminUser user, AdminData data, string? from, string? to, string? kind, string? format, Dictionary<string, string>? errors) =>
        AdminLayout.Page<ExportsPage>(http, new
        {
            User = user,
            data.Product,
            From = from,
            To = to,
            Kind = kind,
            Ndjson = format is "ndjson",
            Problem = errors is { Count: > 0 } ? string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")) : null,
            Buttons,
        }, status: errors is { Count: > 0 } ? 400 : 200); // a refused download is a 400, as the other console lists answer
}
