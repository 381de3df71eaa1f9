using Tollgate.Core.Money;

namespace Tollgate.Core.Taxes;

/// <summary>
/// Tax on one line, rounded half away from zero once per line and rate. Exclusive tax is round(line × rate), each rate
/// on the line (a state's 6.25 % and a city's 2 % on $100.00 are $6.25 and $2.00). Inclusive tax is
/// line − round(line ÷ (1 + rate)); with several inclusive rates the net is taken once with their sum and the tax spread
/// over them in proportion to their rates, so the net plus the taxes is the line exactly. Exclusive rates beside inclusive
/// ones apply to the net, never to tax.
/// </summary>
public static class TaxMath
{
    public static IReadOnlyList<LineTax> ForLine(long amountCents, IReadOnlyList<TaxRate> rates)
    {
        if (amountCents == 0 || rates.Count == 0)
        {
            return [];
        }

        var inclusive = rates.Where(r => r.Inclusive).ToList();
        var inclusiveTax = 0L;
        var shares = new long[inclusive.Count];
        if (inclusive.Count > 0)
        {
            var net = Rounding.DivideHalfUp((Int128)amountCents * TaxRate.Whole, TaxRate.Whole + inclusive.Sum(r => r.Millionths));
            inclusiveTax = amountCents - net;
            var spread = Spread(Math.Abs(inclusiveTax), [.. inclusive.Select(r => r.Millionths)]);
            shares = [.. spread.Select(s => inclusiveTax < 0 ? -s : s)];
        }

        var taxable = amountCents - inclusiveTax;
        var taxes = new List<LineTax>(rates.Count);
        var k = 0;
        foreach (var rate in rates)
        {
            var amount = rate.Inclusive ? shares[k++] : Exclusive(taxable, rate.Millionths);
            taxes.Add(new LineTax(rate.Id, rate.Name, rate.Millionths, rate.Inclusive, amount));
        }

        return taxes;
    }

    /// <summary>round(amount × rate), half away from zero.</summary>
    public static long Exclusive(long amountCents, long millionths) =>
        Rounding.DivideHalfUp((Int128)amountCents * millionths, TaxRate.Whole);

    /// <summary>amount − round(amount ÷ (1 + rate)): the tax already inside an amount.</summary>
    public static long Inclusive(long amountCents, long millionths) =>
        amountCents - Rounding.DivideHalfUp((Int128)amountCents * TaxRate.Whole, TaxRate.Whole + millionths);

    // Largest remainder: each takes the floor of its exact share, the cents left go to the largest fractions (earlier on a tie).
    private static long[] Spread(long total, IReadOnlyList<long> weights)
    {
        var parts = new long[weights.Count];
        var sum = weights.Sum();
        if (total == 0 || sum == 0)
        {
            return parts;
        }

        var remainders = new Int128[weights.Count];
        for (var i = 0; i < weights.Count; i++)
        {
            var exact = (Int128)total * weights[i];
            parts[i] = (long)(exact / sum);
            remainders[i] = exact % sum;
        }

        var left = total - parts.Sum();
        foreach (var i in Enumerable.Range(0, weights.Count).OrderByDescending(i => remainders[i]).ThenBy(i => i).Take((int)left))
        {
            parts[i]++;
        }

        return parts;
    }
}
