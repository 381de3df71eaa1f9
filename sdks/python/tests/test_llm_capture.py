"""LLM capture: plain httpx through the transport to a fake OpenAI-compatible and Anthropic upstream on loopback, whole
and streamed; the calls land in the real Tollgate server, priced."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from decimal import Decimal
from typing import Any, Iterator

import httpx
import pytest

import tollgate
from conftest import Server
from fake_llm import FakeLlm
from faulty_proxy import FaultyProxy
from tollgate.llm import AsyncLlmUsageTransport, LlmUsageRecorder, LlmUsageTransport, attribute, provider_of

OPENAI_COST = Decimal("0.00725")  # gpt-4o: 800 in x 2.50 + 200 cached x 1.25 + 200 out x 10 + 300 reasoning x 10, per 1M
# claude-sonnet-4-5: 100 x 3 + 600 written x 3.75 + 400 written for an hour x 6 + 2000 read x 0.30 + 500 x 15, per 1M
ANTHROPIC_COST = Decimal("0.01305")


class Sent:
    """The calls the recorder sent to Tollgate, read off its own HTTP client."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def hook(self, request: httpx.Request) -> None:
        if request.url.path == "/v1/llm/usage":
            self.calls.extend(json.loads(request.content)["calls"])


@pytest.fixture
def fake() -> Iterator[FakeLlm]:
    with FakeLlm() as f:
        yield f


@pytest.fixture
def sent() -> Sent:
    return Sent()


@pytest.fixture
def recorder(server: Server, sent: Sent) -> Iterator[LlmUsageRecorder]:
    http = httpx.Client(event_hooks={"request": [sent.hook]}, timeout=30)
    client = tollgate.Tollgate(api_key=server.secret_key, base_url=server.url, http_client=http)
    rec = LlmUsageRecorder(client, flush_interval=0.2)
    yield rec
    rec.close()
    http.close()


def test_a_whole_openai_answer_is_recorded_with_disjoint_tokens_and_its_id(
        tg: tollgate.Tollgate, customer: str, fake: FakeLlm, recorder: LlmUsageRecorder, sent: Sent) -> None:
    with httpx.Client(transport=LlmUsageTransport(recorder), base_url=fake.url) as http, attribute(customer, "cv_generate"):
        answer = http.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": [], "n_id": customer})
    assert answer.json()["choices"][0]["message"]["content"] == "Hello there"  # gzip decoded for the app as before
    assert recorder.flush()
    assert sent.calls == [{
        "customer": customer, "feature": "cv_generate", "model": "gpt-4o-2024-08-06", "provider": "openai", "input_tokens": 800,
        "output_tokens": 200, "cached_input_tokens": 200, "cache_write_tokens": 0, "reasoning_tokens": 300,
        "request_id": f"chatcmpl-{customer}", "timestamp": sent.calls[0]["timestamp"],
        "metadata": {"streamed": False, "http_request_id": f"req_{customer}"}}]
    assert tg.llm.get_budget(customer)["spent_usd"] == OPENAI_COST


def test_a_streamed_openai_answer_is_recorded_from_its_last_chunk_and_the_app_reads_every_event(
        tg: tollgate.Tollgate, customer: str, fake: FakeLlm, recorder: LlmUsageRecorder, sent: Sent) -> None:
    with httpx.Client(transport=LlmUsageTransport(recorder), base_url=fake.url) as http, attribute(customer):
        with http.stream("POST", "/v1/chat/completions", json={"model": "gpt-4o", "stream": True, "n_id": customer}) as r:
            lines = [line.strip() for line in r.iter_lines() if line.startswith("data:")]  # httpx 0.23 keeps line ends
    assert len(lines) == 4 and lines[-1] == "data: [DONE]"
    assert recorder.flush()
    (call,) = sent.calls
    assert (call["input_tokens"], call["cached_input_tokens"], call["output_tokens"], call["reasoning_tokens"]) == (800, 200, 200, 300)
    assert call["metadata"] == {"streamed": True} and call["request_id"] == f"chatcmpl-{customer}" and "feature" not in call
    assert tg.llm.get_budget(customer)["spent_usd"] == OPENAI_COST


@pytest.mark.parametrize("stream", [False, True])
def test_an_anthropic_message_is_recorded_whole_or_streamed(
        tg: tollgate.Tollgate, customer: str, fake: FakeLlm, recorder: LlmUsageRecorder, sent: Sent, stream: bool) -> None:
    body = {"model": "claude-sonnet-4-5-20250929", "max_tokens": 500, "stream": stream, "n_id": customer}
    with httpx.Client(transport=LlmUsageTransport(recorder, customer=customer), base_url=fake.url) as http:
        http.post("/v1/messages", json=body).raise_for_status()
    assert recorder.flush()
    (call,) = sent.calls
    assert call["provider"] == "anthropic" and call["request_id"] == f"msg_{customer}" and call["metadata"]["streamed"] is stream
    assert (call["input_tokens"], call["cache_write_tokens"], call["cache_write_1h_tokens"], call["cached_input_tokens"],
            call["output_tokens"]) == (100, 1000, 400, 2000, 500)
    assert tg.llm.get_budget(customer)["spent_usd"] == ANTHROPIC_COST


def test_the_async_transport_records_a_stream_and_a_repeated_id_counts_once(
        tg: tollgate.Tollgate, customer: str, fake: FakeLlm, recorder: LlmUsageRecorder, sent: Sent) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(transport=AsyncLlmUsageTransport(recorder), base_url=fake.url) as http:
            for _ in range(2):  # the same provider id twice: logged once
                async with http.stream("POST", "/v1/chat/completions", json={"model": "gpt-4o", "stream": True, "n_id": customer},
                                       headers={"Tollgate-Customer": customer, "Tollgate-Feature": "cv_generate"}) as r:
                    assert len([line async for line in r.aiter_lines() if line.strip()]) == 4
    asyncio.run(run())
    assert recorder.flush()
    assert len(sent.calls) == 2 and all(c["feature"] == "cv_generate" for c in sent.calls)
    assert not any("tollgate-customer" in h for h in fake.seen_headers)  # Tollgate's headers never reach the provider
    assert tg.llm.get_budget(customer)["spent_usd"] == OPENAI_COST


def test_a_feature_header_alone_names_the_calls_feature_and_keeps_the_customer_it_would_have_had(
        customer: str, fake: FakeLlm, recorder: LlmUsageRecorder, sent: Sent) -> None:
    with httpx.Client(transport=LlmUsageTransport(recorder, customer=customer, feature="cv_generate"), base_url=fake.url) as http:
        http.post("/v1/chat/completions", json={"model": "gpt-4o"}, headers={"Tollgate-Feature": "exports"})
        with attribute(customer, feature="chat_messages"):
            http.post("/v1/chat/completions", json={"model": "gpt-4o"}, headers={"Tollgate-Feature": "exports"})
        http.post("/v1/chat/completions", json={"model": "gpt-4o"})
    assert recorder.flush()
    assert [(c["customer"], c["feature"]) for c in sent.calls] == [(customer, "exports"), (customer, "exports"), (customer, "cv_generate")]
    assert not any("tollgate-feature" in h for h in fake.seen_headers)


def test_a_customer_header_alone_names_the_calls_customer_and_keeps_the_feature_it_would_have_had(
        customer: str, fake: FakeLlm, recorder: LlmUsageRecorder, sent: Sent) -> None:
    with httpx.Client(transport=LlmUsageTransport(recorder, customer="someone-else", feature="cv_generate"), base_url=fake.url) as http:
        http.post("/v1/chat/completions", json={"model": "gpt-4o"}, headers={"Tollgate-Customer": customer})
        with attribute("someone-else", feature="chat_messages"):
            http.post("/v1/chat/completions", json={"model": "gpt-4o"}, headers={"Tollgate-Customer": customer})
    assert recorder.flush()
    assert [(c["customer"], c["feature"]) for c in sent.calls] == [(customer, "cv_generate"), (customer, "chat_messages")]


def test_a_call_captured_after_close_counts_as_dropped_at_once(
        customer: str, fake: FakeLlm, recorder: LlmUsageRecorder, sent: Sent) -> None:
    recorder.close()
    with httpx.Client(transport=LlmUsageTransport(recorder, customer=customer), base_url=fake.url) as http:
        assert http.post("/v1/chat/completions", json={"model": "gpt-4o"}).status_code == 200  # the app's call still works
    assert (recorder.dropped, recorder.sent) == (1, 0)
    assert recorder.flush(timeout=0) and sent.calls == []  # nothing queued, to be sent by no one


def test_calls_without_an_owner_and_failed_calls_are_not_recorded(
        customer: str, fake: FakeLlm, recorder: LlmUsageRecorder, sent: Sent) -> None:
    with httpx.Client(transport=LlmUsageTransport(recorder), base_url=fake.url) as http:
        http.post("/v1/chat/completions", json={"model": "gpt-4o"})
        with attribute(customer):
            assert http.post("/v1/chat/completions", json={"model": "gpt-4o", "fail": True}).status_code == 500
    assert recorder.flush()
    assert sent.calls == [] and recorder.failures == 0


def test_many_calls_go_in_few_batches(tg: tollgate.Tollgate, customer: str, fake: FakeLlm, server: Server) -> None:
    batches: list[int] = []

    def hook(request: httpx.Request) -> None:
        if request.url.path == "/v1/llm/usage":
            batches.append(len(json.loads(request.content)["calls"]))

    with httpx.Client(event_hooks={"request": [hook]}) as own:
        rec = LlmUsageRecorder(tollgate.Tollgate(api_key=server.secret_key, base_url=server.url, http_client=own),
                               batch_size=10, flush_interval=60)
        with httpx.Client(transport=LlmUsageTransport(rec, customer=customer), base_url=fake.url) as http:
            for _ in range(25):
                http.post("/v1/messages", json={"model": "claude-3-5-haiku-latest"})
        rec.close()
    assert sum(batches) == 25 and batches[:2] == [10, 10] and rec.sent == 25 and rec.dropped == 0


def test_close_while_tollgate_is_down_ends_within_its_timeout_and_counts_every_unsent_call_as_dropped() -> None:
    # Port 9 refuses: every attempt fails at once, and the client's own retries wait between them.
    down = tollgate.Tollgate(api_key="tg_sk_x", base_url="http://127.0.0.1:9")
    rec = LlmUsageRecorder(down, batch_size=1, flush_interval=0.05)
    for n in range(3):
        rec.add({"customer": "someone", "model": "gpt-4o", "input_tokens": 1, "request_id": f"r-{n}"})

    started = time.monotonic()
    rec.close(timeout=2.0)
    took = time.monotonic() - started

    # The flush and the thread's end share the one timeout (they took it twice), and the batch still in flight when
    # close() returned is counted with the rest (it was counted nowhere).
    assert took < 3.0, f"close(timeout=2.0) took {took:.1f} s"
    assert (rec.dropped, rec.sent) == (3, 0)


def test_a_second_close_returns_at_once_and_leaves_the_counts_as_the_first_left_them() -> None:
    # Tollgate hangs: connections queue on a socket that never accepts, so the thread's send waits out its 30 s timeout.
    with socket.socket() as hanging:
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(8)
        sending = threading.Event()
        http = httpx.Client(timeout=30, event_hooks={"request": [lambda _: sending.set()]})
        rec = LlmUsageRecorder(tollgate.Tollgate(api_key="tg_sk_x", base_url=f"http://127.0.0.1:{hanging.getsockname()[1]}",
                                                 max_retries=0, http_client=http), flush_interval=0.05)
        rec.add({"customer": "someone", "model": "gpt-4o", "input_tokens": 1, "request_id": "r-1"})
        assert sending.wait(10)
        rec.close(timeout=0.2)
        assert (rec.dropped, rec.sent) == (1, 0)

        started = time.monotonic()
        rec.close(timeout=30)  # as the exit hook's close(5.0) does after the app's own close
        took = time.monotonic() - started
        assert took < 2.0, f"the second close took {took:.1f} s"
        assert (rec.dropped, rec.sent) == (1, 0)
    http.close()


class _OddFirstAnswer(httpx.BaseTransport):
    """A proxy that answers the first batch itself with ``200 {}``; later requests reach the real server."""

    def __init__(self) -> None:
        self.real = httpx.HTTPTransport()
        self.odd = True

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.odd and request.url.path == "/v1/llm/usage":
            self.odd = False
            return httpx.Response(200, json={})
        return self.real.handle_request(request)

    def close(self) -> None:
        self.real.close()


def test_a_2xx_that_is_not_tollgates_tally_drops_its_batch_and_the_thread_sends_the_next(
        tg: tollgate.Tollgate, customer: str, server: Server) -> None:
    with httpx.Client(transport=_OddFirstAnswer(), timeout=30) as own:
        rec = LlmUsageRecorder(tollgate.Tollgate(api_key=server.secret_key, base_url=server.url, http_client=own), flush_interval=0.05)
        rec.add({"customer": customer, "model": "gpt-4o", "input_tokens": 1000, "request_id": f"{customer}-odd"})
        assert rec.flush(timeout=10)
        assert (rec.sent, rec.dropped) == (0, 1)

        rec.add({"customer": customer, "model": "gpt-4o", "input_tokens": 1000, "request_id": f"{customer}-next"})
        assert rec.flush(timeout=10), "the sender thread died on the odd answer: the call waits for close()"
        assert (rec.sent, rec.dropped) == (1, 1)
        rec.close()
    assert tg.llm.get_budget(customer)["spent_usd"] == Decimal("0.0025")  # the second call only: 1000 gpt-4o input tokens


def test_a_proxys_429_or_408_without_a_tollgate_code_keeps_the_batch_queued_and_it_is_sent_once_requests_pass(
        tg: tollgate.Tollgate, customer: str, server: Server) -> None:
    with FaultyProxy(server.url) as proxy:
        proxy.faults = ["429-text", "408", "429-throttle"]  # a proxy's throttling and timeout: no Tollgate refusal
        rec = LlmUsageRecorder(tollgate.Tollgate(api_key=server.secret_key, base_url=proxy.url, max_retries=0),
                               flush_interval=0.05)
        for n in range(10):
            rec.add({"customer": customer, "model": "gpt-4o", "input_tokens": 1000, "request_id": f"{customer}-{n}"})
        assert not rec.flush(timeout=0.3)  # still throttled: the batch waits for its next attempt, not dropped
        assert rec.flush(timeout=20)
        rec.close()
    assert (rec.sent, rec.dropped) == (10, 0)
    assert len(list(tg.llm.list_calls(customer=customer))) == 10


def test_calls_queued_behind_a_slow_send_go_in_one_batch_when_a_flush_waits_for_them(
        tg: tollgate.Tollgate, customer: str, server: Server) -> None:
    batches: list[int] = []
    release = threading.Event()

    def hook(request: httpx.Request) -> None:
        if request.url.path == "/v1/llm/usage":
            batches.append(len(json.loads(request.content)["calls"]))
            if len(batches) == 1:
                release.wait(10)  # Tollgate slow: the calls below queue while this batch is in flight

    def call(n: int) -> dict[str, Any]:
        return {"customer": customer, "model": "gpt-4o", "input_tokens": 1, "request_id": f"{customer}-q{n}"}

    with httpx.Client(event_hooks={"request": [hook]}, timeout=30) as own:
        rec = LlmUsageRecorder(tollgate.Tollgate(api_key=server.secret_key, base_url=server.url, http_client=own), flush_interval=60)
        rec.add(call(0))
        flushing = threading.Thread(target=rec.flush, args=(20,))
        flushing.start()
        deadline = time.monotonic() + 10
        while not batches and time.monotonic() < deadline:
            time.sleep(0.01)
        for n in range(1, 301):
            rec.add(call(n))
        release.set()
        flushing.join(20)
        assert rec.flush(timeout=20)
        rec.close()
    # A flush took the queue one call a round, so it sent 300 requests of one call (and the exit hook's 5 s dropped most).
    assert batches == [1, 300]
    assert (rec.sent, rec.dropped) == (301, 0)


def test_a_recorder_given_the_async_client_is_refused_at_once_rather_than_dropping_every_call() -> None:
    client = tollgate.AsyncTollgate(api_key="tg_sk_x", base_url="http://127.0.0.1:9")
    with pytest.raises(TypeError, match="needs a blocking tollgate.Tollgate"):
        LlmUsageRecorder(client)  # type: ignore[arg-type]


@pytest.mark.parametrize(("host", "provider"), [
    ("my-resource.openai.azure.com", "azure"), ("eastus.api.cognitiveservices.azure.com", "azure"),
    ("generativelanguage.googleapis.com", "gemini"), ("openrouter.ai", "openrouter"),
    ("api.openai.com", None), ("api.anthropic.com", None), ("127.0.0.1", None), ("notopenrouter.ai", None),
])
def test_a_call_to_azure_or_the_gemini_api_is_priced_as_that_providers(host: str, provider: str | None) -> None:
    # Their answers have OpenAI's shape; labelled "openai", a Gemini call took Vertex AI's price, 50 % above the Gemini API's.
    assert provider_of(host) == provider
