"""Rate limits, quota windows, usage metadata and cancel feedback, against the real server (the catalog's ``limited`` plan:
chat_messages at most 2 requests an hour, exports a lifetime allowance of 3)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

import tollgate
from conftest import Server


@pytest.fixture
def limited(tg: tollgate.Tollgate, customer: str) -> str:
    tg.subscriptions.create(customer=customer, plan="limited")
    return customer


def rate_limited(tg: tollgate.Tollgate, customer: str) -> tollgate.RateLimited:
    """Consumes until the rate limit refuses: 2 an hour, a few more tries in case the test straddles the hour."""
    for _ in range(6):
        try:
            tg.entitlements.consume(customer=customer, feature="chat_messages")
        except tollgate.RateLimited as e:
            return e
    raise AssertionError("six consumes in a row were never rate limited")


def test_past_a_rate_limit_consume_raises_rate_limited_with_the_windows_fields(server: Server, limited: str) -> None:
    with tollgate.Tollgate(api_key=server.secret_key, base_url=server.url, max_retries=0) as tg:
        denied = rate_limited(tg, limited)
    assert isinstance(denied, tollgate.EntitlementDenied) and not isinstance(denied, tollgate.QuotaExceeded)
    assert (denied.status, denied.error, denied.feature, denied.plan) == (429, "rate_limited", "chat_messages", "limited")
    assert (denied.limit, denied.remaining, denied.upgrade_url) == (2, 0, "/pricing")
    assert (denied.per, denied.scope, denied.used) == ("hour", "feature", None)  # as in TypeScript and .NET
    assert denied.reset_at is not None and denied.reset_at > datetime.now(timezone.utc)
    assert denied.retry_after is not None and 1 <= denied.retry_after <= 3600
    assert denied.headers["ratelimit-limit"] == "2" and denied.headers["ratelimit-remaining"] == "0"


def test_a_rate_limit_refusal_counts_nothing_against_the_quota(server: Server, tg: tollgate.Tollgate, limited: str) -> None:
    with tollgate.Tollgate(api_key=server.secret_key, base_url=server.url, max_retries=0) as fast:
        rate_limited(fast, limited)
    used = tg.usage.get(limited)["features"]["chat_messages"]["used"]
    assert 2 <= used <= 4  # the granted ones only (more than 2 only when the hour turned mid-test)


def test_an_async_client_raises_rate_limited_too(server: Server, limited: str) -> None:
    async def run() -> tollgate.RateLimited:
        async with tollgate.AsyncTollgate(api_key=server.secret_key, base_url=server.url, max_retries=0) as atg:
            for _ in range(6):
                try:
                    await atg.entitlements.reserve(customer=limited, feature="chat_messages")
                except tollgate.RateLimited as e:
                    return e
        raise AssertionError("never rate limited")

    assert asyncio.run(run()).reset_at is not None


def test_decisions_usage_and_entitlements_carry_the_quotas_own_window(tg: tollgate.Tollgate, limited: str) -> None:
    monthly = tg.entitlements.consume(customer=limited, feature="chat_messages")
    assert monthly["window_start"] is not None and monthly["resets_at"] is not None
    lifetime = tg.entitlements.consume(customer=limited, feature="exports")
    assert lifetime["window_start"] is not None and lifetime["resets_at"] is None  # reset: never

    usage = tg.usage.get(limited)["features"]
    assert usage["chat_messages"]["resets_at"] == monthly["resets_at"]
    assert usage["chat_messages"]["window_start"] == monthly["window_start"]
    assert usage["exports"]["resets_at"] is None and usage["exports"]["used"] == 1

    features = {f["feature"]: f for f in tg.entitlements.get(limited)["features"]}
    assert features["chat_messages"]["resets_at"] == monthly["resets_at"]
    assert features["exports"]["window_start"] is not None and features["exports"]["resets_at"] is None


def test_metadata_on_consume_reserve_and_track_is_kept_on_the_usage_records(tg: tollgate.Tollgate, customer: str) -> None:
    tg.entitlements.consume(customer=customer, feature="chat_messages", metadata={"endpoint": "/chat"})
    tg.entitlements.reserve(customer=customer, feature="chat_messages", amount=2, metadata={"endpoint": "/bulk"}).commit()
    tg.events.track([{"customer": customer, "feature": "chat_messages", "amount": 3, "metadata": {"endpoint": "/import"}}])
    records = {e["source"]: e for e in tg.events.list(customer=customer)}
    assert records["consume"]["metadata"] == {"endpoint": "/chat"}
    assert (records["reservation"]["metadata"], records["reservation"]["amount"]) == ({"endpoint": "/bulk"}, 2)
    assert records["event"]["metadata"] == {"endpoint": "/import"}


def test_too_much_metadata_raises_validation_failed_naming_it_and_counts_nothing(tg: tollgate.Tollgate, customer: str) -> None:
    with pytest.raises(tollgate.ValidationFailed) as e:
        tg.entitlements.consume(customer=customer, feature="chat_messages", metadata={f"k{i}": "v" for i in range(21)})
    assert "metadata" in e.value.errors
    assert tg.usage.get(customer)["features"]["chat_messages"]["used"] == 0


def test_cancel_keeps_the_reason_and_comment_and_undo_clears_them(tg: tollgate.Tollgate, customer: str) -> None:
    sub = tg.subscriptions.create(customer=customer, plan="pro")
    canceled = tg.subscriptions.cancel(sub["id"], reason="too_expensive", comment="Cheaper elsewhere")["subscription"]
    assert (canceled["cancel_reason"], canceled["cancel_comment"]) == ("too_expensive", "Cheaper elsewhere")
    assert tg.subscriptions.get(sub["id"])["cancel_reason"] == "too_expensive"
    undone = tg.subscriptions.undo_cancel(sub["id"])
    assert (undone["cancel_reason"], undone["cancel_comment"]) == (None, None)


def test_an_unknown_cancel_reason_raises_validation_failed_and_cancels_nothing(server: Server, tg: tollgate.Tollgate,
                                                                                 customer: str) -> None:
    sub = tg.subscriptions.create(customer=customer, plan="pro")

    async def run() -> None:
        async with tollgate.AsyncTollgate(api_key=server.secret_key, base_url=server.url) as atg:
            with pytest.raises(tollgate.ValidationFailed) as e:
                await atg.subscriptions.cancel(sub["id"], reason="bored", comment="x")  # type: ignore[arg-type]
            assert "reason" in e.value.errors
            with pytest.raises(tollgate.ValidationFailed) as e:
                await atg.subscriptions.cancel(sub["id"], reason="other", comment="x" * 1001)
            assert "comment" in e.value.errors

    asyncio.run(run())
    assert tg.subscriptions.get(sub["id"])["cancel_at_period_end"] is False
    kept = tg.subscriptions.cancel(sub["id"], reason="other", comment="Moving on")["subscription"]
    assert (kept["cancel_at_period_end"], kept["cancel_reason"], kept["cancel_comment"]) == (True, "other", "Moving on")
