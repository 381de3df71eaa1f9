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
        var options = await TestDatabases.CreateAsync(StoreKind.Postgres, migrated: false);
        var nodes = new List<TollgateApp>();
        try
        {
            // One after the other: the first migrates the database, the others find it current.
            for (var i = 0; i < count; i++)
            {
                nodes.Add(await TollgateApp.StartAsync(StoreKind.Postgres, settings, start, options.ConnectionString));
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
