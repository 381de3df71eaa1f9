using Tollgate.Contracts;
using Tollgate.Core.Customers;
using Tollgate.Server.Discounts;
using Tollgate.Server.Catalog;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Billing;

/// <summary>Subscriptions as the API answers them: the mapped fields and the discount in force, embedded as Stripe embeds it.</summary>
public sealed class SubscriptionWire(CatalogCache catalog, DiscountStore discounts, TimeProvider time)
{
    /// <summary>The catalog the answers are mapped from, for the plan terms a change answer also shows.</summary>
    public CatalogCache Catalog => catalog;

    public async Task<SubscriptionResponse> ToWireAsync(Subscription s, CancellationToken cancellationToken = default)
    {
        var wire = await BillingMapper.ToWireAsync(s, catalog, cancellationToken);
        return await discounts.CurrentAsync(s.Id, cancellationToken) is { } d ? wire with { Discount = CouponRequests.ToWire(d, time.GetUtcNow()) } : wire;
    }

    /// <summary>A page of subscriptions, their discounts read in one query rather than one per subscription.</summary>
    public async Task<ListResponse<SubscriptionResponse>> ToWireAsync(Page<Subscription> page, CancellationToken cancellationToken = default)
    {
        var found = await discounts.CurrentForAsync([.. page.Items.Select(s => s.Id)], cancellationToken);
        var now = time.GetUtcNow();
        var data = new List<SubscriptionResponse>(page.Items.Count);
        foreach (var s in page.Items)
        {
            var wire = await BillingMapper.ToWireAsync(s, catalog, cancellationToken);
            data.Add(found.TryGetValue(s.Id, out var d) ? wire with { Discount = CouponRequests.ToWire(d, now) } : wire);
        }

        return new ListResponse<SubscriptionResponse>(data, page.HasMore, page.NextCursor);
    }
}
