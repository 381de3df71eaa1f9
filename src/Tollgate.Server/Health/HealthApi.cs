using System.Diagnostics;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Server.Http;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Health;

public static class HealthApi
{
    private static readonly LivenessResponse Alive = new("ok");

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(Alive)).WithTags("Health").AllowAnonymous();
        app.MapGet("/v1/admin/health/database", DatabaseAsync).WithTags("Health").RequireAuthorization(Policies.Admin);
        app.MapGet("/readyz", ReadyAsync).WithTags("Health").AllowAnonymous();
    }

    /// <summary>Ready to serve: the database answers and its schema is at this build's version (503 otherwise, with why).</summary>
    private static async Task<Results<Ok<ReadinessResponse>, ProblemHttpResult>> ReadyAsync(
        HttpContext http, TollgateDatabase database, Migrator migrator, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var expected = Migrator.Load(database.Dialect.Provider).Max(m => m.Version);
        int version;
        try
        {
            version = await migrator.CurrentVersionAsync(cancellationToken);
        }
        catch (Exception e) when (DoesNotAnswer(e, database))
        {
            // The reason names hosts and ports, which are for the log, not for whoever probes.
            logs.CreateLogger(typeof(HealthApi)).LogWarning("Not ready: the database does not answer: {Error}", Tollgate.Storage.Database.OutageLog.Causes(e));
            return Problems.DatabaseUnavailable(http);
        }

        if (version != expected)
        {
            http.Response.Headers.RetryAfter = Problems.DatabaseRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Create(503, "migrations_pending",
                $"The database schema is at version {version}; this server needs {expected}. Start one server to migrate it.",
                new Dictionary<string, object?> { ["schema_version"] = version, ["expected_version"] = expected });
        }

        return TypedResults.Ok(new ReadinessResponse("ready", version));
    }

    /// <summary>What /readyz answers when the server can serve.</summary>
    public sealed record ReadinessResponse(string Status, int SchemaVersion);

    private static bool DoesNotAnswer(Exception e, TollgateDatabase database) =>
        e is System.Data.Common.DbException or InvalidOperationException or TimeoutException or IOException || database.IsUnavailable(e);

    private static async Task<Ok<DatabaseHealthResponse>> DatabaseAsync(
        TollgateDatabase database, Migrator migrator, ILoggerFactory logs, CancellationToken cancellationToken)
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
        catch (Exception e) when (DoesNotAnswer(e, database))
        {
            logs.CreateLogger(typeof(HealthApi)).LogWarning("Database health: the database does not answer: {Error}", Tollgate.Storage.Database.OutageLog.Causes(e));
            return TypedResults.Ok(new DatabaseHealthResponse(provider, false, watch.Elapsed.TotalMilliseconds, 0, expected,
                "The database does not answer; the server's log says why."));
        }
    }
}

/// <summary>The liveness answer: the process serves HTTP.</summary>
public sealed record LivenessResponse(string Status);
