"""``/v1/admin/stats``: the reports, in one reporting currency (needs an admin key)."""

from __future__ import annotations

from datetime import date, datetime

from . import _calls as c
from ._async_resources import _AsyncResource
from ._core import Call
from ._resources import _Resource
from .types import RevenueVsCost, SaasStats


def _saas(from_: datetime | date | str | None, to: datetime | date | str | None) -> Call:
    return Call("GET", "v1/admin/stats/saas", params={"from": c.when(from_), "to": c.when(to)})


def _revenue_vs_cost(days: int | None) -> Call:
    return Call("GET", "v1/admin/stats/revenue-vs-cost", params={"days": days})


class Stats(_Resource):
    """``/v1/admin/stats``: needs an admin key. Each report says its ``reporting_currency``, ``rates`` and ``unconverted_currencies``."""

    def saas(self, *, from_: datetime | date | str | None = None, to: datetime | date | str | None = None) -> SaasStats:
        """MRR, its movements, churn, ARPA and LTV over [from_, to): the last twelve months by default."""
        return self._send(_saas(from_, to))

    def revenue_vs_cost(self, *, days: int | None = None) -> RevenueVsCost:
        """Revenue against LLM cost over the last ``days`` days (30 by default)."""
        return self._send(_revenue_vs_cost(days))


class AsyncStats(_AsyncResource):
    """``/v1/admin/stats``: needs an admin key (see ``Stats``)."""

    async def saas(self, *, from_: datetime | date | str | None = None, to: datetime | date | str | None = None) -> SaasStats:
        return await self._send(_saas(from_, to))

    async def revenue_vs_cost(self, *, days: int | None = None) -> RevenueVsCost:
        return await self._send(_revenue_vs_cost(days))
