/** What the SDK reads from its host without importing Node: env vars and a timer that does not hold the process open. */
type Process = {
  env?: Record<string, string | undefined> | undefined;
  once?: ((event: string, listener: () => void) => void) | undefined;
  removeListener?: ((event: string, listener: () => void) => void) | undefined;
};

export const env = (name: string): string | undefined => (globalThis as { process?: Process | undefined }).process?.env?.[name];

export const hostProcess = (): Process | undefined => (globalThis as { process?: Process | undefined }).process;

/** Waits `ms`, or rejects when `signal` aborts first; with `hold` false the wait does not keep Node's process open. */
export function sleep(ms: number, signal?: AbortSignal, hold = true): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(); }, ms);
    if (!hold) unref(timer);
    const onAbort = () => { clearTimeout(timer); reject(signal!.reason); };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Lets a background timer not keep Node alive (no-op elsewhere). */
export function unref(timer: unknown): void {
  (timer as { unref?: (() => void) | undefined } | undefined)?.unref?.();
}
