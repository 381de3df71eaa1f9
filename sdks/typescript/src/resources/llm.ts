import type { Fetch, Http, RequestOptions } from "../core/http.js";
import { randomId } from "../core/ids.js";
import { LlmUsageBuffer, type CaptureSettings } from "../llm/buffer.js";
import { captureFetch, type CaptureOptions } from "../llm/capture.js";
import type { LlmBatchAnswer, LlmBudget, LlmCall, LlmCallAnswer } from "../types.js";
import { Resource, seg } from "./resource.js";

/** LLM cost: log model calls, hold and read the plan's LLM budget, and capture calls from a fetch-based client. */
export class Llm extends Resource {
  /** The queue and sender behind `fetch`: `pending`, `sent`, `rejected` and `dropped` counts. */
  readonly buffer: LlmUsageBuffer;

  constructor(http: Http, capture: CaptureSettings = {}) {
    super(http);
    this.buffer = new LlmUsageBuffer((calls) => this.log(calls, { maxRetries: 0 }), capture);
  }

  /** Logs one call (priced at its own timestamp), or a batch of up to 1000; a retry with the same requestId counts once. */
  log(call: LlmCall, options?: RequestOptions): Promise<LlmCallAnswer>;
  log(calls: LlmCall[], options?: RequestOptions): Promise<LlmBatchAnswer>;
  log(calls: LlmCall | LlmCall[], options?: RequestOptions): Promise<LlmCallAnswer | LlmBatchAnswer> {
    const body = Array.isArray(calls) ? { calls } : calls;
    return this.http.json({ method: "POST", path: "v1/llm/usage", body, options });
  }

  /** Holds an estimate of a call's cost against the customer's LLM budget (BudgetExceededError when it has no room). */
  async reserveBudget(
    params: { customer: string; estimateUsd: number; ttlSeconds?: number; idempotencyKey?: string },
    options?: RequestOptions,
  ): Promise<LlmBudget> {
    const body = { ...params, idempotencyKey: params.idempotencyKey ?? (await randomId("idem_")) };
    return this.http.json({ method: "POST", path: "v1/llm/budget/reserve", body, options });
  }

  /** The customer's LLM budget this period: limit, spent, reserved, remaining. */
  budget(customer: string, options?: RequestOptions): Promise<LlmBudget> {
    return this.http.json({ method: "GET", path: `v1/customers/${seg(customer)}/llm-budget`, options });
  }

  /**
   * A fetch for a model client, such as `new OpenAI({ fetch: tg.llm.fetch({ customer: "u1", feature: "chat" }) })`,
   * that logs every call's model, tokens and id to Tollgate in the background, streamed or not.
   */
  fetch(options: CaptureOptions = {}): Fetch {
    return captureFetch(this.buffer, options);
  }

  /** Sends every captured call queued so far. */
  flush(): Promise<void> {
    return this.buffer.flush();
  }
}
