"""Coupons, promotion codes, subscription discounts and credit grants through the SDK, against the real server."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest

import tollgate
from conftest import Server


def _coupon(admin_tg: tollgate.Tollgate, **fields: object) -> str:
    cid = f"PY{uuid.uuid4().hex[:8].upper()}"
    admin_tg.coupons.create(id=cid, name="Twenty off", **fields)  # type: ignore[arg-type]
    return cid


def test_coupons_are_created_read_listed_across_pages_and_deleted(admin_tg: tollgate.Tollgate) -> None:
    made = admin_tg.coupons.create(id=f"PY{uuid.uuid4().hex[:8].upper()}", name="Twelve and a half", percent_off=Decimal("12.5"),
                                   duration="repeating", duration_in_months=3, applies_to_plans=["pro"])
    assert made["percent_off"] == Decimal("12.5") and made["applies_to_plans"] == ["pro"] and made["valid"] is True
    other = _coupon(admin_tg, amount_off_cents=500, currency="USD")
    assert admin_tg.coupons.get(other)["amount_off_cents"] == 500
    assert {made["id"], other} <= {x["id"] for x in admin_tg.coupons.list(limit=1)}
    with pytest.raises(TypeError):
        admin_tg.coupons.create(id="PYFLOAT", name="x", percent_off=12.5)  # type: ignore[arg-type]

    assert admin_tg.coupons.delete(other) == {"id": other, "deleted": True}
    with pytest.raises(tollgate.NotFound):
        admin_tg.coupons.get(other)


def test_a_coupons_currency_options_are_sent_and_read_back_on_the_coupon_its_codes_and_its_discounts(
        tg: tollgate.Tollgate, admin_tg: tollgate.Tollgate, server: Server, customer: str) -> None:
    cid = f"PY{uuid.uuid4().hex[:8].upper()}"
    made = admin_tg.coupons.create(id=cid, name="Five off", amount_off_cents=500, currency="USD", duration="forever",
                                   currency_options={"EUR": {"amount_off_cents": 400}})
    assert made["currency_options"] == {"EUR": {"amount_off_cents": 400}}
    assert admin_tg.coupons.get(cid)["currency_options"] == {"EUR": {"amount_off_cents": 400}}
    assert admin_tg.promotion_codes.create(code=f"{cid}-EUR", coupon=cid)["coupon"]["currency_options"] == {"EUR": {"amount_off_cents": 400}}
    sub = tg.subscriptions.create(customer=customer, plan="pro", coupon=cid)
    assert sub["discount"] is not None and sub["discount"]["coupon"]["currency_options"] == {"EUR": {"amount_off_cents": 400}}
    assert admin_tg.coupons.get(_coupon(admin_tg, percent_off=10))["currency_options"] is None  # a percentage has none

    async def run() -> None:
        async with tollgate.AsyncTollgate(api_key=server.admin_key, base_url=server.url) as a:
            other = await a.coupons.create(id=f"{cid}A", name="Nine off", amount_off_cents=900, currency="USD",
                                           currency_options={"gbp": {"amount_off_cents": 800}})
            assert other["currency_options"] == {"GBP": {"amount_off_cents": 800}}  # kept in capitals

    asyncio.run(run())


def test_promotion_codes_discount_subscriptions_and_a_bad_code_is_a_typed_error(tg: tollgate.Tollgate, admin_tg: tollgate.Tollgate,
                                                                                customer: str) -> None:
    coupon = _coupon(admin_tg, percent_off=20, duration="forever")
    codes = [admin_tg.promotion_codes.create(code=f"{coupon}-{i}", coupon=coupon) for i in range(3)]
    assert codes[0]["coupon"]["id"] == coupon and codes[0]["active"] is True
    assert admin_tg.promotion_codes.get(codes[1]["id"])["code"] == codes[1]["code"]
    assert [p["id"] for p in admin_tg.promotion_codes.list(coupon=coupon, limit=2)] == sorted(p["id"] for p in codes)

    sub = tg.subscriptions.create(customer=customer, plan="pro", promotion_code=codes[0]["code"].lower())
    discount = tg.subscriptions.get_discount(sub["id"])
    assert discount["coupon"]["id"] == coupon and discount["promotion_code"] == codes[0]["id"]
    assert sub["discount"] == discount and tg.subscriptions.get(sub["id"])["discount"] == discount
    preview = tg.subscriptions.preview(sub["id"], plan="team", effective="immediate", coupon=coupon)
    assert preview["subscription"]["plan"] == "team"
    # The coupon's 20 % of the proration lines, already taken from amount_cents.
    assert preview["discount_cents"] == sum(line["discount_cents"] for line in preview["lines"]) > 0
    assert tg.subscriptions.remove_discount(sub["id"])["deleted"] is True
    with pytest.raises(tollgate.NotFound):
        tg.subscriptions.get_discount(sub["id"])
    assert tg.subscriptions.apply_discount(sub["id"], coupon=coupon)["promotion_code"] is None

    assert admin_tg.promotion_codes.deactivate(codes[2]["id"])["active"] is False
    with pytest.raises(tollgate.PromotionCodeInvalid) as e:
        tg.subscriptions.apply_discount(sub["id"], promotion_code=codes[2]["code"])
    assert (e.value.status, e.value.reason, e.value.field) == (400, "inactive", "promotion_code")
    with pytest.raises(tollgate.PromotionCodeInvalid) as unknown:
        tg.subscriptions.change(sub["id"], plan="team", promotion_code="NO-SUCH-CODE")
    assert unknown.value.reason == "unknown" and tg.subscriptions.get(sub["id"])["plan"] == "pro"


def test_credit_grants_add_units_are_listed_across_pages_and_voided(tg: tollgate.Tollgate, customer: str) -> None:
    grants = [tg.grants.create(customer, feature="cv_generate", amount=10 * (i + 1), reason=f"goodwill {i}") for i in range(3)]
    assert (grants[0]["amount"], grants[0]["remaining"], grants[0]["status"]) == (10, 10, "active")
    assert [g["id"] for g in tg.grants.list(customer, limit=2)] == [g["id"] for g in reversed(grants)]
    assert tg.grants.get(customer, grants[1]["id"])["reason"] == "goodwill 1"

    voided = tg.grants.void(customer, grants[2]["id"])
    assert voided["status"] == "voided" and voided["voided_at"] is not None
    with pytest.raises(tollgate.NotFound):
        tg.grants.get(customer, "grant_missing")


def test_a_grant_repeated_with_its_idempotency_key_answers_the_first_and_other_fields_under_it_are_a_mismatch(
        tg: tollgate.Tollgate, customer: str) -> None:
    key = f"goodwill-{uuid.uuid4().hex}"
    grant = tg.grants.create(customer, feature="cv_generate", amount=20, reason="outage", idempotency_key=key)
    again = tg.grants.create(customer, feature="cv_generate", amount=20, reason="outage", idempotency_key=key)
    assert again == grant
    with pytest.raises(tollgate.IdempotencyMismatch):
        tg.grants.create(customer, feature="cv_generate", amount=30, reason="outage", idempotency_key=key)
    other = tg.grants.create(customer, feature="cv_generate", amount=20, reason="outage")  # a key of its own: a new grant
    assert sorted(g["id"] for g in tg.grants.list(customer)) == sorted([grant["id"], other["id"]])


def test_an_llm_budget_grant_in_usd_is_read_back_exactly_in_the_budget(tg: tollgate.Tollgate, customer: str) -> None:
    grant = tg.grants.create(customer, feature="$llm_budget", amount_usd=Decimal("2.50"), reason="model outage")
    by_text = tg.grants.create(customer, feature="$llm_budget", amount_usd="0.000000001")
    assert (grant["feature"], grant["amount"], grant["remaining"]) == ("$llm_budget", 2_500_000_000, 2_500_000_000)
    assert by_text["amount"] == 1
    budget = tg.llm.get_budget(customer)
    assert budget["granted_remaining_usd"] == Decimal("2.500000001")
    with pytest.raises(TypeError):
        tg.grants.create(customer, feature="$llm_budget", amount_usd=2.5)  # type: ignore[arg-type]

def test_packs_are_listed_and_a_sale_repeated_with_its_idempotency_key_sells_once(tg: tollgate.Tollgate, customer: str) -> None:
    packs = list(tg.packs.list(limit=1))
    assert [(p["code"], p["price_cents"], p["currency"]) for p in packs] == [("cv_100", 900, "USD"), ("cv_1000", 7900, "USD")]
    key = f"order-{uuid.uuid4().hex}"

    sale = tg.packs.sell(customer, pack="cv_100", paid=True, idempotency_key=key)
    again = tg.packs.sell(customer, pack="cv_100", paid=True, idempotency_key=key)
    assert (sale["grant"]["pack"], sale["grant"]["amount"], sale["invoice"]["status"]) == ("cv_100", 100, "paid")  # type: ignore[index]
    assert (again["grant"]["id"], again["invoice"]["id"]) == (sale["grant"]["id"], sale["invoice"]["id"])  # type: ignore[index]
    with pytest.raises(tollgate.IdempotencyMismatch) as reused:
        tg.packs.sell(customer, pack="cv_1000", idempotency_key=key)
    assert reused.value.error == "idempotency_mismatch"
    with pytest.raises(tollgate.BadRequest):
        tg.packs.sell(customer, pack="no_such_pack")

    open_sale = tg.packs.sell(customer, pack="cv_1000")
    assert open_sale["invoice"]["status"] == "open"  # type: ignore[index]
    assert sorted(g["id"] for g in tg.grants.list(customer)) == sorted([sale["grant"]["id"], open_sale["grant"]["id"]])
    # The customer's consume now runs past the free plan's 5 into the pack's units.
    assert tg.entitlements.consume(customer=customer, feature="cv_generate", amount=50)["allowed"] is True


def test_the_async_client_lists_packs_and_sells_one(server: Server, customer: str) -> None:
    async def run() -> tuple[list[str], int]:
        async with tollgate.AsyncTollgate(api_key=server.secret_key, base_url=server.url) as atg:
            codes = [p["code"] async for p in atg.packs.list()]
            sale = await atg.packs.sell(customer, pack="cv_100")
        return codes, sale["grant"]["remaining"]

    assert asyncio.run(run()) == (["cv_100", "cv_1000"], 100)


def test_credit_notes_lower_an_open_invoice_give_credit_on_a_paid_one_and_list_back(tg: tollgate.Tollgate, customer: str) -> None:
    open_invoice = tg.packs.sell(customer, pack="cv_1000")["invoice"]
    paid_invoice = tg.packs.sell(customer, pack="cv_100", paid=True)["invoice"]
    assert open_invoice is not None and paid_invoice is not None
    line = open_invoice["lines"][0]["id"]

    note = tg.credit_notes.create(open_invoice["id"], reason="order_change", lines=[{"invoice_line_id": line, "amount_cents": 900}],
                                  idempotency_key=f"cn-{uuid.uuid4().hex}")
    credit = tg.credit_notes.create(paid_invoice["number"], reason="duplicate", amount_cents=400, memo="Twice")
    with pytest.raises(tollgate.CreditExceedsInvoice) as exceeded:
        tg.credit_notes.create(paid_invoice["id"], reason="other", amount_cents=501)
    with pytest.raises(tollgate.ValidationFailed) as bad:
        tg.credit_notes.create(paid_invoice["id"], reason="mistake", amount_cents=1)

    assert (note["type"], note["pre_payment_amount_cents"], note["lines"][0]["invoice_line_id"]) == ("pre_payment", 900, line)
    assert tg.invoices.get(open_invoice["id"])["amount_due_cents"] == 7000
    assert (credit["type"], credit["credit_balance_cents"], credit["memo"]) == ("post_payment", 400, "Twice")
    assert exceeded.value.remaining_cents == 500
    assert "reason" in bad.value.problem["errors"]
    assert sorted(n["id"] for n in tg.credit_notes.list(customer=customer, limit=1)) == sorted([note["id"], credit["id"]])
    assert [n["id"] for n in tg.credit_notes.list(invoice=open_invoice["id"])] == [note["id"]]
    assert tg.credit_notes.get(credit["number"])["id"] == credit["id"]


def test_the_async_client_issues_and_reads_a_credit_note(server: Server, customer: str) -> None:
    async def run() -> tuple[int, str]:
        async with tollgate.AsyncTollgate(api_key=server.secret_key, base_url=server.url) as atg:
            sale = await atg.packs.sell(customer, pack="cv_100")
            assert sale["invoice"] is not None
            note = await atg.credit_notes.create(sale["invoice"]["id"], reason="other", amount_cents=100)
            read = await atg.credit_notes.get(note["id"])
            listed = [n["id"] async for n in atg.credit_notes.list(invoice=sale["invoice"]["id"])]
        return read["amount_cents"], listed[0]

    amount, listed = asyncio.run(run())
    assert amount == 100 and listed.startswith("cn_")


def test_tax_rates_are_created_listed_set_on_a_customer_and_tax_its_invoices(tg: tollgate.Tollgate, admin_tg: tollgate.Tollgate,
                                                                            customer: str) -> None:
    # No country: the rate applies only where it is set on a customer, so it taxes no other test's invoices.
    rid = f"py_vat_{uuid.uuid4().hex[:8]}"
    rate = admin_tg.tax_rates.create(id=rid, name="VAT", percentage=Decimal("20"), inclusive=False)
    assert (rate["percentage"], rate["inclusive"], rate["active"]) == (20, False, True)
    assert admin_tg.tax_rates.get(rid)["name"] == "VAT"
    assert rid in {r["id"] for r in admin_tg.tax_rates.list(limit=1)}
    with pytest.raises(TypeError):
        admin_tg.tax_rates.create(id="PYFLOAT", name="x", percentage=20.5, inclusive=False)  # type: ignore[arg-type]

    assert tg.customers.upsert(customer, tax_rates=[rid])["tax_rates"] == [rid]
    invoice = tg.packs.sell(customer, pack="cv_100")["invoice"]
    assert invoice is not None
    tax = (invoice["subtotal_cents"] * 20 + 50) // 100
    assert (invoice["tax_cents"], invoice["total_cents"], invoice["amount_due_cents"]) == (tax, invoice["subtotal_cents"] + tax,
                                                                                           invoice["subtotal_cents"] + tax)
    assert invoice["lines"][0]["tax_amounts"][0]["tax_rate"] == rid
    assert invoice["tax_breakdown"][0]["amount_cents"] == tax and invoice["reverse_charge"] is False
    assert admin_tg.tax_rates.deactivate(rid)["active"] is False


@pytest.mark.parametrize("member", [".", "..", ""])  # "" named the collection: PUT v1/customers/ answered 405
def test_an_id_of_dots_is_refused_before_anything_is_sent_so_it_cannot_name_another_route(member: str) -> None:
    # httpx resolves ".." away: DELETE v1/customers/acme/members/.. left as DELETE v1/customers/acme/ (a trial, stop 60).
    with tollgate.Tollgate(api_key="tg_sk_unused", base_url="http://127.0.0.1:9", max_retries=0) as tg:
        with pytest.raises(ValueError):
            tg.members.delete("acme", member)
        with pytest.raises(ValueError):
            tg.customers.get(member)
