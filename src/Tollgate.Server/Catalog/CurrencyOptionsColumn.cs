using System.Text.Json;
using Tollgate.Core.Catalog;

namespace Tollgate.Server.Catalog;

/// <summary>
/// A plan feature's overage prices in other currencies, stored as a small JSON array in <c>plan_features.currency_options_json</c>:
/// <c>[{"Currency":"EUR","Unit":3,"Size":null,"Cents":null,"Tiers":null}]</c>. Rows written before tiered options had no
/// <c>Tiers</c>, which reads as none.
/// </summary>
internal static class CurrencyOptionsColumn
{
    public static string? Write(IReadOnlyList<OverageCurrencyOption>? options) => options is not { Count: > 0 }
        ? null
        : JsonSerializer.Serialize(options.Select(o => new Stored(o.Currency, o.UnitPriceCents, o.Package?.Size, o.Package?.PriceCents,
            o.Tiers is { } tiers ? [.. tiers.Select(t => new StoredTier(t.UpTo, t.UnitPriceCents, t.PerUnits, t.FlatCents))] : null)).ToArray());

    public static IReadOnlyList<OverageCurrencyOption>? Read(string? json) => json is null
        ? null
        : [.. (JsonSerializer.Deserialize<Stored[]>(json) ?? []).Select(s => new OverageCurrencyOption(s.Currency, s.Unit,
            s.Size is { } size && s.Cents is { } cents ? new OveragePackage(size, cents) : null,
            s.Tiers is { } tiers ? [.. tiers.Select(t => new OverageTier(t.UpTo, t.Unit, t.Per, t.Flat))] : null))];

    private sealed record Stored(string Currency, long? Unit, long? Size, long? Cents, StoredTier[]? Tiers = null);

    private sealed record StoredTier(long? UpTo, long Unit, long Per, long Flat);
}
