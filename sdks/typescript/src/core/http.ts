import { errorFromResponse, TollgateError, TollgateUnavailableError, type Problem } from "../errors.js";
import { fromWire, toWire } from "./case.js";
import { sleep } from "./runtime.js";

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Per-call settings that override the client's. */
export type RequestOptions = {
  /** Aborts the call (and its retries). */
  signal?: AbortSignal | undefined;
  /** Extra headers, such as an Idempotency-Key you choose. */
  headers?: Record<string, string> | undefined;
  /** Retries after the first attempt; the client's maxRetries when left out. */
  maxRetries?: number | undefined;
  /** Milliseconds each attempt may take. */
  timeout?: number | undefined;
  /**
   * False throws an answer that asks to be retried (408, 5xx, a 429 without a Tollgate code) at once, whatever its
   * Retry-After, while a call that got no answer is still retried; true by default. The gates use false: their caller
   * is waiting, and "later" is no decision.
   */
  retryAnswers?: boolean | undefined;
};

export type HttpSettings = {
  baseUrl: string;
  apiKey: string | undefined;
  fetch: Fetch;
  maxRetries: number;
  timeout: number;
  /** Longest Retry-After (seconds) worth waiting for; a longer one is thrown at once. */
  maxRetryAfter: number;
  userAgent: string;
};

type Call = {
  method: string;
  path: string;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
  options?: RequestOptions | undefined;
  /** A 2xx answer's body as bytes (a PDF), not as JSON or text. */
  binary?: boolean | undefined;
};

/** The answer's JSON in camelCase, the raw text for a non-JSON answer, or the bytes of a binary call's. */
export type RawAnswer = { status: number; headers: Headers; data: unknown };

/** Sends one call: JSON in snake_case, retries with backoff and jitter on 408, 5xx, a proxy's 429 and network errors, problems thrown as errors. */
export class Http {
  // Set to false once a runtime refuses the field (Cloudflare Workers before their 2024-11-11 compatibility date).
  private noStore = true;

  constructor(readonly settings: HttpSettings) {
    checkLimits(settings.timeout, settings.maxRetries, settings.maxRetryAfter);
  }

  async json<T>(call: Call): Promise<T> {
    return fromWire<T>((await this.send(call)).data);
  }

  async send(call: Call): Promise<RawAnswer> {
    const { settings } = this;
    const retries = call.options?.maxRetries ?? settings.maxRetries;
    checkLimits(call.options?.timeout ?? settings.timeout, retries);
    // A signal aborted before the call (a Next.js request whose client already left) sends nothing: its "abort" event
    // has fired already, so the listener each attempt adds would never hear it.
    call.options?.signal?.throwIfAborted();
    const url = this.url(call.path, call.query);
    const body = call.body === undefined ? undefined : JSON.stringify(toWire(call.body));
    const headers: Record<string, string> = { accept: "application/json", "user-agent": settings.userAgent, ...call.options?.headers };
    if (settings.apiKey) headers.authorization = `Bearer ${settings.apiKey}`;
    if (body !== undefined) headers["content-type"] = "application/json";

    for (let attempt = 0; ; attempt++) {
      let response: Answer;
      try {
        response = await this.attempt(url, { method: call.method, headers, body }, call.options);
      } catch (cause) {
        if (call.options?.signal?.aborted) throw cause;
        if (attempt >= retries) {
          throw new TollgateUnavailableError(`Tollgate could not be reached at ${url}: ${(cause as Error)?.message ?? cause}`, { cause });
        }
        await sleep(backoff(attempt), call.options?.signal);
        continue;
      }

      if (response.status >= 200 && response.status < 300) {
        return { status: response.status, headers: response.headers, data: call.binary ? response.bytes : parse(response) };
      }
      const problem = parse(response) as Problem | string | undefined;
      const error = errorFromResponse(response.status, typeof problem === "object" ? problem : undefined, response.headers, response.text);
      const retry = attempt < retries && call.options?.retryAnswers !== false;
      const wait = retry ? retryDelay(response, error, settings.maxRetryAfter, attempt) : undefined;
      if (wait === undefined) throw error;
      await sleep(wait, call.options?.signal);
    }
  }

  private async attempt(url: string, init: RequestInit, options: RequestOptions | undefined): Promise<Answer> {
    options?.signal?.throwIfAborted();
    const timeout = options?.timeout ?? this.settings.timeout;
    const controller = new AbortController();
    const onAbort = () => controller.abort(options?.signal?.reason);
    options?.signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeout} ms`)), timeout);
    try {
      const response = await this.fetch(url, { ...init, signal: controller.signal });
      // The body is read inside the timeout too, so a stalled answer is retried rather than hanging.
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, headers: response.headers, bytes, text: new TextDecoder().decode(bytes) };
    } finally {
      clearTimeout(timer);
      options?.signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Every request says `cache: "no-store"`: Next.js 14's App Router caches a server's fetch GETs by default, so usage read
   * once never changed after consumes. Node's fetch, browsers and edge runtimes take it; one that throws on the field is
   * asked again without it.
   */
  private async fetch(url: string, init: RequestInit): Promise<Response> {
    if (!this.noStore) return this.settings.fetch(url, init);
    try {
      return await this.settings.fetch(url, { ...init, cache: "no-store" });
    } catch (error) {
      if (!(error instanceof TypeError && /\bcache\b/i.test(error.message)) || init.signal?.aborted) throw error;
      this.noStore = false;
      return this.settings.fetch(url, init);
    }
  }

  private url(path: string, query: Record<string, unknown> | undefined): string {
    const url = new URL(path.replace(/^\//, ""), this.settings.baseUrl.endsWith("/") ? this.settings.baseUrl : `${this.settings.baseUrl}/`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      url.searchParams.set(key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value instanceof Date ? value.toISOString() : String(value));
    }
    return url.toString();
  }
}

type Answer = { status: number; headers: Headers; bytes: Uint8Array; text: string };

function parse({ text, headers }: Answer): unknown {
  if (text.length === 0) return undefined;
  const type = headers.get("content-type") ?? "";
  if (!type.includes("json")) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** 0.5 s doubling to 8 s, with full jitter on the upper half so clients that failed together do not retry together. */
export function backoff(attempt: number): number {
  const base = Math.min(500 * 2 ** attempt, 8000);
  return base / 2 + Math.random() * (base / 2);
}

/**
 * Answers a retry must not wait out: Tollgate's denials (a spent quota or budget until its reset, a rate limit until its
 * window ends, a plan without the feature) are decisions about the customer, for the caller to pass on now with their
 * Retry-After; and a missing setting.
 */
const final = new Set(["quota_exceeded", "budget_exceeded", "rate_limited", "feature_not_in_plan", "payments_not_configured"]);

/** How long to wait before retrying this answer, or undefined when it must not be retried. */
function retryDelay(response: Answer, error: TollgateError, maxRetryAfter: number, attempt: number): number | undefined {
  const status = response.status;
  if (final.has(error.error)) return undefined;
  // Left: 408, 5xx (overloaded included) and a 429 without a Tollgate code, such as a proxy's throttling.
  if (status !== 408 && status !== 429 && status < 500) return undefined;
  const after = retryAfterMs(response.headers);
  if (after === undefined) return backoff(attempt);
  return after <= maxRetryAfter * 1000 ? after : undefined;
}

/** Retry-After as seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Settings that would make every call fail (`Number(process.env.X)` of a missing variable is NaN) are refused where they are given. */
function checkLimits(timeout: number, maxRetries: number, maxRetryAfter = 0): void {
  // setTimeout fires at once past 2^31 - 1 ms, so Infinity would time every call out in 1 ms.
  if (!(timeout > 0 && timeout <= 2_147_483_647)) {
    throw new RangeError(`timeout must be a number of milliseconds from 1 to 2147483647, not ${timeout}`);
  }
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError(`maxRetries must be a whole number, 0 or more, not ${maxRetries}`);
  if (!(maxRetryAfter >= 0)) throw new RangeError(`maxRetryAfter must be a number of seconds, 0 or more, not ${maxRetryAfter}`);
}
