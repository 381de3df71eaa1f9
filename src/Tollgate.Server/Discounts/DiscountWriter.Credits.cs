using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Core.Discounts;
using Tollgate.Core.Money;

namespace Tollgate.Server.Discounts;

/// <summary>The discount on a credit for unused time.</summary>
internal sealed partial class DiscountWriter
{
    // The line that billed a plan version up to a period's end: its fee, or the charge of a change made earlier in the
    // period (already invoiced, or pending for the next invoice), the latest first.
    private const string BilledSql = """
        SELECT amount_cents AS AmountCents, discount_cents AS DiscountCents FROM (
            SELECT l.amount_cents, l.discount_cents, l.period_start FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
            WHERE i.subscription_id = @subscriptionId AND i.status <> 'void' AND l.kind IN ('recurring', 'proration_charge')
              AND l.plan_version_id = @version AND l.period_end = @end AND l.period_start <= @start
            UNION ALL
            SELECT amount_cents, discount_cents, period_start FROM pending_invoice_items
            WHERE subscription_id = @subscriptionId AND invoice_id IS NULL AND kind = 'proration_charge'
              AND plan_version_id = @version AND period_end = @end AND period_start <= @start
        ) billed ORDER BY period_start DESC LIMIT 1
        """;

    /// <summary>
    /// <paramref name="lines"/> with their credits for unused time discounted as that time was billed (the rest as they
    /// are, in their order): in the proportion of the discount on the line that billed it, as Stripe credits the amount
    /// originally debited. A 100 % coupon used once on the fee credits nothing back, and a coupon added after the fee was
    /// billed leaves the credit whole; the discount in force at the change (<paramref name="inForce"/>) had it the other
    /// way round both times. With nothing billed for that time yet, <paramref name="inForce"/> discounts it.
    /// </summary>
    public async Task<IReadOnlyList<InvoiceLine>> CreditedAsBilledAsync(string subscriptionId, IReadOnlyList<InvoiceLine> lines, Discount? inForce)
    {
        var discounted = new List<InvoiceLine>(lines.Count);
        foreach (var credit in lines)
        {
            if (credit.Kind != InvoiceLineKind.ProrationCredit)
            {
                discounted.Add(credit);
                continue;
            }

            var billed = await c.QueryFirstOrDefaultAsync<BilledLine>(new CommandDefinition(BilledSql, new
            {
                subscriptionId, version = credit.PlanVersionId, start = credit.PeriodStart.ToUnixTimeMilliseconds(),
                end = credit.PeriodEnd.ToUnixTimeMilliseconds(),
            }, tx, cancellationToken: ct));
            discounted.Add(billed is { AmountCents: > 0 } line
                ? credit with { DiscountCents = -Rounding.DivideHalfUp((Int128)(-credit.AmountCents) * line.DiscountCents, line.AmountCents) }
                : DiscountedLines.Apply([credit], inForce)[0]);
        }

        return discounted;
    }

    private sealed record BilledLine(long AmountCents, long DiscountCents);
}
