"""The asyncio client's discounts, credit grants, members and offer links: ``_commerce_resources``, awaited."""

from __future__ import annotations

import builtins
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping

from . import _calls as c
from ._core import Call
from ._pagination import AsyncPager
from ._async_resources import _AsyncResource
from .types import (CheckoutSession, Coupon, CouponCurrencyOption, CreditGrant, CreditNote, CreditNoteLineInput, CreditPack, Deleted, Member, OfferLink,
                    PackSale, PromotionCode, TaxRate)


class AsyncCoupons(_AsyncResource):
    """``/v1/admin/coupons``: needs an admin key."""

    async def create(self, *, id: str, name: str | None = None, percent_off: Decimal | int | str | None = None,
               amount_off_cents: int | None = None, currency: str | None = None, duration: str = "once",
               duration_in_months: int | None = None, applies_to_plans: Iterable[str] | None = None, max_redemptions: int | None = None,
               redeem_by: datetime | str | None = None, stripe_coupon_id: str | None = None,
               currency_options: Mapping[str, CouponCurrencyOption] | None = None) -> Coupon:
        """A coupon with exactly one of ``percent_off`` (exact, never a float) and ``amount_off_cents`` with ``currency``;
        ``currency_options`` gives a fixed amount in other currencies: ``{"EUR": {"amount_off_cents": 400}}``."""
        return await self._send(c.create_coupon({
            "id": id, "name": name, "percent_off": percent_off, "amount_off_cents": amount_off_cents, "currency": currency,
            "duration": duration, "duration_in_months": duration_in_months, "applies_to_plans": applies_to_plans,
            "max_redemptions": max_redemptions, "redeem_by": c.when(redeem_by), "stripe_coupon_id": stripe_coupon_id,
            "currency_options": currency_options}))

    async def get(self, id: str) -> Coupon:
        return await self._send(Call("GET", f"v1/admin/coupons/{c.seg(id)}"))

    def list(self, *, limit: int | None = None) -> AsyncPager[Coupon]:
        return AsyncPager(lambda cursor: self._send(c.page("v1/admin/coupons", limit, cursor)))

    async def delete(self, id: str) -> Deleted:
        """Deletes the coupon: no new redemptions, and its promotion codes stop working; applied discounts run on."""
        return await self._send(Call("DELETE", f"v1/admin/coupons/{c.seg(id)}"))


class AsyncTaxRates(_AsyncResource):
    """``/v1/admin/tax-rates``: needs an admin key."""

    async def create(self, *, id: str, name: str, percentage: Decimal | int | str, inclusive: bool, country: str | None = None,
               state: str | None = None) -> TaxRate:
        """A rate in percent (exact, never a float; at most four decimals), for a ``country`` and ``state`` or for customers it is set on."""
        return await self._send(c.create_tax_rate({
            "id": id, "name": name, "percentage": percentage, "inclusive": inclusive, "country": country, "state": state}))

    async def get(self, id: str) -> TaxRate:
        return await self._send(Call("GET", f"v1/admin/tax-rates/{c.seg(id)}"))

    def list(self, *, limit: int | None = None) -> AsyncPager[TaxRate]:
        return AsyncPager(lambda cursor: self._send(c.page("v1/admin/tax-rates", limit, cursor)))

    async def deactivate(self, id: str) -> TaxRate:
        """New invoices stop applying the rate; issued invoices keep it."""
        return await self._send(Call("POST", f"v1/admin/tax-rates/{c.seg(id)}/deactivate"))


class AsyncPromotionCodes(_AsyncResource):
    """``/v1/admin/promotion-codes``: needs an admin key."""

    async def create(self, *, code: str, coupon: str, max_redemptions: int | None = None, expires_at: datetime | str | None = None,
               first_time_only: bool = False, customer: str | None = None, active: bool = True) -> PromotionCode:
        return await self._send(Call("POST", "v1/admin/promotion-codes", {
            "code": code, "coupon": coupon, "max_redemptions": max_redemptions, "expires_at": c.when(expires_at),
            "first_time_only": first_time_only, "customer": customer, "active": active}))

    async def get(self, id: str) -> PromotionCode:
        return await self._send(Call("GET", f"v1/admin/promotion-codes/{c.seg(id)}"))

    def list(self, *, coupon: str | None = None, limit: int | None = None) -> AsyncPager[PromotionCode]:
        """The codes, or those of one ``coupon``."""
        return AsyncPager(lambda cursor: self._send(c.page("v1/admin/promotion-codes", limit, cursor, coupon=coupon)))

    async def deactivate(self, id: str) -> PromotionCode:
        return await self._send(Call("POST", f"v1/admin/promotion-codes/{c.seg(id)}/deactivate"))


class AsyncGrants(_AsyncResource):
    """Credit grants: units of a metered feature beyond the plan's limit, spent after it."""

    async def create(self, customer: str, *, feature: str, amount: int | None = None, amount_usd: Decimal | str | None = None,
                     expires_at: datetime | str | None = None, priority: int | None = None, reason: str | None = None,
                     idempotency_key: str | None = None) -> CreditGrant:
        """Grants ``amount`` units of a metered feature, or of ``$llm_budget`` nano-USD in ``amount`` or USD in ``amount_usd`` (exact).

        A key is made when no ``idempotency_key`` is given, so the client's retries grant once; a grant repeated with its
        key answers the first, and the key with other fields raises IdempotencyMismatch."""
        return await self._send(c.create_grant(customer, feature, amount, amount_usd, expires_at, priority, reason, idempotency_key))

    def list(self, customer: str, *, limit: int | None = None) -> AsyncPager[CreditGrant]:
        """The customer's grants, newest first."""
        return AsyncPager(lambda cursor: self._send(c.page(f"v1/customers/{c.seg(customer)}/grants", limit, cursor)))

    async def get(self, customer: str, id: str) -> CreditGrant:
        return await self._send(Call("GET", f"v1/customers/{c.seg(customer)}/grants/{c.seg(id)}"))

    async def void(self, customer: str, id: str) -> CreditGrant:
        """Stops what is left of the grant from counting."""
        return await self._send(Call("POST", f"v1/customers/{c.seg(customer)}/grants/{c.seg(id)}/void"))


class AsyncPacks(_AsyncResource):
    """The catalog's credit packs, sold to a customer with an invoice and the grant at once."""

    def list(self, *, limit: int | None = None) -> AsyncPager[CreditPack]:
        """The packs, by code."""
        return AsyncPager(lambda cursor: self._send(c.page("v1/packs", limit, cursor)))

    async def sell(self, customer: str, *, pack: str, paid: bool = False, idempotency_key: str | None = None) -> PackSale:
        """Sells ``pack``: an invoice (paid when ``paid``) and the grant; a sale repeated with its ``idempotency_key`` answers the first."""
        return await self._send(c.sell_pack(customer, pack, paid, idempotency_key))

    async def create_checkout_session(self, customer: str, *, pack: str, success_url: str, cancel_url: str) -> CheckoutSession:
        """Stripe Checkout for ``pack`` (its ``stripe_price_id``): the grant is made when Stripe reports the payment."""
        return await self._send(Call("POST", f"v1/customers/{c.seg(customer)}/packs/checkout-sessions",
                                 {"pack": pack, "success_url": success_url, "cancel_url": cancel_url}))


class AsyncMembers(_AsyncResource):
    """An organisation's (a customer's) members; entitlement calls may name a member in place of the organisation."""

    async def upsert(self, customer: str, member: str, *, email: str | None = None, name: str | None = None, role: str | None = None) -> Member:
        """Adds the member (taking a seat on a per-seat price: SeatsExhausted when none is left) or updates it."""
        return await self._send(c.upsert_member(customer, member, email, name, role))

    async def delete(self, customer: str, member: str) -> None:
        await self._send(Call("DELETE", f"v1/customers/{c.seg(customer)}/members/{c.seg(member)}"))

    def list(self, customer: str, *, limit: int | None = None) -> AsyncPager[Member]:
        return AsyncPager(lambda cursor: self._send(c.page(f"v1/customers/{c.seg(customer)}/members", limit, cursor)))


class AsyncExperiments(_AsyncResource):
    """Price experiments on the pricing page (needs an admin key): variants of plan prices, split by visitor, with results."""

    async def create(self, *, name: str, variants: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
        """A draft: exactly one ``control`` variant (the catalog as it is) and challengers with ``prices``
        (``{"plan": "pro", "billing_period": "monthly", "price_cents": 2400}``); ValidationFailed names each bad field."""
        return await self._send(Call("POST", "v1/admin/experiments", {"name": name, "variants": list(variants)}))

    async def list(self) -> builtins.list[dict[str, Any]]:
        return (await self._send(Call("GET", "v1/admin/experiments")))["experiments"]

    async def get(self, id: str) -> dict[str, Any]:
        return await self._send(Call("GET", f"v1/admin/experiments/{c.seg(id)}"))

    async def start(self, id: str) -> dict[str, Any]:
        """Starts a draft; Conflict while another experiment runs."""
        return await self._send(Call("POST", f"v1/admin/experiments/{c.seg(id)}/start"))

    async def stop(self, id: str, *, promote: str | None = None) -> dict[str, Any]:
        """Stops it; with ``promote``, that variant's prices become new plan versions (subscribers keep what they bought)."""
        return await self._send(Call("POST", f"v1/admin/experiments/{c.seg(id)}/stop", {"promote": promote}))

    async def results(self, id: str) -> dict[str, Any]:
        """Per variant: visitors, conversions, the rate with its Wilson interval, MRR per visitor, the z-test against control."""
        return await self._send(Call("GET", f"v1/admin/experiments/{c.seg(id)}/results"))


class AsyncOfferLinks(_AsyncResource):
    """Signed, expiring checkout links for one plan (a private plan's offer): needs an admin key."""

    async def create(self, plan: str, *, expires_at: datetime | str, customer: str | None = None, billing_period: str | None = None) -> OfferLink:
        return await self._send(c.offer_link(plan, expires_at, customer, billing_period))


class AsyncCreditNotes(_AsyncResource):
    """Credit notes: corrections of issued invoices."""

    async def create(self, invoice: str, *, reason: str, lines: Iterable[CreditNoteLineInput] | None = None, amount_cents: int | None = None,
                     memo: str | None = None, refund: bool | None = None, idempotency_key: str | None = None) -> CreditNote:
        """Credits ``invoice`` (id or number) by ``lines`` or one ``amount_cents``: lowers what an open invoice has due, or becomes
        customer credit on a paid one. More than the invoice has left raises ``CreditExceedsInvoice``."""
        return await self._send(c.create_credit_note(invoice, lines, amount_cents, reason, memo, refund, idempotency_key))

    def list(self, *, customer: str | None = None, invoice: str | None = None, limit: int | None = None) -> AsyncPager[CreditNote]:
        """Newest first, narrowed to a customer or an invoice."""
        return AsyncPager(lambda cursor: self._send(c.page("v1/credit-notes", limit, cursor, customer=customer, invoice=invoice)))

    async def refund(self, id: str) -> CreditNote:
        """Takes the note's refund as far as Stripe allows now (a refund Tollgate could not hand over is handed over); safe to
        retry. A note that asked for no refund raises Conflict (``no_refund``)."""
        return await self._send(Call("POST", f"v1/credit-notes/{c.seg(id)}/refund"))

    async def get(self, id: str) -> CreditNote:
        """One credit note, by id or number (CN-2026-000001)."""
        return await self._send(Call("GET", f"v1/credit-notes/{c.seg(id)}"))

    async def pdf(self, id: str) -> bytes:
        """The credit note as a PDF; an unknown id raises NotFound."""
        return await self._send(Call("GET", f"v1/credit-notes/{c.seg(id)}/pdf", binary=True))
