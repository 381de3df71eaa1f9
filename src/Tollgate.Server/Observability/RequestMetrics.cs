namespace Tollgate.Server.Observability;

/// <summary>
/// Counts every answer by route template (never the raw path, whose ids would make unbounded series), method and status.
/// First in the pipeline, after routing chose the endpoint, so it sees the status the error handlers finally set.
/// </summary>
public sealed class RequestMetrics(RequestDelegate next, TollgateMetrics metrics)
{
    private static readonly HashSet<string> Known = new(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"], StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
        try
        {
            await next(context);
        }
        finally
        {
            metrics.Request(route, Known.Contains(context.Request.Method) ? context.Request.Method : "OTHER", context.Response.StatusCode);
        }
    }
}
