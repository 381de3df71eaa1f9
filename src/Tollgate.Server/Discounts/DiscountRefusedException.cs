namespace Tollgate.Server.Discounts;

/// <summary>
/// Thrown inside a write transaction when a code or coupon cannot be applied, so the transaction rolls back and the
/// request writes nothing; the API answers it with 400 promotion_code_invalid.
/// </summary>
public sealed class DiscountRefusedException(string reason, string detail) : Exception(detail)
{
    public string Reason { get; } = reason;
}
