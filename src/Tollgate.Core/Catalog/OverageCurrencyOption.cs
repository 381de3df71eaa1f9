namespace Tollgate.Core.Catalog;

/// <summary>
/// A plan feature's overage price in one more currency than the plan's default (issue 33), in that currency's minor
/// units: the same kind of price the feature itself has, a unit price, a package or tiers, as Stripe's
/// <c>currency_options</c> (<c>currency_options[eur][tiers]</c>). Tiers take the feature's own <c>tiers_mode</c>.
/// </summary>
public sealed record OverageCurrencyOption(string Currency, long? UnitPriceCents, OveragePackage? Package, IReadOnlyList<OverageTier>? Tiers = null);
