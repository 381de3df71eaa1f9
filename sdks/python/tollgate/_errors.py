"""Tollgate's problem+json answers (RFC 9457, with a machine ``error`` code) as exceptions."""

from __future__ import annotations

import email.utils
import json
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Mapping

import httpx


class TollgateError(Exception):
    """Any error from Tollgate: its HTTP status, ``error`` code, ``detail`` and the whole problem body."""

    def __init__(self, message: str, *, status: int | None = None, error: str | None = None,
                 problem: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.problem: dict[str, Any] = dict(problem or {})
        self.headers: dict[str, str] = dict(headers or {})
        self.detail: str = str(self.problem.get("detail") or message)
        self.title: str | None = self.problem.get("title")
        self.type: str | None = self.problem.get("type")
        # validation_failed maps each field to what is wrong with it (a list of paths for catalogs and price tables).
        self.errors: Any = self.problem.get("errors")


class TollgateUnavailable(TollgateError):
    """Tollgate gave no usable answer: a connection error, a timeout, or a 5xx after the retries."""


class ServerError(TollgateUnavailable):
    """A 5xx answer."""


class InternalError(ServerError):
    """500 ``internal_error``: a bug in Tollgate (it is logged there)."""


class StripeError(ServerError):
    """502 ``stripe_error``: Stripe refused a call or could not be reached."""


class PaymentsNotConfigured(ServerError):
    """503 ``payments_not_configured``: a Stripe endpoint without its Stripe setting."""


class AuthenticationError(TollgateError):
    """401 ``missing_api_key`` or ``invalid_api_key``."""


class PermissionDenied(TollgateError):
    """403 ``forbidden``: the key's role may not call the endpoint."""


class BadRequest(TollgateError):
    """A 400 answer; ``detail`` and ``errors`` name the field."""


class ValidationFailed(BadRequest):
    """400 ``validation_failed``: ``errors`` maps each field to what is wrong."""


class PromotionCodeInvalid(BadRequest):
    """400 ``promotion_code_invalid``: the code or coupon in ``field`` cannot apply; ``reason`` says why (unknown, expired, ...)."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reason: str | None = self.problem.get("reason")
        self.field: str | None = self.problem.get("field")


class InvalidJson(BadRequest):
    """400 ``invalid_json``."""


class InvalidRequest(BadRequest):
    """400 ``invalid_request``: a query or route value that does not parse."""


class InvalidCatalog(BadRequest):
    """400 ``invalid_catalog``."""


class InvalidPriceTable(BadRequest):
    """400 ``invalid_price_table``."""


class FeatureNotConsumable(BadRequest):
    """400 ``feature_not_consumable``: consume or reserve of a value feature."""


class NotFound(TollgateError):
    """404 ``not_found``; ``resource`` says which kind (customer, feature, plan, reservation, ...)."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.resource: str | None = self.problem.get("resource")


class MethodNotAllowed(TollgateError):
    """405 ``method_not_allowed``."""


class Conflict(TollgateError):
    """A 409 answer: a conflict with what was already done."""


class IdempotencyMismatch(Conflict):
    """409 ``idempotency_mismatch``: the key was used for a different request."""


class IdempotencyKeyInUse(Conflict):
    """409 ``idempotency_key_in_use``: the first request under the key is still running; retry later with the same key."""


class IdempotencyAnswerLost(Conflict):
    """409 ``idempotency_answer_lost``: the first request under the key made its change but its answer was lost; it is not
    run again, so read the resource's current state instead of retrying."""


class SubscriptionExists(Conflict):
    """409 ``subscription_exists``."""


class ReservationNotHeld(Conflict):
    """409 ``reservation_not_held``: commit of a released or expired hold."""


class ManagedByStripe(Conflict):
    """409 ``managed_by_stripe``."""


class NoChange(Conflict):
    """409 ``no_change``: the subscription is already on that plan and period."""


class RequestIdConflict(Conflict):
    """409 ``request_id_conflict``: an LLM request id already logged for a different call."""


class MemberIdTaken(Conflict):
    """409 ``member_id_taken``: the id is a customer's or another organisation's member's."""


class NotPerSeat(Conflict):
    """409 ``not_per_seat``: seats changed on a price that is not sold per seat."""


class CreditExceedsInvoice(Conflict):
    """409 ``credit_exceeds_invoice``: the credit notes would pass the invoice's total; ``remaining_cents`` is what is left."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.remaining_cents: int | None = self.problem.get("remaining_cents")


class SeatsExhausted(TollgateError):
    """402 ``seats_exhausted``: every seat of ``customer`` is taken (``seats`` members); add seats or remove a member."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.customer: str | None = self.problem.get("customer")
        self.seats: int | None = self.problem.get("seats")


class BodyTooLarge(TollgateError):
    """413 ``body_too_large``."""


class UnsupportedMediaType(TollgateError):
    """415 ``unsupported_media_type``."""


class Unprocessable(TollgateError):
    """A 422 answer."""


class PriceNotLinked(Unprocessable):
    """422 ``price_not_linked``: checkout for a price without a Stripe price id."""


class UnpricedModel(Unprocessable):
    """422 ``unpriced_model``: no price for the model, with RejectUnpriced on."""


def _retry_after(headers: Mapping[str, str]) -> int | None:
    value = headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return int(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, int((when - datetime.now(timezone.utc)).total_seconds()))


class EntitlementDenied(TollgateError):
    """A refusal for a feature, with what a product shows its user and where to upgrade."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        p = self.problem
        self.feature: str | None = p.get("feature")
        self.plan: str | None = p.get("plan")
        self.limit: int | None = p.get("limit")
        self.used: int | None = p.get("used")
        self.remaining: int | None = p.get("remaining")
        self.resets_at: datetime | None = _instant(p.get("resets_at"))
        self.upgrade_url: str | None = p.get("upgrade_url")
        self.retry_after: int | None = _retry_after({k.lower(): v for k, v in self.headers.items()})


class RateLimited(EntitlementDenied):
    """429 ``rate_limited`` (or a 429 without a Tollgate code): too many requests in the feature's rate window.

    ``limit`` is the requests a window allows, ``per`` the window (second, minute or hour), ``scope`` ``feature`` for
    the feature's own limit or ``plan`` for the plan-wide one, ``remaining`` 0, ``reset_at`` when the window ends and
    ``retry_after`` the whole seconds until then; ``used`` is None. An EntitlementDenied too, so code that shows a
    denial shows this one.
    """

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.per: str | None = self.problem.get("per")
        self.scope: str | None = self.problem.get("scope")
        self.reset_at: datetime | None = _instant(self.problem.get("reset_at"))
        if self.retry_after is None and isinstance(self.problem.get("retry_after"), int):
            self.retry_after = self.problem["retry_after"]


class QuotaExceeded(EntitlementDenied):
    """429 ``quota_exceeded``: the hard cap is reached until ``resets_at`` (``retry_after`` seconds)."""


class BudgetExceeded(QuotaExceeded):
    """429 ``budget_exceeded``: the plan's LLM budget is spent; ``budget_*`` are USD as Decimal."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.budget_usd: Decimal | None = _decimal(self.problem.get("budget_usd"))
        self.budget_spent_usd: Decimal | None = _decimal(self.problem.get("budget_spent_usd"))
        self.budget_reserved_usd: Decimal | None = _decimal(self.problem.get("budget_reserved_usd"))
        self.budget_granted_remaining_usd: Decimal | None = _decimal(self.problem.get("budget_granted_remaining_usd"))


class FeatureNotInPlan(EntitlementDenied):
    """402 ``feature_not_in_plan``: the customer's plan does not include the feature."""


class SubscriptionInactive(EntitlementDenied):
    """402 ``subscription_inactive``: the subscription is suspended (its invoice past due) and the catalog's
    ``on_suspension`` is ``deny``; the feature passes again once the invoice is paid. ``upgrade_url`` says where."""


_BY_CODE: dict[str, type[TollgateError]] = {
    "missing_api_key": AuthenticationError, "invalid_api_key": AuthenticationError, "forbidden": PermissionDenied,
    "validation_failed": ValidationFailed, "invalid_json": InvalidJson, "invalid_request": InvalidRequest,
    "invalid_catalog": InvalidCatalog, "invalid_price_table": InvalidPriceTable, "feature_not_consumable": FeatureNotConsumable,
    "not_found": NotFound, "method_not_allowed": MethodNotAllowed,
    "idempotency_mismatch": IdempotencyMismatch, "idempotency_key_in_use": IdempotencyKeyInUse,
    "idempotency_answer_lost": IdempotencyAnswerLost, "subscription_exists": SubscriptionExists,
    "reservation_not_held": ReservationNotHeld, "managed_by_stripe": ManagedByStripe, "no_change": NoChange,
    "request_id_conflict": RequestIdConflict, "body_too_large": BodyTooLarge, "unsupported_media_type": UnsupportedMediaType,
    "price_not_linked": PriceNotLinked, "unpriced_model": UnpricedModel,
    "quota_exceeded": QuotaExceeded, "budget_exceeded": BudgetExceeded, "rate_limited": RateLimited,
    "feature_not_in_plan": FeatureNotInPlan, "subscription_inactive": SubscriptionInactive,
    "promotion_code_invalid": PromotionCodeInvalid, "seats_exhausted": SeatsExhausted, "member_id_taken": MemberIdTaken,
    "not_per_seat": NotPerSeat, "credit_exceeds_invoice": CreditExceedsInvoice,
    "internal_error": InternalError, "stripe_error": StripeError, "payments_not_configured": PaymentsNotConfigured,
}

_BY_STATUS: dict[int, type[TollgateError]] = {
    400: BadRequest, 401: AuthenticationError, 402: FeatureNotInPlan, 403: PermissionDenied, 404: NotFound,
    405: MethodNotAllowed, 409: Conflict, 413: BodyTooLarge, 415: UnsupportedMediaType, 422: Unprocessable, 429: RateLimited,
}


def error_from_response(response: httpx.Response) -> TollgateError:
    """The exception for an error answer; unknown codes fall back to the class of their status."""
    problem: dict[str, Any] = {}
    try:
        body = json.loads(response.content, parse_float=Decimal)
        if isinstance(body, dict):
            problem = body
    except ValueError:
        pass
    code = problem.get("error") if isinstance(problem.get("error"), str) else None
    status = response.status_code
    cls = _BY_CODE.get(code or "") or _BY_STATUS.get(status) or (ServerError if status >= 500 else TollgateError)
    # A body that is no problem (a proxy's "503 unavailable") says more than the reason phrase: the start of it is quoted.
    detail = problem.get("detail") or _excerpt(response) or response.reason_phrase or ""
    message = f"Tollgate answered {status}{f' {code}' if code else ''}{f': {detail}' if detail else ''}"
    return cls(message, status=status, error=code, problem=problem, headers=dict(response.headers))


def _excerpt(response: httpx.Response) -> str:
    """The body's text on one line, cut to 200 characters: enough to tell a proxy's page from Tollgate's."""
    try:
        text = " ".join(response.text.split())
    except (UnicodeDecodeError, LookupError):
        return ""
    return text if len(text) <= 200 else text[:200] + "…"


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
