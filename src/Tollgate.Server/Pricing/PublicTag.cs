using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tollgate.Storage.Catalog;

namespace Tollgate.Server.Pricing;

/// <summary>
/// A hash of what the public pricing endpoints show of a catalog snapshot: its public plans, features and FAQ. Revisions
/// count private changes too, so an ETag from the revision would tell anyone that a private plan was added.
/// </summary>
public static class PublicTag
{
    private static readonly ConditionalWeakTable<CatalogSnapshot, string> Tags = [];

    public static string Of(CatalogSnapshot catalog) => Tags.GetValue(catalog, Compute);

    private static string Compute(CatalogSnapshot catalog)
    {
        var shown = new
        {
            plans = catalog.PublicPlans.Select(p => PricingMapper.ToWire(p, catalog)).ToList(),
            features = catalog.PublicFeatures().Select(PricingMapper.ToWire).ToList(),
            compare = PricingMapper.Compare(catalog),
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(shown))))[..16];
    }
}
