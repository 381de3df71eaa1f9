import type { Fetch } from "../core/http.js";
import { watchedStream } from "../core/streams.js";
import type { LlmUsageBuffer } from "./buffer.js";
import { LlmUsageReader, providerOf } from "./reader.js";

/** Request headers that name the call's owner for one call; the wrapper removes them before the provider sees the request. */
export const CUSTOMER_HEADER = "tollgate-customer";
export const FEATURE_HEADER = "tollgate-feature";

type Resolve = string | undefined | (() => string | undefined);

export type CaptureOptions = {
  /** Whose calls these are: an id, or a function read at each call (from your own request context). */
  customer?: Resolve | undefined;
  /** The feature the calls serve, for per-feature cost. */
  feature?: Resolve | undefined;
  /** The fetch to wrap (the global one when left out). */
  fetch?: Fetch | undefined;
};

const resolve = (value: Resolve) => (typeof value === "function" ? value() : value);
const MAX_JSON = 8 << 20;

/**
 * A fetch that passes every request and answer through unchanged and, for a 2xx JSON or event-stream answer with
 * usage and a model, queues the call for Tollgate. Usage is read from the bytes the app reads anyway: no second read.
 */
export function captureFetch(buffer: LlmUsageBuffer, options: CaptureOptions = {}): Fetch {
  return async (input, init) => {
    const at = new Date();
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const customer = headers.get(CUSTOMER_HEADER) ?? resolve(options.customer);
    const feature = headers.get(FEATURE_HEADER) ?? resolve(options.feature);
    if (headers.has(CUSTOMER_HEADER) || headers.has(FEATURE_HEADER)) {
      headers.delete(CUSTOMER_HEADER);
      headers.delete(FEATURE_HEADER);
      if (input instanceof Request && !init?.headers) input = new Request(input, { headers });
      else init = { ...init, headers };
    }

    const base = options.fetch ?? globalThis.fetch;
    const response = await base(input, init);
    const type = response.headers.get("content-type") ?? "";
    const streamed = type.includes("text/event-stream");
    if (!customer || !response.ok || !response.body || !(streamed || type.includes("json"))) return response;

    let host = "";
    try { host = new URL(input instanceof Request ? input.url : String(input)).hostname; } catch { /* a relative URL: no host to go by */ }
    const reader = new LlmUsageReader(providerOf(host));
    const fallbackId = response.headers.get("x-request-id") ?? response.headers.get("request-id") ?? undefined;
    const decoder = new TextDecoder();
    let line = "";
    let json = "";
    const onBytes = streamed
      ? (bytes: Uint8Array) => {
        line += decoder.decode(bytes, { stream: true });
        let end: number;
        while ((end = line.indexOf("\n")) >= 0) {
          const current = line.slice(0, end).replace(/\r$/, "");
          line = line.slice(end + 1);
          if (current.startsWith("data:")) reader.readEvent(current.slice(5).trim());
        }
      }
      : (bytes: Uint8Array) => { if (json.length < MAX_JSON) json += decoder.decode(bytes, { stream: true }); };
    const onEnd = () => {
      if (!streamed) reader.readJson(json + decoder.decode());
      // Without any id the server would make a new one per attempt; one made here keeps the sender's retries counting once.
      const call = reader.toCall({ customer, feature: feature ?? undefined }, at, fallbackId ?? `llmc_sdk_${at.getTime()}_${Math.random().toString(16).slice(2)}`);
      // The same metadata the Python and .NET captures record.
      if (call) buffer.add({ ...call, metadata: fallbackId ? { streamed, http_request_id: fallbackId } : { streamed } });
    };

    const observed = new Response(watchedStream(response.body,
      // A response the reader cannot follow must not break the app.
      () => { try { onEnd(); } catch { /* ignored */ } },
      (bytes) => { try { onBytes(bytes); } catch { /* ignored */ } }), {
      status: response.status, statusText: response.statusText, headers: response.headers,
    });
    Object.defineProperty(observed, "url", { value: response.url });
    return observed;
  };
}

