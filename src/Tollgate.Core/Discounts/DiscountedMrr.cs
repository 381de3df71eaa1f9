using Tollgate.Core.Metrics;

namespace Tollgate.Core.Discounts;

/// <summary>
/// Makes subscription states net of their discounts, for MRR: each state's price is what the subscription pays per
/// period under the discount in force at that instant, and a discount's start and end become states of their own, so
/// a coupon that runs out shows as an expansion. A once coupon lowers one invoice, not the recurring price, so it
/// leaves MRR alone.
/// </summary>
public static class DiscountedMrr
{
    public static IReadOnlyList<SubscriptionState> Apply(IReadOnlyList<SubscriptionState> states, IReadOnlyList<Discount> discounts, DateTimeOffset to)
    {
        var recurring = discounts.Where(d => d.Coupon.Duration != CouponDuration.Once).ToLookup(d => d.SubscriptionId, StringComparer.Ordinal);
        if (recurring.Count == 0)
        {
            return states;
        }

        var result = new List<SubscriptionState>(states.Count);
        foreach (var history in states.GroupBy(s => s.SubscriptionId, StringComparer.Ordinal))
        {
            var own = recurring[history.Key].ToList();
            var all = history.ToList();
            foreach (var at in own.SelectMany(Boundaries).Where(b => b < to).Distinct())
            {
                // The state in force at the boundary, again at the boundary: not a trial ending, so it counts no conversion.
                if (history.LastOrDefault(s => s.At <= at) is { } before)
                {
                    all.Add(before with { At = at, WasTrial = false, Reason = "discount_changed" });
                }
            }

            result.AddRange(all.Select(s => Net(s, own)));
        }

        return [.. result.OrderBy(s => s.At)];
    }

    private static IEnumerable<DateTimeOffset> Boundaries(Discount d)
    {
        yield return d.StartAt;
        if (Ends(d) is { } end)
        {
            yield return end;
        }
    }

    private static DateTimeOffset? Ends(Discount d) => (d.EndAt, d.EndedAt) switch
    {
        ({ } a, { } b) => a < b ? a : b,
        ({ } a, null) => a,
        (null, var b) => b,
    };

    private static SubscriptionState Net(SubscriptionState state, IReadOnlyList<Discount> discounts)
    {
        if (discounts.LastOrDefault(d => d.InForceAt(state.At) && d.Coupon.AppliesTo(state.PlanCode)) is not { } discount)
        {
            return state;
        }

        var off = discount.Coupon.PercentOffBasisPoints is { } bp
            ? DiscountedLines.PercentOf(state.PriceCents, bp)
            : Math.Min(state.PriceCents, discount.Coupon.AmountOffCents ?? 0);
        return state with { PriceCents = state.PriceCents - off };
    }
}
