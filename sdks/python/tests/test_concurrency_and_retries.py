"""Exactness under load and retries that never count twice, against the real server."""

from __future__ import annotations

import asyncio
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import httpx
import pytest

import tollgate
from conftest import Server
from faulty_proxy import FaultyProxy, serve


@pytest.fixture
def proxy(server: Server) -> Iterator[FaultyProxy]:
    yield from serve(server.url)


def test_sixty_concurrent_consumes_from_threads_never_pass_the_hard_cap(tg: tollgate.Tollgate, customer: str) -> None:
    def consume(_: int) -> bool:
        try:
            tg.entitlements.consume(customer=customer, feature="cv_generate")
            return True
        except tollgate.QuotaExceeded:
            return False

    with ThreadPoolExecutor(max_workers=16) as pool:
        granted = list(pool.map(consume, range(60)))
    assert granted.count(True) == 5
    assert tg.usage.get(customer)["features"]["cv_generate"]["used"] == 5


def test_sixty_concurrent_async_consumes_never_pass_the_hard_cap(server: Server, customer: str) -> None:
    async def run() -> list[bool]:
        async with tollgate.AsyncTollgate(api_key=server.secret_key, base_url=server.url) as atg:
            async def consume() -> bool:
                try:
                    await atg.entitlements.consume(customer=customer, feature="cv_generate")
                    return True
                except tollgate.QuotaExceeded:
                    return False
            results = await asyncio.gather(*(consume() for _ in range(60)))
            assert (await atg.usage.get(customer))["features"]["cv_generate"]["used"] == 5
            return list(results)

    assert asyncio.run(run()).count(True) == 5


def test_a_consume_whose_answer_was_lost_is_retried_with_its_key_and_counts_once(server: Server, customer: str, proxy: FaultyProxy) -> None:
    proxy.faults = ["lose"]
    with tollgate.Tollgate(api_key=server.secret_key, base_url=proxy.url) as tg:
        decision = tg.entitlements.consume(customer=customer, feature="cv_generate", amount=2)
        assert decision["used"] == 2
        assert tg.usage.get(customer)["features"]["cv_generate"]["used"] == 2
    assert proxy.requests[:2] == ["POST /v1/entitlements/consume"] * 2


def test_a_reserve_whose_answer_was_lost_holds_once(server: Server, customer: str, proxy: FaultyProxy) -> None:
    proxy.faults = ["lose", "lose"]
    with tollgate.Tollgate(api_key=server.secret_key, base_url=proxy.url) as tg:
        held = tg.entitlements.reserve(customer=customer, feature="cv_generate", amount=3)
        assert tg.usage.get(customer)["features"]["cv_generate"]["reserved"] == 3
        held.release()
    assert proxy.requests.count("POST /v1/entitlements/reserve") == 3


def test_a_grant_whose_answer_was_lost_is_retried_with_its_key_and_grants_once_from_either_client(
        server: Server, tg: tollgate.Tollgate, customer: str, proxy: FaultyProxy) -> None:
    proxy.faults = ["lose"]
    with tollgate.Tollgate(api_key=server.secret_key, base_url=proxy.url) as through:
        grant = through.grants.create(customer, feature="cv_generate", amount=50, reason="goodwill")
    proxy.faults = ["lose"]

    async def run() -> str:
        async with tollgate.AsyncTollgate(api_key=server.secret_key, base_url=proxy.url) as atg:
            return (await atg.grants.create(customer, feature="exports", amount=3))["id"]
    async_grant = asyncio.run(run())
    assert proxy.requests.count(f"POST /v1/customers/{customer}/grants") == 4  # each sent twice, its answer lost once
    assert sorted(g["id"] for g in tg.grants.list(customer)) == sorted([grant["id"], async_grant])
    assert tg.usage.get(customer)["features"]["cv_generate"]["granted_remaining"] == 50


def test_a_503_with_retry_after_is_retried_and_the_async_client_does_the_same(server: Server, customer: str, proxy: FaultyProxy) -> None:
    proxy.faults = ["503", "503"]
    with tollgate.Tollgate(api_key=server.secret_key, base_url=proxy.url) as tg:
        assert tg.customers.get(customer)["id"] == customer
    proxy.faults = ["503", "lose"]

    async def run() -> None:
        async with tollgate.AsyncTollgate(api_key=server.secret_key, base_url=proxy.url) as atg:
            assert (await atg.entitlements.consume(customer=customer, feature="cv_generate"))["used"] == 1
    asyncio.run(run())
    assert proxy.requests.count("POST /v1/entitlements/consume") == 3


def test_a_quota_or_budget_denial_is_not_retried(server: Server, customer: str, proxy: FaultyProxy) -> None:
    with tollgate.Tollgate(api_key=server.secret_key, base_url=proxy.url) as tg:
        tg.entitlements.consume(customer=customer, feature="cv_generate", amount=5)
        with pytest.raises(tollgate.QuotaExceeded) as quota:
            tg.entitlements.consume(customer=customer, feature="cv_generate")
        spender = tg.customers.upsert(customer + "-llm")["id"]
        tg.llm.log_usage(customer=spender, model="gpt-4o", input_tokens=20_000, output_tokens=1_000)
        with pytest.raises(tollgate.BudgetExceeded):
            tg.entitlements.consume(customer=spender, feature="cv_generate")
    assert type(quota.value) is tollgate.QuotaExceeded and int(quota.value.headers["retry-after"]) > 0
    assert proxy.requests.count("POST /v1/entitlements/consume") == 3


def test_a_rate_limited_consume_is_raised_at_once_with_its_retry_after(
        server: Server, customer: str, proxy: FaultyProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr("tollgate._core.time.sleep", waits.append)
    for fault in ("429", "429-long"):
        proxy.faults = [fault]
        with tollgate.Tollgate(api_key=server.secret_key, base_url=proxy.url) as tg:
            with pytest.raises(tollgate.RateLimited) as e:
                tg.entitlements.consume(customer=customer, feature="cv_generate")
        assert e.value.retry_after == (1 if fault == "429" else 3600)
    assert waits == [] and proxy.requests == ["POST /v1/entitlements/consume"] * 2


def test_a_429_without_a_tollgate_code_waits_retry_after_and_retries_with_the_same_key(
        server: Server, customer: str, proxy: FaultyProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr("tollgate._core.time.sleep", waits.append)
    proxy.faults = ["429-throttle"]
    with tollgate.Tollgate(api_key=server.secret_key, base_url=proxy.url) as tg:
        assert tg.entitlements.consume(customer=customer, feature="cv_generate")["used"] == 1
    keys = [json.loads(b)["idempotency_key"] for b in proxy.bodies if b]
    assert waits == [1.0] and len(keys) == 2 and keys[0] == keys[1]


def test_retries_used_up_raise_tollgate_unavailable(server: Server, customer: str, proxy: FaultyProxy) -> None:
    proxy.faults = ["503"] * 3
    with tollgate.Tollgate(api_key=server.secret_key, base_url=proxy.url, max_retries=2) as tg:
        with pytest.raises(tollgate.TollgateUnavailable) as e:
            tg.customers.get(customer)
    assert e.value.status == 503 and len(proxy.requests) == 3


def test_an_answer_that_is_no_problem_raises_an_error_whose_message_quotes_its_body(
        server: Server, customer: str, proxy: FaultyProxy) -> None:
    proxy.faults = ["503-text", "429-text"]
    with tollgate.Tollgate(api_key=server.secret_key, base_url=proxy.url, max_retries=0) as tg:
        with pytest.raises(tollgate.TollgateUnavailable) as unavailable:
            tg.customers.get(customer)
        with pytest.raises(tollgate.RateLimited) as throttled:
            tg.customers.get(customer)
    assert str(unavailable.value) == unavailable.value.detail == "Tollgate answered 503: unavailable"
    assert (unavailable.value.status, unavailable.value.error) == (503, None)
    assert str(throttled.value) == "Tollgate answered 429: slow down"


def test_a_long_answer_that_is_no_problem_is_quoted_cut_to_200_characters() -> None:
    page = "<html><body>" + "x" * 500 + "</body></html>"
    answer = httpx.MockTransport(lambda request: httpx.Response(502, text=page, headers={"Content-Type": "text/html"}))
    with tollgate.Tollgate(api_key="tg_sk_x", base_url="http://tollgate.test", max_retries=0,
                           http_client=httpx.Client(transport=answer)) as tg:
        with pytest.raises(tollgate.ServerError) as e:
            tg.customers.get("anyone")
    assert str(e.value) == "Tollgate answered 502: <html><body>" + "x" * 188 + "…"


def test_a_problem_without_a_code_has_no_stray_space_before_its_detail() -> None:
    problem = {"status": 503, "detail": "try again"}
    answer = httpx.MockTransport(lambda request: httpx.Response(503, json=problem, headers={"Content-Type": "application/problem+json"}))
    with tollgate.Tollgate(api_key="tg_sk_x", base_url="http://tollgate.test", max_retries=0,
                           http_client=httpx.Client(transport=answer)) as tg:
        with pytest.raises(tollgate.ServerError) as e:
            tg.customers.get("anyone")
    assert str(e.value) == "Tollgate answered 503: try again"


def test_no_server_at_all_raises_tollgate_unavailable() -> None:
    with tollgate.Tollgate(api_key="tg_sk_x", base_url="http://127.0.0.1:9", max_retries=1) as tg:
        with pytest.raises(tollgate.TollgateUnavailable):
            tg.customers.get("anyone")


def test_an_answer_trickled_a_byte_at_a_time_is_cut_off_at_the_timeout_and_retried_as_a_lost_one(
        server: Server, customer: str, proxy: FaultyProxy) -> None:
    # Headers at once, then a byte every 0.2 s: httpx's read timeout (per read) never fires, so only a deadline on the
    # whole attempt ends it. Two attempts of 1 s each, where the whole body would take over 20 s.
    proxy.faults += ["trickle", "trickle"]
    with tollgate.Tollgate(api_key=server.secret_key, base_url=proxy.url, timeout=1.0, max_retries=1) as slow:
        with pytest.raises(tollgate.TollgateUnavailable, match="no whole answer within 1.0 s"):
            slow.entitlements.check(customer=customer, feature="cv_generate")
    assert len(proxy.requests) == 2

    async def check() -> None:
        async with tollgate.AsyncTollgate(api_key=server.secret_key, base_url=proxy.url, timeout=1.0, max_retries=1) as slow:
            await slow.entitlements.check(customer=customer, feature="cv_generate")

    proxy.faults += ["trickle", "trickle"]
    with pytest.raises(tollgate.TollgateUnavailable, match="no whole answer within 1.0 s"):
        asyncio.run(asyncio.wait_for(check(), 20))
    assert len(proxy.requests) == 4

    # A third attempt that is not trickled answers as usual, through the same deadline.
    proxy.faults += ["trickle", "pass"]
    with tollgate.Tollgate(api_key=server.secret_key, base_url=proxy.url, timeout=1.0, max_retries=1) as slow:
        assert slow.entitlements.check(customer=customer, feature="cv_generate")["allowed"] is True


class _LosesFirstTry(httpx.BaseTransport):
    """Fails the first attempt of each subscription POST before it is sent (a dropped connection) and records the
    Idempotency-Key of every attempt; the rest reach the real server."""

    def __init__(self) -> None:
        self.real = httpx.HTTPTransport()
        self.keys: dict[str, list[str | None]] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path.startswith("/v1/subscriptions"):
            op = path.rsplit("/", 1)[-1] if path != "/v1/subscriptions" else "create"
            tries = self.keys.setdefault(op, [])
            tries.append(request.headers.get("idempotency-key"))
            if len(tries) == 1:
                raise httpx.ConnectError("connection reset", request=request)
        return self.real.handle_request(request)


def test_every_state_changing_subscription_post_sends_one_idempotency_key_that_its_retries_repeat(
        server: Server, admin_tg: tollgate.Tollgate) -> None:
    coupon = f"PYK{uuid.uuid4().hex[:8].upper()}"
    admin_tg.coupons.create(id=coupon, name="Keyed", percent_off=10)
    transport = _LosesFirstTry()
    with tollgate.Tollgate(api_key=server.secret_key, base_url=server.url, http_client=httpx.Client(transport=transport)) as tg:
        customer, seated = f"py-key-{uuid.uuid4().hex[:8]}", f"py-key-{uuid.uuid4().hex[:8]}"
        tg.customers.upsert(customer)
        tg.customers.upsert(seated)
        sub = tg.subscriptions.create(customer=customer, plan="pro")
        tg.subscriptions.change(sub["id"], plan="team", effective="immediate")
        tg.subscriptions.apply_discount(sub["id"], coupon=coupon)
        tg.subscriptions.cancel(sub["id"])
        tg.subscriptions.undo_cancel(sub["id"])
        tg.subscriptions.change_seats(tg.subscriptions.create(customer=seated, plan="seats")["id"], seats=2)
    assert sorted(transport.keys) == ["cancel", "change", "create", "discount", "seats", "undo-cancel"]
    for op, tries in transport.keys.items():
        first = tries[0]
        assert first and all(k == first for k in tries[:2]), f"{op}: {tries}"  # one key per call, repeated by its retry
    assert transport.keys["create"][0] != transport.keys["create"][2]  # the second create is a call of its own


@pytest.mark.parametrize(("code", "error"), [("idempotency_answer_lost", tollgate.IdempotencyAnswerLost),
                                             ("idempotency_key_in_use", tollgate.IdempotencyKeyInUse)])
def test_a_keyed_post_whose_key_is_in_use_or_whose_answer_was_lost_raises_its_own_conflict_unretried(
        code: str, error: type[tollgate.Conflict]) -> None:
    # The server answers these only after a fault (a lost answer, a first request still running past its wait), so a
    # transport stands in for it with the server's problem body.
    keys: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers.get("Idempotency-Key", ""))
        return httpx.Response(409, headers={"Content-Type": "application/problem+json"},
                              json={"type": "about:blank", "title": "Conflict", "status": 409, "error": code, "detail": "…"})

    with tollgate.Tollgate(api_key="tg_sk_x", base_url="http://tollgate.test",
                           http_client=httpx.Client(transport=httpx.MockTransport(handler))) as tg:
        with pytest.raises(error) as raised:
            tg.subscriptions.create(customer="c1", plan="pro")
    assert (raised.value.error, len(keys), bool(keys[0])) == (code, 1, True)


def test_the_blocking_client_sends_on_sockets_with_nagles_algorithm_off(tg: tollgate.Tollgate, customer: str) -> None:
    # httpx writes a POST's headers and body apart; with Nagle on, the body waited for the server's delayed ACK of the
    # headers and every blocking POST took about 44 ms where it takes 2 (docs/benchmarks.md). The async client was not hit.
    import socket

    tg.entitlements.check(customer=customer, feature="chat_messages")
    pool = tg._core.http._transport._pool  # type: ignore[attr-defined]
    sockets = [c._connection._network_stream.get_extra_info("socket") for c in pool.connections if c._connection is not None]
    assert sockets and all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in sockets)
