using Tollgate.Core.Billing;
using Tollgate.Core.Customers;
using Tollgate.Core.Discounts;

namespace Tollgate.Server.Discounts;

/// <summary>The discount step of a plan change.</summary>
internal sealed partial class DiscountWriter
{
    /// <summary>
    /// Discounts a change's lines: the credit for the old plan's unused time as that time was billed
    /// (<see cref="CreditedAsBilledAsync"/>); the charge for the new plan takes the discount in force after the change,
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
        return (change with
        {
            PendingLines = await ProratedAsync(current.Id, change.PendingLines, before, after),
            InvoiceNowLines = await CreditedAsBilledAsync(current.Id, change.InvoiceNowLines, before),
        }, after);
    }
}
