using System.Text.Json;
using Tollgate.Core.Json;

namespace Tollgate.Core.Catalog;

/// <summary>Reads a plan feature's <c>overage_tiers</c> and <c>tiers_mode</c>, naming every wrong field by its path.</summary>
public static class OverageTiersReader
{
    public const int MaxTiers = 20;
    public const long MaxPerUnits = 1_000_000_000;

    /// <summary>The tiers, or null when the feature has none; <paramref name="ok"/> is false when any of it is wrong.</summary>
    public static OverageTiers? Read(ElementReader r, out bool ok)
    {
        ok = true;
        var mode = r.String("tiers_mode", required: false, 16);
        if (!r.Has("overage_tiers") || r.Raw("overage_tiers") is { ValueKind: JsonValueKind.Null })
        {
            if (mode is not null)
            {
                r.Problem(r.Child("tiers_mode"), "only applies with overage_tiers");
                ok = false;
            }

            return null;
        }

        var parsedMode = TiersMode.Graduated;
        if (mode is not null && !TiersModeNames.TryParse(mode, out parsedMode))
        {
            r.Problem(r.Child("tiers_mode"), TiersModeNames.Hint);
            ok = false;
        }

        var tiers = ReadTiers(r, out var tiersOk);
        ok &= tiersOk;
        return ok ? new OverageTiers(parsedMode, tiers!) : null;
    }

    /// <summary>
    /// The <c>overage_tiers</c> list alone, checked as a feature's own tiers are (1 to 20, each up_to above the one before,
    /// only the last open-ended): a feature's, or a currency option's, which takes the feature's mode. Null when it is wrong.
    /// </summary>
    public static IReadOnlyList<OverageTier>? ReadTiers(ElementReader r, out bool ok)
    {
        var problems = new List<DocumentProblem>();
        var tiers = new List<OverageTier>();
        var items = r.Array("overage_tiers", required: false, MaxTiers).ToList();
        if (items.Count == 0)
        {
            r.Problem(r.Child("overage_tiers"), $"must have 1 to {MaxTiers} tiers");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var (element, path) = items[i];
            var t = new ElementReader(element, path, problems, "up_to", "unit_price_cents", "per_units", "flat_cents");
            var upTo = UpTo(t, out var upToOk);
            var unit = t.Integer("unit_price_cents", required: false, 0, CatalogDocument.MaxPriceCents) ?? 0;
            var per = t.Integer("per_units", required: false, 1, MaxPerUnits) ?? 1;
            var flat = t.Integer("flat_cents", required: false, 0, CatalogDocument.MaxPriceCents) ?? 0;
            if (!t.IsObject || !upToOk)
            {
                continue;
            }

            var last = i == items.Count - 1;
            if (upTo is null && !last)
            {
                t.Problem(t.Child("up_to"), "only the last tier may be open-ended");
            }
            else if (upTo is not null && last)
            {
                t.Problem(t.Child("up_to"), "the last tier must be open-ended (null or \"inf\")");
            }
            else if (upTo is { } bound && tiers.LastOrDefault()?.UpTo is { } previous && bound <= previous)
            {
                t.Problem(t.Child("up_to"), $"must be greater than the previous tier's up_to ({previous})");
            }

            tiers.Add(new OverageTier(upTo, unit, per, flat));
        }

        foreach (var p in problems)
        {
            r.Problem(p.Path, p.Message);
        }

        ok = problems.Count == 0 && items.Count > 0;
        return ok ? tiers : null;
    }

    private static long? UpTo(ElementReader t, out bool ok)
    {
        ok = true;
        if (t.Raw("up_to") is not { } raw || raw.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (raw.ValueKind == JsonValueKind.String)
        {
            ok = raw.GetString() == "inf";
            if (!ok)
            {
                t.Problem(t.Child("up_to"), "must be a whole number from 1, or null or \"inf\" for the last tier");
            }

            return null;
        }

        var value = t.Integer("up_to", required: false, 1, long.MaxValue / 4, out _);
        ok = value is not null;
        return value;
    }
}
