"""``/v1/admin/stats``: the reports, in one reporting currency (needs an admin key)."""

from __future__ import annotations

from datetime import date, datetime

from . import _calls as c
from ._async_resources import _AsyncResource
from ._core import Call
from ._resources import _Resource
from .types import CustomerCosts, CustomerMargin, FeatureStats, PlanStats, RevenueVsCost, SaasStats


def _saas(from_: datetime | date | str | None, to: datetime | date | str | None) -> Call:
    return Call("GET", "v1/admin/stats/saas", params={"from": c.when(from_), "to": c.when(to)})


def _revenue_vs_cost(days: int | None) -> Call:
    return Call("GET", "v1/admin/stats/revenue-vs-cost", params={"days": days})


def _user_costs(customer: str, days: int | None) -> Call:
    return Call("GET", f"v1/admin/stats/user-costs/{c.seg(customer)}", params={"days": days})


def _window(report: str, days: int | None, limit: int | None = None) -> Call:
    return Call("GET", f"v1/admin/stats/{report}", params={"days": days, "limit": limit})


class Stats(_Resource):
    """``/v1/admin/stats``: needs an admin key. ``saas``, ``revenue_vs_cost`` and ``user_costs`` say their
    ``reporting_currency``, ``rates`` and ``unconverted_currencies``; the lists are bare arrays."""

    def saas(self, *, from_: datetime | date | str | None = None, to: datetime | date | str | None = None) -> SaasStats:
        """MRR, its movements, churn, ARPA and LTV over [from_, to): the last twelve months by default."""
        return self._send(_saas(from_, to))

    def revenue_vs_cost(self, *, days: int | None = None) -> RevenueVsCost:
        """Revenue against LLM cost over the last ``days`` days (30 by default)."""
        return self._send(_revenue_vs_cost(days))

    def user_costs(self, customer: str, *, days: int | None = None) -> CustomerCosts:
        """One customer's revenue, payments and LLM cost over the last ``days`` days, by feature, model and day."""
        return self._send(_user_costs(customer, days))

    def features(self, *, days: int | None = None) -> list[FeatureStats]:
        """Each feature's units, users and LLM cost over the last ``days`` days."""
        return self._send(_window("features", days))

    def plans(self, *, days: int | None = None) -> list[PlanStats]:
        """Each plan's customers, MRR, revenue, LLM cost and margin over the last ``days`` days."""
        return self._send(_window("plans", days))

    def top_spenders(self, *, days: int | None = None, limit: int | None = None) -> list[CustomerMargin]:
        """The customers with the highest LLM cost over the last ``days`` days."""
        return self._send(_window("top-spenders", days, limit))

    def negative_margin(self, *, days: int | None = None, limit: int | None = None) -> list[CustomerMargin]:
        """The customers whose LLM cost passed their revenue over the last ``days`` days, lowest margin first."""
        return self._send(_window("negative-margin", days, limit))


class AsyncStats(_AsyncResource):
    """``/v1/admin/stats``: needs an admin key (see ``Stats``)."""

    async def saas(self, *, from_: datetime | date | str | None = None, to: datetime | date | str | None = None) -> SaasStats:
        return await self._send(_saas(from_, to))

    async def revenue_vs_cost(self, *, days: int | None = None) -> RevenueVsCost:
        return await self._send(_revenue_vs_cost(days))

    async def user_costs(self, customer: str, *, days: int | None = None) -> CustomerCosts:
        return await self._send(_user_costs(customer, days))

    async def features(self, *, days: int | None = None) -> list[FeatureStats]:
        return await self._send(_window("features", days))

    async def plans(self, *, days: int | None = None) -> list[PlanStats]:
        return await self._send(_window("plans", days))

    async def top_spenders(self, *, days: int | None = None, limit: int | None = None) -> list[CustomerMargin]:
        return await self._send(_window("top-spenders", days, limit))

    async def negative_margin(self, *, days: int | None = None, limit: int | None = None) -> list[CustomerMargin]:
        return await self._send(_window("negative-margin", days, limit))
