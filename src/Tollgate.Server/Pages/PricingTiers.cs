using System.Globalization;
using System.Net;
using Tollgate.Core.Catalog;
using Tollgate.Core.Money;

namespace Tollgate.Server.Pages;

/// <summary>A soft-capped feature's overage tiers on the pricing page, one line per tier, as the invoice will price them.</summary>
public static class PricingTiers
{
    public static string Html(Feature feature, PlanFeature? granted, string currency)
    {
        if (granted?.OverageTiers is not { } tiers)
        {
            return "";
        }

        var items = new List<string>();
        var below = 0L;
        foreach (var t in tiers.Tiers)
        {
            var range = t.UpTo is { } top
                ? string.Create(CultureInfo.InvariantCulture, $"{below + 1:N0}–{top:N0}")
                : string.Create(CultureInfo.InvariantCulture, $"{below + 1:N0}+");
            var per = t.PerUnits == 1 ? QuotaDisplay.UnitFor(1, feature.Unit) : string.Create(CultureInfo.InvariantCulture, $"{t.PerUnits:N0} {feature.Unit}");
            var flat = t.FlatCents > 0 ? $" + {MinorUnits.Display(t.FlatCents, currency)}" : "";
            items.Add($"<li data-tier-up-to=\"{(t.UpTo is { } u ? u.ToString(CultureInfo.InvariantCulture) : "inf")}\">{WebUtility.HtmlEncode(range)}: " +
                $"{WebUtility.HtmlEncode(MinorUnits.Display(t.UnitPriceCents, currency))} per {WebUtility.HtmlEncode(per)}{WebUtility.HtmlEncode(flat)}</li>");
            below = t.UpTo ?? below;
        }

        var mode = tiers.Mode == TiersMode.Volume ? "all extra units at the tier reached" : "each tier at its own price";
        return $"<li class=\"tiers\" data-tiers-mode=\"{tiers.Mode.ToWire()}\"><span class=\"muted\">Past the limit ({mode}):</span><ul>{string.Concat(items)}</ul></li>";
    }
}
