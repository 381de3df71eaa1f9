"""docs/sdk-python.md stays true: every python block runs, in order, against the real server, and every public
method of the clients is documented there."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import tollgate
from conftest import ROOT, Server
from fake_llm import FakeLlm

DOC = ROOT / "docs" / "sdk-python.md"


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", path.read_text(), flags=re.S | re.M)


def test_every_python_block_in_the_guide_runs(server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = python_blocks(DOC)
    assert len(blocks) >= 8
    with FakeLlm() as fake:
        monkeypatch.setenv("TOLLGATE_API_KEY", server.secret_key)
        monkeypatch.setenv("TOLLGATE_BASE_URL", server.url)
        monkeypatch.setenv("TOLLGATE_ADMIN_KEY", server.admin_key)
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("TOLLGATE_WEBHOOK_SECRET", "whsec_docs_0123456789abcdef")
        namespace: dict[str, object] = {"__name__": "sdk_python_md"}
        for i, block in enumerate(blocks):
            try:
                exec(compile(block, f"{DOC.name}[block {i + 1}]", "exec"), namespace)
            except Exception as e:
                raise AssertionError(f"block {i + 1} of {DOC.name} failed: {e!r}\n{block}") from e
        namespace["recorder"].close()  # type: ignore[attr-defined]
        namespace["tg"].close()  # type: ignore[attr-defined]
        namespace["admin"].close()  # type: ignore[attr-defined]
    out = capsys.readouterr().out
    assert "Only 4 of 5 left" in out and "Hello there" in out and "quota.exceeded user-42" in out
    assert len(fake.seen_headers) == 2 and not any("tollgate-customer" in h for h in fake.seen_headers)


def test_every_public_method_is_in_the_guide() -> None:
    text = DOC.read_text()
    tg = tollgate.Tollgate(api_key="tg_sk_unused")
    missing = []
    for name, resource in vars(tg).items():
        if name.startswith("_"):
            continue
        for method, _ in inspect.getmembers(resource, callable):
            if not method.startswith("_") and f"{method}(" not in text:
                missing.append(f"{name}.{method}")
    assert missing == []
