"""Subscriptions, invoices, alerts, portal links, LLM usage and budgets through the SDK, against the real server."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

import tollgate
from conftest import Server


def test_a_subscription_is_created_previewed_changed_and_canceled_at_period_end(tg: tollgate.Tollgate, customer: str) -> None:
    sub = tg.subscriptions.create(customer=customer, plan="pro", billing_period="monthly")
    assert (sub["customer"], sub["plan"], sub["status"]) == (customer, "pro", "active")
    assert tg.subscriptions.get(sub["id"])["id"] == sub["id"]
    with pytest.raises(tollgate.SubscriptionExists):
        tg.subscriptions.create(customer=customer, plan="team")

    preview = tg.subscriptions.preview(sub["id"], plan="team", effective="immediate")
    assert preview["subscription"]["plan"] == "team" and preview["amount_cents"] > 0 and preview["currency"] == "USD"
    assert preview["discount_cents"] == 0  # no discount on the subscription
    assert [line["id"] for line in preview["lines"]] == [None] * len(preview["lines"])  # no invoice holds them yet
    assert tg.subscriptions.get(sub["id"])["plan"] == "pro"
    changed = tg.subscriptions.change(sub["id"], plan="team", effective="immediate")
    assert changed["subscription"]["plan"] == "team" and changed["amount_cents"] == preview["amount_cents"]
    with pytest.raises(tollgate.NoChange):
        tg.subscriptions.change(sub["id"], plan="team")

    canceled = tg.subscriptions.cancel(sub["id"])
    assert canceled["subscription"]["cancel_at_period_end"] is True
    assert tg.subscriptions.undo_cancel(sub["id"])["cancel_at_period_end"] is False
    assert [s["id"] for s in tg.subscriptions.list(customer=customer)] == [sub["id"]]


def test_invoices_are_listed_read_printed_and_marked_paid(tg: tollgate.Tollgate, customer: str) -> None:
    sub = tg.subscriptions.create(customer=customer, plan="pro")
    tg.subscriptions.change(sub["id"], plan="team", effective="immediate")
    invoices = list(tg.invoices.list(customer=customer))
    assert invoices and all(i["customer"] == customer for i in invoices)
    first = invoices[0]
    assert tg.invoices.get(first["id"])["number"] == first["number"]
    assert first["number"] in tg.invoices.html(first["id"])
    pdf = tg.invoices.pdf(first["id"])
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    with pytest.raises(tollgate.NotFound):
        tg.invoices.pdf("in_missing")
    open_one = next(i for i in invoices if i["status"] == "open")
    paid = tg.invoices.mark_paid(open_one["id"])
    assert paid["status"] == "paid" and paid["amount_paid_cents"] == open_one["amount_due_cents"]
    with pytest.raises(tollgate.Conflict) as e:
        tg.invoices.void(open_one["id"])
    assert e.value.error == "invalid_invoice_status"


def test_the_upcoming_invoice_shows_the_next_fee_and_the_overage_so_far(tg: tollgate.Tollgate, customer: str) -> None:
    tg.subscriptions.create(customer=customer, plan="pro")
    tg.entitlements.consume(customer=customer, feature="chat_messages", amount=1005)
    upcoming = tg.invoices.upcoming(customer)
    assert (upcoming["status"], upcoming["number"], upcoming["customer"]) == ("upcoming", None, customer)
    assert [(l["kind"], l["amount_cents"]) for l in upcoming["lines"]] == [("recurring", 2999), ("overage", 5)]
    assert upcoming["amount_due_cents"] == 3004
    tg.customers.upsert(f"{customer}-free")
    with pytest.raises(tollgate.NotFound) as e:
        tg.invoices.upcoming(f"{customer}-free")
    assert e.value.resource == "upcoming_invoice"


def test_a_subscription_takes_a_deal_price_and_its_note(tg: tollgate.Tollgate, customer: str) -> None:
    sub = tg.subscriptions.create(customer=customer, plan="pro", price_override_cents=999, price_override_note="Friends")
    assert (sub["price_override_cents"], sub["price_override_note"]) == (999, "Friends")


def test_a_cancel_now_with_bill_usage_false_waives_the_overage_that_a_billing_cancel_bills(tg: tollgate.Tollgate, customer: str) -> None:
    finals = {}
    for name, bill_usage in (("waived", False), ("billed", True)):
        who = f"{customer}-{name}"
        tg.customers.upsert(who)
        sub = tg.subscriptions.create(customer=who, plan="pro")
        tg.entitlements.consume(customer=who, feature="chat_messages", amount=1005)
        if not bill_usage:
            with pytest.raises(tollgate.ValidationFailed) as e:
                tg.subscriptions.cancel(sub["id"], bill_usage=False)  # at the period end, usage is billed then
            assert "bill_usage" in e.value.errors
        canceled = tg.subscriptions.cancel(sub["id"], at_period_end=False, bill_usage=bill_usage)
        assert canceled["subscription"]["status"] == "canceled"
        finals[name] = [line["kind"] for line in canceled["lines"]]
    assert "overage" not in finals["waived"] and "overage" in finals["billed"]


def test_alerts_fire_at_thresholds_and_are_marked_read(tg: tollgate.Tollgate, customer: str) -> None:
    tg.entitlements.consume(customer=customer, feature="cv_generate", amount=4)
    tg.entitlements.consume(customer=customer, feature="cv_generate", amount=1)
    alerts = list(tg.alerts.list(customer=customer))
    # One update that crosses several thresholds fires only the highest; using the cap up outranks 100 %.
    assert {(a["kind"], a["threshold"]) for a in alerts} == {("threshold", 80), ("exceeded", 0)}
    # The server pages by cursor: one alert a page walks to the same list, newest first.
    assert [a["id"] for a in tg.alerts.list(customer=customer, limit=1)] == [a["id"] for a in alerts]
    read = tg.alerts.mark_read(alerts[0]["id"])
    assert read["read_at"] is not None
    assert alerts[0]["id"] not in [a["id"] for a in tg.alerts.list(customer=customer, unread=True)]


def test_a_portal_link_opens_the_customer_portal(tg: tollgate.Tollgate, customer: str, server: Server) -> None:
    link = tg.portal.create_link(customer, return_url="https://app.example.com/account")
    assert link["url"].startswith(server.url) and link["expires_at"].endswith("Z")
    # The portal's first render compiles its Razor components: on a loaded 2-core run that has taken over httpx's 5 s default.
    page = httpx.get(link["url"], follow_redirects=True, timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_checkout_without_stripe_raises_payments_not_configured(tg: tollgate.Tollgate, customer: str) -> None:
    with pytest.raises(tollgate.PaymentsNotConfigured) as e:
        tg.checkout.create_session(customer=customer, plan="pro", success_url="https://a.example/ok", cancel_url="https://a.example/no")
    assert e.value.status == 503


def test_llm_calls_are_priced_exactly_and_a_resent_request_id_counts_once(tg: tollgate.Tollgate, customer: str) -> None:
    one = tg.llm.log_usage(customer=customer, model="gpt-4o", feature="cv_generate", input_tokens=1000, output_tokens=500,
                           request_id="chatcmpl-py-1-" + customer)
    assert one["cost_usd"] == Decimal("0.0075") and one["cost_nano_usd"] == 7_500_000 and one["status"] == "accepted"
    batch = tg.llm.log_usage_batch([
        {"customer": customer, "model": "gpt-4o", "feature": "cv_generate", "input_tokens": 1000, "output_tokens": 500,
         "request_id": one["request_id"]},
        {"customer": customer, "model": "gpt-4o-mini", "input_tokens": 100},
    ])
    assert (batch["accepted"], batch["duplicates"]) == (1, 1)
    budget = tg.llm.get_budget(customer)
    assert budget["spent_usd"] == Decimal("0.0075") + Decimal("0.000015") and budget["limit_usd"] == Decimal("0.05")


def test_a_budget_hold_past_the_budget_raises_budget_exceeded_with_the_budget_fields(tg: tollgate.Tollgate, customer: str) -> None:
    hold = tg.llm.reserve_budget(customer=customer, estimate_usd=Decimal("0.01"))
    assert hold["reservation_id"] and hold["reserved_usd"] == Decimal("0.01")
    tg.llm.log_usage(customer=customer, model="gpt-4o", input_tokens=10_000, output_tokens=3_000, reservation_id=hold["reservation_id"])
    with pytest.raises(tollgate.BudgetExceeded) as e:
        tg.entitlements.consume(customer=customer, feature="cv_generate")
    denied = e.value
    assert isinstance(denied, tollgate.QuotaExceeded) and denied.error == "budget_exceeded"
    assert denied.budget_usd == Decimal("0.05") and denied.budget_spent_usd == Decimal("0.055")
    with pytest.raises(TypeError):
        tg.llm.reserve_budget(customer=customer, estimate_usd=0.1)  # type: ignore[arg-type]


def test_whole_usd_amounts_arrive_as_decimal_so_decimal_arithmetic_works(tg: tollgate.Tollgate, customer: str) -> None:
    tg.subscriptions.create(customer=customer, plan="pro")  # an LLM budget of 15.00: whole dollars on the wire
    tg.grants.create(customer, feature="$llm_budget", amount_usd="5.00", reason="whole dollars")
    budget = tg.llm.get_budget(customer)
    for field in ("limit_usd", "spent_usd", "reserved_usd", "remaining_usd", "granted_remaining_usd"):
        assert type(budget[field]) is Decimal, field
    assert budget["limit_usd"] is not None and budget["limit_usd"].quantize(Decimal("0.01")) == Decimal("15.00")
    assert budget["granted_remaining_usd"].quantize(Decimal("0.01")) == Decimal("5.00")
    assert type(tg.usage.get(customer)["features"]["cv_generate"]["used"]) is int  # counts stay int


def test_public_pricing_reads_plans_in_order(tg: tollgate.Tollgate) -> None:
    codes = [p["code"] for p in tg.pricing.plans()]
    assert {"free", "pro", "team"} <= set(codes) and codes.index("free") < codes.index("pro")
    assert tg.pricing.plan("pro")["name"] == "Pro"
    assert {f["code"] for f in tg.pricing.features()} >= {"cv_generate", "job_tracking"}
    with pytest.raises(tollgate.NotFound):
        tg.pricing.plan("nope")


def test_one_plan_reads_in_a_currency_and_one_it_lacks_is_refused_naming_currency(tg: tollgate.Tollgate) -> None:
    free = tg.pricing.plan("free", currency="eur")  # a free plan costs 0 in every currency, in Stripe's lower case too
    assert [(p["currency"], p["price_cents"]) for p in free["prices"]] == [("EUR", 0)]
    with pytest.raises(tollgate.BadRequest) as refused:
        tg.pricing.plan("pro", currency="EUR")
    assert "currency" in refused.value.errors


def test_billing_details_are_set_read_and_refused_by_field(tg: tollgate.Tollgate, customer: str) -> None:
    updated = tg.customers.upsert(customer, name="Muster GmbH", tax_exempt="reverse",
                                  address={"line1": "Friedrichstraße 123", "city": "Berlin", "postal_code": "10117", "country": "DE"},
                                  tax_ids=[{"type": "eu_vat", "value": "DE987654321"}])
    assert updated["address"] is not None and updated["address"]["country"] == "DE"
    assert (updated["tax_ids"], updated["tax_exempt"]) == ([{"type": "eu_vat", "value": "DE987654321"}], "reverse")
    assert tg.customers.get(customer)["address"] == updated["address"]
    with pytest.raises(tollgate.ValidationFailed) as e:
        tg.customers.upsert(customer, address={"line1": "x", "country": "Germany"})
    assert "address.country" in str(e.value)


def test_a_customer_session_reads_its_own_usage_but_not_another_customers(tg: tollgate.Tollgate, server: Server, customer: str) -> None:
    other = f"{customer}-other"
    tg.customers.upsert(other)
    session = tg.customers.create_session(customer, ttl_seconds=600)
    assert session["customer"] == customer and session["token"].startswith("tg_cs_")
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {session['token']}"}, timeout=30) as browser:
        assert browser.get(f"/v1/customers/{customer}/usage").status_code == 200
        assert browser.get(f"/v1/customers/{other}/usage").status_code == 403
        tg.customers.revoke_session(customer, session["id"])
        assert browser.get(f"/v1/customers/{customer}/usage").status_code == 401
