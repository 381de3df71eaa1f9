import { TollgateError, TollgateUnavailableError } from "../errors.js";
import { hostProcess, sleep, unref } from "../core/runtime.js";
import type { LlmBatchAnswer, LlmCall } from "../types.js";

export type Logger = { warn(message: string): void; error(message: string): void };

/** How captured calls are sent: in background batches from a bounded queue. */
export type CaptureSettings = {
  /** Calls held in memory at most; past it new calls are dropped and counted in `dropped` (10,000). */
  capacity?: number | undefined;
  /** Calls per request to Tollgate (500, at most 1000). */
  batchSize?: number | undefined;
  /** How long a partial batch waits, in ms (1000). */
  flushIntervalMs?: number | undefined;
  /** Waits after each failed attempt (408, 429, 5xx, network): 6 attempts, 0.4 s doubling to 12.8 s. */
  retryDelaysMs?: number[] | undefined;
  /** Where dropped batches and rejected calls are reported (console). */
  logger?: Logger | undefined;
  /** How long Node's end (`beforeExit`) waits to send what is still queued, in ms (5000); what is left then is dropped. */
  exitTimeoutMs?: number | undefined;
};

/** How long `flush` waits. */
export type FlushOptions = {
  /** At most this long, in ms (10,000); what is not sent by then stays queued for the next send. */
  timeoutMs?: number | undefined;
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
  // Aborts the drain under way (its request and its wait between attempts) when a flush's time is up.
  private halt: AbortController | undefined;
  private exitHooked = false;
  private exitWatched = false;
  // Calls taken off the queue for the request under way: process.exit() loses them too.
  private inFlight = 0;
  // flush() calls waiting: their own deadline bounds their requests, so these are not cut at exitTimeoutMs.
  private flushes = 0;
  // When the background request just cut off for holding the process began, until its retry's wait ends: an exit in
  // that wait has only what is left of exitTimeoutMs from then, as the script may have ended as that request began.
  private cutFrom: number | undefined;
  // Node runs beforeExit when nothing else is left to do: the moment to send what is still queued. What a bounded flush
  // could not send is lost with the process, so it is counted and said.
  private readonly onExit = () => {
    this.exitHooked = false;
    const timeoutMs = this.cutFrom === undefined ? this.exitTimeout : Math.max(0, this.cutFrom + this.exitTimeout - Date.now());
    void this.flush({ timeoutMs }).then((done) => {
      if (done || this.queue.length === 0) return;
      this.dropped += this.queue.length;
      this.logger.error(`Dropped ${this.queue.length} captured LLM call(s) not sent to Tollgate before the process ended`);
      this.queue = [];
    });
  };
  // process.exit() skips beforeExit and allows no async work in 'exit': nothing can be sent any more, so the calls left
  // are counted as dropped and said once, rather than lost silently.
  private readonly onProcessExit = () => {
    this.exitWatched = false;
    const lost = this.queue.length + this.inFlight;
    if (lost === 0) return;
    this.dropped += lost;
    this.queue = [];
    this.inFlight = 0;
    this.logger.warn(`Dropped ${lost} captured LLM call(s) not sent to Tollgate: process.exit() ends the process without sending; await tollgate.llm.flush() before it`);
  };
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly interval: number;
  private readonly delays: number[];
  private readonly logger: Logger;
  private readonly exitTimeout: number;

  constructor(private readonly post: (calls: LlmCall[], signal: AbortSignal) => Promise<LlmBatchAnswer>, settings: CaptureSettings = {}) {
    this.capacity = settings.capacity ?? 10_000;
    // At least 1: a batch of 0 would send empty batches for ever and never empty the queue.
    this.batchSize = Math.max(1, Math.min(Math.floor(settings.batchSize ?? 500), 1000));
    this.interval = settings.flushIntervalMs ?? 1000;
    this.delays = settings.retryDelaysMs ?? [400, 800, 1600, 3200, 6400, 12800];
    this.logger = settings.logger ?? console;
    this.exitTimeout = settings.exitTimeoutMs ?? 5000;
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
    if (!this.exitWatched && hostProcess()?.once) {
      this.exitWatched = true;
      hostProcess()!.once!("exit", this.onProcessExit);
    }
    if (this.queue.length >= this.batchSize) this.drain();
    else this.schedule();
  }

  /** Sends a partial batch after `flushIntervalMs`, unless a send is already due. */
  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.drain(); }, this.interval);
    unref(this.timer);
  }

  /**
   * Sends everything queued so far. Resolves true once it is sent or given up, false when `timeoutMs` (10 s) passed
   * first: the request and the wait under way then stop, and what is left stays queued for the next send. Call it
   * before a serverless function returns.
   */
  async flush(options: FlushOptions = {}): Promise<boolean> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    let expired = false;
    // Not unref'd: it holds the process open for at most this long, so calls queued at exit get their bounded chance.
    const deadline = setTimeout(() => { expired = true; this.halt?.abort(new Error("flush timed out")); }, options.timeoutMs ?? 10_000);
    this.flushes++;
    try {
      // Each turn awaits a send that settles only after it cleared `draining`, so the loop always moves on; a halted
      // send has put its batch back, and the deadline ends the loop.
      while (!expired && (this.queue.length > 0 || this.draining)) await this.drain();
      return this.queue.length === 0 && this.draining === undefined;
    } finally {
      this.flushes--;
      clearTimeout(deadline);
    }
  }

  private drain(): Promise<void> {
    if (this.draining) return this.draining;
    if (this.queue.length === 0) return Promise.resolve();
    // Stored before anything clears it: an async body with nothing to await runs to its end at once, so a `finally`
    // inside it would clear the flag before `??=` stored the finished promise, and flush() would spin on it for good.
    const halt = (this.halt = new AbortController());
    const run: Promise<void> = this.sendQueued(halt.signal).finally(() => {
      if (this.draining === run) this.draining = undefined;
      if (this.halt === halt) this.halt = undefined;
      // A halted send put its batch back: it goes again later, as a partial batch would.
      if (halt.signal.aborted && this.queue.length > 0) this.schedule();
      if (this.queue.length === 0 && this.exitHooked) {
        this.exitHooked = false;
        hostProcess()?.removeListener?.("beforeExit", this.onExit);
      }
      if (this.queue.length === 0 && this.exitWatched) {
        this.exitWatched = false;
        hostProcess()?.removeListener?.("exit", this.onProcessExit);
      }
    });
    this.draining = run;
    return run;
  }

  private async sendQueued(signal: AbortSignal): Promise<void> {
    while (this.queue.length > 0 && !signal.aborted) {
      const batch = this.queue.splice(0, this.batchSize);
      this.inFlight = batch.length;
      try {
        if (!(await this.send(batch, signal))) return;
      } finally {
        this.inFlight = 0;
      }
    }
  }

  /** Settles the batch (sent, or dropped and counted); false when halted first, the batch back at the queue's head. */
  private async send(batch: LlmCall[], signal: AbortSignal): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      // A request under way holds Node's event loop, so beforeExit (and its bounded flush) cannot come while it waits: a
      // background one is cut off after exitTimeoutMs, else a hung Tollgate kept the process for the client's timeout.
      const started = Date.now();
      const hold = this.flushes === 0 ? bounded(signal, this.exitTimeout) : undefined;
      try {
        let posted: LlmBatchAnswer;
        try {
          posted = await this.post(batch, hold?.signal ?? signal);
        } finally {
          hold?.clear();
        }
        const answer = tally(posted);
        if (!answer) {
          // A 2xx that is not Tollgate's tally (a proxy's `200 {}`) confirms nothing: the calls are counted as lost, as the
          // Python recorder counts them, and not sent again.
          this.dropped += batch.length;
          this.logger.error(`Dropped ${batch.length} captured LLM call(s): the answer to sending them was not Tollgate's (no accepted, duplicates and rejected)`);
          return true;
        }
        this.sent += answer.accepted + answer.duplicates;
        this.rejected += answer.rejected.length;
        for (const r of answer.rejected) this.logger.warn(`Tollgate rejected a captured LLM call (${r.requestId ?? "no id"}): ${r.reason}`);
        return true;
      } catch (error) {
        if (signal.aborted) {
          this.queue.unshift(...batch);
          return false;
        }
        const status = error instanceof TollgateError ? error.status : undefined;
        if (status === 413 && batch.length > 1) {
          // Long metadata made the body too large: send it in halves; a halted first half puts the second back after it.
          const half = Math.ceil(batch.length / 2);
          if (!(await this.send(batch.slice(0, half), signal))) {
            this.queue.splice(half, 0, ...batch.slice(half));
            return false;
          }
          return this.send(batch.slice(half), signal);
        }
        const cut = hold?.signal.aborted === true;
        const transient = cut || error instanceof TollgateUnavailableError || status === 408 || status === 429 || (status ?? 0) >= 500;
        if (!transient || attempt >= this.delays.length - 1) {
          this.dropped += batch.length;
          this.logger.error(`Dropped ${batch.length} captured LLM call(s) after ${attempt + 1} attempt(s): ${(error as Error).message}`);
          return true;
        }
        // Without holding the process open: a script that ends while Tollgate is down exits through beforeExit's
        // bounded flush, not after every batch's retries.
        if (cut) this.cutFrom = started;
        const slept = await sleep(this.delays[attempt]!, signal, false).then(() => true, () => false);
        this.cutFrom = undefined;
        if (!slept) {
          this.queue.unshift(...batch);
          return false;
        }
      }
    }
  }
}

/** `signal`, also aborted after `ms`; `clear` stops the timer. The timer does not hold the process: the request does. */
function bounded(signal: AbortSignal, ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new Error(`no answer within exitTimeoutMs (${ms} ms)`)), ms);
  unref(timer);
  return { signal: controller.signal, clear: () => { clearTimeout(timer); signal.removeEventListener("abort", onAbort); } };
}

/** The batch answer's counts, or undefined when the 2xx answer is not Tollgate's batch answer. */
function tally(answer: unknown): Pick<LlmBatchAnswer, "accepted" | "duplicates" | "rejected"> | undefined {
  const a = answer as Partial<LlmBatchAnswer> | null | undefined;
  const count = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0;
  if (typeof a !== "object" || a === null || !count(a.accepted) || !count(a.duplicates) || !Array.isArray(a.rejected)) return undefined;
  return { accepted: a.accepted, duplicates: a.duplicates, rejected: a.rejected };
}
