"""Each operation's request, built once for the sync and async clients."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping
from urllib.parse import quote

from ._core import Call, instant, new_key


def seg(value: str) -> str:
    """One path segment, escaped (customer ids may hold ':', '@', '+', '|', '=')."""
    return quote(value, safe="")


def upsert_customer(id: str, email: str | None, name: str | None, metadata: Mapping[str, str] | None,
                    has_payment_method: bool | None) -> Call:
    body = {"email": email, "name": name, "metadata": dict(metadata) if metadata is not None else None,
            "has_payment_method": has_payment_method}
    return Call("PUT", f"v1/customers/{seg(id)}", body)


def create_subscription(customer: str, plan: str, billing_period: str, trial_days: int | None,
                        collection_method: str | None, days_until_due: int | None) -> Call:
    return Call("POST", "v1/subscriptions", {"customer": customer, "plan": plan, "billing_period": billing_period,
                                             "trial_days": trial_days, "collection_method": collection_method,
                                             "days_until_due": days_until_due})


def change_subscription(id: str, preview: bool, plan: str, billing_period: str | None, effective: str | None,
                        proration: str) -> Call:
    path = f"v1/subscriptions/{seg(id)}/change" + ("/preview" if preview else "")
    return Call("POST", path, {"plan": plan, "billing_period": billing_period, "effective": effective, "proration": proration})


def cancel_subscription(id: str, at_period_end: bool, credit_unused: bool) -> Call:
    return Call("POST", f"v1/subscriptions/{seg(id)}/cancel", {"at_period_end": at_period_end, "credit_unused": credit_unused})


def decision(kind: str, customer: str, feature: str, amount: int, idempotency_key: str | None = None,
             ttl_seconds: int | None = None) -> Call:
    body: dict[str, Any] = {"customer": customer, "feature": feature, "amount": amount}
    if kind != "check":
        # Generated once per call, so the retries of one consume or reserve count once.
        body["idempotency_key"] = idempotency_key or new_key()
    if kind == "reserve":
        body["ttl_seconds"] = ttl_seconds
    return Call("POST", f"v1/entitlements/{kind}", body)


def settle(reservation_id: str, action: str, amount: int | None = None) -> Call:
    body = {"amount": amount} if action == "commit" else None
    return Call("POST", f"v1/reservations/{seg(reservation_id)}/{action}", body)


def track(events: Iterable[Mapping[str, Any]]) -> Call:
    out = []
    for e in events:
        event = dict(e)
        event.setdefault("id", new_key())  # an id makes a resent batch count once
        if isinstance(event.get("timestamp"), datetime):
            event["timestamp"] = instant(event["timestamp"])
        out.append(event)
    return Call("POST", "v1/events", {"events": out})


def llm_call(call: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(call)
    out.setdefault("request_id", new_key())  # a request id makes a resent call count once
    if isinstance(out.get("timestamp"), datetime):
        out["timestamp"] = instant(out["timestamp"])
    return out


def reserve_budget(customer: str, estimate_usd: Decimal | int | str, ttl_seconds: int, idempotency_key: str | None) -> Call:
    if isinstance(estimate_usd, float):
        raise TypeError("estimate_usd must be a Decimal, int or str: floats are not exact")
    estimate = estimate_usd if isinstance(estimate_usd, Decimal) else Decimal(str(estimate_usd))
    return Call("POST", "v1/llm/budget/reserve", {"customer": customer, "estimate_usd": estimate, "ttl_seconds": ttl_seconds,
                                                  "idempotency_key": idempotency_key or new_key()})


def list_params(limit: int | None, cursor: str | None, **extra: Any) -> dict[str, Any]:
    return {"limit": limit, "cursor": cursor, **extra}


def checkout(customer: str, plan: str, success_url: str, cancel_url: str, billing_period: str) -> Call:
    return Call("POST", "v1/billing/checkout-sessions", {"customer": customer, "plan": plan, "success_url": success_url,
                                                         "cancel_url": cancel_url, "billing_period": billing_period})
