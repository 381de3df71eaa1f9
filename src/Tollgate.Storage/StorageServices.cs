using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tollgate.Storage.Database;
using Tollgate.Storage.Retention;
using Tollgate.Storage.Settings;

namespace Tollgate.Storage;

/// <summary>The kernel: the database, its migrations, the group committer, settings and retention. It knows no capability.</summary>
public static class StorageServices
{
    /// <summary>Registers the store chosen by <see cref="DatabaseOptions"/> (bound when first resolved) and the kernel's services on it.</summary>
    public static IServiceCollection AddTollgateStorage(this IServiceCollection services)
    {
        services.AddSingleton<TollgateDatabase>(sp => Open(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value));
        services.AddSingleton<Migrator>();
        services.AddMetrics(); // IMeterFactory: each host gets its own meters, so hosts in one process never mix counts
        services.AddSingleton<StorageMetrics>();
        services.AddSingleton<GroupCommitter>();
        services.AddHostedService<GroupCommitterService>();
        services.AddSingleton<TimePartitions>();
        services.AddSingleton<RetentionPruner>();
        services.AddSingleton<ServerSettings>();
        return services;
    }

    public static TollgateDatabase Open(DatabaseOptions options) => options.ParsedProvider switch
    {
        // No default for PostgreSQL: a SQLite path handed to Npgsql would fail with a far less helpful message.
        DatabaseProvider.Postgres => new PostgresDatabase(string.IsNullOrWhiteSpace(options.ConnectionString)
            ? throw new InvalidOperationException("Tollgate:Database:ConnectionString is required for postgres.") : options.ConnectionString,
            options.PreparedStatements)
        {
            HeldByWriters = options.PostgresWriterConnections,
        },
        _ => new SqliteDatabase(
            string.IsNullOrWhiteSpace(options.ConnectionString) ? DatabaseOptions.DefaultSqlitePath : options.ConnectionString, options.SqliteSynchronous),
    };
}
