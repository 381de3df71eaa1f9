"""FastAPI support (``pip install tollgate[fastapi]``): gate a route on a quota.

    app = FastAPI()
    app.add_middleware(QuotaStatusMiddleware)   # settles by the real response status

    @app.on_event("startup")                    # every FastAPI; lifespan= works only from 0.93
    async def start() -> None:
        app.state.tollgate = tollgate.AsyncTollgate(api_key=..., base_url=...)

    @app.post("/cv")
    async def make_cv(quota: Quota = Depends(require_quota("cv_generate", customer=lambda r: r.headers["x-user"]))): ...

The dependency reserves before the handler, commits when the response is a 2xx sent whole and releases otherwise (an
exception, any other status, or a response that fails or whose client leaves before its end). Each run of the handler is one reservation: the caller's Idempotency-Key is not passed on, since
the gate cannot replay the handler's answer. Works with FastAPI 0.92 (Debian 12) and later.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
from typing import Any, AsyncIterator, Awaitable, Callable, MutableMapping
from urllib.parse import urljoin

from fastapi import HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import _calls as c
from ._async_resources import AsyncReservation
from ._client import AsyncTollgate
from ._errors import (AuthenticationError, BadRequest, EntitlementDenied, NotFound, PermissionDenied, TollgateError,
                      TollgateUnavailable)

log = logging.getLogger("tollgate.fastapi")

_STATUS_KEY = "tollgate.response_status"


def _private(key: str) -> bool:
    # Cost fields (budget_*_usd) describe the operator's LLM spend and grants: not for the app's end users.
    return key.startswith("budget_") and key.endswith("_usd")

CustomerResolver = Callable[[Request], "str | None | Awaitable[str | None]"]
AmountResolver = Callable[[Request], "int | Awaitable[int]"]


class QuotaRefused(HTTPException):
    """A request the gate answers itself (401, 403, 503, or a denial): ``detail`` is the problem it answers. With
    ``QuotaStatusMiddleware`` the caller gets it as the body, ``application/problem+json``, as the TypeScript and .NET
    gates answer; an exception handler the app registers for it (or for HTTPException) shapes it instead."""

    def __init__(self, status: int, problem: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status, detail=problem, headers=headers)

    def response(self) -> JSONResponse:
        return JSONResponse(jsonable_encoder(self.detail), status_code=self.status_code, headers=self.headers,
                            media_type="application/problem+json")


class QuotaDenied(QuotaRefused):
    """The refusal raised for a denial; ``denied`` is Tollgate's error, for an exception handler that shapes it."""

    def __init__(self, denied: EntitlementDenied, detail: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(denied.status or 429, detail, headers)
        self.denied = denied


def _problem(status: int, error: str, title: str, detail: str) -> QuotaRefused:
    """A refusal the gate makes itself, shaped as the TypeScript gate's."""
    return QuotaRefused(status, {"type": f"https://tollgate.dev/errors/{error.replace('_', '-')}", "title": title,
                                 "status": status, "detail": detail, "error": error})


class Quota:
    """What the dependency gives the handler: the hold, and a way to say how much was really used."""

    def __init__(self, feature: str, customer: str | None, reservation: AsyncReservation | None) -> None:
        self.feature = feature
        self.customer = customer
        self.reservation = reservation  # None when Tollgate was unreachable and the policy is fail-open
        self.actual: int | None = None

    def set_usage(self, actual: int) -> None:
        """Commit ``actual`` units instead of the amount reserved (0 gives all of them back)."""
        self.actual = actual


class QuotaStatusMiddleware:
    """Records the response status for ``require_quota``, and whether its last byte went out; without it, a handler
    that returns (rather than raises) an error response, or a stream the client left, is committed. It also answers the
    gate's refusals as ``application/problem+json`` (FastAPI's own handler would wrap them in ``{"detail": ...}``)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        holder: dict[str, Any] = {}
        scope[_STATUS_KEY] = holder

        async def recording_send(message: MutableMapping[str, Any]) -> None:
            if holder.get("answered"):
                return  # FastAPI's rendering of a refusal this middleware answered itself
            if message["type"] == "http.response.start":
                refusal = holder.get("refusal")
                if isinstance(refusal, QuotaRefused) and message["status"] == refusal.status_code and not _app_shapes(scope, refusal):
                    holder["answered"] = True
                    await refusal.response()(scope, receive, send)
                    return
                holder["status"] = message["status"]
                holder["complete"] = False
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                # The last body message went out: a stream that failed or whose client left never gets here.
                holder["complete"] = True

        await self.app(scope, receive, recording_send)


def _app_shapes(scope: MutableMapping[str, Any], refusal: QuotaRefused) -> bool:
    """Whether the app registered its own handler for this refusal (or for every HTTPException), as Starlette finds it."""
    handlers = getattr(scope.get("app"), "exception_handlers", {})
    for cls in type(refusal).__mro__:
        if cls in handlers:
            return not (cls is StarletteHTTPException and handlers[cls] is http_exception_handler)
    return False


def default_denial(denied: EntitlementDenied, client: AsyncTollgate) -> QuotaDenied:
    """Tollgate's problem without its cost fields and with an absolute ``upgrade_url``; Retry-After on a 429 (a quota's
    reset or a rate window's end) and the RateLimit-* headers Tollgate sent."""
    body = {k: v for k, v in denied.problem.items() if not _private(k)}
    if isinstance(body.get("upgrade_url"), str):
        body["upgrade_url"] = urljoin(client.base_url, body["upgrade_url"])
    headers = {k: v for k, v in denied.headers.items() if k.lower().startswith("ratelimit-")}
    if denied.status == 429 and denied.retry_after is not None:
        headers["Retry-After"] = str(max(1, denied.retry_after))
    return QuotaDenied(denied, body, headers or None)


def require_quota(feature: str, *, customer: str | CustomerResolver, amount: int | AmountResolver = 1,
                  client: AsyncTollgate | None = None, fail_open: bool = False, ttl_seconds: int = 300,
                  on_denied: Callable[[EntitlementDenied], HTTPException | dict[str, Any]] | None = None,
                  auto_create_customers: bool = False, timeout: float = 5.0) -> Callable[[Request], AsyncIterator[Quota]]:
    """A dependency that holds ``amount`` units of ``feature`` for the request's customer around the handler.

    ``customer``: an id, or a function of the request (sync or async) returning one; None answers 401.
    ``amount``: units to hold, or a function of the request (sync or async) returning them.
    ``client``: an AsyncTollgate; by default ``request.app.state.tollgate``.
    ``fail_open``: when Tollgate cannot decide, True lets the request through uncounted; False (the default) answers 503
    ``quota_unavailable``. Tollgate cannot decide when it cannot be reached, refuses the app's key (401, 403), answers a
    5xx, or a 429 without a Tollgate code (a gateway's throttling), or when ``timeout`` passes: the gate answers at once
    and never waits out a Retry-After.
    ``on_denied``: shapes a 429/402 denial (QuotaExceeded, BudgetExceeded, RateLimited or FeatureNotInPlan): return an
    HTTPException to raise, or a dict to send as its detail. By default the caller gets Tollgate's problem as the detail,
    with Retry-After on a 429.
    ``auto_create_customers``: a customer Tollgate does not know yet is created (with no fields) on first use;
    by default the caller is answered 403 ``customer_unknown``, since creating customers at sign-up keeps their e-mail
    and name.
    ``timeout``: seconds for the reservation, all its attempts and the auto-create together. A hold whose answer arrives
    after the timeout is never settled: it lapses at its TTL (``ttl_seconds``).

    Each run of the handler is one reservation. An ``Idempotency-Key`` on the incoming request is not passed on: the
    gate cannot replay the handler's first answer, so a retry that runs the handler again counts again.
    """

    async def dependency(request: Request) -> AsyncIterator[Quota]:
        found = client or getattr(request.app.state, "tollgate", None)
        if not isinstance(found, AsyncTollgate):
            raise RuntimeError(_no_client_hint(request))
        tg: AsyncTollgate = found
        who = customer(request) if callable(customer) else customer
        if inspect.isawaitable(who):
            who = await who
        if not who:
            raise _refuse(request, _problem(401, "unauthenticated", "Unauthorized", "Sign in to use this feature."))
        asked = amount(request) if callable(amount) else amount
        units: int = await asked if inspect.isawaitable(asked) else asked

        try:
            reservation = await asyncio.wait_for(_reserve(tg, str(who), feature, units, ttl_seconds, auto_create_customers), timeout)
        except EntitlementDenied as denied:
            if denied.error is not None:
                raise _refuse(request, _denial(denied, tg, on_denied)) from None
            undecided: BaseException = denied  # no Tollgate code: a gateway's 429, not a decision about the customer
        except NotFound as e:
            if e.resource != "customer":
                raise
            # Tollgate answered, so this is no outage for fail_open: the app never created this customer.
            log.warning("Tollgate does not know customer %r (gating %s): create customers at sign-up, or pass "
                        "auto_create_customers=True", who, feature)
            raise _refuse(request, _problem(403, "customer_unknown", "Forbidden",
                                            "This account is not set up for this feature yet.")) from None
        except BadRequest as e:
            # Tollgate takes no such usage: an amount of 0 or 2.5, an id with a space, most often read from the caller's
            # own request. The caller is answered 400 naming the fields, where raising it made the app answer 500.
            log.warning("Tollgate refused the usage gating %s for %r: %s", feature, who, e)
            raise _refuse(request, _invalid_usage(e.problem.get("errors"))) from None
        except ValueError as e:
            # The SDK refused the id before sending it ('..' cannot be a path segment): the same fault, found earlier.
            log.warning("Cannot gate %s for %r: %s", feature, who, e)
            raise _refuse(request, _problem(400, "invalid_usage", "Bad Request",
                                            f"The usage this request asks for cannot be counted: {e}.")) from None
        except (TollgateUnavailable, AuthenticationError, PermissionDenied) as e:
            undecided = e
        except asyncio.TimeoutError:
            undecided = TimeoutError(f"no reservation within {timeout} s")
        except TollgateError as e:
            if e.status != 408:
                raise
            undecided = e  # a proxy's 408: no answer came from Tollgate, as the other SDKs' gates read it
        else:
            quota = Quota(feature, str(who), reservation)
            try:
                yield quota
            except GeneratorExit:
                raise  # closed without finishing: nothing can be awaited here; the hold lapses after ttl_seconds
            except BaseException:
                await _settle(reservation, succeeded=False, actual=None)
                raise
            await _settle(reservation, succeeded=_delivered(request), actual=quota.actual)
            return

        if not fail_open:
            log.error("Tollgate could not decide, refusing %s: %s", feature, undecided)
            raise _refuse(request, _problem(503, "quota_unavailable", "Service unavailable",
                                            "Usage limits cannot be checked right now."))
        log.warning("Tollgate could not decide, letting %s through uncounted: %s", feature, undecided)
        yield Quota(feature, str(who), None)

    return dependency


def _delivered(request: Request) -> bool:
    """A 2xx response sent whole: one that failed or was abandoned before its end (a stream the client left) is
    released, as billing counts delivered work. Without the middleware (or where FastAPI settles before the response
    starts) nothing is recorded, and only a raised exception releases."""
    record = request.scope.get(_STATUS_KEY, {})
    status = record.get("status")
    if status is None:
        return True
    return 200 <= status < 300 and record.get("complete", True) is True


async def _reserve(tg: AsyncTollgate, who: str, feature: str, units: int, ttl_seconds: int, auto_create: bool) -> AsyncReservation:
    """Holds the units under a key of its own, raising an error answer unretried (the caller is waiting); with
    ``auto_create``, a customer Tollgate does not know is created and the hold asked again."""
    def call() -> Awaitable[Any]:
        return tg._core.send(dataclasses.replace(c.decision("reserve", who, feature, units, None, ttl_seconds), retry_answers=False))

    try:
        answer = await call()
    except NotFound as e:
        if not (auto_create and e.resource == "customer"):
            raise
        await tg.customers.upsert(who)
        answer = await call()
    return AsyncReservation(tg.entitlements, answer, units)


def _invalid_usage(errors: Any) -> QuotaRefused:
    fields = ", ".join(sorted(errors)) if isinstance(errors, dict) and errors else "the request"
    return _problem(400, "invalid_usage", "Bad Request", f"The usage this request asks for cannot be counted: {fields}.")


def _refuse(request: Request, refusal: HTTPException) -> HTTPException:
    """Notes the refusal for QuotaStatusMiddleware, which answers it as a problem."""
    holder = request.scope.get(_STATUS_KEY)
    if isinstance(holder, dict):
        holder["refusal"] = refusal
    return refusal


def _no_client_hint(request: Request) -> str:
    hint = "require_quota needs client=AsyncTollgate(...) or app.state.tollgate"
    if "lifespan" in getattr(request.app, "extra", {}):
        # FastAPI before 0.93 keeps an unknown lifespan= in app.extra and never runs it.
        hint += ("; this FastAPI ignores FastAPI(lifespan=...) (it needs 0.93 or later): set app.state.tollgate in "
                 "@app.on_event(\"startup\") instead")
    return hint


def _denial(denied: EntitlementDenied, tg: AsyncTollgate,
            on_denied: Callable[[EntitlementDenied], HTTPException | dict[str, Any]] | None) -> HTTPException:
    if on_denied is None:
        return default_denial(denied, tg)
    shaped = on_denied(denied)
    return shaped if isinstance(shaped, HTTPException) else QuotaDenied(denied, shaped, default_denial(denied, tg).headers)


async def _settle(reservation: AsyncReservation, *, succeeded: bool, actual: int | None) -> None:
    """Commits (``actual`` units, the held amount when None) or releases; a failure is logged, never raised, since the
    caller's answer is already decided."""
    try:
        if succeeded:
            await reservation.commit(actual)
        else:
            await reservation.release()
    except TollgateError as e:
        log.error("Could not settle reservation %s: %s", reservation.id, e)
