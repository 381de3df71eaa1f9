/** The problem+json body Tollgate answers an error with (RFC 9457 plus a machine `error` code), keys as on the wire. */
export type Problem = {
  type?: string | undefined;
  title?: string | undefined;
  status?: number | undefined;
  detail?: string | undefined;
  error?: string | undefined;
  [field: string]: unknown;
};

type ErrorInit = { status?: number | undefined; problem?: Problem | undefined; headers?: Headers | undefined; cause?: unknown };

/** Any error the SDK throws: an error answer from Tollgate, or Tollgate out of reach. */
export class TollgateError extends Error {
  override name = "TollgateError";
  /** The HTTP status; undefined when no answer came (a network error or a timeout). */
  readonly status: number | undefined;
  /** The machine code, such as "quota_exceeded", or "http_<status>" for an answer without a problem body. */
  readonly error: string;
  /** The human explanation. */
  readonly detail: string;
  /** The whole problem body, keys as on the wire, for fields this SDK does not model. */
  readonly problem: Problem;
  /** The answer's headers, when there was an answer. */
  readonly headers: Headers | undefined;

  constructor(message: string, init: ErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.problem = init.problem ?? {};
    this.error = typeof this.problem.error === "string" ? this.problem.error : init.status ? `http_${init.status}` : "connection_error";
    this.detail = typeof this.problem.detail === "string" ? this.problem.detail : message;
    this.headers = init.headers;
  }
}

/** 400: a field is missing or wrong (validation_failed, invalid_json, invalid_request and the like). */
export class ValidationError extends TollgateError {
  override name = "ValidationError";
  /** Each bad field mapped to what is wrong with it, when the server named them. */
  get errors(): Record<string, string> | string[] | undefined {
    return this.problem.errors as Record<string, string> | string[] | undefined;
  }
}

/** 400 promotion_code_invalid: the code or coupon in `field` cannot apply, for `reason` (unknown, inactive, expired, used_up…). */
export class PromotionCodeInvalidError extends ValidationError {
  override name = "PromotionCodeInvalidError";
  get reason(): string | undefined {
    return this.problem.reason as string | undefined;
  }
  get field(): string | undefined {
    return this.problem.field as string | undefined;
  }
}

/** 402 seats_exhausted: every seat of `customer` is taken by its `seats` members; add seats or remove a member. */
export class SeatsExhaustedError extends TollgateError {
  override name = "SeatsExhaustedError";
  get customer(): string | undefined {
    return this.problem.customer as string | undefined;
  }
  get seats(): number | undefined {
    return this.problem.seats as number | undefined;
  }
}

/** 401 missing_api_key or invalid_api_key. */
export class AuthenticationError extends TollgateError {
  override name = "AuthenticationError";
}

/** 403 forbidden: the key's role may not call this endpoint. */
export class PermissionDeniedError extends TollgateError {
  override name = "PermissionDeniedError";
}

/** 404 not_found; `resource` says what was missing (customer, feature, plan, reservation, invoice…). */
export class NotFoundError extends TollgateError {
  override name = "NotFoundError";
  get resource(): string | undefined {
    return this.problem.resource as string | undefined;
  }
}

/** 409: a conflict with what was already done (subscription_exists, reservation_not_held, no_change…). */
export class ConflictError extends TollgateError {
  override name = "ConflictError";
}

/** 409 idempotency_mismatch: the key was used before for a different request. */
export class IdempotencyMismatchError extends ConflictError {
  override name = "IdempotencyMismatchError";
}

/** 409 idempotency_key_in_use: the first request under the key is still running; retry later with the same key. */
export class IdempotencyKeyInUseError extends ConflictError {
  override name = "IdempotencyKeyInUseError";
}

/**
 * 409 idempotency_answer_lost: the first request under the key made its change but its answer was lost; it is not run
 * again, so read the resource's current state instead of retrying.
 */
export class IdempotencyAnswerLostError extends ConflictError {
  override name = "IdempotencyAnswerLostError";
}

/** 409 credit_exceeds_invoice: the credit notes would pass the invoice's total; `remainingCents` is what is left to credit. */
export class CreditExceedsInvoiceError extends ConflictError {
  override name = "CreditExceedsInvoiceError";
  get remainingCents(): number | undefined {
    return this.problem.remaining_cents as number | undefined;
  }
}

/** A denial of a feature for a customer: what a product shows its user, and where to upgrade. */
export class EntitlementDeniedError extends TollgateError {
  override name = "EntitlementDeniedError";
  /** The answer's headers (Retry-After, the RateLimit-* headers): a denial always comes with an answer. */
  declare readonly headers: Headers;

  constructor(message: string, init: ErrorInit = {}) {
    super(message, { ...init, headers: init.headers ?? new Headers() });
  }
  get feature(): string | undefined { return this.problem.feature as string | undefined; }
  get plan(): string | null | undefined { return this.problem.plan as string | null | undefined; }
  /** The window's limit; null when unlimited. */
  get limit(): number | null | undefined { return this.problem.limit as number | null | undefined; }
  get used(): number | undefined { return this.problem.used as number | undefined; }
  get remaining(): number | null | undefined { return this.problem.remaining as number | null | undefined; }
  /** When the quota starts again (quota_exceeded, budget_exceeded); a rate_limited denial has `resetAt` instead. */
  get resetsAt(): Date | undefined {
    return typeof this.problem.resets_at === "string" ? new Date(this.problem.resets_at) : undefined;
  }
  /** As Tollgate sent it: usually a path such as "/pricing". */
  get upgradeUrl(): string | undefined { return this.problem.upgrade_url as string | undefined; }
  /** Seconds until a retry can succeed, from Retry-After; undefined when the answer had none. */
  get retryAfter(): number | undefined {
    const header = this.headers?.get("retry-after");
    const seconds = header ? Number(header) : NaN;
    return Number.isFinite(seconds) ? seconds : undefined;
  }
}

/** 429 quota_exceeded: the hard cap is reached until `resetsAt`. */
export class QuotaExceededError extends EntitlementDeniedError {
  override name = "QuotaExceededError";
}

/** 429 budget_exceeded: the plan's LLM budget is spent. A QuotaExceededError too, as in the .NET SDK. */
export class BudgetExceededError extends QuotaExceededError {
  override name = "BudgetExceededError";
  get budgetUsd(): number | undefined { return this.problem.budget_usd as number | undefined; }
  get budgetSpentUsd(): number | undefined { return this.problem.budget_spent_usd as number | undefined; }
  get budgetReservedUsd(): number | undefined { return this.problem.budget_reserved_usd as number | undefined; }
  get budgetGrantedRemainingUsd(): number | undefined { return this.problem.budget_granted_remaining_usd as number | undefined; }
}

/**
 * 429 rate_limited: too many requests in the feature's rate window. `limit` is the requests a window allows, `remaining`
 * 0, `resetAt` the window's end and `retryAfter` the seconds until then. Also thrown for a 429 without a Tollgate code.
 */
export class RateLimitedError extends EntitlementDeniedError {
  override name = "RateLimitedError";
  /** When the rate window ends and a request can pass again. */
  get resetAt(): Date | undefined {
    return typeof this.problem.reset_at === "string" ? new Date(this.problem.reset_at) : undefined;
  }
  /** The rate window's length: "second", "minute" or "hour". */
  get per(): string | undefined { return this.problem.per as string | undefined; }
  /** "feature" for the feature's own limit, "plan" for the plan-wide one. */
  get scope(): string | undefined { return this.problem.scope as string | undefined; }
}

/** 402 feature_not_in_plan: the customer's plan does not include the feature. */
export class FeatureNotInPlanError extends EntitlementDeniedError {
  override name = "FeatureNotInPlanError";
}

/**
 * 402 subscription_inactive: the subscription is suspended (its invoice past due) and the catalog's on_suspension is
 * "deny"; the feature passes again once the invoice is paid. `upgradeUrl` says where.
 */
export class SubscriptionInactiveError extends EntitlementDeniedError {
  override name = "SubscriptionInactiveError";
}

/** Tollgate could not be reached, timed out, or answered 5xx, after every retry. */
export class TollgateUnavailableError extends TollgateError {
  override name = "TollgateUnavailableError";
}

/** A webhook whose Tollgate-Signature is missing, malformed, too old or matches nothing. */
export class WebhookSignatureError extends Error {
  override name = "WebhookSignatureError";
}

const byCode: Record<string, new (message: string, init: ErrorInit) => TollgateError> = {
  quota_exceeded: QuotaExceededError,
  budget_exceeded: BudgetExceededError,
  rate_limited: RateLimitedError,
  feature_not_in_plan: FeatureNotInPlanError,
  subscription_inactive: SubscriptionInactiveError,
  idempotency_mismatch: IdempotencyMismatchError,
  idempotency_key_in_use: IdempotencyKeyInUseError,
  idempotency_answer_lost: IdempotencyAnswerLostError,
  not_found: NotFoundError,
  missing_api_key: AuthenticationError,
  invalid_api_key: AuthenticationError,
  forbidden: PermissionDeniedError,
  promotion_code_invalid: PromotionCodeInvalidError,
  seats_exhausted: SeatsExhaustedError,
  credit_exceeds_invoice: CreditExceedsInvoiceError,
};

/**
 * The error for an answer: by the problem's `error` code first, then by status. `body`, the answer's text, is quoted in
 * the message when it has no problem detail (a proxy's `503 unavailable`), cut to 200 characters.
 */
export function errorFromResponse(status: number, problem: Problem | undefined, headers: Headers, body?: string): TollgateError {
  const code = typeof problem?.error === "string" ? problem.error : undefined;
  const detail = typeof problem?.detail === "string" ? problem.detail : excerpt(body ?? "");
  const message = `Tollgate answered ${status}${code ? ` ${code}` : ""}${detail ? `: ${detail}` : ""}`;
  const init = { status, problem, headers };
  const Known = code ? byCode[code] : undefined;
  if (Known) return new Known(message, init);
  if (status === 400 || status === 413 || status === 415 || status === 422) return new ValidationError(message, init);
  if (status === 401) return new AuthenticationError(message, init);
  if (status === 403) return new PermissionDeniedError(message, init);
  if (status === 404) return new NotFoundError(message, init);
  if (status === 409) return new ConflictError(message, init);
  // A 402 code this version does not know is still a refusal of the feature, so gates answer it rather than throw.
  if (status === 402) return new EntitlementDeniedError(message, init);
  if (status === 429) return new RateLimitedError(message, init);
  if (status >= 500) return new TollgateUnavailableError(message, init);
  return new TollgateError(message, init);
}

/** A body's text on one line, cut to 200 characters: enough to tell a proxy's page from Tollgate's, not a whole page. */
function excerpt(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
