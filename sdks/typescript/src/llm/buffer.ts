import { TollgateError, TollgateUnavailableError } from "../errors.js";
import { hostProcess, sleep, unref } from "../core/runtime.js";
import type { LlmBatchAnswer, LlmCall } from "../types.js";

export type Logger = { warn(message: string): void; error(message: string): void };

/** How captured calls are sent: in background batches from a bounded queue. */
export type CaptureSettings = {
  /** Calls held in memory at most; past it new calls are dropped and counted in `dropped` (10,000). */
  capacity?: number;
  /** Calls per request to Tollgate (500, at most 1000). */
  batchSize?: number;
  /** How long a partial batch waits, in ms (1000). */
  flushIntervalMs?: number;
  /** Waits after each failed attempt (408, 429, 5xx, network): 6 attempts, 0.4 s doubling to 12.8 s. */
  retryDelaysMs?: number[];
  /** Where dropped batches and rejected calls are reported (console). */
  logger?: Logger;
};

/** A bounded queue of captured calls and the sender that drains it; the app's model calls never wait on Tollgate. */
export class LlmUsageBuffer {
  /** Calls dropped: the queue was full, or a batch failed for good. */
  dropped = 0;
  /** Calls Tollgate rejected one by one (an unknown customer, a bad field). */
  rejected = 0;
  /** Calls Tollgate accepted or recognised as duplicates. */
  sent = 0;

  private queue: LlmCall[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private draining: Promise<void> | undefined;
  private exitHooked = false;
  // Node runs beforeExit when nothing else is left to do: the moment to send what is still queued.
  private readonly onExit = () => { this.exitHooked = false; void this.flush(); };
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly interval: number;
  private readonly delays: number[];
  private readonly logger: Logger;

  constructor(private readonly post: (calls: LlmCall[]) => Promise<LlmBatchAnswer>, settings: CaptureSettings = {}) {
    this.capacity = settings.capacity ?? 10_000;
    // At least 1: a batch of 0 would send empty batches for ever and never empty the queue.
    this.batchSize = Math.max(1, Math.min(Math.floor(settings.batchSize ?? 500), 1000));
    this.interval = settings.flushIntervalMs ?? 1000;
    this.delays = settings.retryDelaysMs ?? [400, 800, 1600, 3200, 6400, 12800];
    this.logger = settings.logger ?? console;
  }

  /** Calls waiting to be sent. */
  get pending(): number {
    return this.queue.length;
  }

  add(call: LlmCall): void {
    if (this.queue.length >= this.capacity) {
      this.dropped++;
      return;
    }
    this.queue.push(call);
    if (!this.exitHooked && hostProcess()?.once) {
      this.exitHooked = true;
      hostProcess()!.once!("beforeExit", this.onExit);
    }
    if (this.queue.length >= this.batchSize) this.drain();
    else if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; this.drain(); }, this.interval);
      unref(this.timer);
    }
  }

  /** Sends everything queued so far; resolves when it is sent or given up. Call it before a serverless function returns. */
  async flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    // Each turn awaits a send that settles only after it cleared `draining`, so the loop always moves on.
    while (this.queue.length > 0 || this.draining) await this.drain();
  }

  private drain(): Promise<void> {
    if (this.draining) return this.draining;
    if (this.queue.length === 0) return Promise.resolve();
    // Stored before anything clears it: an async body with nothing to await runs to its end at once, so a `finally`
    // inside it would clear the flag before `??=` stored the finished promise, and flush() would spin on it for good.
    const run: Promise<void> = this.sendQueued().finally(() => {
      if (this.draining === run) this.draining = undefined;
      if (this.queue.length === 0 && this.exitHooked) {
        this.exitHooked = false;
        hostProcess()?.removeListener?.("beforeExit", this.onExit);
      }
    });
    this.draining = run;
    return run;
  }

  private async sendQueued(): Promise<void> {
    while (this.queue.length > 0) await this.send(this.queue.splice(0, this.batchSize));
  }

  private async send(batch: LlmCall[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await this.post(batch);
        this.sent += answer.accepted + answer.duplicates;
        this.rejected += answer.rejected.length;
        for (const r of answer.rejected) this.logger.warn(`Tollgate rejected a captured LLM call (${r.requestId ?? "no id"}): ${r.reason}`);
        return;
      } catch (error) {
        const status = error instanceof TollgateError ? error.status : undefined;
        if (status === 413 && batch.length > 1) {
          // Long metadata made the body too large: send it in halves.
          const half = Math.ceil(batch.length / 2);
          await this.send(batch.slice(0, half));
          await this.send(batch.slice(half));
          return;
        }
        const transient = error instanceof TollgateUnavailableError || status === 408 || status === 429 || (status ?? 0) >= 500;
        if (!transient || attempt >= this.delays.length - 1) {
          this.dropped += batch.length;
          this.logger.error(`Dropped ${batch.length} captured LLM call(s) after ${attempt + 1} attempt(s): ${(error as Error).message}`);
          return;
        }
        await sleep(this.delays[attempt]!);
      }
    }
  }
}
