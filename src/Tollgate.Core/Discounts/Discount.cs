namespace Tollgate.Core.Discounts;

/// <summary>
/// A coupon applied to a subscription from <see cref="StartAt"/>: it stops at <see cref="EndAt"/> (a repeating coupon's
/// last month) or when it is removed or, for a once coupon, used (<see cref="EndedAt"/>).
/// </summary>
public sealed record Discount(
    string Id,
    string SubscriptionId,
    string CustomerId,
    Coupon Coupon,
    string? PromotionCodeId,
    DateTimeOffset StartAt,
    DateTimeOffset? EndAt,
    DateTimeOffset? EndedAt)
{
    public bool InForceAt(DateTimeOffset at) => StartAt <= at && (EndAt is null || at < EndAt) && (EndedAt is null || at < EndedAt);
}
