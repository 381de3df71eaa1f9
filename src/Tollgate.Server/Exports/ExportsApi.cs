using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Server.Http;

namespace Tollgate.Server.Exports;

/// <summary>Admin exports for accounting and analysis, streamed row by row from the database to the response.</summary>
public static class ExportsApi
{
    public static RouteGroupBuilder MapExports(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/exports").WithTags("Exports").RequireAuthorization(Policies.Admin);
        group.MapGet("/{kind}", ExportAsync).Produces(StatusCodes.Status200OK, typeof(string), "text/csv", "application/x-ndjson");
        return group;
    }

    private static Results<PushStreamHttpResult, ProblemHttpResult> ExportAsync(
        string kind, string? from, string? to, string? format, ExportWriter writer, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = ExportRequest.Parse(kind, from, to, format, time.GetUtcNow(), out var errors);
        if (request is null)
        {
            return Problems.Validation(errors);
        }

        return TypedResults.Stream(body => writer.WriteAsync(request.Spec, request.From, request.To, request.Format, body,
            cancellationToken: cancellationToken), ExportWriter.ContentType(request.Format), request.FileName);
    }
}
