"""examples/python/app.py, run as a user would meet it: a gated route, a model call (a loopback fake of OpenAI), and
both the quota and the LLM cost visible in the real Tollgate server afterwards."""

from __future__ import annotations

import sys
from decimal import Decimal

from fastapi.testclient import TestClient

import tollgate
from conftest import ROOT, Server
from fake_llm import FakeLlm

sys.path.insert(0, str(ROOT / "examples" / "python"))
import app as example  # noqa: E402


def test_the_example_gates_cvs_and_records_their_llm_cost(server: Server, tg: tollgate.Tollgate, customer: str) -> None:
    with FakeLlm() as fake:
        application = example.create_app(server.url, server.secret_key, fake.url + "/v1", "sk-test")
        with TestClient(application) as client:
            for _ in range(5):
                r = client.post("/cv", headers={"X-User": customer}, json={"job": "SRE"})
                assert r.status_code == 200 and r.json() == {"cv": "Hello there"}
            refused = client.post("/cv", headers={"X-User": customer}, json={"job": "SRE"})
            assert refused.status_code == 429 and refused.json()["remaining"] == 0
            assert client.get("/usage", headers={"X-User": customer}).json()["cv_generate"]["used"] == 5
            assert application.state.recorder.flush()
    assert len(fake.seen_headers) == 5  # the refused request never reached the model
    assert tg.llm.get_budget(customer)["spent_usd"] == 5 * Decimal("0.00725")


def test_the_example_answers_a_user_tollgate_does_not_know_with_403_customer_unknown(server: Server) -> None:
    with FakeLlm() as fake:
        with TestClient(example.create_app(server.url, server.secret_key, fake.url + "/v1", "sk-test"),
                        raise_server_exceptions=False) as client:
            r = client.post("/cv", headers={"X-User": "py-never-signed-up"}, json={"job": "SRE"})
    assert r.status_code == 403 and r.json()["error"] == "customer_unknown"
    assert fake.seen_headers == []  # the model was never called
