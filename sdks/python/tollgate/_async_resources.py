"""The asyncio client's resources: the same operations as ``_resources``, awaited."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Awaitable, Iterable, Mapping, overload

from . import _calls as c
from . import webhooks as _webhooks
from ._core import Call, AsyncCore
from ._pagination import AsyncPager
from .types import (Address, Alert, PropertyEvent, CheckoutSession, Customer, TaxExempt, TaxId, CustomerDeleted, CustomerSession, DailyUsage, Decision, Deleted, Discount, Entitlements as EntitlementsAnswer,
                    Event, Invoice, LlmBatchResult, LlmBudget, LlmCall, LlmCallRecord, LlmCallResult, PortalLink, PortalSession, RecordedEvent,
                    CancelReason, Subscription, SubscriptionChange, TrackResult, Usage as UsageAnswer, UsageHistory)

When = datetime | date | str | None


class _AsyncResource:
    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    def _send(self, call: Call) -> Awaitable[Any]:
        return self._core.send(call)


class AsyncCustomers(_AsyncResource):
    async def upsert(self, id: str, *, email: str | None = None, name: str | None = None, metadata: Mapping[str, str] | None = None,
               has_payment_method: bool | None = None, address: Address | None = None, tax_ids: Iterable[TaxId] | None = None,
               tax_exempt: TaxExempt | None = None, tax_rates: Iterable[str] | None = None, currency: str | None = None) -> Customer:
        """Creates the customer or updates it; fields left out keep their stored values.

        ``address``, ``tax_ids`` and ``tax_exempt`` are the billing details invoices print; an address or a list sent replaces
        the stored one, and a bad one raises a validation error naming the field (``address.country``, ``tax_ids[0].type``).
        ``tax_rates`` (ids of active tax rates) replace the rates matched by the address; ``[]`` clears them. ``currency``
        (ISO 4217, such as ``"EUR"``) is the one currency the customer is billed in; changing it once a subscription or
        invoice is in another raises a conflict (``currency_mismatch``)."""
        return await self._send(c.upsert_customer(id, email, name, metadata, has_payment_method, address, tax_ids, tax_exempt, tax_rates,
                                              currency))

    async def get(self, id: str) -> Customer:
        """Reads a customer; an unknown id raises NotFound."""
        return await self._send(Call("GET", f"v1/customers/{c.seg(id)}"))

    def list(self, *, query: str | None = None, plan: str | None = None, status: str | None = None,
             limit: int | None = None) -> AsyncPager[Customer]:
        """Every customer, newest first; ``query`` is a prefix of the id, e-mail or name, ``plan``/``status`` the newest subscription's."""
        return AsyncPager(lambda cursor: self._send(c.page("v1/customers", limit, cursor, query=query, plan=plan, status=status)))

    async def create_session(self, id: str, *, ttl_seconds: int | None = None) -> CustomerSession:
        """A short-lived customer session token for the signed-in customer, for the app's front end (never a secret key).

        It reads only this customer's entitlements, usage, alerts and invoices, and starts its checkout, portal and pack
        purchase; 15 minutes unless ``ttl_seconds`` (60 to 86,400) says otherwise."""
        return await self._send(c.create_session(id, ttl_seconds))

    async def revoke_sessions(self, id: str) -> dict[str, int]:
        """Revokes every live session of the customer at once (after a password change, say); ``{"revoked": n}``."""
        return await self._send(Call("DELETE", f"v1/customers/{c.seg(id)}/sessions"))

    async def revoke_session(self, id: str, session_id: str) -> dict[str, int]:
        """Revokes one customer session at once; an unknown or revoked one raises NotFound."""
        return await self._send(Call("DELETE", f"v1/customers/{c.seg(id)}/sessions/{c.seg(session_id)}"))

    async def delete(self, id: str, *, prorate: bool | None = None, bill_usage: bool | None = None) -> CustomerDeleted:
        """Erases the customer's personal data (GDPR), canceling a live subscription at once; the id stays taken.

        ``prorate=True`` credits the unused time; ``bill_usage=False`` waives the period's usage instead of billing it.
        """
        return await self._send(c.delete_customer(id, prorate, bill_usage))

    async def export(self, id: str) -> dict[str, Any]:
        """Everything stored about the customer, as one JSON document (GDPR access)."""
        return await self._send(Call("GET", f"v1/customers/{c.seg(id)}/export"))


class AsyncSubscriptions(_AsyncResource):
    async def create(self, *, customer: str, plan: str, billing_period: str | None = None, trial_days: int | None = None,
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
        return await self._send(c.create_subscription(customer, plan, billing_period, trial_days, collection_method, days_until_due,
                                                promotion_code, coupon, seats, visitor_id, currency, price_override_cents,
                                                price_override_note))

    async def get(self, id: str) -> Subscription:
        return await self._send(Call("GET", f"v1/subscriptions/{c.seg(id)}"))

    def list(self, *, customer: str | None = None, status: str | None = None, plan: str | None = None,
             limit: int | None = None) -> AsyncPager[Subscription]:
        """Every subscription that matches, newest first, every page."""
        return AsyncPager(lambda cursor: self._send(c.page("v1/subscriptions", limit, cursor, customer=customer, status=status, plan=plan)))

    async def change(self, id: str, *, plan: str, billing_period: str | None = None, effective: str | None = None,
               proration: str = "create_prorations", promotion_code: str | None = None, coupon: str | None = None) -> SubscriptionChange:
        """Moves to another plan or period, now (prorated) or at period end."""
        return await self._send(c.change_subscription(id, False, plan, billing_period, effective, proration, promotion_code, coupon))

    async def preview(self, id: str, *, plan: str, billing_period: str | None = None, effective: str | None = None,
                proration: str = "create_prorations", promotion_code: str | None = None, coupon: str | None = None) -> SubscriptionChange:
        """What change() would do and charge, changing nothing."""
        return await self._send(c.change_subscription(id, True, plan, billing_period, effective, proration, promotion_code, coupon))

    async def change_seats(self, id: str, *, seats: int, effective: str | None = None, proration: str = "create_prorations") -> SubscriptionChange:
        """Seats on a per-seat price: more now (prorated), fewer at the period end unless ``effective`` says otherwise."""
        return await self._send(c.change_seats(id, seats, effective, proration))

    async def get_discount(self, id: str) -> Discount:
        """The discount on the subscription; NotFound when it has none."""
        return await self._send(Call("GET", f"v1/subscriptions/{c.seg(id)}/discount"))

    async def apply_discount(self, id: str, *, promotion_code: str | None = None, coupon: str | None = None) -> Discount:
        """Applies a promotion code (any case) or a coupon, replacing any discount it had."""
        return await self._send(c.apply_discount(id, promotion_code, coupon))

    async def remove_discount(self, id: str) -> Deleted:
        return await self._send(Call("DELETE", f"v1/subscriptions/{c.seg(id)}/discount"))

    async def cancel(self, id: str, *, at_period_end: bool = True, credit_unused: bool = False, reason: CancelReason | None = None,
                     comment: str | None = None, bill_usage: bool = True) -> SubscriptionChange:
        """Cancels at the period's end (or now with ``at_period_end=False``, ``credit_unused`` crediting the unused time).

        ``reason`` is one of ``CancelReason`` (too_expensive, missing_features, switched_service, unused, customer_service,
        too_complex, low_quality, other) and ``comment`` free text of at most 1000 characters; the subscription answers them as
        ``cancel_reason`` and ``cancel_comment``. Another reason or a longer comment raises ValidationFailed and cancels nothing.
        ``bill_usage=False`` with ``at_period_end=False`` waives the period's usage so far instead of billing it (Stripe's
        ``invoice_now=False``); with ``at_period_end`` left True it raises ValidationFailed naming ``bill_usage``.
        """
        return await self._send(c.cancel_subscription(id, at_period_end, credit_unused, reason, comment, bill_usage))

    async def undo_cancel(self, id: str) -> Subscription:
        """Takes back a cancel scheduled for the period end."""
        return await self._send(c.undo_cancel(id))


class AsyncReservation:
    """A granted hold: settle it with commit() or give it back with release()."""

    def __init__(self, entitlements: AsyncEntitlements, answer: Mapping[str, Any], amount: int) -> None:
        self._entitlements = entitlements
        self.id: str | None = answer.get("id")  # None for a boolean feature: nothing needed holding
        self.expires_at: str | None = answer.get("expires_at")
        self.entitlement: Decision = answer["entitlement"]
        self.amount = amount

    async def commit(self, amount: int | None = None) -> Decision:
        """Settles to the units really used (the held amount by default)."""
        if self.id is None:
            return self.entitlement
        return await self._entitlements.commit(self.id, amount=self.amount if amount is None else amount)

    async def release(self) -> Decision:
        return self.entitlement if self.id is None else await self._entitlements.release(self.id)


class AsyncEntitlements(_AsyncResource):
    async def check(self, *, customer: str, feature: str, amount: int = 1) -> Decision:
        """May the customer use ``amount`` units now? Counts nothing; a refusal is ``allowed: False``."""
        return await self._send(c.decision("check", customer, feature, amount))

    async def consume(self, *, customer: str, feature: str, amount: int = 1, idempotency_key: str | None = None,
                      metadata: Mapping[str, str] | None = None) -> Decision:
        """Uses units atomically; raises QuotaExceeded, BudgetExceeded or FeatureNotInPlan. Retries count once.

        With ``metadata`` (string pairs such as endpoint or IP) the consume is also kept as a usage record in ``events.list``.
        """
        return await self._send(c.decision("consume", customer, feature, amount, idempotency_key, metadata=metadata))

    async def reserve(self, *, customer: str, feature: str, amount: int = 1, ttl_seconds: int = 300,
                idempotency_key: str | None = None, metadata: Mapping[str, str] | None = None) -> AsyncReservation:
        """Holds units before work whose size is known after it; ``metadata`` goes on the usage record its commit writes."""
        answer = await self._send(c.decision("reserve", customer, feature, amount, idempotency_key, ttl_seconds, metadata))
        return AsyncReservation(self, answer, amount)

    async def commit(self, reservation_id: str, *, amount: int) -> Decision:
        return await self._send(c.settle(reservation_id, "commit", amount))

    async def release(self, reservation_id: str) -> Decision:
        return await self._send(c.settle(reservation_id, "release"))

    async def get(self, customer: str) -> EntitlementsAnswer:
        """Every catalog feature's access, limit or value for the customer."""
        return await self._send(Call("GET", f"v1/customers/{c.seg(customer)}/entitlements"))


class AsyncEvents(_AsyncResource):
    @overload
    async def track(self, events: Iterable[Event | PropertyEvent | Mapping[str, Any]], /) -> TrackResult: ...

    @overload
    async def track(self, customer: str, event: str, properties: Mapping[str, str | int | float | bool] | None = None, /, *,
              id: str | None = None, timestamp: datetime | str | None = None) -> TrackResult: ...

    async def track(self, events_or_customer: Iterable[Event | PropertyEvent | Mapping[str, Any]] | str, event: str | None = None,
              properties: Mapping[str, str | int | float | bool] | None = None, /, *, id: str | None = None,
              timestamp: datetime | str | None = None) -> TrackResult:
        """After-the-fact usage; never denied, and an event without an ``id`` gets one, so a retry counts once.

        ``track(customer, event, properties)`` sends one event with properties, which the catalog's billable metrics read;
        ``track([...])`` sends a batch of at most 1000 (feature events ``{feature, amount}`` or events with properties).
        """
        if isinstance(events_or_customer, str):
            if event is None:
                raise TypeError("track(customer, event, properties): event is required")
            return await self._send(c.track_one(events_or_customer, event, properties, id, timestamp))
        return await self._send(c.track(events_or_customer))

    def list(self, *, customer: str | None = None, feature: str | None = None, from_: When = None, to: When = None,
             member: str | None = None, limit: int | None = None) -> AsyncPager[RecordedEvent]:
        """Recorded events, newest first; a secret key must name the customer or the member (only an admin key reads across customers)."""
        return AsyncPager(lambda cursor: self._send(c.page("v1/events", limit, cursor, customer=customer, feature=feature, member=member,
                                                         **{"from": from_, "to": to})))


class AsyncUsage(_AsyncResource):
    async def get(self, customer: str, *, at: datetime | str | None = None) -> UsageAnswer:
        """The counters of every metered feature in the period holding ``at`` (now by default)."""
        return await self._send(c.usage(customer, at))

    async def history(self, customer: str, *, feature: str | None = None, from_: When = None, to: When = None,
                granularity: str | None = None) -> UsageHistory:
        """Units per day (or ``granularity="month"``) per feature; every period is present, 0 when unused."""
        return await self._send(c.usage_history(customer, feature, from_, to, granularity))

    async def daily(self, *, feature: str | None = None, from_: When = None, to: When = None) -> DailyUsage:
        """Units and customers per feature and day across customers (an admin key)."""
        return await self._send(c.daily_usage(feature, from_, to))


class AsyncLlm(_AsyncResource):
    async def log_usage(self, *, customer: str, model: str, **fields: Any) -> LlmCallResult:
        """Logs one model call (fields of ``LlmCall``); a request id is generated when none is given."""
        return await self._send(Call("POST", "v1/llm/usage", c.llm_call({"customer": customer, "model": model, **fields})))

    async def log_usage_batch(self, calls: Iterable[LlmCall | Mapping[str, Any]]) -> LlmBatchResult:
        """Logs up to 1000 calls in one request."""
        return await self._send(Call("POST", "v1/llm/usage", {"calls": [c.llm_call(x) for x in calls]}))

    async def reserve_budget(self, *, customer: str, estimate_usd: Decimal | int | str, ttl_seconds: int = 300,
                       idempotency_key: str | None = None) -> LlmBudget:
        """Holds an estimate against the plan's LLM budget; log the call with ``reservation_id`` to settle it."""
        return await self._send(c.reserve_budget(customer, estimate_usd, ttl_seconds, idempotency_key))

    async def get_budget(self, customer: str) -> LlmBudget:
        return await self._send(Call("GET", f"v1/customers/{c.seg(customer)}/llm-budget"))

    def list_calls(self, *, customer: str | None = None, feature: str | None = None, model: str | None = None,
                   provider: str | None = None, from_: When = None, to: When = None, member: str | None = None,
                   limit: int | None = None) -> AsyncPager[LlmCallRecord]:
        """Logged calls as priced, newest first; a secret key must name the customer or the member."""
        return AsyncPager(lambda cursor: self._send(c.page("v1/llm/calls", limit, cursor, customer=customer, feature=feature, model=model,
                                                          provider=provider, member=member, **{"from": from_, "to": to})))



class AsyncInvoices(_AsyncResource):
    def list(self, *, customer: str | None = None, status: str | None = None, from_: When = None, to: When = None,
             limit: int | None = None) -> AsyncPager[Invoice]:
        """Invoices, newest first; ``from_``/``to`` bound when each was created."""
        return AsyncPager(lambda cursor: self._send(c.page("v1/invoices", limit, cursor, customer=customer, status=status,
                                                          **{"from": from_, "to": to})))

    async def get(self, id: str) -> Invoice:
        return await self._send(Call("GET", f"v1/invoices/{c.seg(id)}"))

    async def upcoming(self, customer: str) -> Invoice:
        """The invoice the customer's next renewal would issue if it ran now, status ``upcoming``, no number; writes nothing.
        Without a live subscription that invoices again: NotFound with ``resource`` ``upcoming_invoice``."""
        return await self._send(Call("GET", f"v1/customers/{c.seg(customer)}/upcoming-invoice"))

    async def html(self, id: str) -> str:
        """The printable invoice page."""
        return await self._send(Call("GET", f"v1/invoices/{c.seg(id)}/html", raw=True))

    async def pdf(self, id: str) -> bytes:
        """The invoice as a PDF (seller, billing details, lines, totals, credit notes); an unknown id raises NotFound."""
        return await self._send(Call("GET", f"v1/invoices/{c.seg(id)}/pdf", binary=True))

    async def mark_paid(self, id: str) -> Invoice:
        return await self._send(Call("POST", f"v1/invoices/{c.seg(id)}/mark-paid"))

    async def void(self, id: str) -> Invoice:
        return await self._send(Call("POST", f"v1/invoices/{c.seg(id)}/void"))

    async def mark_uncollectible(self, id: str) -> Invoice:
        return await self._send(Call("POST", f"v1/invoices/{c.seg(id)}/mark-uncollectible"))


class AsyncAlerts(_AsyncResource):
    def list(self, *, customer: str, unread: bool = False, limit: int | None = None) -> AsyncPager[Alert]:
        """The customer's usage alerts, newest first."""
        return AsyncPager(lambda cursor: self._send(Call("GET", f"v1/customers/{c.seg(customer)}/alerts",
                                                        params=c.list_params(limit, cursor, unread=unread))), "alerts")

    async def mark_read(self, id: str) -> Alert:
        return await self._send(Call("POST", f"v1/alerts/{c.seg(id)}/read"))


class AsyncPortal(_AsyncResource):
    async def create_link(self, customer: str, *, return_url: str | None = None) -> PortalLink:
        """A short-lived signed link into Tollgate's own customer portal."""
        return await self._send(Call("POST", f"v1/customers/{c.seg(customer)}/portal-sessions", {"return_url": return_url}))

    async def create_stripe_session(self, *, customer: str, return_url: str) -> PortalSession:
        """A Stripe customer portal session (needs Stripe configured)."""
        return await self._send(Call("POST", "v1/billing/portal-sessions", {"customer": customer, "return_url": return_url}))


class AsyncCheckout(_AsyncResource):
    async def create_session(self, *, customer: str, plan: str, success_url: str, cancel_url: str,
                       billing_period: str | None = None, visitor_id: str | None = None) -> CheckoutSession:
        """A Stripe Checkout session for a plan (needs Stripe configured); with visitor_id, at their experiment variant's price."""
        return await self._send(c.checkout(customer, plan, success_url, cancel_url, billing_period, visitor_id))


class AsyncPricing(_AsyncResource):
    async def plans(self, *, visitor: str | None = None, currency: str | None = None) -> list[dict[str, Any]]:
        """The active public plans; with ``visitor`` (your visitor id) at their price-experiment variant's prices, recorded as seen."""
        return await self._send(Call("GET", "v1/pricing/plans", params={"visitor": visitor, "currency": currency}))

    async def plan(self, code: str, *, currency: str | None = None) -> dict[str, Any]:
        """One public plan; with ``currency`` ("EUR" or "eur") its prices in it, a 400 naming ``currency`` when it is not priced in it."""
        return await self._send(Call("GET", f"v1/pricing/plans/{c.seg(code)}", params={"currency": currency}))

    async def features(self) -> list[dict[str, Any]]:
        return await self._send(Call("GET", "v1/pricing/features"))

    async def compare(self) -> dict[str, Any]:
        return await self._send(Call("GET", "v1/pricing/compare"))


class AsyncWebhooks:
    """``tg.webhooks.verify(...)`` is ``tollgate.webhooks.verify(...)``: it needs no connection."""

    @staticmethod
    def verify(payload: bytes | str, header: str | None, secret: str, tolerance: int = 300) -> _webhooks.WebhookEvent:
        return _webhooks.verify(payload, header, secret, tolerance)
