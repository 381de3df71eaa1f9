using System.Diagnostics;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Client.Contracts;
using Tollgate.Server.Auth;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Health;

public static class HealthApi
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).WithTags("Health").AllowAnonymous();
        app.MapGet("/v1/admin/health/database", DatabaseAsync).WithTags("Health").RequireAuthorization(Policies.Admin);
    }

    private static async Task<Ok<DatabaseHealthResponse>> DatabaseAsync(TollgateDatabase database, Migrator migrator, CancellationToken cancellationToken)
    {
        var expected = Migrator.Load(database.Dialect.Provider).Max(m => m.Version);
        var provider = database.Dialect.Provider.ToString().ToLowerInvariant();
        var watch = Stopwatch.StartNew();
        try
        {
            await database.ReadAsync(c => c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken)),
                cancellationToken);
            var latency = watch.Elapsed.TotalMilliseconds;
            var version = await migrator.CurrentVersionAsync(cancellationToken);
            return TypedResults.Ok(new DatabaseHealthResponse(provider, true, Math.Round(latency, 3), version, expected, null));
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return TypedResults.Ok(new DatabaseHealthResponse(provider, false, watch.Elapsed.TotalMilliseconds, 0, expected, e.Message));
        }
    }
}
