using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Settings;

/// <summary>Server-wide values stored once and shared by every node.</summary>
public sealed class ServerSettings(TollgateDatabase database, TimeProvider time)
{
    /// <summary>The value stored under <paramref name="name"/>; the first caller on any node stores <paramref name="create"/>'s and all get that one.</summary>
    public Task<string> GetOrCreateAsync(string name, Func<string> create, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO server_settings (name, value, created_at) VALUES (@name, @value, @now) ON CONFLICT (name) DO NOTHING",
                new { name, value = create(), now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken));
            return await c.QuerySingleAsync<string>(new CommandDefinition(
                "SELECT value FROM server_settings WHERE name = @name", new { name }, tx, cancellationToken: cancellationToken));
        }, cancellationToken);
}
