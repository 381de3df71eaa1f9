using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Pricing;

/// <summary>
/// A hash of what the public pricing endpoints show of a catalog snapshot: its public plans, features and FAQ. Revisions
/// count private changes too, so an ETag from the revision would tell anyone that a private plan was added.
/// </summary>
public sealed class PublicTag(TimeProvider time) : IDisposable
{
    // Keyed by the snapshot itself: a stripe_price_id set on the current version reloads the snapshot under its revision.
    private readonly MemoryCache _tags = BoundedCache.Create(entries: 16, time);

    public string Of(CatalogSnapshot catalog) =>
        _tags.TryGetValue(catalog, out string? tag) ? tag! : _tags.Put(catalog, Compute(catalog), TimeSpan.FromMinutes(10));

    public void Dispose() => _tags.Dispose();

    private static string Compute(CatalogSnapshot catalog)
    {
        var shown = new
        {
            plans = catalog.PublicPlans.Select(p => PricingMapper.ToWire(p, catalog)).ToList(),
            features = catalog.PublicFeatures.Select(PricingMapper.ToWire).ToList(),
            compare = PricingMapper.Compare(catalog),
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(shown))))[..16];
    }
}
