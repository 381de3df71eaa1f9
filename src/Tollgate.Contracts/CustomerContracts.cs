namespace Tollgate.Contracts;

/// <summary>Creates or updates a customer; fields left out keep their stored values.</summary>
/// <param name="Email">The customer's email.</param>
/// <param name="Name">The customer's display name.</param>
/// <param name="Metadata">Up to 50 string pairs the operator keeps with the customer; replaces the stored set when sent.</param>
/// <param name="HasPaymentMethod">Whether the customer can pay; a trial may be set to cancel without one.</param>
/// <param name="Address">The billing address printed on invoices; replaces the stored one when sent.</param>
/// <param name="TaxIds">Up to 5 tax ids printed on invoices (type from Stripe's list, e.g. eu_vat, gb_vat, us_ein); replaces the stored list.</param>
/// <param name="TaxExempt">"none" (default), "exempt" or "reverse" (EU B2B reverse charge).</param>
/// <param name="TaxRates">Up to 5 active tax rates' ids applied to this customer's invoices in place of the rates matched by address; [] clears.</param>
/// <param name="Currency">The ISO 4217 currency the customer is billed in, e.g. "EUR" (a code that is not ISO 4217 nor priced by a plan is 400); 409 currency_mismatch once a subscription or invoice is in another.</param>
public sealed record UpsertCustomerRequest(
    string? Email = null, string? Name = null, IReadOnlyDictionary<string, string>? Metadata = null, bool? HasPaymentMethod = null,
    CustomerAddress? Address = null, IReadOnlyList<CustomerTaxIdEntry>? TaxIds = null, string? TaxExempt = null, IReadOnlyList<string>? TaxRates = null,
    string? Currency = null);

/// <summary>A customer's billing address.</summary>
/// <param name="Line1">Street and number.</param>
/// <param name="Line2">Apartment, suite, building.</param>
/// <param name="City">City or town.</param>
/// <param name="PostalCode">Postal or ZIP code.</param>
/// <param name="State">State, county, province or region.</param>
/// <param name="Country">ISO 3166-1 alpha-2 code in upper case, e.g. "DE"; required.</param>
public sealed record CustomerAddress(
    string? Line1 = null, string? Line2 = null, string? City = null, string? PostalCode = null, string? State = null, string? Country = null);

/// <summary>A customer's tax id.</summary>
/// <param name="Type">Stripe's tax id type, e.g. "eu_vat", "gb_vat", "us_ein".</param>
/// <param name="Value">The id as issued, e.g. "DE123456789".</param>
public sealed record CustomerTaxIdEntry(string Type, string Value);

/// <summary>A customer, identified by the operator's own id for them.</summary>
/// <param name="Id">The operator's id for the customer.</param>
/// <param name="Email">Email, if known.</param>
/// <param name="Name">Display name, if known.</param>
/// <param name="Metadata">The operator's string pairs.</param>
/// <param name="HasPaymentMethod">Whether the customer can pay.</param>
/// <param name="CreatedAt">When Tollgate first saw the customer.</param>
/// <param name="UpdatedAt">When the customer last changed.</param>
/// <param name="Address">The billing address, if set.</param>
/// <param name="TaxIds">The tax ids (empty when none).</param>
/// <param name="TaxExempt">"none", "exempt" or "reverse".</param>
/// <param name="TaxRates">The tax rates set on the customer (empty: rates are matched by its address).</param>
/// <param name="Currency">The ISO 4217 currency the customer is billed in; null until set or fixed by its first subscription.</param>
public sealed record CustomerResponse(
    string Id, string? Email, string? Name, IReadOnlyDictionary<string, string> Metadata, bool HasPaymentMethod, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, CustomerAddress? Address, IReadOnlyList<CustomerTaxIdEntry> TaxIds, string TaxExempt,
    IReadOnlyList<string>? TaxRates = null, string? Currency = null);

/// <summary>Puts a customer on a plan.</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="Plan">The plan's code; the plan's newest version is used.</param>
/// <param name="BillingPeriod">"monthly" or "yearly"; the plan must have that price. Left out: monthly, or yearly on a plan sold only by the year.</param>
/// <param name="TrialDays">Overrides the price's trial: 0 starts without one.</param>
/// <param name="CollectionMethod">"send_invoice" (the customer pays each invoice by its due date) or "charge_automatically" (Stripe).</param>
/// <param name="DaysUntilDue">For send_invoice: days from issue to due date.</param>
/// <param name="VisitorId">The pricing visitor id: when the visitor saw a price experiment, the subscription gets its variant's price.</param>
/// <param name="PromotionCode">A promotion code to redeem for the subscription (400 promotion_code_invalid when it cannot apply).</param>
/// <param name="Coupon">A coupon's id to apply, in place of a code.</param>
/// <param name="Seats">On a per-seat price: the seats bought (the price's included seats when left out).</param>
/// <param name="PriceOverrideCents">A negotiated (deal) price in minor units, per seat on a per-seat price, in place of the catalog's.</param>
/// <param name="PriceOverrideNote">Why the deal price was agreed; shown in the console.</param>
/// <param name="Currency">One of the plan's currencies (ISO 4217); by default the customer's, then the plan's first. Every invoice of the subscription is in it.</param>
public sealed record CreateSubscriptionRequest(
    string Customer, string Plan, string? BillingPeriod = null, int? TrialDays = null, string? CollectionMethod = null, int? DaysUntilDue = null,
    string? VisitorId = null, string? PromotionCode = null, string? Coupon = null, int? Seats = null, long? PriceOverrideCents = null,
    string? PriceOverrideNote = null, string? Currency = null);

/// <summary>Changes the seats of a subscription on a per-seat price.</summary>
/// <param name="Seats">The seats wanted, from the price's included_seats to its max_seats.</param>
/// <param name="Effective">"immediate" or "period_end"; by default immediate when adding seats and period_end when removing them.</param>
/// <param name="Proration">"create_prorations" (default: lines on the next invoice), "always_invoice" (the same lines, invoiced now with the pending items) or "none".</param>
public sealed record ChangeSeatsRequest(int Seats, string? Effective = null, string Proration = "create_prorations");

/// <summary>Changes a subscription's plan or billing period.</summary>
/// <param name="Plan">The new plan's code (its newest version).</param>
/// <param name="BillingPeriod">"monthly" or "yearly"; the current one when left out, or the plan's other one when it is not sold in the current one.</param>
/// <param name="Effective">"immediate" or "period_end"; by default immediate for an upgrade and period_end for a downgrade.</param>
/// <param name="Proration">"create_prorations" (default: lines on the next invoice), "always_invoice" (the same lines, invoiced now with the pending items) or "none".</param>
/// <param name="PromotionCode">A promotion code to redeem from the change on.</param>
/// <param name="Coupon">A coupon's id to apply, in place of a code.</param>
public sealed record ChangeSubscriptionRequest(
    string Plan, string? BillingPeriod = null, string? Effective = null, string Proration = "create_prorations", string? PromotionCode = null,
    string? Coupon = null);

/// <summary>Cancels a subscription.</summary>
/// <param name="AtPeriodEnd">True (default): it ends when the paid period ends and can be undone until then. False: it ends now.</param>
/// <param name="CreditUnused">With an immediate cancel: credit the unused time of the period to the customer's balance.</param>
/// <param name="Reason">Why: too_expensive, missing_features, switched_service, unused, customer_service, too_complex, low_quality or other.</param>
/// <param name="Comment">What the customer said, at most 1000 characters.</param>
/// <param name="BillUsage">
/// With an immediate cancel: true (default) bills the period's usage so far on the final invoice; false waives it (Stripe's
/// invoice_now false), for usage that was recorded in error or whose amount no invoice can hold.
/// </param>
public sealed record CancelSubscriptionRequest(
    bool AtPeriodEnd = true, bool CreditUnused = false, string? Reason = null, string? Comment = null, bool BillUsage = true);

/// <summary>A change that waits for the period end.</summary>
/// <param name="Plan">The plan it changes to.</param>
/// <param name="PlanVersion">That plan's version.</param>
/// <param name="BillingPeriod">The billing period it changes to.</param>
/// <param name="EffectiveAt">When it takes effect.</param>
public sealed record PendingChange(string Plan, int PlanVersion, string BillingPeriod, DateTimeOffset EffectiveAt);

/// <summary>A customer's subscription to one plan version.</summary>
/// <param name="Id">The subscription's id.</param>
/// <param name="Customer">The customer's id.</param>
/// <param name="Plan">The plan's code.</param>
/// <param name="PlanVersion">The plan version the subscription keeps (grandfathering).</param>
/// <param name="BillingPeriod">"monthly" or "yearly".</param>
/// <param name="Status">trialing, active, past_due, canceled or incomplete.</param>
/// <param name="CurrentPeriodStart">Start of the current period (of the trial, while trialing).</param>
/// <param name="CurrentPeriodEnd">End of the current period (exclusive).</param>
/// <param name="TrialStart">When the trial started, if there was one.</param>
/// <param name="TrialEnd">When the trial ends or ended.</param>
/// <param name="CancelAtPeriodEnd">Whether the subscription ends at the end of the current period.</param>
/// <param name="CanceledAt">When it was canceled (or set to cancel).</param>
/// <param name="EndedAt">When it ended.</param>
/// <param name="PendingChange">A plan change waiting for the period end.</param>
/// <param name="PastDueSince">When it became past due.</param>
/// <param name="DunningState">Why it is past due ("invoice_overdue", "payment_failed"), or "entitlements_suspended" once its grace ran out.</param>
/// <param name="CollectionMethod">send_invoice or charge_automatically.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="PriceOverrideCents">The price it pays in place of the catalog's (a price experiment's variant or a deal), kept at renewal.</param>
/// <param name="Seats">The seats it pays for on a per-seat price; null otherwise.</param>
/// <param name="PendingSeats">Seats it goes down to at the period end.</param>
/// <param name="PriceOverrideNote">Why a deal price was agreed.</param>
/// <param name="CancelReason">Why it was canceled (or set to cancel), when the cancel said.</param>
/// <param name="CancelComment">What the customer said when canceling.</param>
/// <param name="Discount">The discount it has now (as GET …/discount answers), or null, as Stripe embeds a subscription's discount.</param>
/// <param name="Currency">The ISO 4217 currency it is sold and invoiced in.</param>
public sealed record SubscriptionResponse(
    string Id,
    string Customer,
    string Plan,
    int PlanVersion,
    string BillingPeriod,
    string Status,
    DateTimeOffset CurrentPeriodStart,
    DateTimeOffset CurrentPeriodEnd,
    DateTimeOffset? TrialStart,
    DateTimeOffset? TrialEnd,
    bool CancelAtPeriodEnd,
    DateTimeOffset? CanceledAt,
    DateTimeOffset? EndedAt,
    PendingChange? PendingChange,
    DateTimeOffset? PastDueSince,
    string? DunningState,
    string CollectionMethod,
    DateTimeOffset CreatedAt,
    long? PriceOverrideCents = null,
    int? Seats = null,
    int? PendingSeats = null,
    string? PriceOverrideNote = null,
    string? CancelReason = null,
    string? CancelComment = null,
    DiscountResponse? Discount = null,
    string? Currency = null);

/// <summary>What a change (or its preview) does.</summary>
/// <param name="Subscription">The subscription after the change.</param>
/// <param name="Effective">"immediate" or "period_end".</param>
/// <param name="EffectiveAt">When the change takes effect.</param>
/// <param name="Lines">Proration lines, added to the next invoice (or to the invoice issued now when the billing period changed).</param>
/// <param name="AmountCents">The lines' sum after their discounts: what the change charges (positive) or credits (negative).</param>
/// <param name="Currency">The lines' currency.</param>
/// <param name="InvoiceId">The invoice issued now, if the change started a new billing period.</param>
/// <param name="DiscountCents">The discounts on the lines, already taken from <paramref name="AmountCents"/>.</param>
public sealed record SubscriptionChangeResponse(
    SubscriptionResponse Subscription, string Effective, DateTimeOffset EffectiveAt, IReadOnlyList<InvoiceLineResponse> Lines, long AmountCents,
    string Currency, string? InvoiceId, long DiscountCents = 0, long TaxCents = 0, InvoiceResponse? Invoice = null);
