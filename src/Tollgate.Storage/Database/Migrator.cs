using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Tollgate.Storage.Database;

public sealed record Migration(int Version, string Name, string Sql, string Checksum);

public sealed record MigrationReport(IReadOnlyList<Migration> Applied, int SchemaVersion)
{
    public string Describe() => Applied.Count == 0
        ? $"Database schema is up to date at version {SchemaVersion}; no migrations applied."
        : $"Applied {Applied.Count} migration(s): {string.Join(", ", Applied.Select(m => $"{m.Version:D4}_{m.Name}"))}; schema version is now {SchemaVersion}.";
}

/// <summary>Applies the versioned SQL files of the store's dialect in order, each once, each in its own transaction.</summary>
public sealed class Migrator(TollgateDatabase database, TimeProvider time)
{
    private const long MigrationLockKey = 0x7011_6A7E_0001;

    // The files are embedded in this assembly, so they are read and hashed once per process, not at every start.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<DatabaseProvider, IReadOnlyList<Migration>> Loaded = new();

    public static IReadOnlyList<Migration> Load(DatabaseProvider provider) => Loaded.GetOrAdd(provider, ReadAll);

    private static IReadOnlyList<Migration> ReadAll(DatabaseProvider provider)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"{assembly.GetName().Name}.Migrations.{provider}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Read(assembly, n, n[prefix.Length..^4]))
            .OrderBy(m => m.Version)
            .ToList();
    }

    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await EnsureTableAsync(connection, cancellationToken);
        return await connection.ExecuteScalarAsync<int>(
            new CommandDefinition("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", cancellationToken: cancellationToken));
    }

    public async Task<MigrationReport> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var all = Load(database.Dialect.Provider);
        IReadOnlyList<Migration> pending;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var setup = await database.BeginWriteAsync(connection, cancellationToken))
        {
            // Under the lock: nodes starting together would otherwise race to create the table itself.
            await database.LockAsync(connection, setup, MigrationLockKey, cancellationToken);
            await EnsureTableAsync(connection, cancellationToken, setup);
            // What is applied already, read once: a database that is up to date (every start but the first) is checked in
            // this one query, where it took a locked transaction per migration.
            var done = (await connection.QueryAsync<(int Version, string Checksum)>(new CommandDefinition(
                "SELECT version, checksum FROM schema_migrations", transaction: setup, cancellationToken: cancellationToken)))
                .ToDictionary(row => row.Version, row => row.Checksum);
            await setup.CommitAsync(cancellationToken);
            foreach (var migration in all.Where(m => done.ContainsKey(m.Version)))
            {
                EnsureUnchanged(migration, done[migration.Version]);
            }

            pending = [.. all.Where(m => !done.ContainsKey(m.Version))];
        }

        var applied = new List<Migration>();
        foreach (var migration in pending)
        {
            await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
            // Nodes starting together wait here; the one that loses the race finds the migration already applied.
            await database.LockAsync(connection, transaction, MigrationLockKey, cancellationToken);
            var existing = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT checksum FROM schema_migrations WHERE version = @Version", new { migration.Version }, transaction,
                cancellationToken: cancellationToken));
            if (existing is not null)
            {
                EnsureUnchanged(migration, existing);
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@Version, @Name, @Checksum, @AppliedAt)",
                new { migration.Version, migration.Name, migration.Checksum, AppliedAt = time.GetUtcNow().ToUnixTimeMilliseconds() },
                transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            applied.Add(migration);
        }

        return new MigrationReport(applied, all.Count == 0 ? 0 : all[^1].Version);
    }

    private static void EnsureUnchanged(Migration migration, string appliedChecksum)
    {
        if (appliedChecksum != migration.Checksum)
        {
            throw new InvalidOperationException(
                $"Migration {migration.Version:D4}_{migration.Name} was changed after it was applied; add a new migration instead.");
        }
    }

    private static Task EnsureTableAsync(DbConnection connection, CancellationToken cancellationToken, DbTransaction? transaction = null) =>
        connection.ExecuteAsync(new CommandDefinition("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                checksum   TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )
            """, transaction: transaction, cancellationToken: cancellationToken));

    private static Migration Read(Assembly assembly, string resource, string fileName)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var sql = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
        var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
        var version = int.Parse(fileName[..underscore], System.Globalization.CultureInfo.InvariantCulture);
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)))[..16];
        return new Migration(version, fileName[(underscore + 1)..], sql, checksum);
    }
}
