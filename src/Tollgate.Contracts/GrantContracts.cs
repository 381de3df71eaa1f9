using System.ComponentModel.DataAnnotations;

namespace Tollgate.Contracts;

/// <summary>Grants units of a metered feature, or nano-USD of the LLM budget, beyond the plan's limit.</summary>
/// <param name="Feature">A metered feature's code, or <c>$llm_budget</c> for the plan's LLM budget.</param>
/// <param name="Amount">Units granted, 1 to 1,000,000,000,000; for <c>$llm_budget</c>, nano-USD from 1 to 10^15 ($1,000,000).</param>
/// <param name="ExpiresAt">When what is left stops counting (exactly at this instant); null: never.</param>
/// <param name="Priority">0–100, lower spent first (Stripe's convention); default 50.</param>
/// <param name="Reason">Why, for the operator; at most 500 characters.</param>
/// <param name="AmountUsd">For <c>$llm_budget</c> instead of <see cref="Amount"/>: USD as a decimal string ("2.50"), at most 9 decimals.</param>
public sealed record CreateCreditGrantRequest(
    string? Feature, long? Amount = null, DateTimeOffset? ExpiresAt = null, int? Priority = null, string? Reason = null, string? AmountUsd = null)
{
    /// <summary>A grant of the LLM budget (<c>$llm_budget</c>) of <paramref name="amountUsd"/> USD, sent as the exact decimal string.</summary>
    /// <param name="amountUsd">USD above 0, at most 1,000,000, with at most 9 decimals.</param>
    /// <param name="expiresAt">When what is left stops counting; null: never.</param>
    /// <param name="priority">0–100, lower spent first; default 50.</param>
    /// <param name="reason">Why, for the operator.</param>
    public static CreateCreditGrantRequest LlmBudget(decimal amountUsd, DateTimeOffset? expiresAt = null, int? priority = null, string? reason = null) =>
        new("$llm_budget", null, expiresAt, priority, reason, amountUsd.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>A credit grant and what is left of it.</summary>
/// <param name="Id">The grant's id.</param>
/// <param name="Customer">The customer it was granted to.</param>
/// <param name="Feature">The metered feature it adds units to, or <c>$llm_budget</c>.</param>
/// <param name="Amount">Units granted (nano-USD for <c>$llm_budget</c>).</param>
/// <param name="Used">Units spent from it.</param>
/// <param name="Remaining">Units left (still counted only while the status is active).</param>
/// <param name="ExpiresAt">When it stops counting; null: never.</param>
/// <param name="Priority">0–100, lower spent first.</param>
/// <param name="Reason">Why it was granted.</param>
/// <param name="Pack">The pack it was bought as, if any.</param>
/// <param name="Status">active, used, expired or voided.</param>
/// <param name="CreatedAt">When it was granted.</param>
/// <param name="VoidedAt">When it was voided, if it was.</param>
public sealed record CreditGrantResponse(
    string Id, string Customer, string Feature, long Amount, long Used, long Remaining, DateTimeOffset? ExpiresAt, int Priority, string? Reason,
    string? Pack, string Status, DateTimeOffset CreatedAt, DateTimeOffset? VoidedAt);

/// <summary>One page of a customer's grants, newest first.</summary>
/// <param name="Data">The grants.</param>
/// <param name="HasMore">Whether another page follows.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page.</param>
public sealed record CreditGrantListResponse(IReadOnlyList<CreditGrantResponse> Data, bool HasMore, string? NextCursor);

/// <summary>Sells the customer one of the catalog's credit packs: a one-line invoice and the grant, together.</summary>
/// <param name="Pack">The pack's code in the catalog.</param>
/// <param name="Paid">True when the money was collected already (the invoice is issued paid); default false (issued open, due now).</param>
public sealed record SellPackRequest([property: Required] string? Pack = null, bool? Paid = null);

/// <summary>A pack sold: the grant it made and the invoice it was billed on.</summary>
/// <param name="Grant">The credit grant the pack made.</param>
/// <param name="Invoice">The pack's invoice.</param>
public sealed record PackSaleResponse(CreditGrantResponse Grant, InvoiceResponse? Invoice);

/// <summary>Opens a Stripe Checkout (payment mode) for one of the catalog's packs; the grant is made when Stripe reports the payment.</summary>
/// <param name="Pack">The pack's code in the catalog; it needs a stripe_price_id.</param>
/// <param name="SuccessUrl">Where Stripe sends the customer after paying.</param>
/// <param name="CancelUrl">Where Stripe sends the customer who turns back.</param>
public sealed record CreatePackCheckoutRequest(string? Pack = null, string? SuccessUrl = null, string? CancelUrl = null);

/// <summary>A credit pack the catalog sells.</summary>
/// <param name="Code">The pack's code, which a sale names.</param>
/// <param name="Name">What the customer sees.</param>
/// <param name="Feature">The metered feature it grants units of.</param>
/// <param name="Amount">Units it grants.</param>
/// <param name="PriceCents">Its price in minor units.</param>
/// <param name="Currency">ISO 4217, in capitals.</param>
/// <param name="ExpiresAfterDays">Days the grant lasts from the sale; null: it never expires.</param>
/// <param name="StripePriceId">The Stripe price Checkout sells it at; null: sold by the API only.</param>
/// <param name="CurrencyOptions">
/// Its price in other currencies, keyed by ISO 4217 code in capitals, as Stripe's currency_options; null when it has none. A
/// customer buys in its own currency: the pack's own, or one of these.
/// </param>
public sealed record CreditPackResponse(
    string Code, string Name, string Feature, long Amount, long PriceCents, string Currency, int? ExpiresAfterDays, string? StripePriceId,
    IReadOnlyDictionary<string, CreditPackCurrencyOption>? CurrencyOptions = null);

/// <summary>A credit pack's price in one more currency.</summary>
/// <param name="PriceCents">The price in that currency's minor units.</param>
/// <param name="StripePriceId">The Stripe price Checkout sells it at in that currency; null: not sold through Checkout in it.</param>
public sealed record CreditPackCurrencyOption(long PriceCents, string? StripePriceId);
