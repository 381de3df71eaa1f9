namespace Tollgate.Core.Customers;

/// <summary>A customer of the operator's product, identified by the product's own id for them.</summary>
public sealed record Customer(
    string Id,
    string? Email,
    string? Name,
    IReadOnlyDictionary<string, string> Metadata,
    bool HasPaymentMethod,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
