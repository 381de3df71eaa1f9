"""Organisation members, seats, offer links, and the async client's new methods, against the real server."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

import tollgate
from conftest import Server


def test_members_take_seats_and_a_full_organisation_raises_seats_exhausted(tg: tollgate.Tollgate, customer: str) -> None:
    sub = tg.subscriptions.create(customer=customer, plan="seats")
    assert sub["seats"] == 1
    first = tg.members.upsert(customer, f"{customer}-m0", email="m0@example.com", role="owner")
    assert (first["customer"], first["role"]) == (customer, "owner")
    with pytest.raises(tollgate.SeatsExhausted) as e:
        tg.members.upsert(customer, f"{customer}-m1")
    assert (e.value.status, e.value.customer, e.value.seats) == (402, customer, 1)

    changed = tg.subscriptions.change_seats(sub["id"], seats=3)
    assert changed["subscription"]["seats"] == 3 and changed["effective"] == "immediate"
    for i in (1, 2):
        tg.members.upsert(customer, f"{customer}-m{i}", name=f"Member {i}")
    assert [m["id"] for m in tg.members.list(customer, limit=2)] == [f"{customer}-m{i}" for i in range(3)]
    assert tg.members.upsert(customer, f"{customer}-m1", role="admin")["role"] == "admin"

    decision = tg.entitlements.consume(customer=f"{customer}-m1", feature="cv_generate")
    assert (decision["customer"], decision["member"]) == (customer, f"{customer}-m1")
    tg.members.delete(customer, f"{customer}-m2")
    assert len(list(tg.members.list(customer))) == 2
    with pytest.raises(tollgate.NotFound):
        tg.members.delete(customer, f"{customer}-m2")


def test_an_offer_link_is_a_signed_url_for_the_plan(admin_tg: tollgate.Tollgate, customer: str) -> None:
    expires = (datetime.now(timezone.utc) + timedelta(days=7)).replace(microsecond=0)
    link = admin_tg.offer_links.create("pro", expires_at=expires, customer=customer, billing_period="yearly")
    assert "/offer?token=" in link["url"] and (link["plan"], link["customer"]) == ("pro", customer)
    assert datetime.fromisoformat(link["expires_at"].replace("Z", "+00:00")) == expires
    with pytest.raises(tollgate.NotFound):
        admin_tg.offer_links.create("no-such-plan", expires_at=expires)


def test_the_async_client_has_every_new_method(server: Server, customer: str) -> None:
    async def run() -> None:
        async with tollgate.AsyncTollgate(api_key=server.secret_key, base_url=server.url) as atg, \
                tollgate.AsyncTollgate(api_key=server.admin_key, base_url=server.url) as admin:
            sub = await atg.subscriptions.create(customer=customer, plan="seats", seats=2)
            assert [c["id"] async for c in atg.customers.list(query=customer)] == [customer]
            assert [s["id"] async for s in atg.subscriptions.list(customer=customer)] == [sub["id"]]
            assert len(await atg.invoices.list(customer=customer).to_list()) == 1
            await atg.members.upsert(customer, f"{customer}-a", email="a@example.com")
            await atg.members.upsert(customer, f"{customer}-b")
            with pytest.raises(tollgate.SeatsExhausted):
                await atg.members.upsert(customer, f"{customer}-c")
            assert len(await atg.members.list(customer, limit=1).to_list()) == 2
            await atg.members.delete(customer, f"{customer}-b")
            assert (await atg.subscriptions.change_seats(sub["id"], seats=1, effective="period_end"))["subscription"]["pending_seats"] == 1

            await atg.entitlements.consume(customer=f"{customer}-a", feature="cv_generate", amount=3)
            await atg.events.track([{"customer": customer, "feature": "chat_messages"}])
            await atg.llm.log_usage(customer=customer, model="gpt-4o-mini", input_tokens=5, output_tokens=1)
            assert len(await atg.events.list(customer=customer).to_list()) == 1
            assert len(await atg.llm.list_calls(customer=customer).to_list()) == 1
            assert (await atg.usage.get(customer, at="2020-01-01T00:00:00Z"))["features"]["cv_generate"]["used"] == 0
            assert (await atg.usage.history(customer, feature="cv_generate"))["features"]["cv_generate"][-1]["quantity"] == 3
            assert (await admin.usage.daily(feature="cv_generate"))["features"]["cv_generate"][-1]["customers"] >= 1

            coupon = f"PYA{customer[-8:].upper()}"
            assert (await admin.coupons.create(id=coupon, name="Async", percent_off="10"))["percent_off"] == 10
            assert (await admin.coupons.get(coupon))["id"] == coupon
            assert coupon in [c["id"] async for c in admin.coupons.list()]
            code = await admin.promotion_codes.create(code=f"{coupon}-X", coupon=coupon, max_redemptions=1)
            assert (await admin.promotion_codes.get(code["code"]))["id"] == code["id"]
            assert [p["id"] async for p in admin.promotion_codes.list(coupon=coupon)] == [code["id"]]
            assert (await atg.subscriptions.apply_discount(sub["id"], promotion_code=code["code"]))["coupon"]["id"] == coupon
            assert (await atg.subscriptions.get_discount(sub["id"]))["promotion_code"] == code["id"]
            assert (await atg.subscriptions.remove_discount(sub["id"]))["deleted"] is True
            with pytest.raises(tollgate.PromotionCodeInvalid) as e:
                await atg.subscriptions.apply_discount(sub["id"], promotion_code=code["code"])
            assert e.value.reason == "used_up"
            assert (await admin.promotion_codes.deactivate(code["id"]))["active"] is False
            assert (await admin.coupons.delete(coupon))["deleted"] is True

            grant = await atg.grants.create(customer, feature="cv_generate", amount=5)
            assert [g["id"] async for g in atg.grants.list(customer)] == [grant["id"]]
            assert (await atg.grants.get(customer, grant["id"]))["remaining"] == 5
            assert (await atg.grants.void(customer, grant["id"]))["status"] == "voided"
            link = await admin.offer_links.create("seats", expires_at=datetime.now(timezone.utc) + timedelta(hours=1))
            assert link["customer"] is None

            assert (await atg.customers.export(customer))["customer"]["id"] == customer
            assert (await atg.customers.delete(customer, prorate=True))["canceled_subscription"] == sub["id"]
            with pytest.raises(tollgate.NotFound):
                await atg.customers.get(customer)
            other = await atg.customers.upsert(f"{customer}-o")
            unseated = await atg.subscriptions.create(customer=other["id"], plan="pro")
            with pytest.raises(tollgate.NotPerSeat):
                await atg.subscriptions.change_seats(unseated["id"], seats=2)

    asyncio.run(run())


def test_a_members_consume_is_listed_with_the_member_and_the_event_list_filters_by_member(tg: tollgate.Tollgate, customer: str) -> None:
    member = f"{customer}-dev"
    tg.members.upsert(customer, member, email="dev@example.com")
    tg.entitlements.consume(customer=member, feature="cv_generate", metadata={"endpoint": "/v1/cv"})
    tg.entitlements.consume(customer=customer, feature="cv_generate", metadata={"endpoint": "/v1/cv"})

    events = list(tg.events.list(customer=customer))
    assert sorted(((e["source"], e["member"] or "") for e in events)) == [("consume", ""), ("consume", member)]
    assert all(e["customer"] == customer and e["metadata"] == {"endpoint": "/v1/cv"} for e in events)
    assert [(e["customer"], e["member"]) for e in tg.events.list(member=member)] == [(customer, member)]


def test_a_visitor_who_saw_a_price_experiment_subscribes_at_its_price_and_is_its_conversion(
        admin_tg: tollgate.Tollgate, tg: tollgate.Tollgate, customer: str) -> None:
    with pytest.raises(tollgate.ValidationFailed) as refused:
        admin_tg.experiments.create(name="bad", variants=[{"key": "control", "weight": 1},
                                                          {"key": "b", "weight": 0, "prices": [{"plan": "nope", "billing_period": "monthly", "price_cents": 1}]}])
    assert {"variants[1].weight", "variants[1].prices[0].plan"} <= set(refused.value.errors)
    created = admin_tg.experiments.create(name=f"Pro at $24.99 ({customer})", variants=[
        {"key": "control", "weight": 1},
        {"key": "cheaper", "weight": 1, "prices": [{"plan": "pro", "billing_period": "monthly", "price_cents": 2499}]}])
    experiment = created["id"]
    assert admin_tg.experiments.start(experiment)["status"] == "running"
    try:
        # Assignment hashes (experiment, visitor), so the first visitor in "cheaper" differs per run; half land there.
        for i in range(64):
            visitor = f"{customer}-v{i}"
            pro = next(p for p in tg.pricing.plans(visitor=visitor) if p["code"] == "pro")
            if pro["experiment"] == {"id": experiment, "variant": "cheaper"}:
                break
        assert [p["price_cents"] for p in pro["prices"] if p["billing_period"] == "monthly"] == [2499]

        sub = tg.subscriptions.create(customer=customer, plan="pro", visitor_id=visitor)
        results = admin_tg.experiments.results(experiment)
    finally:
        stopped = admin_tg.experiments.stop(experiment)

    assert (stopped["status"], admin_tg.experiments.get(experiment)["status"]) == ("stopped", "stopped")
    assert experiment in [e["id"] for e in admin_tg.experiments.list()]
    assert sub["price_override_cents"] == 2499
    cheaper = next(v for v in results["variants"] if v["variant"] == "cheaper")
    assert (cheaper["visitors"], cheaper["conversions"], cheaper["mrr_cents"]) == (1, 1, 2499)


def test_a_customers_sessions_are_revoked_at_once_and_a_pack_checkout_and_a_notes_refund_reach_their_endpoints(
        tg: tollgate.Tollgate, customer: str) -> None:
    tg.customers.create_session(customer)
    tg.customers.create_session(customer)
    assert tg.customers.revoke_sessions(customer) == {"revoked": 2}
    assert tg.customers.revoke_sessions(customer) == {"revoked": 0}
    # No Stripe on the test server: the pack checkout is refused as such, not as a missing route.
    with pytest.raises(tollgate.TollgateError) as checkout:
        tg.packs.create_checkout_session(customer, pack="cv_100", success_url="https://app.example.com/ok", cancel_url="https://app.example.com/no")
    assert checkout.value.error == "payments_not_configured"
    invoice = tg.packs.sell(customer, pack="cv_100")["invoice"]
    note = tg.credit_notes.create(invoice["id"], amount_cents=100, reason="other")
    with pytest.raises(tollgate.Conflict) as refund:
        tg.credit_notes.refund(note["id"])
    assert refund.value.error == "no_refund"
