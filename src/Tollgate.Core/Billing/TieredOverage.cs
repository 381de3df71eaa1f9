using System.Globalization;
using Tollgate.Core.Catalog;
using Tollgate.Core.Money;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Billing;

/// <summary>Overage priced by tiers: one invoice line per tier used, each rounded half-up once.</summary>
public static class TieredOverage
{
    /// <summary>The lines for <paramref name="units"/> more overage units, after the <paramref name="billed"/> that earlier invoices billed.</summary>
    public static IEnumerable<InvoiceLine> Lines(
        OverageTiers tiers, long billed, long units, string description, PlanVersion version, string featureCode, BillingPeriod period) =>
        tiers.Price(billed, units).Select(c => new InvoiceLine(InvoiceLineKind.Overage, $"{description}, {Describe(tiers, c, version.Terms.OverageCurrency)}", c.AmountCents,
            c.Quantity, c.Price.PerUnits == 1 && c.BilledBefore == 0 ? c.Price.UnitPriceCents : 0, period.Start, period.End, version.PlanCode,
            version.Id, featureCode));

    /// <summary>
    /// "tier 2 (101–1,000): 500 × 0.02 per 1,000 + 5.00 flat", in the invoice's words (amounts in major units of
    /// <paramref name="currency"/>: "× 11" for 11 yen).
    /// </summary>
    public static string Describe(OverageTiers tiers, TierCharge c, string currency)
    {
        string Major(long minor) => Amount(minor, currency);
        var range = tiers.Mode == TiersMode.Volume ? "volume" : c.UpTo is { } top
            ? string.Create(CultureInfo.InvariantCulture, $"{c.FirstUnit:N0}–{top:N0}")
            : string.Create(CultureInfo.InvariantCulture, $"{c.FirstUnit:N0} and up");
        var per = c.Price.PerUnits == 1 ? "" : string.Create(CultureInfo.InvariantCulture, $" per {c.Price.PerUnits:N0}");
        var flat = c.Price.FlatCents == 0 ? "" : $" + {Major(c.Price.FlatCents)} flat";
        if (tiers.Mode == TiersMode.Volume && c.BilledBefore > 0)
        {
            // A volume tier reprices the whole count, so the line shows the count and takes off what these tiers charge for the
            // units billed before. After a plan change another plan's prices billed those, so the words claim no amount billed.
            return string.Create(CultureInfo.InvariantCulture,
                $"tier {c.Tier} ({range}): {c.BilledBefore + c.Quantity:N0} × {Major(c.Price.UnitPriceCents)}{per}{flat} less {Major(c.BilledBeforeCents)} for the {c.BilledBefore:N0} billed before");
        }

        return string.Create(CultureInfo.InvariantCulture, $"tier {c.Tier} ({range}): {c.Quantity:N0} × {Major(c.Price.UnitPriceCents)}{per}{flat}");
    }

    private static string Amount(long minor, string currency) =>
        MinorUnits.ToMajor(minor, currency).ToString("F" + Currency.Exponent(currency), CultureInfo.InvariantCulture);
}
