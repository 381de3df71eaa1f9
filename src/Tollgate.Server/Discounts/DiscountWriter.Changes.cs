using Tollgate.Core.Billing;
using Tollgate.Core.Customers;
using Tollgate.Core.Discounts;

namespace Tollgate.Server.Discounts;

/// <summary>The discount step of a plan change.</summary>
internal sealed partial class DiscountWriter
{
    /// <summary>
    /// Discounts a change's lines by the discount in force on the days each covers: the credit for the old plan's unused
    /// time keeps the discount in force before the change; the charge for the new plan takes the one in force after it,
    /// which <paramref name="request"/> (when given) redeems now, or only checks for a preview. The lines billed now are
    /// left for their invoice to price; <c>After</c> is the discount a preview prices them with, as that invoice will.
    /// </summary>
    public async Task<(PlanChangeResult Change, Discount? After)> DiscountChangeAsync(
        PlanChangeResult change, Subscription current, string planCode, string currency, DiscountRequest? request, bool preview)
    {
        var before = await InForceAsync(current.Id, time.GetUtcNow(), currency);
        var after = request is null ? before
            : preview ? (await CheckAsync(request, current.Id, current.CustomerId, planCode, currency)).Discount
            : await RedeemAsync(request, current.Id, current.CustomerId, planCode, currency);
        var credits = new HashSet<InvoiceLineKind> { InvoiceLineKind.ProrationCredit };
        return (change with
        {
            PendingLines = [.. DiscountedLines.Apply(change.PendingLines.Where(l => l.Kind == InvoiceLineKind.ProrationCredit).ToList(), before),
                .. DiscountedLines.Apply(change.PendingLines.Where(l => l.Kind != InvoiceLineKind.ProrationCredit).ToList(), after)],
            InvoiceNowLines = DiscountedLines.Apply(change.InvoiceNowLines, before, credits),
        }, after);
    }
}
