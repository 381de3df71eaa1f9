"""Each operation's request, built once for the sync and async clients."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping
from urllib.parse import quote

from ._core import Call, instant, new_key


def seg(value: str) -> str:
    """One path segment, escaped (customer ids may hold ':', '@', '+', '|', '=').

    "." and ".." are refused: httpx resolves them away before sending (escaping does not stop that), so a member "..",
    deleted, was a DELETE of its organisation."""
    if value in ("", ".", ".."):
        # An empty id named the collection instead (PUT /v1/customers/ answered 405).
        raise ValueError(f"{value!r} cannot be an id in a URL path")
    return quote(value, safe="")


def upsert_customer(id: str, email: str | None, name: str | None, metadata: Mapping[str, str] | None,
                    has_payment_method: bool | None, address: Mapping[str, Any] | None = None,
                    tax_ids: Iterable[Mapping[str, Any]] | None = None, tax_exempt: str | None = None,
                    tax_rates: Iterable[str] | None = None, currency: str | None = None) -> Call:
    body = {"email": email, "name": name, "metadata": dict(metadata) if metadata is not None else None,
            "has_payment_method": has_payment_method, "address": dict(address) if address is not None else None,
            "tax_ids": [dict(t) for t in tax_ids] if tax_ids is not None else None, "tax_exempt": tax_exempt,
            "tax_rates": list(tax_rates) if tax_rates is not None else None, "currency": currency}
    return Call("PUT", f"v1/customers/{seg(id)}", body)


def _once() -> dict[str, str]:
    """A key for one state-changing subscription call, which its retries repeat: an answer lost after the change went
    through is then answered by Tollgate's record of it, not refused as NoChange or SubscriptionExists."""
    return {"Idempotency-Key": new_key()}


def create_subscription(customer: str, plan: str, billing_period: str | None, trial_days: int | None,
                        collection_method: str | None, days_until_due: int | None, promotion_code: str | None = None,
                        coupon: str | None = None, seats: int | None = None, visitor_id: str | None = None,
                        currency: str | None = None, price_override_cents: int | None = None,
                        price_override_note: str | None = None) -> Call:
    return Call("POST", "v1/subscriptions", {"customer": customer, "plan": plan, "billing_period": billing_period,
                                             "trial_days": trial_days, "collection_method": collection_method,
                                             "days_until_due": days_until_due, "promotion_code": promotion_code,
                                             "coupon": coupon, "seats": seats, "visitor_id": visitor_id, "currency": currency,
                                             "price_override_cents": price_override_cents,
                                             "price_override_note": price_override_note},
                headers=_once())


def change_subscription(id: str, preview: bool, plan: str, billing_period: str | None, effective: str | None,
                        proration: str, promotion_code: str | None = None, coupon: str | None = None) -> Call:
    path = f"v1/subscriptions/{seg(id)}/change" + ("/preview" if preview else "")
    return Call("POST", path, {"plan": plan, "billing_period": billing_period, "effective": effective, "proration": proration,
                               "promotion_code": promotion_code, "coupon": coupon}, headers=None if preview else _once())


def cancel_subscription(id: str, at_period_end: bool, credit_unused: bool, reason: str | None = None, comment: str | None = None,
                        bill_usage: bool = True) -> Call:
    return Call("POST", f"v1/subscriptions/{seg(id)}/cancel",
                {"at_period_end": at_period_end, "credit_unused": credit_unused, "reason": reason, "comment": comment,
                 "bill_usage": bill_usage},
                headers=_once())


def undo_cancel(id: str) -> Call:
    return Call("POST", f"v1/subscriptions/{seg(id)}/undo-cancel", headers=_once())


def apply_discount(id: str, promotion_code: str | None, coupon: str | None) -> Call:
    return Call("POST", f"v1/subscriptions/{seg(id)}/discount", {"promotion_code": promotion_code, "coupon": coupon},
                headers=_once())


def decision(kind: str, customer: str, feature: str, amount: int, idempotency_key: str | None = None,
             ttl_seconds: int | None = None, metadata: Mapping[str, str] | None = None) -> Call:
    body: dict[str, Any] = {"customer": customer, "feature": feature, "amount": amount}
    if metadata is not None:
        body["metadata"] = dict(metadata)  # kept on the usage record GET /v1/events lists
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


def track_one(customer: str, event: str, properties: Mapping[str, Any] | None, id: str | None,
              timestamp: datetime | str | None) -> Call:
    """One event with properties, which the catalog's billable metrics read."""
    out: dict[str, Any] = {"id": id or new_key(), "customer": customer, "event": event, "properties": dict(properties or {})}
    if timestamp is not None:
        out["timestamp"] = instant(timestamp) if isinstance(timestamp, datetime) else timestamp
    return Call("POST", "v1/events", {"events": [out]})


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


def checkout(customer: str, plan: str, success_url: str, cancel_url: str, billing_period: str | None,
             visitor_id: str | None = None) -> Call:
    body: dict[str, Any] = {"customer": customer, "plan": plan, "success_url": success_url, "cancel_url": cancel_url}
    if billing_period is not None:
        body["billing_period"] = billing_period  # left out, the server picks monthly, or yearly on a yearly-only plan
    if visitor_id is not None:
        body["visitor_id"] = visitor_id  # a price experiment's visitor: Checkout charges their variant's price
    return Call("POST", "v1/billing/checkout-sessions", body)


def when(value: datetime | date | str | None) -> str | None:
    """A query instant or day: aware datetimes as ISO 8601 UTC, dates as YYYY-MM-DD, text as given."""
    if isinstance(value, datetime):
        return instant(value)
    return value.isoformat() if isinstance(value, date) else value


def page(path: str, limit: int | None, cursor: str | None, **filters: Any) -> Call:
    """One page of a ``{data, has_more, next_cursor}`` list; datetimes and dates among the filters are formatted."""
    return Call("GET", path, params=list_params(limit, cursor, **{k: when(v) for k, v in filters.items()}))


def usage(customer: str, at: datetime | str | None) -> Call:
    return Call("GET", f"v1/customers/{seg(customer)}/usage", params={"at": when(at)})


def usage_history(customer: str, feature: str | None, from_: datetime | date | str | None, to: datetime | date | str | None,
                  granularity: str | None) -> Call:
    return Call("GET", f"v1/customers/{seg(customer)}/usage/history",
                params={"feature": feature, "from": when(from_), "to": when(to), "granularity": granularity})


def daily_usage(feature: str | None, from_: datetime | date | str | None, to: datetime | date | str | None) -> Call:
    return Call("GET", "v1/admin/usage/daily", params={"feature": feature, "from": when(from_), "to": when(to)})


def create_session(id: str, ttl_seconds: int | None) -> Call:
    return Call("POST", f"v1/customers/{seg(id)}/sessions", body={} if ttl_seconds is None else {"ttl_seconds": ttl_seconds})


def delete_customer(id: str, prorate: bool | None, bill_usage: bool | None = None) -> Call:
    return Call("DELETE", f"v1/customers/{seg(id)}", params={"prorate": prorate, "bill_usage": bill_usage})


def exact(value: Decimal | int | str | None, name: str) -> Decimal | None:
    """A decimal sent exactly; floats are refused because they are not."""
    if value is None:
        return None
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal, int or str: floats are not exact")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def usd_text(value: Decimal | str | None, name: str) -> str | None:
    """USD as the decimal string the server reads exactly ("2.50", never "2.5E+0")."""
    amount = exact(value, name)
    return None if amount is None else format(amount, "f")


def create_tax_rate(fields: Mapping[str, Any]) -> Call:
    body = dict(fields)
    body["percentage"] = exact(body.get("percentage"), "percentage")
    return Call("POST", "v1/admin/tax-rates", body)


def create_coupon(fields: Mapping[str, Any]) -> Call:
    body = dict(fields)
    body["percent_off"] = exact(body.get("percent_off"), "percent_off")
    if body.get("applies_to_plans") is not None:
        body["applies_to_plans"] = list(body["applies_to_plans"])
    if body.get("currency_options") is not None:  # any Mapping, as JSON objects
        body["currency_options"] = {code: dict(option) for code, option in body["currency_options"].items()}
    return Call("POST", "v1/admin/coupons", body)


def change_seats(id: str, seats: int, effective: str | None, proration: str) -> Call:
    return Call("POST", f"v1/subscriptions/{seg(id)}/seats", {"seats": seats, "effective": effective, "proration": proration},
                headers=_once())


def upsert_member(customer: str, member: str, email: str | None, name: str | None, role: str | None) -> Call:
    return Call("PUT", f"v1/customers/{seg(customer)}/members/{seg(member)}", {"email": email, "name": name, "role": role})


def offer_link(plan: str, expires_at: datetime | str, customer: str | None, billing_period: str | None) -> Call:
    return Call("POST", f"v1/admin/plans/{seg(plan)}/offer-links",
                {"expires_at": when(expires_at), "customer": customer, "billing_period": billing_period})


def create_credit_note(invoice: str, lines: Any, amount_cents: int | None, reason: str, memo: str | None, refund: bool | None,
                       idempotency_key: str | None) -> Call:
    # Lines or one amount, never both (the server says which when both come); a key made here keeps retries to one note.
    body: dict[str, Any] = {"reason": reason}
    if lines is not None:
        body["lines"] = [dict(line) for line in lines]
    if amount_cents is not None:
        body["amount_cents"] = amount_cents
    if memo is not None:
        body["memo"] = memo
    if refund is not None:
        body["refund"] = refund
    return Call("POST", f"v1/invoices/{seg(invoice)}/credit-notes", body, headers={"Idempotency-Key": idempotency_key or new_key()})


def sell_pack(customer: str, pack: str, paid: bool, idempotency_key: str | None) -> Call:
    # A key made here when none is given, so the client's own retries of this sale sell once.
    return Call("POST", f"v1/customers/{seg(customer)}/packs", {"pack": pack, "paid": paid},
                headers={"Idempotency-Key": idempotency_key or new_key()})


def create_grant(customer: str, feature: str, amount: int | None, amount_usd: Decimal | str | None, expires_at: datetime | str | None,
                 priority: int | None, reason: str | None, idempotency_key: str | None) -> Call:
    # A key made here when none is given, so the client's retry of a grant whose answer was lost grants once.
    return Call("POST", f"v1/customers/{seg(customer)}/grants", {
        "feature": feature, "amount": amount, "amount_usd": usd_text(amount_usd, "amount_usd"), "expires_at": when(expires_at),
        "priority": priority, "reason": reason}, headers={"Idempotency-Key": idempotency_key or new_key()})
