"""LLM cost capture: an httpx transport that records every model call to ``POST /v1/llm/usage`` in background batches.

    recorder = tollgate.llm.LlmUsageRecorder(tg)
    http = httpx.Client(transport=tollgate.llm.LlmUsageTransport(recorder))
    with tollgate.llm.attribute("user-42", feature="cv_generate"):
        http.post("https://api.openai.com/v1/chat/completions", json={...})

The official ``openai`` package takes such a client: ``OpenAI(http_client=httpx.Client(transport=...))`` (and
``AsyncOpenAI(http_client=httpx.AsyncClient(transport=AsyncLlmUsageTransport(recorder)))``). The app's call is never
slowed or failed by capture: usage is read from the bytes the app reads anyway, and sent from a background thread.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Iterator

import httpx

from ._core import instant, new_key
from ._llm_reader import UsageReader
from ._llm_recorder import LlmUsageRecorder

__all__ = ["LlmOwner", "LlmUsageRecorder", "LlmUsageTransport", "AsyncLlmUsageTransport", "attribute", "provider_of", "CUSTOMER_HEADER",
           "FEATURE_HEADER"]

CUSTOMER_HEADER = "Tollgate-Customer"
FEATURE_HEADER = "Tollgate-Feature"
_MAX_BODY = 16 << 20


@dataclass(frozen=True, slots=True)
class LlmOwner:
    """Whom a model call is for."""

    customer: str
    feature: str | None = None


_owner: contextvars.ContextVar[LlmOwner | None] = contextvars.ContextVar("tollgate_llm_owner", default=None)


@contextmanager
def attribute(customer: str, feature: str | None = None) -> Iterator[LlmOwner]:
    """Attributes the model calls made inside the block (this thread or task) to ``customer`` and ``feature``."""
    token = _owner.set(LlmOwner(customer, feature))
    try:
        yield _owner.get()  # type: ignore[misc]
    finally:
        _owner.reset(token)


# Hosts whose answers have OpenAI's shape but whose prices are another provider's: Azure's own rows, and the Gemini API's
# (a bare gemini-… name is priced as Vertex AI's).
_HOST_PROVIDERS = (
    (".openai.azure.com", "azure"), (".cognitiveservices.azure.com", "azure"), (".services.ai.azure.com", "azure"),
    ("generativelanguage.googleapis.com", "gemini"), ("openrouter.ai", "openrouter"),
)


def provider_of(host: str) -> str | None:
    """The provider a call to ``host`` is priced as, or None to go by the answer's shape (openai or anthropic)."""
    host = host.lower().rstrip(".")
    for suffix, provider in _HOST_PROVIDERS:
        if host == suffix.lstrip(".") or host.endswith(suffix if suffix.startswith(".") else "." + suffix):
            return provider
    return None


class _Observer:
    """Reads the usage out of one response's bytes as they pass, and queues the call at the end, once."""

    def __init__(self, recorder: LlmUsageRecorder, owner: LlmOwner, at: datetime, response: httpx.Response, provider: str | None) -> None:
        self._recorder, self._owner, self._at = recorder, owner, at
        self._sse = response.headers.get("content-type", "").split(";")[0].strip() == "text/event-stream"
        self._encoding = response.headers.get("content-encoding", "identity").strip().lower()
        self._header_id = response.headers.get("x-request-id") or response.headers.get("request-id")
        self._buffer = bytearray()
        self._line = bytearray()
        self._reader = UsageReader()
        self._reader.provider = provider  # the host's, when it says more than the answer's shape (Azure, Gemini)
        self._done = False

    def feed(self, chunk: bytes) -> None:
        try:
            if self._sse and self._encoding == "identity":
                self._lines(chunk)
            elif len(self._buffer) + len(chunk) <= _MAX_BODY:
                self._buffer += chunk
        except Exception:  # capture must never break the app's stream
            self._recorder.failures += 1

    def _lines(self, chunk: bytes) -> None:
        self._line += chunk
        *lines, rest = bytes(self._line).split(b"\n")
        self._line = bytearray(rest[:_MAX_BODY])
        for line in lines:
            text = line.decode("utf-8", "replace").rstrip("\r")
            if text.startswith("data:"):
                self._reader.read_event(text[5:].strip())

    def finish(self) -> None:
        if self._done:
            return
        self._done = True
        try:
            if self._buffer:
                body = bytes(self._buffer)
                if self._encoding != "identity":  # decoded as httpx would, for the app, from the raw bytes
                    body = httpx.Response(200, headers={"content-encoding": self._encoding}, content=body).content
                if self._sse:
                    self._lines(body + b"\n")
                else:
                    self._reader.read_json(body)
            elif self._line:
                self._lines(b"\n")
            self._queue_call()
        except Exception:
            self._recorder.failures += 1

    def _queue_call(self) -> None:
        r = self._reader
        if not r.saw_usage or r.model is None:
            return
        metadata: dict[str, Any] = {"streamed": self._sse}
        if self._header_id:
            metadata["http_request_id"] = self._header_id
        call: dict[str, Any] = {
            "customer": self._owner.customer, "feature": self._owner.feature, "model": r.model, "provider": r.provider,
            "input_tokens": max(0, r.input), "output_tokens": max(0, r.output), "cached_input_tokens": r.cached,
            "cache_write_tokens": r.cache_write, "reasoning_tokens": r.reasoning,
            "request_id": r.id or self._header_id or new_key(), "timestamp": instant(self._at), "metadata": metadata,
        }
        # Sent only when there are some, so a server older than the field (which refuses fields it does not know) still logs the call.
        if (hour := min(r.cache_write_1h, r.cache_write)) > 0:
            call["cache_write_1h_tokens"] = hour
        self._recorder.add(call)


class _SyncStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, observer: _Observer) -> None:
        self._inner, self._observer = inner, observer

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._observer.feed(chunk)
            yield chunk
        self._observer.finish()

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._observer.finish()  # an app that stops reading early still logs what the stream said so far


class _AsyncStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, observer: _Observer) -> None:
        self._inner, self._observer = inner, observer

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self._observer.feed(chunk)
            yield chunk
        self._observer.finish()

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._observer.finish()


class _Capture:
    def __init__(self, recorder: LlmUsageRecorder, customer: str | None, feature: str | None) -> None:
        self.recorder = recorder
        self.default = LlmOwner(customer, feature) if customer else None

    def owner(self, request: httpx.Request) -> LlmOwner | None:
        # Per-request headers (openai's extra_headers) win; they are for Tollgate, so the provider never sees them.
        customer = request.headers.pop(CUSTOMER_HEADER, None)
        feature = request.headers.pop(FEATURE_HEADER, None)
        owner = _owner.get() or self.default
        if customer:
            # The customer header alone keeps the feature the call would have had, as the TypeScript SDK does.
            return LlmOwner(customer, feature or (owner.feature if owner is not None else None))
        if feature and owner is not None:
            return LlmOwner(owner.customer, feature)  # the feature header alone names this call's feature, not the customer
        return owner

    def wrap(self, request: httpx.Request, response: httpx.Response, owner: LlmOwner | None, at: datetime, asynchronous: bool) -> httpx.Response:
        if owner is None or not 200 <= response.status_code < 300:
            return response
        observer = _Observer(self.recorder, owner, at, response, provider_of(request.url.host))
        stream: Any = _AsyncStream(response.stream, observer) if asynchronous else _SyncStream(response.stream, observer)  # type: ignore[arg-type]
        return httpx.Response(response.status_code, headers=response.headers, stream=stream, extensions=response.extensions)


class LlmUsageTransport(httpx.BaseTransport):
    """Wraps ``transport`` (a plain ``httpx.HTTPTransport`` by default) and records each model call it carries.

    Whom a call is for: the ``Tollgate-Customer``/``Tollgate-Feature`` request headers, else ``attribute(...)``,
    else the ``customer``/``feature`` given here; a ``Tollgate-Feature`` header alone replaces only the feature. A call
    with no customer, or answered with an error, is not recorded.
    """

    def __init__(self, recorder: LlmUsageRecorder, transport: httpx.BaseTransport | None = None, *, customer: str | None = None,
                 feature: str | None = None) -> None:
        self._inner = transport or httpx.HTTPTransport()
        self._capture = _Capture(recorder, customer, feature)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        owner = self._capture.owner(request)
        at = datetime.now(timezone.utc)
        return self._capture.wrap(request, self._inner.handle_request(request), owner, at, asynchronous=False)

    def close(self) -> None:
        self._inner.close()


class AsyncLlmUsageTransport(httpx.AsyncBaseTransport):
    """The asyncio twin of ``LlmUsageTransport``, for ``httpx.AsyncClient`` and ``openai.AsyncOpenAI``."""

    def __init__(self, recorder: LlmUsageRecorder, transport: httpx.AsyncBaseTransport | None = None, *, customer: str | None = None,
                 feature: str | None = None) -> None:
        self._inner = transport or httpx.AsyncHTTPTransport()
        self._capture = _Capture(recorder, customer, feature)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        owner = self._capture.owner(request)
        at = datetime.now(timezone.utc)
        return self._capture.wrap(request, await self._inner.handle_async_request(request), owner, at, asynchronous=True)

    async def aclose(self) -> None:
        await self._inner.aclose()
