using System.Text.Json;
using Tollgate.Core.Catalog;

namespace Tollgate.Server.Catalog;

/// <summary>A plan feature's overage tiers and their mode, stored as a small JSON object in <c>plan_features.overage_tiers_json</c>.</summary>
internal static class TiersColumn
{
    public static string Write(OverageTiers tiers) =>
        JsonSerializer.Serialize(new Stored(tiers.Mode.ToWire(), [.. tiers.Tiers.Select(t => new StoredTier(t.UpTo, t.UnitPriceCents, t.PerUnits, t.FlatCents))]));

    public static OverageTiers? Read(string json)
    {
        var stored = JsonSerializer.Deserialize<Stored>(json);
        return stored is not null && TiersModeNames.TryParse(stored.Mode, out var mode)
            ? new OverageTiers(mode, [.. stored.Tiers.Select(t => new OverageTier(t.UpTo, t.Unit, t.Per, t.Flat))])
            : null;
    }

    private sealed record Stored(string Mode, StoredTier[] Tiers);

    private sealed record StoredTier(long? UpTo, long Unit, long Per, long Flat);
}
