/** camelCase on the JS side, snake_case on the wire; maps whose keys are data (codes, currencies, user metadata) keep their keys. */

/** Whole subtrees kept as they are: user data and raw JSON values. */
const opaque = new Set(["metadata", "properties", "value", "payload", "errors", "group", "filters"]);
/**
 * Objects keyed by data (feature codes, currencies, skip reasons): their keys are kept, their values converted. Both
 * spellings, as requests are renamed from camelCase and answers from snake_case: `{ EUR: … }` must not become `_e_u_r`.
 */
const keyedByData = new Set([
  "features", "balance_cents", "balanceCents", "currency_options", "currencyOptions", "rates", "skipped_by_kind", "skippedByKind",
]);

/** Names whose digits start a word of their own on the wire, where `line1` keeps its digit: said once here. */
const spelledApart: Record<string, string> = { cacheWrite1h: "cache_write_1h", cacheWrite1hTokens: "cache_write_1h_tokens" };

const toSnake = (key: string) => spelledApart[key] ?? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toCamel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function convert(value: unknown, rename: (key: string) => string, keepKeys = false): unknown {
  if (Array.isArray(value)) return value.map((v) => convert(v, rename));
  if (value === null || typeof value !== "object" || value instanceof Date) {
    return value instanceof Date ? value.toISOString() : value;
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const name = keepKeys ? key : rename(key);
    if (opaque.has(key) && !keepKeys) out[name] = v;
    else if (keyedByData.has(key) && !keepKeys && v !== null && typeof v === "object" && !Array.isArray(v)) out[name] = convert(v, rename, true);
    else out[name] = convert(v, rename);
  }
  return out;
}

/** A request body for the wire: snake_case keys, Dates as ISO instants, undefined fields left out. */
export const toWire = (value: unknown): unknown => convert(value, toSnake);

/** An answer for JS: camelCase keys. */
export const fromWire = <T>(value: unknown): T => convert(value, toCamel) as T;
