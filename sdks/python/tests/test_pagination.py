"""Lists iterate over every page, {data, has_more, next_cursor} with limit and cursor. The real server's paging is read
in test_billing; the exact requests the pager sends (and that it stops when the loop does) are shown here against an
httpx MockTransport that speaks the same shape."""

from __future__ import annotations

import asyncio
import json

import httpx

import tollgate

INVOICES = [{"id": f"in_{i}", "number": f"TG-{i:04d}"} for i in range(7)]


def paged(request: httpx.Request) -> httpx.Response:
    limit = int(request.url.params.get("limit", "20"))
    start = int(request.url.params.get("cursor") or 0)
    page = INVOICES[start:start + limit]
    more = start + limit < len(INVOICES)
    body = {"data": page, "has_more": more, "next_cursor": str(start + limit) if more else None}
    return httpx.Response(200, content=json.dumps(body), headers={"Content-Type": "application/json"})


def test_the_pager_follows_next_cursor_until_has_more_is_false() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.params))
        return paged(request)

    with tollgate.Tollgate(api_key="tg_sk_x", base_url="http://tollgate.test",
                           http_client=httpx.Client(transport=httpx.MockTransport(handler))) as tg:
        numbers = [i["number"] for i in tg.invoices.list(customer="u1", limit=3)]
    assert numbers == [f"TG-{i:04d}" for i in range(7)]
    assert seen == ["limit=3&customer=u1", "limit=3&cursor=3&customer=u1", "limit=3&cursor=6&customer=u1"]


def test_the_async_pager_reads_every_page_and_stops_when_the_loop_does() -> None:
    calls: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.params.get("cursor") or "")
        return paged(request)

    async def run() -> tuple[list[str], list[str]]:
        transport = httpx.MockTransport(handler)
        async with tollgate.AsyncTollgate(api_key="tg_sk_x", base_url="http://tollgate.test",
                                          http_client=httpx.AsyncClient(transport=transport)) as atg:
            every = [i["id"] async for i in atg.invoices.list(customer="u1", limit=2)]
            first_two: list[str] = []
            async for invoice in atg.invoices.list(customer="u1", limit=2):
                first_two.append(invoice["id"])
                if len(first_two) == 2:
                    break
            return every, first_two

    every, first_two = asyncio.run(run())
    assert every == [f"in_{i}" for i in range(7)] and first_two == ["in_0", "in_1"]
    assert calls == ["", "2", "4", "6", ""]  # the second loop stopped after its first page
