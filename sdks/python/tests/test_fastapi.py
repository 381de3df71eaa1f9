"""require_quota in a real FastAPI app (Debian's 0.92) run by TestClient, against the real server."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Iterator, MutableMapping

import fastapi
import httpx
import pytest
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.testclient import TestClient

import tollgate
from conftest import ROOT, Server
from faulty_proxy import FaultyProxy
from tollgate.fastapi import Quota, QuotaDenied, QuotaStatusMiddleware, require_quota


# The gate's own refusals are problems at the top of the body, as the TypeScript and .NET gates answer them.
UNAVAILABLE = {"type": "https://tollgate.dev/errors/quota-unavailable", "title": "Service unavailable", "status": 503,
               "detail": "Usage limits cannot be checked right now.", "error": "quota_unavailable"}


def user(request: Request) -> str | None:
    return request.headers.get("x-user")


def build(tg_url: str, key: str, **options: Any) -> FastAPI:
    app = FastAPI()
    app.add_middleware(QuotaStatusMiddleware)
    app.state.tollgate = tollgate.AsyncTollgate(api_key=key, base_url=tg_url)  # the documented default: 2 retries
    gate = require_quota("cv_generate", customer=user, **options)

    @app.post("/cv")
    async def make_cv(quota: Quota = Depends(gate)) -> dict[str, Any]:
        return {"ok": True, "held": quota.reservation is not None}

    @app.post("/cv/partial")
    async def partial(pages: int, quota: Quota = Depends(require_quota("cv_generate", customer=user, amount=3))) -> dict[str, Any]:
        quota.set_usage(pages)
        return {"pages": pages}

    @app.post("/cv/raises")
    async def raises(quota: Quota = Depends(gate)) -> None:
        raise HTTPException(500, "model failed")

    @app.post("/cv/returns-400")
    async def returns_400(quota: Quota = Depends(gate)) -> JSONResponse:
        return JSONResponse({"error": "bad prompt"}, status_code=400)

    return app


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with TestClient(build(server.url, server.secret_key)) as c:
        yield c


def used(tg: tollgate.Tollgate, customer: str) -> tuple[int, int]:
    f = tg.usage.get(customer)["features"]["cv_generate"]
    return f["used"], f["reserved"]


def test_a_2xx_commits_the_reserved_units(client: TestClient, tg: tollgate.Tollgate, customer: str) -> None:
    r = client.post("/cv", headers={"x-user": customer})
    assert r.status_code == 200 and r.json() == {"ok": True, "held": True}
    assert used(tg, customer) == (1, 0)


def test_the_handler_can_commit_fewer_units_than_it_held(client: TestClient, tg: tollgate.Tollgate, customer: str) -> None:
    assert client.post("/cv/partial?pages=2", headers={"x-user": customer}).status_code == 200
    assert used(tg, customer) == (2, 0)


def test_a_raised_error_or_a_returned_error_status_releases_the_units(client: TestClient, tg: tollgate.Tollgate, customer: str) -> None:
    assert client.post("/cv/raises", headers={"x-user": customer}).status_code == 500
    assert client.post("/cv/returns-400", headers={"x-user": customer}).status_code == 400
    assert used(tg, customer) == (0, 0)


def test_past_the_quota_the_caller_gets_429_with_retry_after_and_no_cost_fields(
        client: TestClient, tg: tollgate.Tollgate, customer: str, server: Server) -> None:
    tg.entitlements.consume(customer=customer, feature="cv_generate", amount=5)
    r = client.post("/cv", headers={"x-user": customer})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    # Tollgate's problem itself, at the top of the body, as the TypeScript and .NET gates answer it.
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 429 and r.json()["title"] and r.json()["type"].startswith("https://tollgate.dev/")
    detail = r.json()
    assert (detail["error"], detail["limit"], detail["used"], detail["remaining"]) == ("quota_exceeded", 5, 5, 0)
    assert detail["upgrade_url"] == server.url + "/pricing" and "budget_usd" not in detail


def test_a_spent_llm_budget_answers_429_without_the_operators_costs(client: TestClient, tg: tollgate.Tollgate, customer: str) -> None:
    tg.llm.log_usage(customer=customer, model="gpt-4o", input_tokens=20_000, output_tokens=1_000)
    r = client.post("/cv", headers={"x-user": customer})
    assert r.status_code == 429 and r.json()["error"] == "budget_exceeded"
    assert not any(k.startswith("budget_") for k in r.json())


def test_the_app_shapes_the_denial_body(server: Server, tg: tollgate.Tollgate, customer: str) -> None:
    app = build(server.url, server.secret_key, on_denied=lambda d: {"message": f"Only {d.limit} CVs a month", "reset": str(d.resets_at)})

    @app.exception_handler(QuotaDenied)
    async def shaped(request: Request, exc: QuotaDenied) -> JSONResponse:
        return JSONResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)

    tg.entitlements.consume(customer=customer, feature="cv_generate", amount=5)
    with TestClient(app) as c:
        r = c.post("/cv", headers={"x-user": customer})
    assert r.status_code == 429 and r.json()["message"] == "Only 5 CVs a month" and "retry-after" in r.headers


def test_an_anonymous_caller_gets_401_as_the_same_problem_the_typescript_gate_answers(client: TestClient) -> None:
    r = client.post("/cv")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert r.json() == {"type": "https://tollgate.dev/errors/unauthenticated", "title": "Unauthorized", "status": 401,
                        "detail": "Sign in to use this feature.", "error": "unauthenticated"}


def test_the_amount_may_come_from_an_async_function(server: Server, tg: tollgate.Tollgate, customer: str) -> None:
    app = build(server.url, server.secret_key)

    async def pages(request: Request) -> int:
        return int((await request.json())["pages"])

    @app.post("/cv/pages")
    async def make(quota: Quota = Depends(require_quota("cv_generate", customer=user, amount=pages))) -> dict[str, Any]:
        return {"held": quota.reservation.amount if quota.reservation else None}

    with TestClient(app) as c:
        r = c.post("/cv/pages", headers={"x-user": customer}, json={"pages": 2})
    assert r.status_code == 200
    assert used(tg, customer) == (2, 0)


@pytest.mark.parametrize("fail_open, status", [(True, 200), (False, 503)])
def test_when_tollgate_is_down_the_policy_decides(fail_open: bool, status: int) -> None:
    app = build("http://127.0.0.1:9", "tg_sk_any", fail_open=fail_open)
    with TestClient(app) as c:
        r = c.post("/cv", headers={"x-user": "someone"})
    assert r.status_code == status
    assert r.json() == ({"ok": True, "held": False} if fail_open else UNAVAILABLE)


@pytest.mark.parametrize("fail_open, status", [(True, 200), (False, 503)])
def test_a_revoked_key_counts_as_an_outage(server: Server, fail_open: bool, status: int) -> None:
    with TestClient(build(server.url, "tg_sk_revoked", fail_open=fail_open)) as c:
        assert c.post("/cv", headers={"x-user": "someone"}).status_code == status


def test_an_unknown_customer_is_created_on_first_use_when_the_app_opts_in(server: Server, tg: tollgate.Tollgate) -> None:
    newcomer = f"py-new-{uuid.uuid4().hex[:8]}"
    with TestClient(build(server.url, server.secret_key, auto_create_customers=True)) as c:
        assert c.post("/cv", headers={"x-user": newcomer}).status_code == 200
    assert tg.customers.get(newcomer)["id"] == newcomer and used(tg, newcomer) == (1, 0)
    with pytest.raises(tollgate.NotFound):
        tg.customers.get(newcomer + "-2")


@pytest.mark.parametrize("fail_open", [False, True])
def test_an_unknown_customer_is_answered_403_customer_unknown_whatever_the_failure_policy(
        server: Server, tg: tollgate.Tollgate, fail_open: bool) -> None:
    stranger = f"py-unknown-{uuid.uuid4().hex[:8]}"
    with TestClient(build(server.url, server.secret_key, fail_open=fail_open), raise_server_exceptions=False) as c:
        r = c.post("/cv", headers={"x-user": stranger})
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["error"] == "customer_unknown"
    with pytest.raises(tollgate.NotFound):
        tg.customers.get(stranger)  # nothing was created


@pytest.mark.parametrize("pages", ["0", "-1", "2.5", str(10 ** 13)])
def test_an_amount_tollgate_takes_no_usage_for_is_answered_400_naming_it_not_500(
        server: Server, tg: tollgate.Tollgate, customer: str, pages: str) -> None:
    app = build(server.url, server.secret_key)

    @app.post("/pages")
    async def pages_route(quota: Quota = Depends(require_quota("cv_generate", customer=user,
                                                               amount=lambda r: json.loads(r.query_params["n"])))) -> dict[str, Any]:
        return {"ok": True}

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/pages", params={"n": pages}, headers={"x-user": customer})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["error"] == "invalid_usage" and "amount" in r.json()["detail"]


def test_a_customer_id_tollgate_refuses_is_answered_400_not_500(server: Server) -> None:
    with TestClient(build(server.url, server.secret_key), raise_server_exceptions=False) as c:
        spaced = c.post("/cv", headers={"x-user": "has a space"})
        dots = c.post("/cv", headers={"x-user": ".."})
    assert (spaced.status_code, spaced.json()["error"]) == (400, "invalid_usage")
    assert (dots.status_code, dots.json()["error"]) == (400, "invalid_usage")


def test_past_a_rate_limit_the_caller_gets_429_with_retry_after_at_once_and_no_retry_reaches_tollgate(
        server: Server, tg: tollgate.Tollgate, customer: str) -> None:
    tg.subscriptions.create(customer=customer, plan="burst")  # chat_messages: 3 a minute, so Retry-After is within 60 s
    with FaultyProxy(server.url) as proxy:  # passes every request on, and counts them
        app = build(proxy.url, server.secret_key)

        @app.post("/chat")
        async def chat(quota: Quota = Depends(require_quota("chat_messages", customer=user))) -> dict[str, Any]:
            return {"ok": True}

        answers: list[Any] = []
        with TestClient(app, raise_server_exceptions=False) as c:
            # 3 a minute: the 4th is refused, or a few more when the minute turns mid-test.
            while len(answers) < 8 and (not answers or answers[-1].status_code == 200):
                answers.append(c.post("/chat", headers={"x-user": customer}))
    refused = answers[-1]
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert (refused.headers["ratelimit-limit"], refused.headers["ratelimit-remaining"]) == ("3", "0")  # as the TS gate passes on
    detail = refused.json()
    assert (detail["error"], detail["feature"], detail["plan"], detail["limit"], detail["remaining"]) == (
        "rate_limited", "chat_messages", "burst", 3, 0)
    assert "reset_at" in detail and detail["upgrade_url"] == proxy.url + "/pricing"
    assert proxy.requests.count("POST /v1/entitlements/reserve") == len(answers)  # one each: the gate never retried


def test_requests_that_share_an_idempotency_key_each_run_the_handler_and_each_count(
        server: Server, tg: tollgate.Tollgate, customer: str) -> None:
    ran: list[int] = []
    with FaultyProxy(server.url) as proxy:
        app = build(proxy.url, server.secret_key)

        @app.post("/counted")
        async def counted(quota: Quota = Depends(require_quota("cv_generate", customer=user))) -> dict[str, Any]:
            ran.append(1)
            return {"ok": True}

        with TestClient(app) as c:
            codes = [c.post("/counted", headers={"x-user": customer, "Idempotency-Key": "retry-1"}).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429] and len(ran) == 5 and used(tg, customer) == (5, 0)  # free: 5 a month
    keys = [json.loads(body)["idempotency_key"] for r, body in zip(proxy.requests, proxy.bodies) if r == "POST /v1/entitlements/reserve"]
    assert len(set(keys)) == 6 and not any("retry-1" in k for k in keys)  # the caller's key never reached Tollgate


def test_an_idempotency_key_another_customer_already_sent_is_served_like_any_request(
        server: Server, tg: tollgate.Tollgate, customer: str) -> None:
    other = tg.customers.upsert(f"py-{uuid.uuid4().hex[:12]}")["id"]
    key = f"shared-{uuid.uuid4().hex}"
    with TestClient(build(server.url, server.secret_key), raise_server_exceptions=False) as c:
        codes = [c.post("/cv", headers={"x-user": who, "Idempotency-Key": key}).status_code for who in (customer, other)]
    assert codes == [200, 200] and used(tg, customer) == used(tg, other) == (1, 0)


@pytest.mark.parametrize("fault", ["429-throttle", "503", "408"])
@pytest.mark.parametrize("fail_open, status", [(True, 200), (False, 503)])
def test_a_gateways_429_or_a_5xx_is_answered_at_once_by_the_failure_policy_never_waited_out(
        server: Server, customer: str, fault: str, fail_open: bool, status: int) -> None:
    with FaultyProxy(server.url) as proxy:
        proxy.faults = [fault]  # a 429 without a Tollgate code and Retry-After: 1, a 503 with Retry-After: 0, a proxy's 408
        with TestClient(build(proxy.url, server.secret_key, fail_open=fail_open)) as c:
            r = c.post("/cv", headers={"x-user": customer})
    assert r.status_code == status and "retry-after" not in r.headers
    assert r.json() == ({"ok": True, "held": False} if fail_open else UNAVAILABLE)
    assert proxy.requests == ["POST /v1/entitlements/reserve"]  # one: the gate neither waited nor retried


@pytest.mark.parametrize("fail_open, status", [(True, 200), (False, 503)])
def test_a_tollgate_that_never_answers_is_answered_by_the_failure_policy_once_the_gates_timeout_passes(
        server: Server, tg: tollgate.Tollgate, customer: str, fail_open: bool, status: int) -> None:
    with FaultyProxy(server.url) as proxy:
        proxy.faults = ["hang"]
        with TestClient(build(proxy.url, server.secret_key, fail_open=fail_open, timeout=0.5)) as c:
            started = time.monotonic()
            r = c.post("/cv", headers={"x-user": customer})
            took = time.monotonic() - started
        # Tollgate answers again: the abandoned request left no harm. Asked through a gate with the default timeout, since on
        # a busy host a PostgreSQL reserve can take longer than the 0.5 s above, and the gate would then let it through unheld.
        with TestClient(build(proxy.url, server.secret_key, fail_open=fail_open)) as c:
            after = c.post("/cv", headers={"x-user": customer})
    # The client's own 10 s timeout, retried twice, held the caller 30 s: a bound well short of it, and loose for a busy host.
    assert r.status_code == status and took < 15.0, f"answered {r.status_code} after {took:.1f} s"
    assert after.json() == {"ok": True, "held": True} and used(tg, customer) == (1, 0)


def test_the_gates_timeout_bounds_creating_an_unknown_customer_too(server: Server) -> None:
    newcomer = f"py-new-{uuid.uuid4().hex[:8]}"
    with FaultyProxy(server.url) as proxy:
        proxy.faults = ["pass", "hang"]  # the reserve answers 404 customer; the create that follows never answers
        with TestClient(build(proxy.url, server.secret_key, auto_create_customers=True, timeout=0.5)) as c:
            r = c.post("/cv", headers={"x-user": newcomer})
    assert r.status_code == 503 and r.json()["error"] == "quota_unavailable"
    assert proxy.requests == ["POST /v1/entitlements/reserve", f"PUT /v1/customers/{newcomer}"]


def test_the_readmes_fastapi_snippet_serves_every_test_client_session(server: Server, customer: str) -> None:
    readme = (ROOT / "README.md").read_text()
    (snippet,) = re.findall(r"^```python\n(.*?)^```", readme, flags=re.S | re.M)
    assert '"tg_sk_…"' in snippet and '"http://localhost:5080"' in snippet
    snippet = snippet.replace('"tg_sk_…"', repr(server.secret_key)).replace('"http://localhost:5080"', repr(server.url))
    app = FastAPI()
    namespace: dict[str, Any] = {"app": app, "tollgate": tollgate, "Depends": Depends, "Quota": Quota, "require_quota": require_quota,
                                 "current_user": user}
    exec(compile(snippet, "README.md", "exec"), namespace)
    for _ in range(2):  # a client made at import time served only the first: "Event loop is closed" after it
        with TestClient(app) as c:
            assert c.post("/cv", headers={"x-user": customer}).status_code == 200


# FastAPI(lifespan=...) arrived in 0.93; 0.92 (Debian 12) keeps the argument in app.extra and never runs it.
LIFESPAN_RUNS = tuple(int(p) for p in fastapi.__version__.split(".")[:2]) >= (0, 93)


def test_a_client_made_in_a_startup_hook_gates_routes_on_every_fastapi(server: Server, customer: str) -> None:
    app = FastAPI()
    app.add_middleware(QuotaStatusMiddleware)

    @app.on_event("startup")
    async def start() -> None:
        app.state.tollgate = tollgate.AsyncTollgate(api_key=server.secret_key, base_url=server.url)

    @app.on_event("shutdown")
    async def stop() -> None:
        await app.state.tollgate.close()

    @app.post("/cv")
    async def make_cv(quota: Quota = Depends(require_quota("cv_generate", customer=user))) -> dict[str, Any]:
        return {"ok": True}

    with TestClient(app) as c:
        assert c.post("/cv", headers={"x-user": customer}).status_code == 200


def test_a_client_made_in_lifespan_works_from_fastapi_0_93_and_before_it_the_error_says_why(server: Server, customer: str) -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with tollgate.AsyncTollgate(api_key=server.secret_key, base_url=server.url) as client:
            app.state.tollgate = client
            yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/cv")
    async def make_cv(quota: Quota = Depends(require_quota("cv_generate", customer=user))) -> dict[str, Any]:
        return {"ok": True}

    with TestClient(app) as c:
        if LIFESPAN_RUNS:
            assert c.post("/cv", headers={"x-user": customer}).status_code == 200
        else:
            with pytest.raises(RuntimeError, match=r"ignores FastAPI\(lifespan=\.\.\.\).*on_event"):
                c.post("/cv", headers={"x-user": customer})


# The answer Tollgate sends for a suspended subscription under on_suspension "deny" (the server's contract tests make a
# real one; a suspension takes days of the test clock, which this suite's real-clock server does not have).
SUSPENDED = {
    "type": "https://tollgate.dev/problems/subscription_inactive", "title": "Subscription inactive", "status": 402,
    "error": "subscription_inactive", "feature": "cv_generate", "plan": "pro", "upgrade_url": "/pricing",
    "detail": "An active subscription is required to use 'cv_generate': the subscription is past due and suspended until its invoice is paid.",
}


def test_a_suspended_subscription_raises_subscription_inactive_and_the_gate_answers_402(server: Server) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(402, json=SUSPENDED))
    sync = tollgate.Tollgate(api_key="tg_sk_test", base_url=server.url, http_client=httpx.Client(transport=transport, base_url=server.url))
    with pytest.raises(tollgate.SubscriptionInactive) as e:
        sync.entitlements.consume(customer="c1", feature="cv_generate")
    assert isinstance(e.value, tollgate.EntitlementDenied) and e.value.status == 402 and e.value.upgrade_url == "/pricing"

    app = build(server.url, server.secret_key)
    app.state.tollgate = tollgate.AsyncTollgate(api_key="tg_sk_test", base_url=server.url,
                                                http_client=httpx.AsyncClient(transport=transport, base_url=server.url))
    with TestClient(app) as c:
        r = c.post("/cv", headers={"x-user": "c1"})
    assert r.status_code == 402 and r.json()["error"] == "subscription_inactive"


def streaming_app(server: Server) -> FastAPI:
    app = build(server.url, server.secret_key)

    @app.post("/stream")
    async def stream(quota: Quota = Depends(require_quota("cv_generate", customer=user))) -> StreamingResponse:
        async def tokens() -> AsyncIterator[bytes]:
            for n in range(5):
                yield f"data: token{n}\n\n".encode()
                await asyncio.sleep(0.05)
        return StreamingResponse(tokens(), media_type="text/event-stream")

    @app.post("/stream/fails")
    async def fails(quota: Quota = Depends(require_quota("cv_generate", customer=user))) -> StreamingResponse:
        async def tokens() -> AsyncIterator[bytes]:
            yield b"data: start\n\n"
            raise RuntimeError("the model died mid-stream")
        return StreamingResponse(tokens(), media_type="text/event-stream")

    return app


async def post_leaving(app: FastAPI, path: str, customer: str, *, leave: bool) -> list[bytes]:
    """POSTs through the app's ASGI interface as a server would; with ``leave`` the client disconnects after the first
    chunk, as a browser tab closed mid-stream does. Answers the body chunks the app sent."""
    chunks: list[bytes] = []
    first = asyncio.Event()
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        if leave:
            await first.wait()
        else:
            await asyncio.Event().wait()  # never leaves; the response ends on its own
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            chunks.append(message["body"])
            first.set()

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
             "server": ("test", 80), "headers": [(b"host", b"test"), (b"x-user", customer.encode())]}
    await app(scope, receive, send)
    return chunks


def test_a_stream_is_committed_when_sent_whole_and_released_when_the_client_leaves_mid_stream(
        server: Server, tg: tollgate.Tollgate, customer: str) -> None:
    app = streaming_app(server)
    whole = asyncio.run(post_leaving(app, "/stream", customer, leave=False))
    assert len(whole) == 5 and used(tg, customer) == (1, 0)

    app = streaming_app(server)
    left = asyncio.run(post_leaving(app, "/stream", customer, leave=True))
    assert len(left) < 5, "the client left after the first chunk"
    assert used(tg, customer) == (1, 0), "a stream its client left is released, not committed"


def test_a_stream_that_fails_after_its_200_headers_is_released(server: Server, tg: tollgate.Tollgate, customer: str) -> None:
    with TestClient(streaming_app(server), raise_server_exceptions=False) as c:
        r = c.post("/stream/fails", headers={"x-user": customer})
    assert r.status_code == 200  # the headers went out before the failure
    assert used(tg, customer) == (0, 0)
