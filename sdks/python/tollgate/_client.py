"""``Tollgate`` and ``AsyncTollgate``: one connection pool each, resources as attributes."""

from __future__ import annotations

from types import TracebackType

import httpx

from . import _async_commerce_resources as acr
from . import _async_resources as ar
from . import _commerce_resources as cr
from . import _resources as r
from . import _stats_resources as sr
from ._core import AsyncCore, SyncCore, options


class Tollgate:
    """The blocking client: ``tg = Tollgate(api_key="tg_sk_...", base_url="http://localhost:5080")``.

    ``max_retries`` retries 408, 429 (not quota denials) and 5xx answers and connection errors, with backoff and
    jitter, honouring Retry-After. Pass ``http_client`` to bring your own ``httpx.Client`` (proxies, transports).
    """

    def __init__(self, api_key: str | None = None, base_url: str | None = None, *, timeout: float = 10.0, max_retries: int = 2,
                 http_client: httpx.Client | None = None) -> None:
        self._core = SyncCore(options(api_key, base_url, timeout, max_retries), http_client)
        self.customers = r.Customers(self._core)
        self.subscriptions = r.Subscriptions(self._core)
        self.entitlements = r.Entitlements(self._core)
        self.events = r.Events(self._core)
        self.usage = r.Usage(self._core)
        self.llm = r.Llm(self._core)
        self.invoices = r.Invoices(self._core)
        self.alerts = r.Alerts(self._core)
        self.portal = r.Portal(self._core)
        self.checkout = r.Checkout(self._core)
        self.pricing = r.Pricing(self._core)
        self.webhooks = r.Webhooks()
        self.coupons = cr.Coupons(self._core)
        self.promotion_codes = cr.PromotionCodes(self._core)
        self.tax_rates = cr.TaxRates(self._core)
        self.stats = sr.Stats(self._core)
        self.grants = cr.Grants(self._core)
        self.packs = cr.Packs(self._core)
        self.credit_notes = cr.CreditNotes(self._core)
        self.members = cr.Members(self._core)
        self.offer_links = cr.OfferLinks(self._core)
        self.experiments = cr.Experiments(self._core)

    @property
    def base_url(self) -> str:
        return self._core.options.base_url

    def close(self) -> None:
        """Closes the connection pool (not one passed in as ``http_client``)."""
        self._core.close()

    def __enter__(self) -> Tollgate:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class AsyncTollgate:
    """The asyncio client; the same resources, with ``await``: ``await tg.entitlements.consume(...)``."""

    def __init__(self, api_key: str | None = None, base_url: str | None = None, *, timeout: float = 10.0, max_retries: int = 2,
                 http_client: httpx.AsyncClient | None = None) -> None:
        self._core = AsyncCore(options(api_key, base_url, timeout, max_retries), http_client)
        self.customers = ar.AsyncCustomers(self._core)
        self.subscriptions = ar.AsyncSubscriptions(self._core)
        self.entitlements = ar.AsyncEntitlements(self._core)
        self.events = ar.AsyncEvents(self._core)
        self.usage = ar.AsyncUsage(self._core)
        self.llm = ar.AsyncLlm(self._core)
        self.invoices = ar.AsyncInvoices(self._core)
        self.alerts = ar.AsyncAlerts(self._core)
        self.portal = ar.AsyncPortal(self._core)
        self.checkout = ar.AsyncCheckout(self._core)
        self.pricing = ar.AsyncPricing(self._core)
        self.webhooks = ar.AsyncWebhooks()
        self.coupons = acr.AsyncCoupons(self._core)
        self.promotion_codes = acr.AsyncPromotionCodes(self._core)
        self.tax_rates = acr.AsyncTaxRates(self._core)
        self.stats = sr.AsyncStats(self._core)
        self.grants = acr.AsyncGrants(self._core)
        self.packs = acr.AsyncPacks(self._core)
        self.credit_notes = acr.AsyncCreditNotes(self._core)
        self.members = acr.AsyncMembers(self._core)
        self.offer_links = acr.AsyncOfferLinks(self._core)
        self.experiments = acr.AsyncExperiments(self._core)

    @property
    def base_url(self) -> str:
        return self._core.options.base_url

    async def close(self) -> None:
        await self._core.close()

    async def __aenter__(self) -> AsyncTollgate:
        return self

    async def __aexit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()
