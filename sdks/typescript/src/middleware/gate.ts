import { Tollgate } from "../client.js";
import type { RequestOptions } from "../core/http.js";
import {
  AuthenticationError, EntitlementDeniedError, NotFoundError, PermissionDeniedError, TollgateError, TollgateUnavailableError, ValidationError,
} from "../errors.js";
import type { Reservation } from "../resources/entitlements.js";

/** The answer a gate gives the app's caller instead of running the handler. */
export type Denial = { status: number; headers: Record<string, string>; body: Record<string, unknown> };

export type GateOptions<Req> = {
  /** The client; one built from TOLLGATE_API_KEY and TOLLGATE_BASE_URL when left out. */
  client?: Tollgate | undefined;
  /** The Tollgate customer for a request; null or undefined answers 401. */
  customer: (req: Req) => string | null | undefined | Promise<string | null | undefined>;
  /** Units to reserve (1), or a function of the request. */
  amount?: (number | ((req: Req) => number | Promise<number>)) | undefined;
  /** How long the hold lasts if the app dies before settling it (300 s). */
  ttlSeconds?: number | undefined;
  /**
   * When Tollgate cannot decide (unreachable, no answer within `timeoutMs`, a 408 or 5xx, a 429 without a Tollgate code
   * such as a gateway's throttling, or refusing the app's key with 401/403): "closed" (the default) answers 503
   * quota_unavailable; "open" lets the request through uncounted. Either is answered at once, never after a Retry-After.
   */
  onError?: "open" | "closed" | undefined;
  /**
   * Milliseconds the reservation may take, every attempt included, and with autoCreateCustomers the customer's creation
   * too (5000); past it, onError answers. A hold whose answer arrives after that is never settled: it lapses at its TTL.
   * Infinity sets no deadline of the gate's own.
   */
  timeoutMs?: number | undefined;
  /**
   * Creates an unknown customer (PUT with no fields) and reserves again. Off by default, when such a caller is answered
   * 403 customer_unknown: create customers at sign-up, where their e-mail and name are known.
   */
  autoCreateCustomers?: boolean | undefined;
  /**
   * Shapes a denial before it is sent (`error` is undefined for the 401, 403 and 503 the gate makes itself). By default
   * the body is Tollgate's problem without the cost fields (every budget_*_usd field) and with an absolute upgrade_url;
   * return another to change it.
   */
  onDenied?: ((denial: Denial, error: EntitlementDeniedError | undefined, req: Req) => Denial | void | Promise<Denial | void>) | undefined;
};

export type GateOutcome =
  | { allowed: true; reservation: Reservation | null; settle(succeeded: boolean): Promise<void> }
  | { allowed: false; denial: Denial };

const shared: { client?: Tollgate | undefined } = {};
const usage = new WeakMap<object, Map<string, number>>();

/** Tells the gate how many units the handler really used, so the commit settles to that instead of the reserved amount. */
export function setQuotaUsage(req: object, feature: string, actual: number): void {
  const map = usage.get(req) ?? new Map<string, number>();
  map.set(feature, actual);
  usage.set(req, map);
}

const problem = (status: number, error: string, title: string, detail: string): Denial => ({
  status, headers: { "content-type": "application/problem+json" }, body: { type: `https://tollgate.dev/errors/${error.replace(/_/g, "-")}`, title, status, detail, error },
});

function fromDenied(error: EntitlementDeniedError, baseUrl: string): Denial {
  const body: Record<string, unknown> = { ...error.problem };
  // Cost fields (budget_*_usd) describe the operator's LLM spend and grants: not for the app's end users.
  for (const key of Object.keys(body)) if (key.startsWith("budget_") && key.endsWith("_usd")) delete body[key];
  if (typeof body.upgrade_url === "string") body.upgrade_url = new URL(body.upgrade_url, baseUrl).toString();
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  const retryAfter = error.headers?.get("retry-after");
  if (retryAfter) headers["retry-after"] = retryAfter;
  // The rate window Tollgate described (RateLimit-Limit, -Remaining, -Reset), passed on as the Python gate does.
  error.headers?.forEach((value, name) => { if (name.toLowerCase().startsWith("ratelimit-")) headers[name.toLowerCase()] = value; });
  return { status: error.status ?? 429, headers, body };
}

/** Tollgate's denials carry its code; a code-less 429 or 402 came from something in front of it, such as a gateway. */
const isDenial = (error: unknown): error is EntitlementDeniedError =>
  error instanceof EntitlementDeniedError && typeof error.problem.error === "string";

/** No decision came: no answer, a 408 or 5xx, a code-less denial (isDenial checked first), or the app's key refused. */
const undecided = (error: unknown): boolean =>
  error instanceof TollgateUnavailableError || error instanceof AuthenticationError || error instanceof PermissionDeniedError
  || error instanceof EntitlementDeniedError || (error instanceof TollgateError && error.status === 408);

/**
 * Reserves before the handler; the caller settles with the handler's outcome: commit on success, release otherwise.
 * Each run of the handler is one reservation: a caller's Idempotency-Key is not passed on, as a gate cannot replay the
 * handler's first answer.
 */
export async function gate<Req extends object>(feature: string, options: GateOptions<Req>, req: Req): Promise<GateOutcome> {
  const client = options.client ?? (shared.client ??= new Tollgate());
  const shape = async (denial: Denial, error?: EntitlementDeniedError): Promise<GateOutcome> =>
    ({ allowed: false, denial: (await options.onDenied?.(denial, error, req)) ?? denial });

  const customer = await options.customer(req);
  if (!customer) return shape(problem(401, "unauthenticated", "Unauthorized", "Sign in to use this feature."));
  const amount = typeof options.amount === "function" ? await options.amount(req) : options.amount ?? 1;
  const params = { customer, feature, amount, ttlSeconds: options.ttlSeconds ?? 300 };
  // One deadline for all attempts, which also ends an attempt under way; the caller is waiting, so an answer asking to
  // come back later is not waited out.
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive (Infinity for no deadline), not ${timeoutMs}`);
  // AbortSignal.timeout takes at most 2^32 - 1 ms; past that (Infinity included) there is no deadline of the gate's own.
  const signal = timeoutMs < 2 ** 32 ? AbortSignal.timeout(timeoutMs) : new AbortController().signal;
  const call: RequestOptions = { signal, retryAnswers: false };

  let reservation: Reservation | null;
  try {
    try {
      reservation = await client.entitlements.reserve(params, call);
    } catch (error) {
      if (!(options.autoCreateCustomers && error instanceof NotFoundError && error.resource === "customer")) throw error;
      await client.customers.upsert(customer, {}, call);
      reservation = await client.entitlements.reserve(params, call);
    }
  } catch (error) {
    if (isDenial(error)) return shape(fromDenied(error, client.baseUrl), error);
    if (error instanceof NotFoundError && error.resource === "customer") {
      // Tollgate answered, so this is no outage for onError: the app never created this customer.
      console.warn(`Tollgate does not know customer '${customer}' (gating '${feature}'): create customers at sign-up, or set autoCreateCustomers.`);
      return shape(problem(403, "customer_unknown", "Forbidden", "This account is not set up for this feature yet."));
    }
    if (error instanceof ValidationError) {
      // Tollgate takes no such usage: an amount of 0 or 2.5, an id with a space, most often read from the caller's own
      // request. The caller is answered 400 naming the fields, where throwing made the app answer 500.
      console.warn(`Tollgate refused the usage gating '${feature}' for '${customer}': ${error.message}`);
      const errors = error.problem.errors;
      const fields = errors && typeof errors === "object" && Object.keys(errors).length > 0 ? Object.keys(errors).sort().join(", ") : "the request";
      return shape(problem(400, "invalid_usage", "Bad Request", `The usage this request asks for cannot be counted: ${fields}.`));
    }
    if (!signal.aborted && !undecided(error)) throw error;
    if (options.onError !== "open") return shape(problem(503, "quota_unavailable", "Service unavailable", "Usage limits cannot be checked right now."));
    reservation = null;
  }

  let settled = false;
  return {
    allowed: true,
    reservation,
    async settle(succeeded) {
      if (settled || !reservation) return;
      settled = true;
      const actual = usage.get(req)?.get(feature);
      try {
        if (succeeded) await reservation.commit(actual ?? amount);
        else await reservation.release();
      } catch {
        // The answer is already on its way; an unsettled hold lapses at its TTL.
      }
    },
  };
}
