using System.Text.Json;
using Tollgate.Core.Catalog;

namespace Tollgate.Server.Catalog;

/// <summary>A plan feature's overage prices in other currencies, stored as a small JSON array in <c>plan_features.currency_options_json</c>.</summary>
internal static class CurrencyOptionsColumn
{
    public static string? Write(IReadOnlyList<OverageCurrencyOption>? options) => options is not { Count: > 0 }
        ? null
        : JsonSerializer.Serialize(options.Select(o => new Stored(o.Currency, o.UnitPriceCents, o.Package?.Size, o.Package?.PriceCents)).ToArray());

    public static IReadOnlyList<OverageCurrencyOption>? Read(string? json) => json is null
        ? null
        : [.. (JsonSerializer.Deserialize<Stored[]>(json) ?? []).Select(s => new OverageCurrencyOption(s.Currency, s.Unit,
            s.Size is { } size && s.Cents is { } cents ? new OveragePackage(size, cents) : null))];

    private sealed record Stored(string Currency, long? Unit, long? Size, long? Cents);
}
