"""A real Tollgate server per store (SQLite always, PostgreSQL when TOLLGATE_TEST_POSTGRES is set), started once per session."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE.parent))

import tollgate  # noqa: E402

# The SDK's 10 s default is for a server that is not also running two other test streams on two cores: CI's is.
LOADED_TIMEOUT = 60.0

STORES = ["sqlite"] + (["postgres"] if os.environ.get("TOLLGATE_TEST_POSTGRES") else [])


@dataclass(frozen=True)
class Server:
    store: str
    url: str
    admin_key: str
    secret_key: str

    def admin(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.admin_key}"}, timeout=30)


def _start(store: str) -> tuple[dict[str, str], Server]:
    args = [str(ROOT / "tests" / "start-server.sh")] + (["--postgres"] if store == "postgres" else [])
    args.append("--Tollgate:Webhooks:AllowPrivateTargets=true")  # the webhook test's receiver is on loopback
    out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=600).stdout
    env = dict(pair.split("=", 1) for pair in shlex.split(out.strip().removeprefix("export ")))
    url, admin_key = env["TOLLGATE_URL"], env["TOLLGATE_ADMIN_KEY"]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {admin_key}"}, timeout=30) as admin:
        admin.put("/v1/admin/catalog", content=(HERE / "catalog.json").read_bytes(),
                  headers={"Content-Type": "application/json"}).raise_for_status()
        key = admin.post("/v1/admin/keys", json={"name": f"python-sdk-{store}", "role": "secret"})
        key.raise_for_status()
    return env, Server(store, url, admin_key, key.json()["key"])


@pytest.fixture(scope="session", params=STORES)
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    env, srv = _start(request.param)
    failed_before = request.session.testsfailed
    try:
        yield srv
    finally:
        stop = [str(ROOT / "tests" / "stop-server.sh")] + (["--log"] if request.session.testsfailed > failed_before else [])
        subprocess.run(stop, env={**os.environ, **env}, check=False)


@pytest.fixture
def tg(server: Server) -> Iterator[tollgate.Tollgate]:
    with tollgate.Tollgate(api_key=server.secret_key, base_url=server.url, timeout=LOADED_TIMEOUT) as client:
        yield client


@pytest.fixture
def customer(tg: tollgate.Tollgate) -> str:
    """A new customer on the free plan (cv_generate: 5 a month, hard cap)."""
    cid = f"py-{uuid.uuid4().hex[:12]}"
    tg.customers.upsert(cid, email=f"{cid}@example.com", name="Ada")
    return cid


@pytest.fixture
def admin_tg(server: Server) -> Iterator[tollgate.Tollgate]:
    """The same client with the admin key: coupons, promotion codes, offer links and cross-customer reads need it."""
    with tollgate.Tollgate(api_key=server.admin_key, base_url=server.url, timeout=LOADED_TIMEOUT) as client:
        yield client
