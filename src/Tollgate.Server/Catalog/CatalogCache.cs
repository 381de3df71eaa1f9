using Tollgate.Core.Catalog;

namespace Tollgate.Server.Catalog;

/// <summary>
/// The catalog in memory for the hot path. Plan versions never change once written (but for a stripe_price_id set on
/// the current version, which each reload of the snapshot brings in), so they are cached for good;
/// the current snapshot is rechecked against the stored revision at most every <see cref="RecheckAfter"/>, which
/// bounds how long another node's apply takes to show here.
/// </summary>
public sealed class CatalogCache(CatalogStore store, TimeProvider time)
{
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim _reload = new(1, 1);
    private readonly Dictionary<string, PlanVersion> _versions = new(StringComparer.Ordinal);
    private readonly Lock _versionsLock = new();
    private volatile Entry? _entry;
    private int _generation; // bumped by Invalidate, so a reload that read the store before an apply does not keep what it read

    public async ValueTask<CatalogSnapshot> GetAsync(CancellationToken cancellationToken = default)
    {
        var entry = _entry;
        if (entry is not null && time.GetUtcNow() - entry.CheckedAt < RecheckAfter)
        {
            return entry.Snapshot;
        }

        // Another caller is rechecking: answer what is cached (at most one recheck old) rather than queue behind it. A
        // caller may hold a pooled connection, and the recheck needs one of its own: callers queued here, each holding
        // one, could leave it none (with a small pool every read then waited out the pool's 15 s). Only a first load,
        // or one after a local apply (which must be seen at once), waits.
        if (entry is not null && !_reload.Wait(0, CancellationToken.None))
        {
            return entry.Snapshot;
        }

        if (entry is null)
        {
            await _reload.WaitAsync(cancellationToken);
        }

        try
        {
            entry = _entry;
            var generation = Volatile.Read(ref _generation);
            var now = time.GetUtcNow();
            if (entry is not null && now - entry.CheckedAt < RecheckAfter)
            {
                return entry.Snapshot;
            }

            if (entry is not null && await store.RevisionAsync(cancellationToken) == entry.Snapshot.Revision)
            {
                Keep(entry with { CheckedAt = now }, generation);
                return entry.Snapshot;
            }

            var snapshot = await store.LoadAsync(cancellationToken);
            Remember(snapshot.Plans.Select(p => p.Current));
            Keep(new Entry(snapshot, now), generation);
            return snapshot;
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>Drops the snapshot after a local apply, so this node serves the new catalog at once.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entry = null;
    }

    // A reload that began before an apply's Invalidate may have read the old catalog; kept, it would be served until the
    // next recheck, which on a frozen test clock never comes. It is answered to its own caller and not kept.
    private void Keep(Entry entry, int generation)
    {
        if (Volatile.Read(ref _generation) == generation)
        {
            _entry = entry;
        }
    }

    public async ValueTask<PlanVersion?> GetVersionAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (_versionsLock)
        {
            if (_versions.TryGetValue(id, out var cached))
            {
                return cached;
            }
        }

        var version = await store.GetPlanVersionAsync(id, cancellationToken);
        if (version is not null)
        {
            Remember([version]);
        }

        return version;
    }

    private void Remember(IEnumerable<PlanVersion> versions)
    {
        lock (_versionsLock)
        {
            foreach (var v in versions)
            {
                _versions[v.Id] = v;
            }
        }
    }

    private sealed record Entry(CatalogSnapshot Snapshot, DateTimeOffset CheckedAt);
}
