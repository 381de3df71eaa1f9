"""Verifying Tollgate's webhook signatures: ``Tollgate-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

from ._errors import TollgateError

SIGNATURE_HEADER = "Tollgate-Signature"
DEFAULT_TOLERANCE = 300


class WebhookSignatureError(TollgateError):
    """The header is missing or malformed, too old or too new, or no signature in it matches."""


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified event: process each ``id`` once (retries and replays repeat it)."""

    id: str
    type: str
    created_at: str
    data: dict[str, Any]


def sign(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """A header value as Tollgate sends it, for tests of a receiver."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={_digest(_bytes(payload), secret, str(t))}"


def verify(payload: bytes | str, header: str | None, secret: str, tolerance: int = DEFAULT_TOLERANCE) -> WebhookEvent:
    """Checks the signature of the raw body in constant time and returns the event.

    ``payload`` must be the body byte for byte (not re-serialized JSON). A ``t`` more than ``tolerance`` seconds away
    from now, either way, is refused; a header with several ``v1`` values passes if any one matches.
    """
    if not header:
        raise WebhookSignatureError(f"No {SIGNATURE_HEADER} header.")
    if not secret:
        # A missing environment variable gives "", and a body signed with "" would then verify: anyone could forge events.
        raise WebhookSignatureError("The webhook secret is empty; pass the endpoint's secret (whsec_...).")
    timestamp: str | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamp = value
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not timestamp.isdigit():
        raise WebhookSignatureError("The signature header has no timestamp.")
    if not signatures:
        raise WebhookSignatureError("The signature header has no v1 signature.")
    if abs(time.time() - int(timestamp)) > tolerance:
        raise WebhookSignatureError(f"The signature's timestamp is more than {tolerance} seconds from now.")
    body = _bytes(payload)
    expected = _digest(body, secret, timestamp)
    if not any(hmac.compare_digest(expected, s.lower()) for s in signatures):
        raise WebhookSignatureError("No signature matches the body.")
    # Signed with the secret yet no event (a test's "{}", a body that is not JSON): refused with the same error, so a
    # receiver that answers 400 to it never answers 500.
    try:
        event = json.loads(body)
    except ValueError as e:
        raise WebhookSignatureError(f"The signed body is not JSON: {e}.") from e
    if not isinstance(event, dict) or not all(isinstance(event.get(k), str) for k in ("id", "type", "created_at")):
        raise WebhookSignatureError("The signed body is not a Tollgate event: it needs string id, type and created_at.")
    data = event.get("data")
    return WebhookEvent(event["id"], event["type"], event["created_at"], data if isinstance(data, dict) else {})


def _bytes(payload: bytes | str) -> bytes:
    return payload.encode() if isinstance(payload, str) else payload


def _digest(body: bytes, secret: str, timestamp: str) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
