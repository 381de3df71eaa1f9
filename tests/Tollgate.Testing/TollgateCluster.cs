namespace Tollgate.Testing;

/// <summary>Several server nodes, each with its own committer and caches, sharing one fresh PostgreSQL database.</summary>
public sealed class TollgateCluster : IAsyncDisposable
{
    private readonly TollgateApp[] _nodes;

    private TollgateCluster(TollgateApp[] nodes) => _nodes = nodes;

    public TollgateApp First => _nodes[0];

    public int Count => _nodes.Length;

    /// <summary>The node that serves request <paramref name="i"/> when requests go round the nodes in turn.</summary>
    public TollgateApp this[int i] => _nodes[i % _nodes.Length];

    /// <summary>
    /// How many deadlocks PostgreSQL has broken in the nodes' database: each cost a transaction the deadlock_timeout (1 s)
    /// and a rerun, so a scale-out test expects none. Read it after the nodes are disposed: a backend reports its count
    /// when it goes idle or exits.
    /// </summary>
    public Task<long> DeadlocksAsync() =>
        PostgresServer.ScalarAsync(First.ConnectionString, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");

    public static async Task<TollgateCluster> StartAsync(int count, IDictionary<string, string?> settings, DateTimeOffset? start = null)
    {
        // A migrated clone, as a single server's: a fresh database migrated by the first node cost the cluster 47
        // migrations' DDL per test, and each node still checks that it is current as it starts.
        var options = await TestDatabases.CreateForServerAsync(StoreKind.Postgres, TollgateApp.ClockStart(settings, start));
        // The smallest pool a node starts on (6 on 2 cores: its writers' three and three more): each node opens its own
        // pool, and the tests that send hundreds of requests at once across three nodes opened 150 connections at 60 a
        // node (about 0.1 s of the cluster's CPU each). Eighteen transactions at once still race on every row they share.
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            MaxPoolSize = new Tollgate.Storage.Database.DatabaseOptions { Provider = "postgres" }.MinimumPostgresPool,
        }.ConnectionString;
        var nodes = new List<TollgateApp>();
        try
        {
            // One after the other, as nodes of a deployment come up.
            for (var i = 0; i < count; i++)
            {
                nodes.Add(await TollgateApp.StartAsync(StoreKind.Postgres, settings, start, connectionString));
            }
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }

        return new TollgateCluster([.. nodes]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
