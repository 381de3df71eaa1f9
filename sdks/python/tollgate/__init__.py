"""Tollgate's Python SDK: entitlements, usage metering, LLM cost capture and webhooks.

    import tollgate
    tg = tollgate.Tollgate(api_key="tg_sk_...", base_url="http://localhost:5080")
    tg.customers.upsert("u1", email="ada@example.com")
    tg.entitlements.consume(customer="u1", feature="cv_generate", amount=1)
"""

from . import webhooks
from ._async_resources import AsyncReservation
from ._client import AsyncTollgate, Tollgate
from ._core import VERSION as __version__
from ._errors import (AuthenticationError, BadRequest, BodyTooLarge, BudgetExceeded, Conflict, EntitlementDenied, FeatureNotConsumable,
                      FeatureNotInPlan, IdempotencyAnswerLost, IdempotencyKeyInUse, IdempotencyMismatch, InternalError,
                      InvalidCatalog, InvalidJson, InvalidPriceTable,
                      InvalidRequest, ManagedByStripe, MemberIdTaken, MethodNotAllowed, NoChange, NotFound, NotPerSeat, CreditExceedsInvoice,
                      PaymentsNotConfigured, PermissionDenied, PriceNotLinked, PromotionCodeInvalid, SeatsExhausted,
                      QuotaExceeded, RateLimited, RequestIdConflict, ReservationNotHeld, ServerError, StripeError,
                      SubscriptionExists, SubscriptionInactive, TollgateError, TollgateUnavailable, Unprocessable, UnpricedModel, UnsupportedMediaType,
                      ValidationFailed)
from ._pagination import AsyncPager, SyncPager
from ._resources import Reservation
from .webhooks import WebhookEvent, WebhookSignatureError

__all__ = [
    "Tollgate", "AsyncTollgate", "Reservation", "AsyncReservation", "SyncPager", "AsyncPager", "webhooks", "WebhookEvent",
    "WebhookSignatureError", "TollgateError", "TollgateUnavailable", "ServerError", "InternalError", "StripeError",
    "PaymentsNotConfigured", "AuthenticationError", "PermissionDenied", "BadRequest", "ValidationFailed", "InvalidJson",
    "InvalidRequest", "InvalidCatalog", "InvalidPriceTable", "FeatureNotConsumable", "NotFound", "MethodNotAllowed", "Conflict",
    "IdempotencyMismatch", "IdempotencyKeyInUse", "IdempotencyAnswerLost", "SubscriptionExists", "ReservationNotHeld",
    "ManagedByStripe", "NoChange", "RequestIdConflict",
    "BodyTooLarge", "UnsupportedMediaType", "Unprocessable", "PriceNotLinked", "UnpricedModel", "RateLimited",
    "EntitlementDenied", "QuotaExceeded", "BudgetExceeded", "FeatureNotInPlan", "SubscriptionInactive", "PromotionCodeInvalid", "SeatsExhausted", "MemberIdTaken",
    "NotPerSeat", "CreditExceedsInvoice", "__version__",
]
