"""The stats resource: reports in one reporting currency that say which rates they used."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import tollgate
from conftest import Server


def test_saas_and_revenue_reports_name_their_reporting_currency_and_rates(admin_tg: tollgate.Tollgate) -> None:
    saas = admin_tg.stats.saas(from_="2026-01-01", to="2027-01-01")
    revenue = admin_tg.stats.revenue_vs_cost(days=7)

    # The test server configures no rates: everything in USD is counted, anything else is named as left out.
    assert (saas["reporting_currency"], saas["currency"], saas["rates"]) == ("USD", "USD", {})
    assert not isinstance(saas["mrr"], float) and saas["mrr"] >= 0  # exact: Decimal, or int when whole
    assert isinstance(saas["unconverted_currencies"], list)
    assert saas["from"].startswith("2026-01-01")
    assert (revenue["reporting_currency"], revenue["rates"], revenue["period_days"]) == ("USD", {}, 7)
    assert isinstance(revenue["total_revenue_usd"], (Decimal, int))
    # Reporting in USD, the cost that profit subtracts is the USD cost itself.
    assert revenue["total_llm_cost"] == revenue["total_llm_cost_usd"]
    assert revenue["estimated_profit_usd"] == revenue["total_revenue_usd"] - revenue["total_llm_cost"]


def test_the_async_client_reads_the_same_report(server: Server) -> None:
    async def read() -> str:
        async with tollgate.AsyncTollgate(api_key=server.admin_key, base_url=server.url) as atg:
            return (await atg.stats.saas())["reporting_currency"]

    assert asyncio.run(read()) == "USD"


def test_the_per_customer_feature_plan_and_ranked_reports_read_what_the_logged_calls_cost(
        tg: tollgate.Tollgate, admin_tg: tollgate.Tollgate, customer: str, server: Server) -> None:
    tg.llm.log_usage(customer=customer, model="gpt-4o", feature="cv_generate", input_tokens=1000, output_tokens=500)  # $0.0075

    costs = admin_tg.stats.user_costs(customer, days=1)
    features = {f["feature"]: f for f in admin_tg.stats.features(days=1)}
    plans = admin_tg.stats.plans(days=1)
    spenders = admin_tg.stats.top_spenders(days=1, limit=500)

    assert (costs["customer"], costs["total_llm_cost_usd"], costs["total_requests"]) == (customer, Decimal("0.0075"), 1)
    assert features["cv_generate"]["llm_requests"] >= 1
    assert all("margin_usd" in p for p in plans)
    assert any(s["customer"] == customer and s["llm_cost_usd"] == Decimal("0.0075") for s in spenders)
    assert isinstance(admin_tg.stats.negative_margin(days=1), list)

    async def read() -> Decimal:
        async with tollgate.AsyncTollgate(api_key=server.admin_key, base_url=server.url) as atg:
            return (await atg.stats.user_costs(customer, days=1))["total_llm_cost_usd"]

    assert asyncio.run(read()) == Decimal("0.0075")
