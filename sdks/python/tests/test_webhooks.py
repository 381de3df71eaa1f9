"""Webhook signatures: a real delivery from the server verified by tollgate.webhooks.verify, and what it refuses."""

from __future__ import annotations

import queue
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

import tollgate
from conftest import Server
from tollgate import webhooks


@pytest.fixture
def receiver() -> Iterator[tuple[str, "queue.Queue[tuple[bytes, str | None]]"]]:
    got: queue.Queue[tuple[bytes, str | None]] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            got.put((self.rfile.read(int(self.headers["Content-Length"])), self.headers.get(webhooks.SIGNATURE_HEADER)))
            self.send_response(204)
            self.end_headers()

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/hooks", got
    srv.shutdown()
    srv.server_close()


def test_a_real_delivery_verifies_and_a_tampered_one_does_not(tg: tollgate.Tollgate, server: Server, receiver) -> None:  # type: ignore[no-untyped-def]
    url, got = receiver
    with server.admin() as admin:
        endpoint = admin.post("/v1/admin/webhook-endpoints", json={"url": url, "events": ["customer.created"]}).json()
        try:
            cid = f"py-hook-{uuid.uuid4().hex[:8]}"
            tg.customers.upsert(cid, email="hook@example.com")
            body, header = got.get(timeout=60)
            while cid.encode() not in body:  # another session's customer reached this endpoint first
                body, header = got.get(timeout=60)
        finally:
            admin.delete(f"/v1/admin/webhook-endpoints/{endpoint['id']}")

    event = tollgate.webhooks.verify(body, header, endpoint["secret"])
    assert event.type == "customer.created" and event.id.startswith("evt_") and event.data["id"] == cid
    assert tg.webhooks.verify(body.decode(), header, endpoint["secret"], tolerance=300) == event
    with pytest.raises(tollgate.WebhookSignatureError):
        webhooks.verify(body.replace(b"hook@", b"evil@"), header, endpoint["secret"])
    with pytest.raises(tollgate.WebhookSignatureError):
        webhooks.verify(body, header, "whsec_another_secret_entirely")


def test_a_signature_outside_the_tolerance_or_a_malformed_header_is_refused() -> None:
    body, secret = b'{"id":"evt_1","type":"invoice.paid","created_at":"2026-03-30T00:00:00Z","data":{}}', "whsec_0123456789abcdef"
    old = webhooks.sign(body, secret, timestamp=int(time.time()) - 301)
    with pytest.raises(webhooks.WebhookSignatureError, match="300 seconds"):
        webhooks.verify(body, old, secret)
    assert webhooks.verify(body, old, secret, tolerance=600).id == "evt_1"
    for header in (None, "", "v1=abc", f"t={int(time.time())}"):
        with pytest.raises(webhooks.WebhookSignatureError):
            webhooks.verify(body, header, secret)


def test_a_header_with_several_signatures_passes_when_one_matches() -> None:
    body, secret = b'{"id":"evt_2","type":"invoice.paid","created_at":"2026-03-30T00:00:00Z","data":{"id":"in_1"}}', "whsec_0123456789abcdef"
    good = webhooks.sign(body, secret)
    t, v1 = good.split(",")
    assert webhooks.verify(body, f"{t},v1={'0' * 64},{v1}", secret).data == {"id": "in_1"}


@pytest.mark.parametrize("body, message", [(b"not json", "not JSON"), (b"{}", "not a Tollgate event"),
                                           (b'{"id": 1, "type": "invoice.paid", "created_at": "x"}', "not a Tollgate event")])
def test_a_signed_body_that_is_no_event_is_refused_with_the_signature_error_not_a_json_one(body: bytes, message: str) -> None:
    secret = "whsec_0123456789abcdef"
    with pytest.raises(webhooks.WebhookSignatureError, match=message):
        webhooks.verify(body, webhooks.sign(body, secret), secret)


def test_an_empty_secret_is_refused_so_a_body_signed_with_no_secret_cannot_pass() -> None:
    body = b'{"id":"evt_1","type":"invoice.paid","created_at":"2026-03-30T00:00:00Z","data":{}}'
    with pytest.raises(webhooks.WebhookSignatureError, match="secret is empty"):
        webhooks.verify(body, webhooks.sign(body, ""), "")
