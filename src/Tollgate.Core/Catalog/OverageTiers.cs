namespace Tollgate.Core.Catalog;

/// <summary>Stripe's tiers_mode: graduated prices each tier's units at its own price; volume prices every unit at the tier reached.</summary>
public enum TiersMode
{
    Graduated,
    Volume,
}

/// <summary>
/// One tier of an overage price: units up to <see cref="UpTo"/> (inclusive; null is open-ended) cost
/// <see cref="UnitPriceCents"/> per <see cref="PerUnits"/> units, plus <see cref="FlatCents"/> once when any unit reaches it.
/// </summary>
public sealed record OverageTier(long? UpTo, long UnitPriceCents, long PerUnits = 1, long FlatCents = 0);

/// <summary>
/// What one tier charged for a quantity: one invoice line. <see cref="BilledBefore"/> is how many of the window's units
/// earlier invoices billed (a volume line reprices them at the tier reached, less <see cref="BilledBeforeCents"/>).
/// </summary>
public sealed record TierCharge(
    int Tier, long FirstUnit, long? UpTo, long Quantity, OverageTier Price, long AmountCents, long BilledBefore = 0, long BilledBeforeCents = 0);

/// <summary>A tiered overage price. Tiers count the units past the plan's limit (the overage), as Stripe counts a metered quantity.</summary>
public sealed record OverageTiers(TiersMode Mode, IReadOnlyList<OverageTier> Tiers)
{
    /// <summary>
    /// The charge per tier used, in integer cents: each line is <c>flat + round_half_up(units × unit_price ÷ per_units)</c>,
    /// rounded once per tier line (in 128-bit integers, so it never overflows or drifts).
    /// </summary>
    public IReadOnlyList<TierCharge> Price(long quantity) => Price(0, quantity);

    /// <summary>
    /// The charge for units <paramref name="billed"/>+1 … <paramref name="billed"/>+<paramref name="quantity"/> of one count,
    /// when earlier invoices billed the first <paramref name="billed"/> (a window billed in two parts): graduated tiers
    /// go on where the first part stopped, each tier line rounded on the tier's running count and its flat fee charged
    /// with the tier's first unit, so the parts add up to the one-bill price to the cent; a volume line reprices the
    /// whole count at the tier it reached, less what the earlier parts charged.
    /// </summary>
    public IReadOnlyList<TierCharge> Price(long billed, long quantity)
    {
        var charges = new List<TierCharge>();
        if (quantity <= 0)
        {
            return charges;
        }

        billed = Math.Max(0, billed);
        var end = checked(billed + quantity);
        var below = 0L;
        for (var i = 0; i < Tiers.Count; i++)
        {
            var tier = Tiers[i];
            var top = tier.UpTo ?? long.MaxValue;
            if (Mode == TiersMode.Volume)
            {
                if (end <= top)
                {
                    var before = billed == 0 ? 0 : TotalCents(billed);
                    charges.Add(new TierCharge(i + 1, below + 1, tier.UpTo, quantity, tier, checked(Amount(tier, end) - before), billed, before));
                    return charges;
                }
            }
            else
            {
                var from = Math.Max(below, billed);
                var to = Math.Min(end, top);
                if (to > from)
                {
                    var flat = from == below ? tier.FlatCents : 0;
                    var amount = checked(flat + Rounded(tier, to - below) - Rounded(tier, from - below));
                    charges.Add(new TierCharge(i + 1, from + 1, tier.UpTo, to - from, tier, amount));
                }

                if (end <= top)
                {
                    return charges;
                }
            }

            below = top;
        }

        return charges;
    }

    public long TotalCents(long quantity) => Price(quantity).Sum(c => c.AmountCents);

    private static long Amount(OverageTier tier, long units) => checked(tier.FlatCents + Rounded(tier, units));

    private static long Rounded(OverageTier tier, long units)
    {
        // Half-up: floor((2·units·price + per) ÷ (2·per)), exact for non-negative values.
        var numerator = (Int128)units * tier.UnitPriceCents * 2 + tier.PerUnits;
        return checked((long)(numerator / (2 * (Int128)tier.PerUnits)));
    }
}

public static class TiersModeNames
{
    public const string Hint = "must be graduated or volume";

    public static string ToWire(this TiersMode mode) => mode == TiersMode.Volume ? "volume" : "graduated";

    public static bool TryParse(string? text, out TiersMode mode)
    {
        mode = text == "volume" ? TiersMode.Volume : TiersMode.Graduated;
        return text is "volume" or "graduated";
    }
}
