"""A CV writer on FastAPI that Tollgate meters: each CV takes one unit of the `cv_generate` quota, held before the model
call and committed only when the CV was made, and the model call's tokens are recorded as LLM cost for the user.

Run it:  TOLLGATE_API_KEY=tg_sk_... TOLLGATE_BASE_URL=http://localhost:5080 OPENAI_API_KEY=sk-... \
         uvicorn --factory app:create_app
Then:    curl -X POST localhost:8000/cv -H 'X-User: user-42' -H 'Content-Type: application/json' -d '{"job": "SRE"}'
"""

from __future__ import annotations

import os
from typing import Any

import httpx
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel

import tollgate
from tollgate.fastapi import Quota, QuotaStatusMiddleware, require_quota
from tollgate.llm import AsyncLlmUsageTransport, LlmUsageRecorder, attribute


class CvRequest(BaseModel):
    job: str


def current_user(request: Request) -> str | None:
    # A real app reads its session or token here; the header stands in for it.
    return request.headers.get("x-user")


def create_app(tollgate_url: str | None = None, api_key: str | None = None, llm_base_url: str | None = None,
               llm_api_key: str | None = None) -> FastAPI:
    app = FastAPI(title="CV writer")
    app.add_middleware(QuotaStatusMiddleware)
    app.state.tollgate = tollgate.AsyncTollgate(api_key=api_key, base_url=tollgate_url)
    # Usage goes to Tollgate from a background thread, in batches, with its own (blocking) client.
    app.state.recorder = LlmUsageRecorder(tollgate.Tollgate(api_key=api_key, base_url=tollgate_url))
    app.state.llm = httpx.AsyncClient(
        base_url=llm_base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1",
        headers={"Authorization": f"Bearer {llm_api_key or os.environ.get('OPENAI_API_KEY', '')}"},
        transport=AsyncLlmUsageTransport(app.state.recorder), timeout=60)

    @app.on_event("shutdown")
    async def close() -> None:
        await app.state.llm.aclose()
        app.state.recorder.close()
        await app.state.tollgate.close()

    @app.post("/cv")
    async def write_cv(body: CvRequest, quota: Quota = Depends(require_quota("cv_generate", customer=current_user))) -> dict[str, Any]:
        with attribute(quota.customer or "", feature="cv_generate"):
            answer = await app.state.llm.post("/chat/completions", json={
                "model": "gpt-4o", "messages": [{"role": "user", "content": f"Write a CV for a {body.job}."}]})
        answer.raise_for_status()  # a failed model call raises: the unit is released, not charged
        return {"cv": answer.json()["choices"][0]["message"]["content"]}

    @app.get("/usage")
    async def my_usage(request: Request) -> dict[str, Any]:
        usage = await app.state.tollgate.usage.get(current_user(request) or "")
        return {"cv_generate": usage["features"]["cv_generate"]}

    return app
