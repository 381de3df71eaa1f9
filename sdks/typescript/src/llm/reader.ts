import type { LlmCall } from "../types.js";

type Json = Record<string, unknown>;

const num = (value: unknown, ...path: string[]): number => {
  let v: unknown = value;
  for (const key of path) v = v !== null && typeof v === "object" ? (v as Json)[key] : undefined;
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
};
const text = (o: Json, key: string) => (typeof o[key] === "string" && (o[key] as string).length > 0 ? (o[key] as string) : undefined);

// Hosts whose answers have OpenAI's shape but whose prices are another provider's: Azure's own rows, and the Gemini
// API's (a bare gemini-… name is priced as Vertex AI's). The same list as the Python and .NET captures.
const HOST_PROVIDERS: ReadonlyArray<readonly [string, string]> = [
  ["openai.azure.com", "azure"], ["cognitiveservices.azure.com", "azure"], ["services.ai.azure.com", "azure"],
  ["generativelanguage.googleapis.com", "gemini"], ["openrouter.ai", "openrouter"],
];

/** The provider a call to `host` is priced as, or undefined to go by the answer's shape (openai or anthropic). */
export function providerOf(host: string): string | undefined {
  const name = host.toLowerCase().replace(/\.$/, "");
  return HOST_PROVIDERS.find(([domain]) => name === domain || name.endsWith(`.${domain}`))?.[1];
}

/**
 * Reads token usage from model responses, whole or streamed: OpenAI-compatible chat completions and responses, and
 * Anthropic messages. Counts are made disjoint on the way, as docs/llm.md's table says: OpenAI's cached tokens (and
 * OpenRouter's cache writes) leave the prompt count, and its reasoning tokens leave the completion count.
 */
export class LlmUsageReader {
  private id: string | undefined;
  private model: string | undefined;
  private provider: string | undefined;
  private input = 0; private output = 0; private cached = 0; private cacheWrite = 0; private cacheWrite1h = 0; private reasoning = 0;
  private sawUsage = false;

  /** `provider`: the host's (see providerOf), when it says more than the answer's shape. */
  constructor(provider?: string) {
    this.provider = provider;
  }

  readJson(body: string): void {
    try { this.read(JSON.parse(body)); } catch { /* not JSON: nothing to log */ }
  }

  /** One server-sent event's data. */
  readEvent(data: string): void {
    if (data.length === 0 || data === "[DONE]") return;
    let root: Json;
    try { root = JSON.parse(data); } catch { return; }
    if (root === null || typeof root !== "object") return;
    // Anthropic: the message and its first usage in message_start, the running output total in message_delta.
    if (root.type === "message_start" && typeof root.message === "object") return this.read(root.message);
    if (root.type === "message_delta" && typeof root.usage === "object") return this.readAnthropic(root.usage as Json);
    if (root.type === "response.completed" && typeof root.response === "object") return this.read(root.response);
    this.read(root);
  }

  toCall(owner: { customer: string; feature?: string | undefined }, at: Date, fallbackId?: string): LlmCall | undefined {
    if (!this.sawUsage || !this.model) return undefined;
    return {
      customer: owner.customer, feature: owner.feature, model: this.model, provider: this.provider,
      inputTokens: Math.max(0, this.input), outputTokens: Math.max(0, this.output), cachedInputTokens: this.cached,
      cacheWriteTokens: this.cacheWrite, reasoningTokens: this.reasoning,
      // Left out when there are none, so a server older than the field (which refuses fields it does not know) still logs the call.
      cacheWrite1hTokens: Math.min(this.cacheWrite1h, this.cacheWrite) > 0 ? Math.min(this.cacheWrite1h, this.cacheWrite) : undefined, requestId: this.id ?? fallbackId, timestamp: at.toISOString(),
    };
  }

  private read(root: unknown): void {
    if (root === null || typeof root !== "object") return;
    const o = root as Json;
    // Azure's content-filter frames carry an empty id and model, some after the usage chunk: keep the real ones.
    this.id = text(o, "id") ?? this.id;
    this.model = text(o, "model") ?? this.model;
    const usage = o.usage;
    if (usage === null || typeof usage !== "object") return;
    const u = usage as Json;
    if ("prompt_tokens" in u) {
      this.provider ??= "openai";
      const cached = num(u, "prompt_tokens_details", "cached_tokens");
      const cacheWrite = num(u, "prompt_tokens_details", "cache_write_tokens");
      const reasoning = num(u, "completion_tokens_details", "reasoning_tokens");
      this.set(num(u, "prompt_tokens") - cached - cacheWrite, num(u, "completion_tokens") - reasoning, cached, cacheWrite, reasoning);
    } else if ("input_tokens_details" in u || "output_tokens_details" in u) {
      this.provider ??= "openai";
      const cached = num(u, "input_tokens_details", "cached_tokens");
      const reasoning = num(u, "output_tokens_details", "reasoning_tokens");
      this.set(num(u, "input_tokens") - cached, num(u, "output_tokens") - reasoning, cached, 0, reasoning);
    } else {
      this.readAnthropic(u);
    }
  }

  /** Anthropic's input_tokens already leave out cache reads and writes; later events restate totals, so values replace. */
  private readAnthropic(u: Json): void {
    this.provider ??= "anthropic";
    if ("input_tokens" in u) this.input = num(u, "input_tokens");
    if ("output_tokens" in u) this.output = num(u, "output_tokens");
    if ("cache_read_input_tokens" in u) this.cached = num(u, "cache_read_input_tokens");
    if ("cache_creation_input_tokens" in u) this.cacheWrite = num(u, "cache_creation_input_tokens");
    // The part of those writes kept for an hour (ttl "1h"), which bills at twice the input rate, not 1.25 times.
    const creation = u.cache_creation;
    if (creation !== null && typeof creation === "object" && "ephemeral_1h_input_tokens" in creation) {
      this.cacheWrite1h = num(u, "cache_creation", "ephemeral_1h_input_tokens");
    }
    this.sawUsage = true;
  }

  private set(input: number, output: number, cached: number, cacheWrite: number, reasoning: number): void {
    [this.input, this.output, this.cached, this.cacheWrite, this.reasoning] = [input, output, cached, cacheWrite, reasoning];
    this.sawUsage = true;
  }
}
