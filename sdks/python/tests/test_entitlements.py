"""The decision through the SDK against a real server: what a caller sees, granted and refused."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import tollgate


def test_upsert_creates_then_updates_and_get_reads_the_customer(tg: tollgate.Tollgate) -> None:
    created = tg.customers.upsert("py-upsert-" + datetime.now(timezone.utc).strftime("%H%M%S%f"), email="a@example.com",
                                  metadata={"team": "growth"})
    updated = tg.customers.upsert(created["id"], name="Ada")
    assert updated["email"] == "a@example.com" and updated["name"] == "Ada" and updated["metadata"] == {"team": "growth"}
    assert tg.customers.get(created["id"])["name"] == "Ada"


def test_an_unknown_customer_is_not_found_naming_the_resource(tg: tollgate.Tollgate) -> None:
    with pytest.raises(tollgate.NotFound) as e:
        tg.customers.get("py-nobody")
    assert e.value.status == 404 and e.value.error == "not_found" and e.value.resource == "customer"
    with pytest.raises(tollgate.NotFound) as e2:
        tg.entitlements.consume(customer="py-nobody", feature="cv_generate")
    assert e2.value.resource == "customer"


def test_consume_counts_and_past_the_hard_cap_raises_quota_exceeded_with_the_quota_fields(tg: tollgate.Tollgate, customer: str) -> None:
    first = tg.entitlements.consume(customer=customer, feature="cv_generate", amount=4)
    assert first["allowed"] and first["used"] == 4 and first["remaining"] == 1 and first["reason"] == "within_quota"
    with pytest.raises(tollgate.QuotaExceeded) as e:
        tg.entitlements.consume(customer=customer, feature="cv_generate", amount=2)
    denied = e.value
    assert (denied.status, denied.error, denied.feature, denied.plan) == (429, "quota_exceeded", "cv_generate", "free")
    assert (denied.limit, denied.used, denied.remaining) == (5, 4, 1)
    assert denied.resets_at is not None and denied.resets_at > datetime.now(timezone.utc)
    assert denied.retry_after is not None and denied.retry_after > 0
    assert denied.upgrade_url == "/pricing"
    assert tg.usage.get(customer)["features"]["cv_generate"]["used"] == 4


def test_a_quota_of_zero_raises_feature_not_in_plan(tg: tollgate.Tollgate, customer: str) -> None:
    with pytest.raises(tollgate.FeatureNotInPlan) as e:
        tg.entitlements.consume(customer=customer, feature="exports")
    assert e.value.status == 402 and e.value.feature == "exports"


def test_check_counts_nothing_and_a_value_feature_answers_its_value(tg: tollgate.Tollgate, customer: str) -> None:
    assert tg.entitlements.check(customer=customer, feature="cv_generate", amount=5)["allowed"]
    assert tg.entitlements.check(customer=customer, feature="data_retention_days")["value"] == 30
    assert tg.usage.get(customer)["features"]["cv_generate"]["used"] == 0
    with pytest.raises(tollgate.FeatureNotConsumable):
        tg.entitlements.consume(customer=customer, feature="data_retention_days")


def test_bad_input_raises_validation_failed_naming_the_field(tg: tollgate.Tollgate, customer: str) -> None:
    with pytest.raises(tollgate.ValidationFailed) as e:
        tg.entitlements.consume(customer=customer, feature="cv_generate", amount=0)
    assert "amount" in e.value.errors


def test_a_reservation_commits_the_units_used_and_a_release_gives_them_back(tg: tollgate.Tollgate, customer: str) -> None:
    held = tg.entitlements.reserve(customer=customer, feature="cv_generate", amount=3)
    assert held.id and held.entitlement["reserved"] == 3
    assert held.commit(2)["used"] == 2
    second = tg.entitlements.reserve(customer=customer, feature="cv_generate", amount=2)
    assert second.release()["reserved"] == 0
    with pytest.raises(tollgate.ReservationNotHeld):
        tg.entitlements.commit(second.id or "", amount=1)
    usage = tg.usage.get(customer)["features"]["cv_generate"]
    assert {k: v for k, v in usage.items() if k not in ("window_start", "resets_at", "granted_remaining")} == {
        "limit": 5, "used": 2, "remaining": 3, "unlimited": False, "hard_cap": True, "overage": 0, "reserved": 0}
    assert not usage.get("granted_remaining")  # no credit grants
    assert usage["window_start"] < usage["resets_at"]


def test_the_same_idempotency_key_counts_once_and_a_different_request_with_it_is_a_mismatch(tg: tollgate.Tollgate, customer: str) -> None:
    a = tg.entitlements.consume(customer=customer, feature="cv_generate", idempotency_key="k-1")
    b = tg.entitlements.consume(customer=customer, feature="cv_generate", idempotency_key="k-1")
    assert a == b and b["used"] == 1
    with pytest.raises(tollgate.IdempotencyMismatch):
        tg.entitlements.consume(customer=customer, feature="cv_generate", amount=2, idempotency_key="k-1")


def test_entitlements_list_every_feature_of_the_plan(tg: tollgate.Tollgate, customer: str) -> None:
    answer = tg.entitlements.get(customer)
    by_code = {f["feature"]: f for f in answer["features"]}
    assert answer["plan"] == "free" and by_code["job_tracking"]["access"] is False and by_code["cv_generate"]["limit"] == 5


def test_events_count_once_per_id_and_one_bad_event_rejects_only_itself(tg: tollgate.Tollgate, customer: str) -> None:
    batch = [{"id": "e1", "customer": customer, "feature": "chat_messages", "amount": 3},
             {"customer": customer, "feature": "chat_messages"},
             {"id": "e3", "customer": customer, "feature": "no_such_feature"}]
    first = tg.events.track(batch)
    assert first["accepted"] == 2 and [r["index"] for r in first["rejected"]] == [2]
    again = tg.events.track([batch[0]])
    assert again["accepted"] == 0 and again["duplicates"] == ["e1"]
    assert tg.usage.get(customer)["features"]["chat_messages"]["used"] == 4


def test_a_wrong_key_raises_authentication_error(server: object) -> None:
    with tollgate.Tollgate(api_key="tg_sk_wrong", base_url=server.url) as bad:  # type: ignore[attr-defined]
        with pytest.raises(tollgate.AuthenticationError) as e:
            bad.customers.get("anyone")
    assert e.value.status == 401 and e.value.error == "invalid_api_key"


def test_without_a_key_the_public_pricing_reads_work_and_every_other_call_raises_authentication_error(
        server: object, monkeypatch: pytest.MonkeyPatch) -> None:
    # As the TypeScript client: no key is no error at construction, so a pricing page needs no secret.
    monkeypatch.delenv("TOLLGATE_API_KEY", raising=False)
    with tollgate.Tollgate(api_key="", base_url=server.url) as keyless:  # type: ignore[attr-defined]
        assert "pro" in [p["code"] for p in keyless.pricing.plans()]
        with pytest.raises(tollgate.AuthenticationError) as e:
            keyless.customers.get("anyone")
    assert e.value.status == 401
    with tollgate.Tollgate(base_url=server.url) as from_env:  # type: ignore[attr-defined]
        assert from_env.pricing.plan("pro")["code"] == "pro"


def test_track_sends_events_with_properties_one_or_a_batch_and_a_resent_id_counts_once(tg: tollgate.Tollgate, customer: str) -> None:
    one = tg.events.track(customer, "llm_call", {"model": "gpt-4o", "tokens": 1000}, id=f"{customer}-t1")
    batch = tg.events.track([{"customer": customer, "event": "llm_call", "properties": {"model": "gpt-4o", "tokens": 500}},
                             {"customer": customer, "event": "llm_call", "properties": {"model": "mini", "tokens": 200}},
                             {"id": f"{customer}-t1", "customer": customer, "event": "llm_call", "properties": {"model": "gpt-4o", "tokens": 1000}}])
    usage = tg.usage.get(customer)["features"]["ai_tokens"]
    assert (one["accepted"], batch["accepted"], batch["duplicates"]) == (1, 2, [f"{customer}-t1"])
    assert usage["used"] == 1700
    assert sorted((g["group"]["model"], g["used"]) for g in usage.get("groups", [])) == [("gpt-4o", 1500), ("mini", 200)]


def test_a_malformed_property_event_raises_validation_failed_naming_its_path(tg: tollgate.Tollgate, customer: str) -> None:
    with pytest.raises(tollgate.ValidationFailed) as e:
        tg.events.track(customer, "llm_call", {"model": "gpt-4o", "tokens": 1.5})
    assert "events[0].properties.tokens" in e.value.errors
