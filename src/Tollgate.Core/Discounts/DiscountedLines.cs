using Tollgate.Core.Billing;
using Tollgate.Core.Money;

namespace Tollgate.Core.Discounts;

/// <summary>
/// Puts a discount on invoice lines. A line is discounted when the discount is in force at the start of the days it
/// covers. A percentage is taken from each line (a credit line too) and rounded half-up once per line (a feature's
/// overage lines, one charge split per group or tier, once for them all, spread as an amount off is); an amount off
/// comes off the fee and overage lines once per invoice, never more than they come to nor than the invoice's subtotal
/// (its credits included), spread across them in proportion to their amounts as Stripe spreads it. Lines keep their
/// amount and carry the discount beside it, as Stripe's discount_amounts do.
/// </summary>
public static class DiscountedLines
{
    /// <summary>The lines an invoice prices when it is issued; proration lines are discounted when a change makes them.</summary>
    public static readonly IReadOnlySet<InvoiceLineKind> BilledAtIssue = new HashSet<InvoiceLineKind> { InvoiceLineKind.Recurring, InvoiceLineKind.Overage };

    private static readonly IReadOnlySet<InvoiceLineKind> Discountable = new HashSet<InvoiceLineKind>
    {
        InvoiceLineKind.Recurring, InvoiceLineKind.Overage, InvoiceLineKind.ProrationCredit, InvoiceLineKind.ProrationCharge,
    };

    /// <param name="alongside">The invoice's other lines (a change's proration lines, already discounted): not discounted
    /// here, but their credits lower what an amount off may take.</param>
    public static IReadOnlyList<InvoiceLine> Apply(IReadOnlyList<InvoiceLine> lines, Discount? discount, IReadOnlySet<InvoiceLineKind>? kinds = null,
        IReadOnlyList<InvoiceLine>? alongside = null)
    {
        if (discount is null)
        {
            return lines;
        }

        var coupon = discount.Coupon;
        bool Eligible(InvoiceLine line) => (kinds ?? Discountable).Contains(line.Kind) && line.DiscountCents == 0 && discount.InForceAt(line.PeriodStart)
            && coupon.AppliesTo(line.PlanCode);
        if (coupon.PercentOffBasisPoints is { } bp)
        {
            var discounted = lines.Select(line => Eligible(line) ? line with { DiscountCents = PercentOf(line.AmountCents, bp) } : line).ToArray();
            // A feature's overage split into lines (per group, per tier) is one charge: its discount is rounded once, on the
            // charge, then spread over the lines, so N lines do not drift from it by up to N/2 cents.
            foreach (var charge in Enumerable.Range(0, lines.Count)
                .Where(i => lines[i] is { Kind: InvoiceLineKind.Overage, AmountCents: > 0, FeatureCode: not null } && Eligible(lines[i]))
                .GroupBy(i => (lines[i].FeatureCode, lines[i].PlanVersionId, lines[i].PeriodStart, lines[i].PeriodEnd))
                .Select(g => g.ToList()).Where(g => g.Count > 1))
            {
                var parts = Spread(PercentOf(charge.Sum(i => lines[i].AmountCents), bp), [.. charge.Select(i => lines[i].AmountCents)]);
                for (var k = 0; k < charge.Count; k++)
                {
                    discounted[charge[k]] = lines[charge[k]] with { DiscountCents = parts[k] };
                }
            }

            return discounted;
        }

        // Proration lines are left out: the amount off is the period's, and the next fee takes it once (a change's charge
        // takes back only what its credit gave back, AmountOffCarried). It never takes the
        // invoice below zero: a credit for unused time on the same invoice (a downgrade's) leaves it less to come off, and
        // a subtotal already below zero none (Stripe caps an amount off at the subtotal).
        var subtotal = lines.Concat(alongside ?? []).Sum(line => line.AmountCents - line.DiscountCents);
        return SpreadOff(lines, Math.Min(coupon.AmountOffCents ?? 0, Math.Max(0, subtotal)),
            line => Eligible(line) && line is { Kind: InvoiceLineKind.Recurring or InvoiceLineKind.Overage, AmountCents: > 0 });
    }

    /// <summary>
    /// A change's charges take back what its credits gave back of an amount off (<paramref name="creditedOff"/>, the
    /// discount the credits for unused time reversed), never more than the amount off nor than the charges come to: the
    /// amount off is the period's, so $7 off for good on a $9.99 month, moved at once to $29.99, costs $22.99 that month.
    /// Only the discount in force on both sides of the change carries (<paramref name="before"/> and <paramref
    /// name="after"/> the same): a code given with the change first discounts the next fee, and a <c>once</c> coupon,
    /// used up by the fee it discounted, carries nothing, as Stripe applies it to one invoice. A change that credits
    /// nothing (seats added) takes nothing: the period's fee has the amount off already.
    /// </summary>
    public static IReadOnlyList<InvoiceLine> AmountOffCarried(IReadOnlyList<InvoiceLine> charges, Discount? before, Discount? after, long creditedOff) =>
        after?.Coupon is { AmountOffCents: { } off } coupon && before?.Id == after.Id && creditedOff > 0
            ? SpreadOff(charges, Math.Min(creditedOff, off),
                line => line is { Kind: InvoiceLineKind.ProrationCharge, AmountCents: > 0, DiscountCents: 0 } && after.InForceAt(line.PeriodStart)
                    && coupon.AppliesTo(line.PlanCode))
            : charges;

    /// <summary>The lines with <paramref name="off"/> spread over the eligible ones in proportion to their amounts.</summary>
    private static IReadOnlyList<InvoiceLine> SpreadOff(IReadOnlyList<InvoiceLine> lines, long off, Func<InvoiceLine, bool> eligible)
    {
        var shares = Spread(off, [.. lines.Select(line => eligible(line) ? line.AmountCents : 0)]);
        return [.. lines.Select((line, i) => shares[i] > 0 ? line with { DiscountCents = shares[i] } : line)];
    }

    /// <summary>
    /// Splits min(<paramref name="amountOff"/>, total) across <paramref name="amounts"/> in proportion to each, by largest
    /// remainder: each takes the floor of its exact share, and the cents left go one each to the largest fractions (the
    /// earlier line on a tie), so the parts sum exactly to the discount and none exceeds its line.
    /// </summary>
    public static long[] Spread(long amountOff, IReadOnlyList<long> amounts)
    {
        var shares = new long[amounts.Count];
        var total = amounts.Sum();
        var off = Math.Min(amountOff, total);
        if (off <= 0)
        {
            return shares;
        }

        var remainders = new Int128[amounts.Count];
        for (var i = 0; i < amounts.Count; i++)
        {
            var exact = (Int128)off * amounts[i];
            shares[i] = (long)(exact / total);
            remainders[i] = exact % total;
        }

        var left = off - shares.Sum();
        foreach (var i in Enumerable.Range(0, amounts.Count).OrderByDescending(i => remainders[i]).ThenBy(i => i).Take((int)left))
        {
            shares[i]++;
        }

        return shares;
    }

    /// <summary>The discount on one amount: its sign follows the amount, so a discounted credit credits less.</summary>
    public static long PercentOf(long amountCents, long basisPoints) =>
        Rounding.DivideHalfUp((Int128)amountCents * basisPoints, Coupon.WholePercent);
}
