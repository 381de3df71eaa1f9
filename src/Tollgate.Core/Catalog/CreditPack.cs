namespace Tollgate.Core.Catalog;

/// <summary>
/// A credit pack: <see cref="Amount"/> units of a metered feature sold once for <see cref="PriceCents"/> in
/// <see cref="Currency"/>, or at one of its <see cref="CurrencyOptions"/> in another currency, granted to the buyer and
/// expiring <see cref="ExpiresAfterDays"/> days after the purchase (never, when null).
/// </summary>
public sealed record CreditPack(
    string Code, string Name, string Feature, long Amount, long PriceCents, string Currency, int? ExpiresAfterDays, string? StripePriceId)
{
    /// <summary>The pack's prices in other currencies than its own, in code order (issue 33), as Stripe's <c>currency_options</c>.</summary>
    public IReadOnlyList<PackPrice> CurrencyOptions { get; init; } = [];

    /// <summary>Every currency the pack is sold in, its own first.</summary>
    public IReadOnlyList<string> Currencies => [Currency, .. CurrencyOptions.Select(o => o.Currency)];

    public DateTimeOffset? ExpiresAt(DateTimeOffset boughtAt) => ExpiresAfterDays is { } days ? boughtAt.AddDays(days) : null;

    /// <summary>
    /// What the pack costs in <paramref name="currency"/>: its own price in its own currency, else the option's; null when it
    /// is not sold in that currency. A customer buys in its one currency, so this is the price a sale or a Checkout charges.
    /// </summary>
    public PackPrice? PriceIn(string currency) => string.Equals(currency, Currency, StringComparison.Ordinal)
        ? new PackPrice(Currency, PriceCents, StripePriceId)
        : CurrencyOptions.FirstOrDefault(o => string.Equals(o.Currency, currency, StringComparison.Ordinal));
}

/// <summary>A pack's price in one currency, in its minor units, and the one-time Stripe price Checkout sells it at (null: not through Checkout).</summary>
public sealed record PackPrice(string Currency, long PriceCents, string? StripePriceId);
