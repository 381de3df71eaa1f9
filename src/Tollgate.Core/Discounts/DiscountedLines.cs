using Tollgate.Core.Billing;
using Tollgate.Core.Money;

namespace Tollgate.Core.Discounts;

/// <summary>
/// Puts a discount on invoice lines. A line is discounted when the discount is in force at the start of the days it
/// covers. A percentage is taken from each line (a credit line too) and rounded half-up once per line; an amount off
/// comes off the period's fee (recurring lines) once per invoice, never more than the fee. Lines keep their amount and
/// carry the discount beside it, as Stripe's discount_amounts do.
/// </summary>
public static class DiscountedLines
{
    /// <summary>The lines an invoice prices when it is issued; proration lines are discounted when a change makes them.</summary>
    public static readonly IReadOnlySet<InvoiceLineKind> BilledAtIssue = new HashSet<InvoiceLineKind> { InvoiceLineKind.Recurring, InvoiceLineKind.Overage };

    private static readonly IReadOnlySet<InvoiceLineKind> Discountable = new HashSet<InvoiceLineKind>
    {
        InvoiceLineKind.Recurring, InvoiceLineKind.Overage, InvoiceLineKind.ProrationCredit, InvoiceLineKind.ProrationCharge,
    };

    public static IReadOnlyList<InvoiceLine> Apply(IReadOnlyList<InvoiceLine> lines, Discount? discount, IReadOnlySet<InvoiceLineKind>? kinds = null)
    {
        if (discount is null)
        {
            return lines;
        }

        var coupon = discount.Coupon;
        var amountLeft = coupon.AmountOffCents ?? 0;
        var result = new List<InvoiceLine>(lines.Count);
        foreach (var line in lines)
        {
            if (!(kinds ?? Discountable).Contains(line.Kind) || line.DiscountCents != 0 || !discount.InForceAt(line.PeriodStart)
                || !coupon.AppliesTo(line.PlanCode))
            {
                result.Add(line);
            }
            else if (coupon.PercentOffBasisPoints is { } bp)
            {
                result.Add(line with { DiscountCents = PercentOf(line.AmountCents, bp) });
            }
            else if (line is { Kind: InvoiceLineKind.Recurring, AmountCents: > 0 } && amountLeft > 0)
            {
                var off = Math.Min(amountLeft, line.AmountCents);
                amountLeft -= off;
                result.Add(line with { DiscountCents = off });
            }
            else
            {
                result.Add(line);
            }
        }

        return result;
    }

    /// <summary>The discount on one amount: its sign follows the amount, so a discounted credit credits less.</summary>
    public static long PercentOf(long amountCents, long basisPoints) =>
        Rounding.DivideHalfUp((Int128)amountCents * basisPoints, Coupon.WholePercent);
}
