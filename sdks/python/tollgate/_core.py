"""The HTTP layer both clients share: JSON that keeps money exact, retries with backoff, and error mapping."""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Mapping

import httpx

from ._errors import EntitlementDenied, PaymentsNotConfigured, TollgateError, TollgateUnavailable, _retry_after, error_from_response

VERSION = "0.1.0"
DEFAULT_BASE_URL = "http://localhost:5080"
# A Retry-After longer than this is a quota reset or a long outage: raise instead of sleeping through it.
MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True, slots=True)
class Call:
    """One API operation: what to send, before retries."""

    method: str
    path: str
    body: Any = None
    params: Mapping[str, Any] | None = None
    raw: bool = False  # the body as text (an HTML page)
    binary: bool = False  # the body as bytes (a PDF)
    headers: Mapping[str, str] | None = None  # per call, such as an Idempotency-Key its retries repeat
    # False: an error answer is raised at once, unretried. The FastAPI gate's reserve cannot wait out a gateway's 429 or
    # a 5xx while its caller waits; lost answers (connection errors) are still retried with the call's key.
    retry_answers: bool = True


@dataclass(slots=True)
class Options:
    api_key: str
    base_url: str
    timeout: float
    max_retries: int
    headers: dict[str, str] = field(default_factory=dict)


def options(api_key: str | None, base_url: str | None, timeout: float, max_retries: int) -> Options:
    key = api_key if api_key is not None else os.environ.get("TOLLGATE_API_KEY", "")
    url = (base_url or os.environ.get("TOLLGATE_BASE_URL") or DEFAULT_BASE_URL).rstrip("/") + "/"
    headers = {"User-Agent": f"tollgate-python/{VERSION}", "Accept": "application/json"}
    # No key is no error here, as in the TypeScript SDK: the public pricing reads work without one (a pricing page), and
    # every other call answers AuthenticationError.
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return Options(key, url, timeout, max(0, max_retries), headers)


def new_key() -> str:
    """An idempotency key for one logical operation; its retries reuse it."""
    return uuid.uuid4().hex


def instant(value: datetime) -> str:
    """An aware datetime as Tollgate's ISO 8601 UTC text; a naive one is refused, as the server refuses it."""
    if value.tzinfo is None:
        raise ValueError("datetimes sent to Tollgate must be timezone-aware")
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def dumps(body: Any) -> bytes:
    """JSON without None fields; Decimal goes out as an exact number, never through float."""
    decimals: list[Decimal] = []

    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            if not o.is_finite():
                raise ValueError("amounts must be finite")
            decimals.append(o)
            return f"\u0001tgdec{len(decimals) - 1}\u0001"
        if isinstance(o, datetime):
            return instant(o)
        raise TypeError(f"cannot send {type(o).__name__} as JSON")

    text = json.dumps(_drop_none(body), default=default, separators=(",", ":"), ensure_ascii=False)
    for i, d in enumerate(decimals):
        text = text.replace(f'"\\u0001tgdec{i}\\u0001"', format(d, "f"))
    return text.encode()


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_drop_none(v) for v in value]
    return value


def loads(content: bytes) -> Any:
    """Answers parse with Decimal for non-integers, so USD amounts stay exact; a whole USD amount (``"limit_usd": 15``)
    is a Decimal too, as its type says, while counts and cents stay int."""
    return json.loads(content, parse_float=Decimal, object_pairs_hook=_usd_as_decimal) if content else None


def _usd_as_decimal(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {k: Decimal(v) if type(v) is int and k.endswith("_usd") else v for k, v in pairs}


def _params(call: Call) -> dict[str, str] | None:
    if not call.params:
        return None
    out = {}
    for k, v in call.params.items():
        if v is not None:
            out[k] = ("true" if v else "false") if isinstance(v, bool) else str(v)
    return out


def retry_delay(attempt: int, error: TollgateError | None) -> float | None:
    """Seconds to wait before retry number ``attempt + 1``, or None when the failure is final."""
    if error is not None:
        status = error.status or 0
        retryable = status in (408, 429) or status >= 500
        # A denial (quota_exceeded, budget_exceeded, rate_limited, feature_not_in_plan) is Tollgate's decision about the
        # customer, for the caller to pass on now with its Retry-After; a 429 without a code (a proxy's) is retried.
        final = isinstance(error, (EntitlementDenied, PaymentsNotConfigured)) and error.error is not None
        if not retryable or final:
            return None
        after = _retry_after({k.lower(): v for k, v in error.headers.items()})
        if after is not None:
            return float(after) if after <= MAX_RETRY_AFTER else None
    base = min(0.5 * (2 ** attempt), 8.0)
    return base * random.uniform(0.5, 1.5)  # jitter spreads the retries of many clients


def _whole(response: httpx.Response, body: bytes) -> httpx.Response:
    """The answer with ``body`` (already decoded) as its content; the headers that described the encoded bytes go."""
    headers = [(k, v) for k, v in response.headers.multi_items()
               if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
    return httpx.Response(response.status_code, headers=headers, content=body, request=response.request,
                          extensions=response.extensions)


def _answer(response: httpx.Response, call: Call) -> Any:
    return response.content if call.binary else response.text if call.raw else loads(response.content)


def no_delay(client: httpx.Client) -> httpx.Client:
    """The client, its sockets sending at once. httpx writes a POST's headers and body apart, and with Nagle's algorithm
    on (the blocking backend leaves it on; the async one turns it off) the body waited for the server's delayed ACK of the
    headers: 44 ms a POST where it takes 2. Set on each transport's connection pool, proxies' included, so the client
    keeps the proxies it read from the environment (a transport of its own would drop them)."""
    for transport in [client._transport, *client._mounts.values()]:  # noqa: SLF001 - httpx has no public hook for this
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, _NoDelayBackend):
            pool._network_backend = _NoDelayBackend(backend)  # type: ignore[union-attr]
    return client


class _NoDelayBackend:
    """httpcore's blocking backend, with TCP_NODELAY on every connection it opens."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
        stream = self._inner.connect_tcp(*args, **kwargs)
        sock = stream.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class SyncCore:
    """Sends calls with a blocking httpx.Client."""

    def __init__(self, opts: Options, http_client: httpx.Client | None) -> None:
        self.options = opts
        self._own = http_client is None
        self.http = http_client or no_delay(httpx.Client(timeout=opts.timeout))

    def send(self, call: Call) -> Any:
        content = dumps(call.body) if call.body is not None else None
        headers = {**self.options.headers, **(call.headers or {})}
        if content is not None:
            headers["Content-Type"] = "application/json"
        url = self.options.base_url + call.path
        attempt = 0
        while True:
            try:
                response = self._attempt(call, url, content, headers)
            except httpx.TransportError as e:
                delay = retry_delay(attempt, None) if attempt < self.options.max_retries else None
                if delay is None:
                    raise TollgateUnavailable(f"Tollgate could not be reached: {e!r}") from e
            else:
                if response.is_success:
                    return _answer(response, call)
                error = error_from_response(response)
                delay = retry_delay(attempt, error) if call.retry_answers and attempt < self.options.max_retries else None
                if delay is None:
                    raise error
            time.sleep(delay)
            attempt += 1

    def _attempt(self, call: Call, url: str, content: bytes | None, headers: dict[str, str]) -> httpx.Response:
        """One request, its body read by ``timeout``: httpx's timeouts bound each read, so a body trickled a byte at a
        time never timed out. Checked between reads, so a read that stalls is still bounded by httpx's read timeout."""
        deadline = time.monotonic() + self.options.timeout
        with self.http.stream(call.method, url, content=content, params=_params(call), headers=headers) as response:
            chunks = []
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout(f"no whole answer within {self.options.timeout} s", request=response.request)
            return _whole(response, b"".join(chunks))

    def close(self) -> None:
        if self._own:
            self.http.close()


class AsyncCore:
    """Sends calls with an httpx.AsyncClient."""

    def __init__(self, opts: Options, http_client: httpx.AsyncClient | None) -> None:
        self.options = opts
        self._own = http_client is None
        self.http = http_client or httpx.AsyncClient(timeout=opts.timeout)

    async def send(self, call: Call) -> Any:
        content = dumps(call.body) if call.body is not None else None
        headers = {**self.options.headers, **(call.headers or {})}
        if content is not None:
            headers["Content-Type"] = "application/json"
        url = self.options.base_url + call.path
        attempt = 0
        while True:
            try:
                response = await self._attempt(call, url, content, headers)
            except httpx.TransportError as e:
                delay = retry_delay(attempt, None) if attempt < self.options.max_retries else None
                if delay is None:
                    raise TollgateUnavailable(f"Tollgate could not be reached: {e!r}") from e
            else:
                if response.is_success:
                    return _answer(response, call)
                error = error_from_response(response)
                delay = retry_delay(attempt, error) if call.retry_answers and attempt < self.options.max_retries else None
                if delay is None:
                    raise error
            await asyncio.sleep(delay)
            attempt += 1

    async def _attempt(self, call: Call, url: str, content: bytes | None, headers: dict[str, str]) -> httpx.Response:
        """One request, its body read by ``timeout``: httpx's timeouts bound each read, so a body trickled a byte at a
        time never timed out."""
        # wait_for rather than asyncio.timeout: with Debian's anyio the latter's cancel escaped as CancelledError.
        request = self.http.request(call.method, url, content=content, params=_params(call), headers=headers)
        try:
            return await asyncio.wait_for(request, self.options.timeout)
        except asyncio.TimeoutError as e:
            raise httpx.ReadTimeout(f"no whole answer within {self.options.timeout} s") from e

    async def close(self) -> None:
        if self._own:
            await self.http.aclose()
