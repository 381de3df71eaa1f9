"""The shapes of Tollgate's answers, as the server sends them (snake_case; instants are ISO 8601 UTC text).

USD amounts arrive as ``Decimal`` (never float); cents are ``int``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, NotRequired, TypedDict


class Address(TypedDict, total=False):
    """A billing address; ``country`` (ISO 3166-1 alpha-2, such as ``"DE"``) is required, the rest optional."""
    line1: str | None
    line2: str | None
    city: str | None
    postal_code: str | None
    state: str | None
    country: str


class TaxId(TypedDict):
    """A customer's tax id: ``type`` from Stripe's list (``eu_vat``, ``gb_vat``, ``us_ein``, …) and the id as issued."""
    type: str
    value: str


TaxExempt = Literal["none", "exempt", "reverse"]
"""Whether tax applies to the customer: ``reverse`` is the EU B2B reverse charge."""


class Customer(TypedDict):
    id: str
    email: str | None
    name: str | None
    metadata: dict[str, str]
    has_payment_method: bool
    created_at: str
    updated_at: str
    address: Address | None
    tax_ids: list[TaxId]
    tax_exempt: TaxExempt
    tax_rates: list[str]  # tax rates set on the customer, applied in place of those matched by its address
    currency: str | None  # the one ISO 4217 currency it is billed in; None until set or fixed by its first subscription


CancelReason = Literal["too_expensive", "missing_features", "switched_service", "unused", "customer_service", "too_complex",
                       "low_quality", "other"]
"""Why a subscription is canceled: Stripe's cancellation-feedback codes."""


class PendingChange(TypedDict):
    plan: str
    plan_version: int
    billing_period: str
    effective_at: str


class Subscription(TypedDict):
    id: str
    customer: str
    plan: str
    plan_version: int
    billing_period: str
    status: str
    current_period_start: str
    current_period_end: str
    trial_start: str | None
    trial_end: str | None
    cancel_at_period_end: bool
    canceled_at: str | None
    ended_at: str | None
    pending_change: PendingChange | None
    past_due_since: str | None
    dunning_state: str | None
    collection_method: str
    created_at: str
    price_override_cents: int | None
    seats: int | None
    pending_seats: int | None
    price_override_note: str | None
    discount: Discount | None
    cancel_reason: CancelReason | None  # as the cancel (or Stripe's portal) gave it; cleared by undo_cancel
    cancel_comment: str | None
    currency: str  # the ISO 4217 currency it is sold and invoiced in


class InvoiceLine(TypedDict):
    id: str | None
    """The id a credit note names to credit this line; None on the lines of a change preview, which no invoice holds yet."""
    kind: str
    description: str
    amount_cents: int
    quantity: int
    unit_amount_cents: int
    period_start: str | None
    period_end: str | None
    plan: str | None
    feature: str | None
    discount_cents: int
    tax_amounts: list[InvoiceTaxAmount]


class InvoiceTaxAmount(TypedDict):
    """The tax one rate put on a line, as the rate was when the invoice was issued."""
    tax_rate: str
    name: str
    percentage: Decimal | int
    inclusive: bool
    amount_cents: int


class InvoiceTaxBreakdown(TypedDict):
    """One rate's tax over a whole invoice, and what it was taken on (after discounts, less inclusive tax)."""
    tax_rate: str
    name: str
    percentage: Decimal | int
    inclusive: bool
    taxable_amount_cents: int
    amount_cents: int


class TaxRate(TypedDict):
    id: str
    name: str
    percentage: Decimal | int
    inclusive: bool
    country: str | None
    state: str | None
    active: bool
    created_at: str


class SubscriptionChange(TypedDict):
    subscription: Subscription
    effective: str
    effective_at: str
    lines: list[InvoiceLine]
    amount_cents: int
    currency: str
    invoice_id: str | None
    discount_cents: int  # the lines' discounts, already taken from amount_cents
    tax_cents: int  # the tax on the invoice the change issued or will issue; amount_cents includes its exclusive part
    invoice: Invoice | None  # the invoice issued now (a preview's: the one it would issue); None when nothing bills at once


class Decision(TypedDict):
    allowed: bool
    reason: str
    feature: str
    plan: str | None
    limit: int | None
    used: int
    remaining: int | None
    unlimited: bool
    resets_at: str | None  # the quota window's end; None for a lifetime allowance (reset: never), a gate or a value
    hard_cap: bool
    overage: int
    reserved: int
    value: Any
    window_start: str | None  # the quota's own window (its reset), not the billing period; None for a gate or a value
    customer: str | None
    member: str | None  # the member named in the call; customer is then the organisation whose quota was used
    granted_remaining: int | None


class FeatureUsage(TypedDict):
    limit: int | None
    used: int
    remaining: int | None
    unlimited: bool
    hard_cap: bool
    overage: int
    reserved: int
    window_start: str | None  # the quota's own window (its reset), not the billing period
    resets_at: str | None  # None for a lifetime allowance (reset: never)
    granted_remaining: int | None
    groups: NotRequired[list[MetricGroup]]  # only a feature counted by a metric with group_by: used per group


class Usage(TypedDict):
    customer: str
    plan: str | None
    period_start: str
    period_end: str
    features: dict[str, FeatureUsage]


class FeatureEntitlement(TypedDict):
    feature: str
    name: str
    kind: str
    access: bool
    limit: int | None
    used: int | None
    remaining: int | None
    unlimited: bool
    value: Any
    window_start: str | None  # metered: the quota's own window; None otherwise
    resets_at: str | None  # metered: the window's end; None for a lifetime allowance and for other kinds
    granted_remaining: int | None


class Entitlements(TypedDict):
    customer: str
    plan: str | None
    period_start: str
    period_end: str
    features: list[FeatureEntitlement]


class RejectedItem(TypedDict):
    index: int
    id: str | None
    reason: str


class TrackResult(TypedDict):
    accepted: int
    duplicates: list[str]
    rejected: list[RejectedItem]


class LlmCallResult(TypedDict):
    request_id: str
    status: str
    cost_usd: Decimal
    cost_nano_usd: int
    unpriced: bool
    price_id: str | None
    plan: str | None


class RejectedLlmCall(TypedDict):
    index: int
    request_id: str | None
    reason: str


class LlmBatchResult(TypedDict):
    accepted: int
    duplicates: int
    rejected: list[RejectedLlmCall]
    total_cost_usd: Decimal
    calls: list[LlmCallResult]


class LlmBudget(TypedDict, total=False):
    customer: str
    plan: str | None
    limit_usd: Decimal | None
    spent_usd: Decimal
    reserved_usd: Decimal
    remaining_usd: Decimal | None
    period_start: str  # the billing period's start
    window_start: str  # the budget's window (the plan's llm_budget_reset; the billing period by default)
    resets_at: str  # the budget's window end
    reservation_id: str | None
    granted_remaining_usd: Decimal


class Invoice(TypedDict):
    id: str
    number: str | None  # None on the upcoming invoice (invoices.upcoming), which is not issued yet
    customer: str
    subscription: str | None
    status: str
    billing_reason: str
    currency: str
    subtotal_cents: int
    credit_applied_cents: int
    amount_due_cents: int
    amount_paid_cents: int
    period_start: str
    period_end: str
    issued_at: str
    due_at: str | None
    paid_at: str | None
    voided_at: str | None
    lines: list[InvoiceLine]
    credit_notes_cents: int
    discount_cents: int
    tax_cents: int  # all tax, inclusive and exclusive
    total_cents: int  # subtotal less discounts plus exclusive tax
    tax_breakdown: list[InvoiceTaxBreakdown]
    reverse_charge: bool


class CreditNoteLineInput(TypedDict):
    """An amount to credit on one invoice line: the line's ``id`` as the invoice shows it."""
    invoice_line_id: str
    amount_cents: int


class CreditNoteLine(TypedDict):
    invoice_line_id: str
    description: str
    amount_cents: int


class CreditNote(TypedDict):
    """A correction of an issued invoice; ``pre_payment_amount_cents`` + ``credit_balance_cents`` + ``refund_amount_cents`` = ``amount_cents``."""
    id: str
    number: str
    invoice: str
    customer: str
    currency: str
    type: str
    status: str
    amount_cents: int
    pre_payment_amount_cents: int
    credit_balance_cents: int
    refund_amount_cents: int
    refund_status: str | None
    reason: str
    memo: str | None
    lines: list[CreditNoteLine]
    created_at: str


class Alert(TypedDict):
    id: str
    customer: str
    feature: str
    kind: str
    threshold: int
    severity: str
    used: int
    limit: int
    message: str
    period_start: str
    period_end: str
    projected_at: str | None
    created_at: str
    read_at: str | None


class PortalLink(TypedDict):
    url: str
    expires_at: str


class PortalSession(TypedDict):
    url: str


class CheckoutSession(TypedDict):
    checkout_url: str
    session_id: str


class Event(TypedDict, total=False):
    """One after-the-fact usage event: ``id``, ``customer`` and ``feature`` are required."""

    id: str
    customer: str
    feature: str
    amount: int
    timestamp: str
    properties: dict[str, Any]
    metadata: dict[str, str]  # up to 20 string pairs, 4 kB in all, as on consume


class PropertyEvent(TypedDict, total=False):
    """One event with properties for the batch form of ``events.track``: ``customer`` and ``event`` are required.

    ``properties`` is flat: at most 32 keys, each a string (at most 256 characters), a number or a boolean."""

    id: str
    customer: str
    event: str
    timestamp: str
    properties: dict[str, str | int | float | bool]


class MetricGroup(TypedDict):
    group: dict[str, Any]  # the group_by properties and their values, such as {"model": "gpt-4o"}
    used: int


class LlmCall(TypedDict, total=False):
    """One model call to log; token counts are disjoint (cached and reasoning tokens are not in input/output)."""

    customer: str
    model: str
    feature: str
    provider: str
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int
    cache_write_tokens: int
    cache_write_1h_tokens: int  # how many of cache_write_tokens were kept for an hour (at most cache_write_tokens)
    reasoning_tokens: int
    requests: int
    images: int
    request_id: str
    timestamp: str
    metadata: dict[str, Any]
    reservation_id: str


class CustomerSession(TypedDict):
    """A customer session: ``token`` (``tg_cs_…``) reads only this customer's own billing data, from a browser."""
    id: str
    customer: str
    token: str
    expires_at: str
    created_at: str


class CustomerDeleted(TypedDict):
    id: str
    deleted: bool
    deleted_at: str
    canceled_subscription: str | None
    final_invoice: str | None


class UsagePoint(TypedDict):
    period: str
    quantity: int


# The functional form, because "from" is a Python keyword.
UsageHistory = TypedDict("UsageHistory", {"customer": str, "granularity": str, "from": str, "to": str,
                                          "features": dict[str, list[UsagePoint]]})


class DailyUsagePoint(TypedDict):
    day: str
    quantity: int
    customers: int


DailyUsage = TypedDict("DailyUsage", {"from": str, "to": str, "features": dict[str, list[DailyUsagePoint]]})


class LlmTokens(TypedDict):
    input: int
    output: int
    cached_input: int
    cache_write: int
    reasoning: int
    cache_write_1h: int


class LlmCallRecord(TypedDict):
    customer: str
    request_id: str
    feature: str | None
    model: str
    provider: str | None
    price_id: str | None
    tokens: LlmTokens
    requests: int
    images: int
    cost_usd: Decimal
    cost_nano_usd: int
    unpriced: bool
    plan: str | None
    plan_version_id: str | None
    occurred_at: str
    received_at: str
    metadata: dict[str, Any] | None
    member: str | None
    """The member who logged the call (it named the member's id); None when it named the customer itself."""


class RecordedEvent(TypedDict):
    id: str
    customer: str
    feature: str
    amount: int
    timestamp: str
    received_at: str
    properties: dict[str, Any] | None
    metadata: dict[str, str] | None
    source: str
    """event (POST /v1/events), consume or reservation (a commit); consumes and commits appear only when they carried metadata."""
    member: str | None
    """The member who sent it (it named the member's id); None when it named the customer itself."""


class Coupon(TypedDict):
    id: str
    name: str
    percent_off: Decimal | int | None
    amount_off_cents: int | None
    currency: str | None
    duration: str
    duration_in_months: int | None
    applies_to_plans: list[str]
    max_redemptions: int | None
    redeem_by: str | None
    times_redeemed: int
    stripe_coupon_id: str | None
    valid: bool
    created_at: str
    currency_options: dict[str, CouponCurrencyOption] | None
    """A fixed amount's amounts in other currencies, keyed by ISO 4217 code in capitals ("EUR"); None when none."""


class CouponCurrencyOption(TypedDict):
    """A fixed-amount coupon's amount in one more currency, in its minor units."""

    amount_off_cents: int


class PromotionCode(TypedDict):
    id: str
    code: str
    coupon: Coupon
    max_redemptions: int | None
    expires_at: str | None
    first_time_only: bool
    customer: str | None
    active: bool
    times_redeemed: int
    created_at: str


class Discount(TypedDict):
    id: str
    subscription: str
    customer: str
    coupon: Coupon
    promotion_code: str | None
    start: str
    end: str | None


class Deleted(TypedDict):
    id: str
    deleted: bool


class CreditGrant(TypedDict):
    id: str
    customer: str
    feature: str
    amount: int
    used: int
    remaining: int
    expires_at: str | None
    priority: int
    reason: str | None
    pack: str | None
    status: str
    created_at: str
    voided_at: str | None


class CreditPackCurrencyOption(TypedDict):
    price_cents: int
    stripe_price_id: str | None


class CreditPack(TypedDict):
    code: str
    name: str
    feature: str
    amount: int
    price_cents: int
    currency: str
    expires_after_days: int | None
    stripe_price_id: str | None
    # The pack's price in other currencies, keyed by ISO 4217 code in capitals; None when it has none.
    currency_options: dict[str, CreditPackCurrencyOption] | None


class PackSale(TypedDict):
    grant: CreditGrant
    invoice: Invoice | None


class Member(TypedDict):
    id: str
    customer: str
    email: str | None
    name: str | None
    role: str
    created_at: str
    updated_at: str


class OfferLink(TypedDict):
    url: str
    plan: str
    customer: str | None
    expires_at: str


class MrrMovements(TypedDict):
    new: Decimal
    expansion: Decimal
    contraction: Decimal
    churn: Decimal
    reactivation: Decimal


class SaasMonth(TypedDict):
    month: str
    mrr_start: Decimal
    mrr: Decimal
    movements: MrrMovements
    paying_customers: int


class ChurnReason(TypedDict):
    reason: str
    customers: int
    mrr: Decimal


_Window = TypedDict("_Window", {"from": str})  # "from" is a Python keyword, so the functional form


class SaasStats(_Window):
    """``GET /v1/admin/stats/saas``: amounts in major units of ``reporting_currency``, other currencies converted at ``rates``."""
    to: str
    currency: str
    mrr_start: Decimal
    mrr: Decimal
    arr: Decimal
    arpa: Decimal | None
    paying_customers_start: int
    paying_customers: int
    movements: MrrMovements
    churned_customers: int
    logo_churn_rate: Decimal | None
    gross_mrr_churn_rate: Decimal | None
    net_mrr_churn_rate: Decimal | None
    ltv: Decimal | None
    trials_ended: int
    trials_converted: int
    trial_conversion_rate: Decimal | None
    upgrades: int
    downgrades: int
    quick_ratio: Decimal | None
    series: list[SaasMonth]
    policy: dict[str, Any]
    churn_by_reason: list[ChurnReason] | None
    reporting_currency: str
    rates: dict[str, str]
    """The configured rates converted with, as written: ``{"EUR": "1.08"}`` means 1 EUR = 1.08 of the reporting currency."""
    unconverted_currencies: list[str]
    """Currencies with amounts but no rate, left out of every figure."""


class RevenueVsCost(_Window):
    """``GET /v1/admin/stats/revenue-vs-cost``: revenue, profit and ``total_llm_cost`` in ``reporting_currency`` (despite the
    ``_usd`` names); ``total_llm_cost_usd`` and the per-model and per-feature costs in USD."""
    period_days: int
    to: str
    currency: str
    total_revenue_usd: Decimal
    total_payments_usd: Decimal
    total_llm_cost_usd: Decimal
    estimated_profit_usd: Decimal
    profit_margin_percent: Decimal
    total_requests: int
    unique_users: int
    avg_cost_per_request: Decimal
    unpriced_requests: int
    by_model: list[dict[str, Any]]
    by_feature: list[dict[str, Any]]
    daily_breakdown: list[dict[str, Any]]
    reporting_currency: str
    rates: dict[str, str]
    unconverted_currencies: list[str]
    total_llm_cost: Decimal | None
    """The LLM cost converted at USD's configured rate, which profit and margin subtract; None when USD has no rate."""


class CustomerCosts(TypedDict):
    """``GET /v1/admin/stats/user-costs/{customer}``: one customer's revenue, payments and LLM cost, by feature, model and day."""
    customer: str
    plan: str | None
    period_days: int
    total_revenue_usd: Decimal
    total_payments_usd: Decimal
    total_llm_cost_usd: Decimal
    margin_usd: Decimal
    margin_percent: Decimal | None
    total_requests: int
    by_feature: list[dict[str, Any]]
    by_model: list[dict[str, Any]]
    daily_breakdown: list[dict[str, Any]]
    reporting_currency: str | None
    rates: dict[str, str] | None
    unconverted_currencies: list[str] | None
    total_llm_cost: Decimal | None


class FeatureStats(TypedDict):
    """One feature's use and LLM cost (``GET /v1/admin/stats/features``)."""
    feature: str
    name: str
    uses_llm: bool
    units_used: int
    unique_users: int
    llm_requests: int
    llm_cost_usd: Decimal
    cost_per_unit_usd: Decimal | None


class PlanStats(TypedDict):
    """One plan's customers, MRR, revenue, LLM cost and margin (``GET /v1/admin/stats/plans``)."""
    plan: str
    name: str
    customers: int
    paying_customers: int
    mrr_usd: Decimal
    revenue_usd: Decimal
    llm_cost_usd: Decimal
    margin_usd: Decimal
    margin_percent: Decimal | None
    llm_cost: Decimal | None


class CustomerMargin(TypedDict):
    """A customer ranked by LLM cost (``top-spenders``) or by margin, lowest first (``negative-margin``)."""
    customer: str
    plan: str | None
    revenue_usd: Decimal
    llm_cost_usd: Decimal
    margin_usd: Decimal
    requests: int
    llm_cost: Decimal | None
