using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Core.Discounts;
using Tollgate.Core.Money;
using Tollgate.Core.Periods;

namespace Tollgate.Server.Discounts;

/// <summary>The discount on a credit for unused time.</summary>
internal sealed partial class DiscountWriter
{
    // The line that billed a subscription's time up to a period's end: its fee, or the charge of a change made earlier in
    // the period (already invoiced, or pending for the next invoice). The credited plan version's own line first, then
    // the latest (a change's charge before the fee it followed, at the same instant too), so removed seats follow the
    // charge that added them.
    private const string BilledSql = """
        SELECT plan_version_id AS PlanVersionId, amount_cents AS AmountCents, discount_cents AS DiscountCents,
            period_start AS PeriodStart, period_end AS PeriodEnd FROM (
            SELECT l.plan_version_id, l.amount_cents, l.discount_cents, l.period_start, l.period_end,
                CASE l.kind WHEN 'recurring' THEN 0 ELSE 1 END AS made
            FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
            WHERE i.subscription_id = @subscriptionId AND i.status <> 'void' AND l.kind IN ('recurring', 'proration_charge')
              AND l.period_end = @end AND l.period_start <= @start AND l.amount_cents > 0
            UNION ALL
            SELECT plan_version_id, amount_cents, discount_cents, period_start, period_end, 2 FROM pending_invoice_items
            WHERE subscription_id = @subscriptionId AND invoice_id IS NULL AND kind = 'proration_charge'
              AND period_end = @end AND period_start <= @start AND amount_cents > 0
        ) billed
        ORDER BY CASE WHEN plan_version_id = @version THEN 0 ELSE 1 END, period_start DESC, made DESC LIMIT 1
        """;

    /// <summary>
    /// <paramref name="lines"/> with their credits for unused time as that time was billed (the rest as they are, in
    /// their order), as Stripe credits the amount originally debited. The credit takes the discount of the line that
    /// billed it, in proportion: a 100 % coupon used once on the fee credits nothing back, and a coupon added after the
    /// fee was billed leaves the credit whole; the discount in force at the change (<paramref name="inForce"/>) had it the
    /// other way round both times. Time billed at another plan's price (a change made without prorations) is credited at
    /// that price: the new plan's credited $99.99 for a month billed $9.99. With nothing billed for that time yet,
    /// <paramref name="inForce"/> discounts the credit as it stands.
    /// </summary>
    public async Task<IReadOnlyList<InvoiceLine>> CreditedAsBilledAsync(string subscriptionId, IReadOnlyList<InvoiceLine> lines, Discount? inForce)
    {
        var credited = new List<InvoiceLine>(lines.Count);
        foreach (var credit in lines)
        {
            if (credit.Kind != InvoiceLineKind.ProrationCredit)
            {
                credited.Add(credit);
                continue;
            }

            var billed = await c.QueryFirstOrDefaultAsync<BilledLine>(new CommandDefinition(BilledSql, new
            {
                subscriptionId, version = credit.PlanVersionId, start = credit.PeriodStart.ToUnixTimeMilliseconds(),
                end = credit.PeriodEnd.ToUnixTimeMilliseconds(),
            }, tx, cancellationToken: ct));
            if (billed is null)
            {
                credited.Add(DiscountedLines.Apply([credit], inForce)[0]);
                continue;
            }

            var amount = billed.PlanVersionId == credit.PlanVersionId ? credit.AmountCents
                : -Proration.Remaining(billed.AmountCents, new BillingPeriod(DateTimeOffset.FromUnixTimeMilliseconds(billed.PeriodStart),
                    DateTimeOffset.FromUnixTimeMilliseconds(billed.PeriodEnd)), credit.PeriodStart);
            credited.Add(credit with
            {
                AmountCents = amount, UnitAmountCents = credit.Quantity == 1 ? amount : credit.UnitAmountCents,
                DiscountCents = -Rounding.DivideHalfUp((Int128)(-amount) * billed.DiscountCents, billed.AmountCents),
            });
        }

        return credited;
    }

    /// <summary>
    /// A change's proration lines (a plan change's or a seat change's): the credits for unused time as that time was
    /// billed (<see cref="CreditedAsBilledAsync"/>, with <paramref name="before"/> where nothing billed it), then the
    /// charges with <paramref name="after"/>, the discount in force after the change: a percentage as it comes, an amount
    /// off as far as the credits gave it back (<see cref="DiscountedLines.AmountOffCarried"/>).
    /// </summary>
    public async Task<IReadOnlyList<InvoiceLine>> ProratedAsync(string subscriptionId, IReadOnlyList<InvoiceLine> lines, Discount? before, Discount? after)
    {
        var credits = await CreditedAsBilledAsync(subscriptionId, [.. lines.Where(l => l.Kind == InvoiceLineKind.ProrationCredit)], before);
        var charges = DiscountedLines.Apply([.. lines.Where(l => l.Kind != InvoiceLineKind.ProrationCredit)], after);
        return [.. credits, .. DiscountedLines.AmountOffCarried(charges, before, after, -credits.Sum(l => l.DiscountCents))];
    }

    private sealed record BilledLine(string? PlanVersionId, long AmountCents, long DiscountCents, long PeriodStart, long PeriodEnd);
}
