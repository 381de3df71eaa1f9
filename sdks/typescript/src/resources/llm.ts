import type { Fetch, Http, RequestOptions } from "../core/http.js";
import { randomId } from "../core/ids.js";
import { LlmUsageBuffer, type CaptureSettings, type FlushOptions } from "../llm/buffer.js";
import { captureFetch, type CaptureOptions } from "../llm/capture.js";
import type { Page } from "../core/pagination.js";
import type { LlmBatchAnswer, LlmBudget, LlmCall, LlmCallAnswer, LlmCallRecord, LogFilter } from "../types.js";
import { Resource, seg } from "./resource.js";

const withRequestId = async (call: LlmCall): Promise<LlmCall> => ({ ...call, requestId: call.requestId ?? (await randomId("")) });

/** LLM cost: log model calls, hold and read the plan's LLM budget, and capture calls from a fetch-based client. */
export class Llm extends Resource {
  /** The queue and sender behind `fetch`: `pending`, `sent`, `rejected` and `dropped` counts. */
  readonly buffer: LlmUsageBuffer;

  constructor(http: Http, capture: CaptureSettings = {}) {
    super(http);
    this.buffer = new LlmUsageBuffer((calls, signal) => this.logUsageBatch(calls, { maxRetries: 0, signal }), capture);
  }

  /**
   * Logs one model call, priced at the price in effect at its own timestamp. A call without `requestId` gets one
   * generated before the first attempt, so a retry counts once.
   */
  async logUsage(call: LlmCall, options?: RequestOptions): Promise<LlmCallAnswer> {
    return this.http.json({ method: "POST", path: "v1/llm/usage", body: await withRequestId(call), options });
  }

  /** Logs up to 1000 calls in one request; one bad call does not reject the others. */
  async logUsageBatch(calls: LlmCall[], options?: RequestOptions): Promise<LlmBatchAnswer> {
    return this.http.json({ method: "POST", path: "v1/llm/usage", body: { calls: await Promise.all(calls.map(withRequestId)) }, options });
  }

  /** Holds an estimate of a call's cost against the customer's LLM budget (BudgetExceededError when it has no room). */
  async reserveBudget(
    params: { customer: string; estimateUsd: number; ttlSeconds?: number | undefined; idempotencyKey?: string | undefined },
    options?: RequestOptions,
  ): Promise<LlmBudget> {
    const body = { ...params, idempotencyKey: params.idempotencyKey ?? (await randomId("idem_")) };
    return this.http.json({ method: "POST", path: "v1/llm/budget/reserve", body, options });
  }

  /** The customer's LLM budget this period: limit, spent, reserved, remaining. */
  getBudget(customer: string, options?: RequestOptions): Promise<LlmBudget> {
    return this.http.json({ method: "GET", path: `v1/customers/${seg(customer)}/llm-budget`, options });
  }

  /** Logged calls as priced, newest first; a secret key must name the customer or the member. */
  listCalls(filter: LogFilter & { model?: string | undefined; provider?: string | undefined } = {}, options?: RequestOptions): Promise<Page<LlmCallRecord>> {
    return this.paged("v1/llm/calls", filter, options);
  }

  /**
   * A fetch for a model client, such as `new OpenAI({ fetch: tg.llm.fetch({ customer: "u1", feature: "chat" }) })`,
   * that logs every call's model, tokens and id to Tollgate in the background, streamed or not.
   */
  fetch(options: CaptureOptions = {}): Fetch {
    return captureFetch(this.buffer, options);
  }

  /**
   * Sends every captured call queued so far: true once sent (or given up), false when `timeoutMs` (10 s) passed first,
   * with what is left still queued.
   */
  flush(options?: FlushOptions): Promise<boolean> {
    return this.buffer.flush(options);
  }
}
