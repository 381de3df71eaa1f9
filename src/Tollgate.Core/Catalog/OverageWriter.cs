using System.Text.Json;

namespace Tollgate.Core.Catalog;

/// <summary>
/// A plan feature's overage prices in the document shape: tiers, a package and the options in other currencies. Each is
/// written only when set, so the terms hash of a feature without it stays what it was.
/// </summary>
internal static class OverageWriter
{
    /// <summary>Canonical tiers: the mode, then every field of every tier, the last up_to as null.</summary>
    public static void WriteTiers(Utf8JsonWriter w, OverageTiers? tiers)
    {
        if (tiers is null)
        {
            return;
        }

        w.WriteString("tiers_mode", tiers.Mode.ToWire());
        WriteTierList(w, tiers.Tiers);
    }

    public static void WritePackage(Utf8JsonWriter w, OveragePackage? package)
    {
        if (package is null)
        {
            return;
        }

        w.WriteStartObject("overage_package");
        w.WriteNumber("size", package.Size);
        w.WriteNumber("price_cents", package.PriceCents);
        w.WriteEndObject();
    }

    /// <summary>The options by currency code in order, each with the one price it gives (a tiered option without a mode: the feature's applies).</summary>
    public static void WriteCurrencyOptions(Utf8JsonWriter w, IReadOnlyList<OverageCurrencyOption>? options)
    {
        if (options is not { Count: > 0 })
        {
            return;
        }

        w.WriteStartObject("currency_options");
        foreach (var option in options.OrderBy(o => o.Currency, StringComparer.Ordinal))
        {
            w.WriteStartObject(option.Currency);
            if (option.UnitPriceCents is { } unit)
            {
                w.WriteNumber("overage_unit_price_cents", unit);
            }

            WritePackage(w, option.Package);
            if (option.Tiers is { } tiers)
            {
                WriteTierList(w, tiers);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteTierList(Utf8JsonWriter w, IReadOnlyList<OverageTier> tiers)
    {
        w.WriteStartArray("overage_tiers");
        foreach (var t in tiers)
        {
            w.WriteStartObject();
            if (t.UpTo is { } upTo)
            {
                w.WriteNumber("up_to", upTo);
            }
            else
            {
                w.WriteNull("up_to");
            }

            w.WriteNumber("unit_price_cents", t.UnitPriceCents);
            w.WriteNumber("per_units", t.PerUnits);
            w.WriteNumber("flat_cents", t.FlatCents);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
