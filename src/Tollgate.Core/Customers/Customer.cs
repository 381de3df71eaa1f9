namespace Tollgate.Core.Customers;

/// <summary>
/// A customer of the operator's product, identified by the product's own id for them, with the billing details its
/// invoices print: the name, a postal address, tax ids and whether tax applies (<see cref="TaxExemptions"/>). Its
/// <see cref="Currency"/> (ISO 4217) is set on it or fixed by its first subscription; null until then.
/// </summary>
public sealed record Customer(
    string Id,
    string? Email,
    string? Name,
    IReadOnlyDictionary<string, string> Metadata,
    bool HasPaymentMethod,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    PostalAddress? Address = null,
    IReadOnlyList<CustomerTaxId>? TaxIds = null,
    string TaxExempt = TaxExemptions.None,
    IReadOnlyList<string>? TaxRateIds = null,
    string? Currency = null)
{
    public IReadOnlyList<CustomerTaxId> TaxIds { get; init; } = TaxIds ?? [];

    /// <summary>Tax rates the operator set on the customer, applied in place of the rates matched by its address.</summary>
    public IReadOnlyList<string> TaxRateIds { get; init; } = TaxRateIds ?? [];
}
