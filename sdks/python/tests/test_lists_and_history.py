"""The cross-customer lists, usage history, the raw logs and GDPR deletion through the SDK, against the real server."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

import tollgate


def _customers(tg: tollgate.Tollgate, prefix: str, n: int) -> list[str]:
    ids = [f"{prefix}-{i}" for i in range(n)]
    for cid in ids:
        tg.customers.upsert(cid, email=f"{cid}@example.com")
    return ids


def test_customers_are_listed_by_prefix_across_pages_newest_first(tg: tollgate.Tollgate) -> None:
    prefix = f"pyls-{uuid.uuid4().hex[:8]}"
    ids = _customers(tg, prefix, 3)
    tg.subscriptions.create(customer=ids[0], plan="pro")
    # limit=2 makes the pager fetch a second page for the third customer.
    assert [x["id"] for x in tg.customers.list(query=prefix, limit=2)] == list(reversed(ids))
    assert [x["id"] for x in tg.customers.list(query=prefix.upper(), plan="pro", status="active")] == [ids[0]]
    with pytest.raises(tollgate.ValidationFailed) as e:
        list(tg.customers.list(status="sleeping"))
    assert "status" in e.value.errors


def test_subscriptions_and_invoices_are_listed_across_customers_page_by_page(tg: tollgate.Tollgate) -> None:
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    ids = _customers(tg, f"pysub-{uuid.uuid4().hex[:8]}", 3)
    subs = [tg.subscriptions.create(customer=cid, plan="pro")["id"] for cid in ids]
    listed = [s["id"] for s in tg.subscriptions.list(plan="pro", status="active", limit=2)]
    assert set(subs) <= set(listed) and len(listed) == len(set(listed))
    assert [s["id"] for s in tg.subscriptions.list(customer=ids[1])] == [subs[1]]

    mine = [i for i in tg.invoices.list(from_=since, limit=1) if i["customer"] in ids]
    assert sorted(i["customer"] for i in mine) == sorted(ids)  # each first subscription issued one invoice
    assert [i["id"] for i in tg.invoices.list(customer=ids[2], status=mine[0]["status"])] == \
           [i["id"] for i in mine if i["customer"] == ids[2]]


def test_usage_history_daily_totals_and_usage_at_an_instant_count_consumed_units(tg: tollgate.Tollgate,
                                                                                  admin_tg: tollgate.Tollgate, customer: str) -> None:
    before = datetime.now(timezone.utc).date()
    tg.entitlements.consume(customer=customer, feature="cv_generate", amount=2)
    today = datetime.now(timezone.utc).date()
    crossed = before != today  # the consume ran at midnight UTC: it may count on either day (or month)

    history = tg.usage.history(customer, feature="cv_generate", from_=today - timedelta(days=2), to=today)
    assert history["granularity"] == "day" and history["from"] == str(today - timedelta(days=2))
    days = [p["quantity"] for p in history["features"]["cv_generate"]]
    assert days == [0, 0, 2] or (crossed and days == [0, 2, 0])
    months = [p["quantity"] for p in tg.usage.history(customer, granularity="month")["features"]["cv_generate"]]
    assert len(months) == 12 and (months[-1] == 2 or (crossed and months[-2:] == [2, 0]))
    assert tg.usage.get(customer, at=datetime.now(timezone.utc))["features"]["cv_generate"]["used"] == 2

    daily = admin_tg.usage.daily(feature="cv_generate", from_=before, to=today)
    points = daily["features"]["cv_generate"]
    assert points[-1]["day"] == str(today) and sum(p["quantity"] for p in points) >= 2 and max(p["customers"] for p in points) >= 1
    with pytest.raises(tollgate.ValidationFailed) as e:
        tg.usage.history(customer, granularity="week")
    assert "granularity" in e.value.errors


def test_recorded_events_and_llm_calls_are_listed_newest_first_across_pages(tg: tollgate.Tollgate, customer: str) -> None:
    start = datetime.now(timezone.utc) - timedelta(minutes=10)  # one minute apart, so "newest first" is one order
    tg.events.track([{"id": f"ev-{customer}-{i}", "customer": customer, "feature": "chat_messages", "amount": i + 1,
                      "timestamp": (start + timedelta(minutes=i)).isoformat()} for i in range(3)])
    events = list(tg.events.list(customer=customer, feature="chat_messages", limit=2))
    assert [e["amount"] for e in events] == [3, 2, 1] and all(e["customer"] == customer for e in events)
    assert list(tg.events.list(customer=customer, to=datetime(2020, 1, 1, tzinfo=timezone.utc))) == []
    with pytest.raises(tollgate.ValidationFailed) as e:
        list(tg.events.list())  # a secret key must name the customer
    assert "customer" in e.value.errors

    for i in range(3):
        tg.llm.log_usage(customer=customer, model="gpt-4o-mini", provider="openai", input_tokens=100 * (i + 1), output_tokens=10,
                         timestamp=start + timedelta(minutes=i))
    calls = list(tg.llm.list_calls(customer=customer, model="gpt-4o-mini", limit=2))
    assert [c["tokens"]["input"] for c in calls] == [300, 200, 100]
    assert all(c["customer"] == customer and c["cost_nano_usd"] >= 0 for c in calls)
    assert list(tg.llm.list_calls(customer=customer, provider="anthropic")) == []


def test_a_customer_is_exported_then_deleted_and_reads_afterwards_are_not_found(tg: tollgate.Tollgate, customer: str) -> None:
    sub = tg.subscriptions.create(customer=customer, plan="pro")
    exported = tg.customers.export(customer)
    assert exported["customer"]["id"] == customer and [s["id"] for s in exported["subscriptions"]] == [sub["id"]]

    deleted = tg.customers.delete(customer)
    assert deleted["id"] == customer and deleted["deleted"] is True and deleted["canceled_subscription"] == sub["id"]
    with pytest.raises(tollgate.NotFound):
        tg.customers.get(customer)
    with pytest.raises(tollgate.NotFound):
        tg.customers.delete(customer)
