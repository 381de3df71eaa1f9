"""The blocking client's resources: ``tg.customers``, ``tg.entitlements``, ... (``_async_resources`` mirrors them)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping, overload

from . import _calls as c
from . import webhooks as _webhooks
from ._core import Call, SyncCore
from ._pagination import SyncPager
from .types import (Address, Alert, PropertyEvent, CheckoutSession, Customer, TaxExempt, TaxId, CustomerDeleted, CustomerSession, DailyUsage, Decision, Deleted, Discount, Entitlements as EntitlementsAnswer,
                    Event, Invoice, LlmBatchResult, LlmBudget, LlmCall, LlmCallRecord, LlmCallResult, PortalLink, PortalSession, RecordedEvent,
                    CancelReason, Subscription, SubscriptionChange, TrackResult, Usage as UsageAnswer, UsageHistory)

When = datetime | date | str | None


class _Resource:
    def __init__(self, core: SyncCore) -> None:
        self._core = core

    def _send(self, call: Call) -> Any:
        return self._core.send(call)


class Customers(_Resource):
    def upsert(self, id: str, *, email: str | None = None, name: str | None = None, metadata: Mapping[str, str] | None = None,
               has_payment_method: bool | None = None, address: Address | None = None, tax_ids: Iterable[TaxId] | None = None,
               tax_exempt: TaxExempt | None = None, tax_rates: Iterable[str] | None = None, currency: str | None = None) -> Customer:
        """Creates the customer or updates it; fields left out keep their stored values.

        ``address``, ``tax_ids`` and ``tax_exempt`` are the billing details invoices print; an address or a list sent replaces
        the stored one, and a bad one raises a validation error naming the field (``address.country``, ``tax_ids[0].type``).
        ``tax_rates`` (ids of active tax rates) replace the rates matched by the address; ``[]`` clears them. ``currency``
        (ISO 4217, such as ``"EUR"``) is the one currency the customer is billed in; changing it once a subscription or
        invoice is in another raises a conflict (``currency_mismatch``)."""
        return self._send(c.upsert_customer(id, email, name, metadata, has_payment_method, address, tax_ids, tax_exempt, tax_rates,
                                              currency))

    def get(self, id: str) -> Customer:
        """Reads a customer; an unknown id raises NotFound."""
        return self._send(Call("GET", f"v1/customers/{c.seg(id)}"))

    def list(self, *, query: str | None = None, plan: str | None = None, status: str | None = None,
             limit: int | None = None) -> SyncPager[Customer]:
        """Every customer, newest first; ``query`` is a prefix of the id, e-mail or name, ``plan``/``status`` the newest subscription's."""
        return SyncPager(lambda cursor: self._send(c.page("v1/customers", limit, cursor, query=query, plan=plan, status=status)))

    def create_session(self, id: str, *, ttl_seconds: int | None = None) -> CustomerSession:
        """A short-lived customer session token for the signed-in customer, for the app's front end (never a secret key).

        It reads only this customer's entitlements, usage, alerts and invoices, and starts its checkout, portal and pack
        purchase; 15 minutes unless ``ttl_seconds`` (60 to 86,400) says otherwise."""
        return self._send(c.create_session(id, ttl_seconds))

    def revoke_sessions(self, id: str) -> dict[str, int]:
        """Revokes every live session of the customer at once (after a password change, say); ``{"revoked": n}``."""
        return self._send(Call("DELETE", f"v1/customers/{c.seg(id)}/sessions"))

    def revoke_session(self, id: str, session_id: str) -> dict[str, int]:
        """Revokes one customer session at once; an unknown or revoked one raises NotFound."""
        return self._send(Call("DELETE", f"v1/customers/{c.seg(id)}/sessions/{c.seg(session_id)}"))

    def delete(self, id: str, *, prorate: bool | None = None, bill_usage: bool | None = None) -> CustomerDeleted:
        """Erases the customer's personal data (GDPR), canceling a live subscription at once; the id stays taken.

        ``prorate=True`` credits the unused time; ``bill_usage=False`` waives the period's usage instead of billing it.
        """
        return self._send(c.delete_customer(id, prorate, bill_usage))

    def export(self, id: str) -> dict[str, Any]:
        """Everything stored about the customer, as one JSON document (GDPR access)."""
        return self._send(Call("GET", f"v1/customers/{c.seg(id)}/export"))


class Subscriptions(_Resource):
    def create(self, *, customer: str, plan: str, billing_period: str | None = None, trial_days: int | None = None,
               collection_method: str | None = None, days_until_due: int | None = None, promotion_code: str | None = None,
               coupon: str | None = None, seats: int | None = None, visitor_id: str | None = None,
               currency: str | None = None, price_override_cents: int | None = None,
               price_override_note: str | None = None) -> Subscription:
        """Puts a customer on a plan's newest version; a bad ``promotion_code`` raises PromotionCodeInvalid.

        ``currency`` is one of the plan's currencies (by default the customer's, then the plan's first); every invoice of the
        subscription is in it.

        ``visitor_id`` is the visitor ``pricing.plans(visitor=...)`` was asked for: during a price experiment the subscription
        gets that visitor's variant price and counts as its conversion.

        ``price_override_cents`` is a negotiated (deal) price in minor units, per seat on a per-seat price, kept at renewal;
        ``price_override_note`` says why it was agreed.
        """
        return self._send(c.create_subscription(customer, plan, billing_period, trial_days, collection_method, days_until_due,
                                                promotion_code, coupon, seats, visitor_id, currency, price_override_cents,
                                                price_override_note))

    def get(self, id: str) -> Subscription:
        return self._send(Call("GET", f"v1/subscriptions/{c.seg(id)}"))

    def list(self, *, customer: str | None = None, status: str | None = None, plan: str | None = None,
             limit: int | None = None) -> SyncPager[Subscription]:
        """Every subscription that matches, newest first, every page."""
        return SyncPager(lambda cursor: self._send(c.page("v1/subscriptions", limit, cursor, customer=customer, status=status, plan=plan)))

    def change(self, id: str, *, plan: str, billing_period: str | None = None, effective: str | None = None,
               proration: str = "create_prorations", promotion_code: str | None = None, coupon: str | None = None) -> SubscriptionChange:
        """Moves to another plan or period, now (prorated) or at period end."""
        return self._send(c.change_subscription(id, False, plan, billing_period, effective, proration, promotion_code, coupon))

    def preview(self, id: str, *, plan: str, billing_period: str | None = None, effective: str | None = None,
                proration: str = "create_prorations", promotion_code: str | None = None, coupon: str | None = None) -> SubscriptionChange:
        """What change() would do and charge, changing nothing."""
        return self._send(c.change_subscription(id, True, plan, billing_period, effective, proration, promotion_code, coupon))

    def change_seats(self, id: str, *, seats: int, effective: str | None = None, proration: str = "create_prorations") -> SubscriptionChange:
        """Seats on a per-seat price: more now (prorated), fewer at the period end unless ``effective`` says otherwise."""
        return self._send(c.change_seats(id, seats, effective, proration))

    def get_discount(self, id: str) -> Discount:
        """The discount on the subscription; NotFound when it has none."""
        return self._send(Call("GET", f"v1/subscriptions/{c.seg(id)}/discount"))

    def apply_discount(self, id: str, *, promotion_code: str | None = None, coupon: str | None = None) -> Discount:
        """Applies a promotion code (any case) or a coupon, replacing any discount it had."""
        return self._send(c.apply_discount(id, promotion_code, coupon))

    def remove_discount(self, id: str) -> Deleted:
        return self._send(Call("DELETE", f"v1/subscriptions/{c.seg(id)}/discount"))

    def cancel(self, id: str, *, at_period_end: bool = True, credit_unused: bool = False, reason: CancelReason | None = None,
               comment: str | None = None, bill_usage: bool = True) -> SubscriptionChange:
        """Cancels at the period's end (or now with ``at_period_end=False``, ``credit_unused`` crediting the unused time).

        ``reason`` is one of ``CancelReason`` (too_expensive, missing_features, switched_service, unused, customer_service,
        too_complex, low_quality, other) and ``comment`` free text of at most 1000 characters; the subscription answers them as
        ``cancel_reason`` and ``cancel_comment``. Another reason or a longer comment raises ValidationFailed and cancels nothing.
        ``bill_usage=False`` with ``at_period_end=False`` waives the period's usage so far instead of billing it (Stripe's
        ``invoice_now=False``); with ``at_period_end`` left True it raises ValidationFailed naming ``bill_usage``.
        """
        return self._send(c.cancel_subscription(id, at_period_end, credit_unused, reason, comment, bill_usage))

    def undo_cancel(self, id: str) -> Subscription:
        """Takes back a cancel scheduled for the period end."""
        return self._send(c.undo_cancel(id))


class Reservation:
    """A granted hold: settle it with commit() or give it back with release()."""

    def __init__(self, entitlements: Entitlements, answer: Mapping[str, Any], amount: int) -> None:
        self._entitlements = entitlements
        self.id: str | None = answer.get("id")  # None for a boolean feature: nothing needed holding
        self.expires_at: str | None = answer.get("expires_at")
        self.entitlement: Decision = answer["entitlement"]
        self.amount = amount

    def commit(self, amount: int | None = None) -> Decision:
        """Settles to the units really used (the held amount by default)."""
        if self.id is None:
            return self.entitlement
        return self._entitlements.commit(self.id, amount=self.amount if amount is None else amount)

    def release(self) -> Decision:
        return self.entitlement if self.id is None else self._entitlements.release(self.id)


class Entitlements(_Resource):
    def check(self, *, customer: str, feature: str, amount: int = 1) -> Decision:
        """May the customer use ``amount`` units now? Counts nothing; a refusal is ``allowed: False``."""
        return self._send(c.decision("check", customer, feature, amount))

    def consume(self, *, customer: str, feature: str, amount: int = 1, idempotency_key: str | None = None,
                metadata: Mapping[str, str] | None = None) -> Decision:
        """Uses units atomically; raises QuotaExceeded, BudgetExceeded or FeatureNotInPlan. Retries count once.

        With ``metadata`` (string pairs such as endpoint or IP) the consume is also kept as a usage record in ``events.list``.
        """
        return self._send(c.decision("consume", customer, feature, amount, idempotency_key, metadata=metadata))

    def reserve(self, *, customer: str, feature: str, amount: int = 1, ttl_seconds: int = 300,
                idempotency_key: str | None = None, metadata: Mapping[str, str] | None = None) -> Reservation:
        """Holds units before work whose size is known after it; ``metadata`` goes on the usage record its commit writes."""
        answer = self._send(c.decision("reserve", customer, feature, amount, idempotency_key, ttl_seconds, metadata))
        return Reservation(self, answer, amount)

    def commit(self, reservation_id: str, *, amount: int) -> Decision:
        return self._send(c.settle(reservation_id, "commit", amount))

    def release(self, reservation_id: str) -> Decision:
        return self._send(c.settle(reservation_id, "release"))

    def get(self, customer: str) -> EntitlementsAnswer:
        """Every catalog feature's access, limit or value for the customer."""
        return self._send(Call("GET", f"v1/customers/{c.seg(customer)}/entitlements"))


class Events(_Resource):
    @overload
    def track(self, events: Iterable[Event | PropertyEvent | Mapping[str, Any]], /) -> TrackResult: ...

    @overload
    def track(self, customer: str, event: str, properties: Mapping[str, str | int | float | bool] | None = None, /, *,
              id: str | None = None, timestamp: datetime | str | None = None) -> TrackResult: ...

    def track(self, events_or_customer: Iterable[Event | PropertyEvent | Mapping[str, Any]] | str, event: str | None = None,
              properties: Mapping[str, str | int | float | bool] | None = None, /, *, id: str | None = None,
              timestamp: datetime | str | None = None) -> TrackResult:
        """After-the-fact usage; never denied, and an event without an ``id`` gets one, so a retry counts once.

        ``track(customer, event, properties)`` sends one event with properties, which the catalog's billable metrics read;
        ``track([...])`` sends a batch of at most 1000 (feature events ``{feature, amount}`` or events with properties).
        """
        if isinstance(events_or_customer, str):
            if event is None:
                raise TypeError("track(customer, event, properties): event is required")
            return self._send(c.track_one(events_or_customer, event, properties, id, timestamp))
        return self._send(c.track(events_or_customer))

    def list(self, *, customer: str | None = None, feature: str | None = None, from_: When = None, to: When = None,
             member: str | None = None, limit: int | None = None) -> SyncPager[RecordedEvent]:
        """Recorded events, newest first; a secret key must name the customer or the member (only an admin key reads across customers)."""
        return SyncPager(lambda cursor: self._send(c.page("v1/events", limit, cursor, customer=customer, feature=feature, member=member,
                                                         **{"from": from_, "to": to})))


class Usage(_Resource):
    def get(self, customer: str, *, at: datetime | str | None = None) -> UsageAnswer:
        """The counters of every metered feature in the period holding ``at`` (now by default)."""
        return self._send(c.usage(customer, at))

    def history(self, customer: str, *, feature: str | None = None, from_: When = None, to: When = None,
                granularity: str | None = None) -> UsageHistory:
        """Units per day (or ``granularity="month"``) per feature; every period is present, 0 when unused."""
        return self._send(c.usage_history(customer, feature, from_, to, granularity))

    def daily(self, *, feature: str | None = None, from_: When = None, to: When = None) -> DailyUsage:
        """Units and customers per feature and day across customers (an admin key)."""
        return self._send(c.daily_usage(feature, from_, to))


class Llm(_Resource):
    def log_usage(self, *, customer: str, model: str, **fields: Any) -> LlmCallResult:
        """Logs one model call (fields of ``LlmCall``); a request id is generated when none is given."""
        return self._send(Call("POST", "v1/llm/usage", c.llm_call({"customer": customer, "model": model, **fields})))

    def log_usage_batch(self, calls: Iterable[LlmCall | Mapping[str, Any]]) -> LlmBatchResult:
        """Logs up to 1000 calls in one request."""
        return self._send(Call("POST", "v1/llm/usage", {"calls": [c.llm_call(x) for x in calls]}))

    def reserve_budget(self, *, customer: str, estimate_usd: Decimal | int | str, ttl_seconds: int = 300,
                       idempotency_key: str | None = None) -> LlmBudget:
        """Holds an estimate against the plan's LLM budget; log the call with ``reservation_id`` to settle it."""
        return self._send(c.reserve_budget(customer, estimate_usd, ttl_seconds, idempotency_key))

    def get_budget(self, customer: str) -> LlmBudget:
        return self._send(Call("GET", f"v1/customers/{c.seg(customer)}/llm-budget"))

    def list_calls(self, *, customer: str | None = None, feature: str | None = None, model: str | None = None,
                   provider: str | None = None, from_: When = None, to: When = None, member: str | None = None,
                   limit: int | None = None) -> SyncPager[LlmCallRecord]:
        """Logged calls as priced, newest first; a secret key must name the customer or the member."""
        return SyncPager(lambda cursor: self._send(c.page("v1/llm/calls", limit, cursor, customer=customer, feature=feature, model=model,
                                                          provider=provider, member=member, **{"from": from_, "to": to})))


class Invoices(_Resource):
    def list(self, *, customer: str | None = None, status: str | None = None, from_: When = None, to: When = None,
             limit: int | None = None) -> SyncPager[Invoice]:
        """Invoices, newest first; ``from_``/``to`` bound when each was created."""
        return SyncPager(lambda cursor: self._send(c.page("v1/invoices", limit, cursor, customer=customer, status=status,
                                                          **{"from": from_, "to": to})))

    def get(self, id: str) -> Invoice:
        return self._send(Call("GET", f"v1/invoices/{c.seg(id)}"))

    def upcoming(self, customer: str) -> Invoice:
        """The invoice the customer's next renewal would issue if it ran now, status ``upcoming``, no number; writes nothing.
        Without a live subscription that invoices again: NotFound with ``resource`` ``upcoming_invoice``."""
        return self._send(Call("GET", f"v1/customers/{c.seg(customer)}/upcoming-invoice"))

    def html(self, id: str) -> str:
        """The printable invoice page."""
        return self._send(Call("GET", f"v1/invoices/{c.seg(id)}/html", raw=True))

    def pdf(self, id: str) -> bytes:
        """The invoice as a PDF (seller, billing details, lines, totals, credit notes); an unknown id raises NotFound."""
        return self._send(Call("GET", f"v1/invoices/{c.seg(id)}/pdf", binary=True))

    def mark_paid(self, id: str) -> Invoice:
        return self._send(Call("POST", f"v1/invoices/{c.seg(id)}/mark-paid"))

    def void(self, id: str) -> Invoice:
        return self._send(Call("POST", f"v1/invoices/{c.seg(id)}/void"))

    def mark_uncollectible(self, id: str) -> Invoice:
        return self._send(Call("POST", f"v1/invoices/{c.seg(id)}/mark-uncollectible"))


class Alerts(_Resource):
    def list(self, *, customer: str, unread: bool = False, limit: int | None = None) -> SyncPager[Alert]:
        """The customer's usage alerts, newest first."""
        return SyncPager(lambda cursor: self._send(Call("GET", f"v1/customers/{c.seg(customer)}/alerts",
                                                        params=c.list_params(limit, cursor, unread=unread))), "alerts")

    def mark_read(self, id: str) -> Alert:
        return self._send(Call("POST", f"v1/alerts/{c.seg(id)}/read"))


class Portal(_Resource):
    def create_link(self, customer: str, *, return_url: str | None = None) -> PortalLink:
        """A short-lived signed link into Tollgate's own customer portal."""
        return self._send(Call("POST", f"v1/customers/{c.seg(customer)}/portal-sessions", {"return_url": return_url}))

    def create_stripe_session(self, *, customer: str, return_url: str) -> PortalSession:
        """A Stripe customer portal session (needs Stripe configured)."""
        return self._send(Call("POST", "v1/billing/portal-sessions", {"customer": customer, "return_url": return_url}))


class Checkout(_Resource):
    def create_session(self, *, customer: str, plan: str, success_url: str, cancel_url: str,
                       billing_period: str | None = None, visitor_id: str | None = None) -> CheckoutSession:
        """A Stripe Checkout session for a plan (needs Stripe configured); with visitor_id, at their experiment variant's price."""
        return self._send(c.checkout(customer, plan, success_url, cancel_url, billing_period, visitor_id))


class Pricing(_Resource):
    def plans(self, *, visitor: str | None = None, currency: str | None = None) -> list[dict[str, Any]]:
        """The active public plans; with ``visitor`` (your visitor id) at their price-experiment variant's prices, recorded as seen."""
        return self._send(Call("GET", "v1/pricing/plans", params={"visitor": visitor, "currency": currency}))

    def plan(self, code: str, *, currency: str | None = None) -> dict[str, Any]:
        """One public plan; with ``currency`` ("EUR" or "eur") its prices in it, a 400 naming ``currency`` when it is not priced in it."""
        return self._send(Call("GET", f"v1/pricing/plans/{c.seg(code)}", params={"currency": currency}))

    def features(self) -> list[dict[str, Any]]:
        return self._send(Call("GET", "v1/pricing/features"))

    def compare(self) -> dict[str, Any]:
        return self._send(Call("GET", "v1/pricing/compare"))


class Webhooks:
    """``tg.webhooks.verify(...)`` is ``tollgate.webhooks.verify(...)``: it needs no connection."""

    @staticmethod
    def verify(payload: bytes | str, header: str | None, secret: str, tolerance: int = 300) -> _webhooks.WebhookEvent:
        return _webhooks.verify(payload, header, secret, tolerance)
