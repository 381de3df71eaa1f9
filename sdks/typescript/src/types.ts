/** Tollgate's answers, in camelCase. Instants are ISO 8601 strings in UTC, as on the wire; money is integer cents or decimal USD. */

export type Customer = {
  id: string;
  email: string | null;
  name: string | null;
  metadata: Record<string, string>;
  hasPaymentMethod: boolean;
  createdAt: string;
  updatedAt: string;
  /** The billing address invoices print, or null. */
  address: Address | null;
  taxIds: TaxId[];
  taxExempt: TaxExempt;
  /** Tax rates set on the customer, applied in place of the rates matched by its address (empty: matched by address). */
  taxRates: string[];
  /** The one ISO 4217 currency it is billed in; null until set or fixed by its first subscription. */
  currency?: string | null | undefined;
};

/** A billing address; `country` is ISO 3166-1 alpha-2 in upper case ("DE"). */
export type Address = {
  line1?: string | null | undefined;
  line2?: string | null | undefined;
  city?: string | null | undefined;
  postalCode?: string | null | undefined;
  state?: string | null | undefined;
  country: string;
};

/** A customer's tax id: `type` from Stripe's list (`eu_vat`, `gb_vat`, `us_ein`, …) and the id as issued. */
export type TaxId = { type: string; value: string };

/** Whether tax applies to the customer: `reverse` is the EU B2B reverse charge. */
export type TaxExempt = "none" | "exempt" | "reverse";

/** Fields left out keep their stored values; an `address` or `taxIds` sent replaces the stored one. */
export type CustomerUpsert = {
  email?: string | undefined;
  name?: string | undefined;
  metadata?: Record<string, string> | undefined;
  hasPaymentMethod?: boolean | undefined;
  address?: Address | undefined;
  taxIds?: TaxId[] | undefined;
  taxExempt?: TaxExempt | undefined;
  /** Ids of active tax rates applied in place of those matched by the address; `[]` clears them. */
  taxRates?: string[] | undefined;
  /** The ISO 4217 currency it is billed in ("EUR"); a ConflictError (`currency_mismatch`) once a subscription or invoice is in another. */
  currency?: string | undefined;
};

/** The decision on one feature and the counter behind it (`Decision` in the Python SDK, `EntitlementResponse` in .NET). */
export type Decision = {
  allowed: boolean;
  reason:
    | "within_quota" | "unlimited" | "soft_cap_overage" | "credit_grant" | "included" | "value" | "quota_exceeded" | "feature_not_in_plan"
    | "budget_exceeded" | "rate_limited" | (string & {});
  feature: string;
  plan: string | null;
  limit: number | null;
  used: number;
  remaining: number | null;
  unlimited: boolean;
  /** Where the quota's own window (its `reset`, not the billing period) started; null for a gate or a value. */
  windowStart: string | null;
  /** When that window ends and the counter starts again; null for a lifetime allowance (`reset: never`), a gate or a value. */
  resetsAt: string | null;
  hardCap: boolean;
  overage: number;
  reserved: number;
  /** For value features, the plan's setting, as JSON. */
  value: unknown;
  /** What the customer's credit grants for the feature have left; absent or null where they were not consulted. */
  grantedRemaining?: number | null | undefined;
  /** The customer whose quota was used: the organisation when the call named a member. */
  customer?: string | null | undefined;
  /** The member the call named, or null when it named the customer. */
  member?: string | null | undefined;
};

/** @deprecated The earlier name of `Decision`. */
export type Entitlement = Decision;

export type ReservationAnswer = { id: string | null; expiresAt: string | null; entitlement: Decision };

export type FeatureUsage = {
  limit: number | null; used: number; remaining: number | null; unlimited: boolean; hardCap: boolean; overage: number; reserved: number;
  /** The quota's own window (its `reset`, not the billing period): where it started, and when it ends (null for `reset: never`). */
  windowStart: string | null; resetsAt: string | null;
  /** What the customer's credit grants for the feature have left. */
  grantedRemaining?: number | null | undefined;
  /** A feature counted by a billable metric with `group_by`: used per group of property values (its keys as sent). */
  groups?: MetricGroup[] | undefined;
};

export type MetricGroup = { group: Record<string, string | number | boolean | null>; used: number };

export type Usage = { customer: string; plan: string | null; periodStart: string; periodEnd: string; features: Record<string, FeatureUsage> };

export type FeatureEntitlement = {
  feature: string; name: string; kind: "boolean" | "metered" | "value"; access: boolean;
  limit: number | null; used: number | null; remaining: number | null; unlimited: boolean; value: unknown;
  /** Metered: the quota's own window, where it started and when it ends (null for `reset: never`); null for other kinds. */
  windowStart: string | null; resetsAt: string | null;
  /** What the customer's credit grants for the feature have left. */
  grantedRemaining?: number | null | undefined;
};

export type Entitlements = { customer: string; plan: string | null; periodStart: string; periodEnd: string; features: FeatureEntitlement[] };

export type UsageEvent = {
  /** Your unique id for the event; a resend counts once. Generated when left out. */
  id?: string | undefined;
  customer: string;
  feature: string;
  amount?: number | undefined;
  timestamp?: Date | string | undefined;
  properties?: Record<string, unknown> | undefined;
  /** Up to 20 string pairs (4 kB in all) kept on the usage record, as on consume. */
  metadata?: Record<string, string> | undefined;
};

/** An event with properties, which the catalog's billable metrics read. */
export type PropertyEvent = {
  /** Your unique id for the event; a resend counts once. Generated when left out. */
  id?: string | undefined;
  customer: string;
  event: string;
  timestamp?: Date | string | undefined;
  /** Flat: at most 32 keys, each a string (at most 256 characters), a number or a boolean. */
  properties?: Record<string, string | number | boolean> | undefined;
};

export type TrackAnswer = { accepted: number; duplicates: string[]; rejected: { index: number; id: string | null; reason: string }[] };

export type PendingChange = { plan: string; planVersion: number; billingPeriod: string; effectiveAt: string };

export type Subscription = {
  id: string; customer: string; plan: string; planVersion: number; billingPeriod: "monthly" | "yearly";
  status: "trialing" | "active" | "past_due" | "canceled" | "incomplete";
  currentPeriodStart: string; currentPeriodEnd: string; trialStart: string | null; trialEnd: string | null;
  cancelAtPeriodEnd: boolean; canceledAt: string | null; endedAt: string | null; pendingChange: PendingChange | null;
  pastDueSince: string | null; dunningState: string | null; collectionMethod: string; createdAt: string;
  /** Seats paid for on a per-seat price (null otherwise), and those it goes down to at the period end. */
  seats?: number | null | undefined; pendingSeats?: number | null | undefined; priceOverrideCents?: number | null | undefined; priceOverrideNote?: string | null | undefined;
  /** The discount it has now, or null (Stripe embeds it too); `subscriptions.getDiscount` reads the same. */
  discount?: Discount | null | undefined;
  /** Why it was canceled (or is set to cancel), as the cancel or Stripe's portal said; null otherwise, and after `undoCancel`. */
  cancelReason: CancelReason | null;
  /** The customer's own words with the cancel (at most 1000 characters), or null. */
  cancelComment: string | null;
  /** The ISO 4217 currency it is sold and invoiced in. */
  currency?: string | undefined;
};

/** Stripe's cancellation-feedback codes. */
export type CancelReason =
  | "too_expensive" | "missing_features" | "switched_service" | "unused" | "customer_service" | "too_complex" | "low_quality" | "other";

export type SubscriptionCancel = {
  /** At the period's end (the default, undoable until then), or now with `false`. */
  atPeriodEnd?: boolean | undefined;
  /** With a cancel now: credit the unused part of the period to the customer's balance. */
  creditUnused?: boolean | undefined;
  /** Why: another value is a ValidationError naming `reason`, and nothing is canceled. */
  reason?: CancelReason | undefined;
  /** Free text, at most 1000 characters. */
  comment?: string | undefined;
  /**
   * With a cancel now: `false` waives the period's usage so far instead of billing it on the final invoice (Stripe's
   * `invoice_now: false`). With `atPeriodEnd` left true it is a ValidationError naming `bill_usage`.
   */
  billUsage?: boolean | undefined;
};

export type SubscriptionCreate = {
  customer: string; plan: string; billingPeriod?: "monthly" | "yearly" | undefined; trialDays?: number | undefined;
  collectionMethod?: "send_invoice" | "charge_automatically" | undefined; daysUntilDue?: number | undefined;
  /** A promotion code (any case) or a coupon id to redeem; PromotionCodeInvalidError when it cannot apply. */
  promotionCode?: string | undefined; coupon?: string | undefined;
  /** On a per-seat price: the seats bought (the price's included seats when left out). */
  seats?: number | undefined;
  /** The visitor `pricing.plans({ visitor })` was asked for: during a price experiment, its variant's price and conversion. */
  visitorId?: string | undefined;
  /** One of the plan's currencies (by default the customer's, then the plan's first); every invoice of it is in this currency. */
  currency?: string | undefined;
  /** A negotiated (deal) price in minor units, per seat on a per-seat price, in place of the catalog's; kept at renewal. */
  priceOverrideCents?: number | undefined;
  /** Why the deal price was agreed; shown in the console. */
  priceOverrideNote?: string | undefined;
};

export type SubscriptionChange = {
  plan: string; billingPeriod?: "monthly" | "yearly" | undefined; effective?: "immediate" | "period_end" | undefined; proration?: "create_prorations" | "always_invoice" | "none" | undefined;
  promotionCode?: string | undefined; coupon?: string | undefined;
};

export type InvoiceLine = {
  /** The id a credit note names to credit this line; null on the lines of a change preview, which no invoice holds yet. */
  id: string | null; kind: string; description: string; amountCents: number; quantity: number; unitAmountCents: number;
  periodStart: string; periodEnd: string; plan: string | null; feature: string | null;
  discountCents?: number | undefined;
  /** The tax per rate on the line after its discount. */
  taxAmounts?: InvoiceTaxAmount[] | undefined;
};

/** The tax one rate put on a line, as the rate was when the invoice was issued; `percentage` as sent (19, 6.25). */
export type InvoiceTaxAmount = { taxRate: string; name: string; percentage: number; inclusive: boolean; amountCents: number };

/** One rate's tax over a whole invoice, and what it was taken on (after discounts, less inclusive tax). */
export type InvoiceTaxBreakdown = {
  taxRate: string; name: string; percentage: number; inclusive: boolean; taxableAmountCents: number; amountCents: number;
};

export type TaxRate = {
  id: string; name: string; percentage: number; inclusive: boolean; country: string | null; state: string | null; active: boolean; createdAt: string;
};
/** `percentage` above 0 and below 100 with at most four decimals; without `country` a rate applies only where set on a customer. */
export type TaxRateCreate = { id: string; name: string; percentage: number; inclusive: boolean; country?: string | undefined; state?: string | undefined };

export type SubscriptionChangeAnswer = {
  subscription: Subscription; effective: "immediate" | "period_end"; effectiveAt: string; lines: InvoiceLine[];
  amountCents: number; currency: string; invoiceId: string | null;
  /** The lines' discounts, already taken from `amountCents`. */
  discountCents: number;
  /** The exclusive and inclusive tax on the invoice the change issued or will issue; `amountCents` includes the exclusive part. */
  taxCents: number;
  /** The invoice the change issued now (for a preview, the one it would issue), or null when nothing bills at once. */
  invoice: Invoice | null;
};

export type Invoice = {
  id: string; number: string | null; customer: string; subscription: string | null;
  /** `upcoming` only on invoices.upcoming: the next renewal's invoice, not issued yet (no number, no htmlUrl). */
  status: "draft" | "open" | "paid" | "void" | "uncollectible" | "upcoming"; billingReason: string; currency: string;
  subtotalCents: number; creditAppliedCents: number; amountDueCents: number; amountPaidCents: number;
  periodStart: string | null; periodEnd: string | null; issuedAt: string | null; dueAt: string | null;
  paidAt: string | null; voidedAt: string | null; lines: InvoiceLine[]; htmlUrl: string | null; creditNotesCents: number;
  discountCents?: number | undefined;
  /** All the tax, inclusive and exclusive. */
  taxCents: number;
  /** Subtotal less discounts plus exclusive tax (inclusive tax is inside the subtotal), before credit. */
  totalCents: number;
  taxBreakdown: InvoiceTaxBreakdown[];
  /** EU B2B reverse charge: no tax charged; the customer accounts for it. */
  reverseCharge: boolean;
};

export type CreditNoteReason = "duplicate" | "fraudulent" | "order_change" | "product_unsatisfactory" | "other";

/** Either `lines` or `amountCents`, with a reason; without an `idempotencyKey` one is made, so the call's own retries credit once. */
export type CreditNoteCreate = {
  lines?: { invoiceLineId: string; amountCents: number }[] | undefined; amountCents?: number | undefined; reason: CreditNoteReason; memo?: string | undefined;
  refund?: boolean | undefined; idempotencyKey?: string | undefined;
};

/** A correction of an issued invoice: prePaymentAmountCents + creditBalanceCents + refundAmountCents = amountCents. */
export type CreditNote = {
  id: string; number: string; invoice: string; customer: string; currency: string; type: "pre_payment" | "post_payment" | "mixed";
  status: "issued" | "void"; amountCents: number; prePaymentAmountCents: number; creditBalanceCents: number; refundAmountCents: number;
  refundStatus: string | null; reason: CreditNoteReason; memo: string | null;
  lines: { invoiceLineId: string; description: string; amountCents: number }[]; createdAt: string;
};

export type Alert = {
  id: string; customer: string; feature: string; kind: string; threshold: number | null; severity: string;
  used: number; limit: number | null; message: string; periodStart: string; periodEnd: string;
  projectedAt: string | null; createdAt: string; readAt: string | null;
};

export type PortalLink = { url: string; expiresAt: string };
/** A customer session: `token` (tg_cs_…) reads only this customer's own billing data, from a browser. */
export type CustomerSession = { id: string; customer: string; token: string; expiresAt: string; createdAt: string };
export type CheckoutSession = { checkoutUrl: string; sessionId: string };

/** A price experiment's variant price: `plan`'s `billingPeriod` price shown as `priceCents` to the variant's visitors. */
export type ExperimentPrice = { plan: string; billingPeriod: "monthly" | "yearly"; priceCents: number };
export type ExperimentCreate = {
  name: string;
  /** Exactly one `control` (the catalog as it is, no prices), and challengers with their prices; weights split visitors. */
  variants: { key: string; weight: number; prices?: ExperimentPrice[] | undefined }[];
};
export type Experiment = {
  id: string; name: string; status: "draft" | "running" | "stopped";
  variants: { key: string; weight: number; control: boolean; prices: ExperimentPrice[] }[];
  createdAt: string; startedAt: string | null; stoppedAt: string | null;
};
/** Rates are fractions (0.05 is 5 %), money in cents; `pValue` and `relativeLift` against control, null on control. */
export type ExperimentResults = {
  experiment: string; status: Experiment["status"]; confidenceLevel: number;
  variants: {
    variant: string; control: boolean; visitors: number; conversions: number; conversionRate: number; conversionRateLow: number;
    conversionRateHigh: number; mrrCents: number; mrrPerVisitorCents: number; pValue: number | null; relativeLift: number | null;
  }[];
};
export type StripePortalSession = { url: string };

/** One model call to log. Token counts are disjoint: each token is in exactly one field. */
export type LlmCall = {
  customer: string; model: string; feature?: string | undefined; provider?: string | undefined;
  inputTokens?: number | undefined; outputTokens?: number | undefined; cachedInputTokens?: number | undefined; cacheWriteTokens?: number | undefined; reasoningTokens?: number | undefined;
  /** How many of cacheWriteTokens were kept for an hour (Anthropic's `ttl: "1h"`), at most cacheWriteTokens. */
  cacheWrite1hTokens?: number | undefined;
  requests?: number | undefined; images?: number | undefined;
  /** The provider's id (chatcmpl-…, msg_…): a retry with it counts once. */
  requestId?: string | undefined;
  timestamp?: Date | string | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** A budget hold from llm.reserveBudget, settled to this call's cost. */
  reservationId?: string | undefined;
};

export type LlmCallAnswer = {
  requestId: string; status: "accepted" | "duplicate"; costUsd: number; costNanoUsd: number; unpriced: boolean;
  priceId: string | null; plan: string | null;
};

export type LlmBatchAnswer = {
  accepted: number; duplicates: number; rejected: { index: number; requestId: string | null; reason: string }[];
  totalCostUsd: number; calls: LlmCallAnswer[];
};

export type LlmBudget = {
  customer: string; plan: string | null; limitUsd: number | null; spentUsd: number; reservedUsd: number;
  remainingUsd: number | null; periodStart: string;
  /** The budget's window (the plan's `llm_budget_reset`; the billing period by default); `resetsAt` is its end. */
  windowStart: string; resetsAt: string; reservationId?: string | null | undefined;
  /** What the customer's live `$llm_budget` credit grants have left, spent once the plan's budget is. */
  grantedRemainingUsd: number;
};

export type PricingPrice = {
  billingPeriod: string; priceCents: number; currency: string; displayPrice: string; savingPercent?: number | null | undefined;
  /** Per seat: `priceCents` is one seat's; `includedSeats` to `maxSeats` (null: no limit) are the seats sold. */
  perSeat?: boolean | undefined; includedSeats?: number | null | undefined; maxSeats?: number | null | undefined;
  /** What the price is for, beside the amount: "/ month", "/ seat / month", "/ year". */
  displayPer?: string | undefined;
  /** On a per-seat price, the seats sold in words: "From 2 seats, up to 50"; null otherwise. */
  displaySeats?: string | null | undefined;
  [field: string]: unknown;
};
export type PricingPlan = {
  code: string; name: string; description: string | null; sortOrder: number; isPopular: boolean; version: number;
  prices: PricingPrice[]; features: { [field: string]: unknown }[];
  /** The price experiment and variant the visitor was assigned, when asked with `visitor` during an experiment. */
  experiment?: { id: string; variant: string } | null | undefined;
  /** Every ISO 4217 currency the plan is priced in, its default first; `prices` are in the one asked for, else the default. */
  currencies?: string[] | undefined;
};
export type PricingFeature = { code: string; name: string; description: string | null; unit: string | null; kind: string };

export type WebhookEvent = { id: string; type: string; createdAt: string; data: Record<string, unknown> };

/** Query instants and days: a Date, or ISO 8601 text (a day such as "2026-11-01" where the endpoint takes days). */
export type When = Date | string;

export type CustomerFilter = { query?: string | undefined; plan?: string | undefined; status?: Subscription["status"] | undefined; limit?: number | undefined; cursor?: string | undefined };
export type SubscriptionFilter = { customer?: string | undefined; status?: Subscription["status"] | undefined; plan?: string | undefined; limit?: number | undefined; cursor?: string | undefined };
export type InvoiceFilter = { customer?: string | undefined; status?: Invoice["status"] | undefined; from?: When | undefined; to?: When | undefined; limit?: number | undefined; cursor?: string | undefined };
export type CustomerDeleted = { id: string; deleted: true; deletedAt: string; canceledSubscription: string | null; finalInvoice: string | null };

export type UsagePoint = { period: string; quantity: number };
export type UsageHistory = { customer: string; granularity: "day" | "month"; from: string; to: string; features: Record<string, UsagePoint[]> };
export type DailyUsagePoint = { day: string; quantity: number; customers: number };
export type DailyUsage = { from: string; to: string; features: Record<string, DailyUsagePoint[]> };

export type LlmCallRecord = {
  customer: string; requestId: string; feature: string | null; model: string; provider: string | null; priceId: string | null;
  tokens: { input: number; output: number; cachedInput: number; cacheWrite: number; reasoning: number; cacheWrite1h: number };
  requests: number; images: number;
  /** USD as a JSON number; costNanoUsd is the exact integer (1e-9 USD). */
  costUsd: number; costNanoUsd: number; unpriced: boolean; plan: string | null; planVersionId: string | null;
  occurredAt: string; receivedAt: string; metadata: Record<string, unknown> | null;
  /** The member who logged the call (it named the member's id); null when it named the customer itself. */
  member: string | null;
};
export type RecordedEvent = {
  id: string; customer: string; feature: string; amount: number; timestamp: string; receivedAt: string; properties: Record<string, unknown> | null;
  /** The string pairs it was sent with; `source` is event (POST /v1/events), consume or reservation (a commit with metadata). */
  metadata: Record<string, string> | null; source: "event" | "consume" | "reservation";
  /** The member who sent it (it named the member's id); null when it named the customer itself. */
  member: string | null;
};
/** `member` keeps one member's rows; a secret key must name the customer or the member. */
export type LogFilter = { customer?: string | undefined; feature?: string | undefined; from?: When | undefined; to?: When | undefined; member?: string | undefined; limit?: number | undefined; cursor?: string | undefined };

export type Coupon = {
  id: string; name: string; percentOff: number | null; amountOffCents: number | null; currency: string | null;
  duration: "once" | "repeating" | "forever"; durationInMonths: number | null; appliesToPlans: string[]; maxRedemptions: number | null;
  redeemBy: string | null; timesRedeemed: number; stripeCouponId: string | null; valid: boolean; createdAt: string;
  /** A fixed amount's amounts in other currencies, keyed by ISO 4217 code in capitals ("EUR"); null when none. */
  currencyOptions: Record<string, CouponCurrencyOption> | null;
};
/** A fixed-amount coupon's amount in one more currency, in its minor units. */
export type CouponCurrencyOption = { amountOffCents: number };
export type CouponCreate = {
  id: string; name: string; percentOff?: number | undefined; amountOffCents?: number | undefined; currency?: string | undefined; duration?: Coupon["duration"] | undefined;
  durationInMonths?: number | undefined; appliesToPlans?: string[] | undefined; maxRedemptions?: number | undefined; redeemBy?: When | undefined; stripeCouponId?: string | undefined;
  /**
   * With `amountOffCents`: the amount off in other currencies, keyed by ISO 4217 code (`{ EUR: { amountOffCents: 400 } }`);
   * an invoice in a currency without one gets no discount.
   */
  currencyOptions?: Record<string, CouponCurrencyOption> | undefined;
};
export type PromotionCode = {
  id: string; code: string; coupon: Coupon; maxRedemptions: number | null; expiresAt: string | null; firstTimeOnly: boolean;
  customer: string | null; active: boolean; timesRedeemed: number; createdAt: string;
};
export type PromotionCodeCreate = {
  code: string; coupon: string; maxRedemptions?: number | undefined; expiresAt?: When | undefined; firstTimeOnly?: boolean | undefined; customer?: string | undefined; active?: boolean | undefined;
};
export type Discount = {
  id: string; subscription: string; customer: string; coupon: Coupon; promotionCode: string | null; start: string; end: string | null;
};
export type Deleted = { id: string; deleted: true };

/** A credit pack the catalog sells; `currency` is ISO 4217 in capitals. */
export type CreditPack = {
  code: string; name: string; feature: string; amount: number; priceCents: number; currency: string; expiresAfterDays: number | null;
  stripePriceId: string | null;
  /** Its price in other currencies, keyed by ISO 4217 code in capitals ("EUR"); a customer buys in its own currency. Null when none. */
  currencyOptions: Record<string, CreditPackCurrencyOption> | null;
};
/** A credit pack's price in one more currency; `stripePriceId` null: not sold through Checkout in it. */
export type CreditPackCurrencyOption = { priceCents: number; stripePriceId: string | null };
/** A pack sold: the grant it made and its invoice. */
export type PackSale = { grant: CreditGrant; invoice: Invoice | null };
/** Sells a pack: `paid` when the money was collected already; a sale repeated with its `idempotencyKey` answers the first. */
export type PackSell = { pack: string; paid?: boolean | undefined; idempotencyKey?: string | undefined };

export type CreditGrant = {
  id: string; customer: string; feature: string; amount: number; used: number; remaining: number; expiresAt: string | null;
  priority: number; reason: string | null; pack: string | null; status: "active" | "used" | "expired" | "voided"; createdAt: string;
  voidedAt: string | null;
};
/**
 * Units of a metered feature in `amount`; for `$llm_budget`, nano-USD in `amount` or USD in `amountUsd` as a decimal
 * string ("2.50", read exactly by the server; a number would pass through a binary float). A grant repeated with its
 * `idempotencyKey` answers the first; the key with other fields is an IdempotencyMismatchError.
 */
export type CreditGrantCreate = { feature: string; expiresAt?: When | undefined; priority?: number | undefined; reason?: string | undefined; idempotencyKey?: string | undefined }
  & ({ amount: number; amountUsd?: never | undefined } | { amountUsd: string; amount?: never | undefined });

export type Member = { id: string; customer: string; email: string | null; name: string | null; role: string; createdAt: string; updatedAt: string };
export type MemberUpsert = { email?: string | undefined; name?: string | undefined; role?: string | undefined };
export type SeatsChange = { seats: number; effective?: "immediate" | "period_end" | undefined; proration?: "create_prorations" | "always_invoice" | "none" | undefined };
export type OfferLink = { url: string; plan: string; customer: string | null; expiresAt: string };
export type OfferLinkCreate = { expiresAt: When; customer?: string | undefined; billingPeriod?: "monthly" | "yearly" | undefined };

/** MRR moved by each kind of change, in major units of the reporting currency. */
export type MrrMovements = { new: number; expansion: number; contraction: number; churn: number; reactivation: number };

/** What every report says about its currency: `rates` as configured (`{ EUR: "1.08" }`: 1 EUR = 1.08 of the reporting currency). */
export type ReportCurrency = {
  reportingCurrency: string;
  rates: Record<string, string>;
  /** Currencies with amounts but no rate, left out of every figure. */
  unconvertedCurrencies: string[];
};

/** `GET /v1/admin/stats/saas`: amounts in major units of the reporting currency, other currencies converted. */
export type SaasStats = ReportCurrency & {
  from: string; to: string; currency: string; mrrStart: number; mrr: number; arr: number; arpa: number | null;
  payingCustomersStart: number; payingCustomers: number; movements: MrrMovements; churnedCustomers: number;
  logoChurnRate: number | null; grossMrrChurnRate: number | null; netMrrChurnRate: number | null; ltv: number | null;
  trialsEnded: number; trialsConverted: number; trialConversionRate: number | null; upgrades: number; downgrades: number;
  quickRatio: number | null;
  series: { month: string; mrrStart: number; mrr: number; movements: MrrMovements; payingCustomers: number }[];
  policy: { churnRecognition: string; quickRatioIncludesReactivation: boolean };
  churnByReason: { reason: string; customers: number; mrr: number }[] | null;
};

/**
 * `GET /v1/admin/stats/revenue-vs-cost`: revenue, profit and `totalLlmCost` in the reporting currency (despite the `Usd`
 * names); `totalLlmCostUsd` and the per-model and per-feature costs in USD.
 */
/** `GET /v1/admin/stats/user-costs/{customer}`: one customer's revenue, payments and LLM cost, by feature, model and day. */
export type CustomerCosts = Partial<ReportCurrency> & {
  customer: string; plan: string | null; periodDays: number; totalRevenueUsd: number; totalPaymentsUsd: number; totalLlmCostUsd: number;
  marginUsd: number; marginPercent: number | null; totalRequests: number;
  byFeature: Record<string, unknown>[]; byModel: RevenueVsCost["byModel"]; dailyBreakdown: Record<string, unknown>[];
  totalLlmCost: number | null;
};
/** One feature's use and LLM cost (`GET /v1/admin/stats/features`). */
export type FeatureStats = {
  feature: string; name: string; usesLlm: boolean; unitsUsed: number; uniqueUsers: number; llmRequests: number; llmCostUsd: number;
  costPerUnitUsd: number | null;
};
/** One plan's customers, MRR, revenue, LLM cost and margin (`GET /v1/admin/stats/plans`). */
export type PlanStats = {
  plan: string; name: string; customers: number; payingCustomers: number; mrrUsd: number; revenueUsd: number; llmCostUsd: number;
  marginUsd: number; marginPercent: number | null; llmCost: number | null;
};
/** A customer ranked by LLM cost (`top-spenders`) or by margin, lowest first (`negative-margin`). */
export type CustomerMargin = {
  customer: string; plan: string | null; revenueUsd: number; llmCostUsd: number; marginUsd: number; requests: number; llmCost: number | null;
};

export type RevenueVsCost = ReportCurrency & {
  periodDays: number; from: string; to: string; currency: string; totalRevenueUsd: number; totalPaymentsUsd: number;
  totalLlmCostUsd: number; estimatedProfitUsd: number; profitMarginPercent: number; totalRequests: number; uniqueUsers: number;
  avgCostPerRequest: number; unpricedRequests: number;
  /** The LLM cost converted at USD's configured rate, which profit and margin subtract; null when USD has no rate. */
  totalLlmCost: number | null;
  byModel: {
    model: string; provider: string | null; requests: number; inputTokens: number; outputTokens: number; cachedInputTokens: number;
    cacheWriteTokens: number; reasoningTokens: number; costUsd: number; unpricedRequests: number;
  }[];
  byFeature: { feature: string; requests: number; costUsd: number; uniqueUsers: number }[];
  dailyBreakdown: { date: string; revenueUsd: number; llmCostUsd: number; llmCost: number | null; profitUsd: number; requests: number }[];
};
