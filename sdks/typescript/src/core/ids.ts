/**
 * Random ids for idempotency keys and events, and Web Crypto for webhook signatures: the global `crypto` where there is
 * one (Node 19+, browsers, edge), else Node 18's module.
 */
type WebCrypto = { getRandomValues<T extends ArrayBufferView>(array: T): T; subtle: SubtleCrypto; randomUUID?: (() => string) | undefined };

let cached: Promise<WebCrypto> | undefined;

const globalCrypto = (): Partial<WebCrypto> | undefined => (globalThis as { crypto?: Partial<WebCrypto> | undefined }).crypto;

/** Node 18 has Web Crypto only on its module. */
function nodeCrypto(): Promise<WebCrypto> {
  // Built at run time: bundlers fold a constant name (Vite then warns that it externalized node:crypto for the
  // browser), while a browser never gets here, having a global crypto.
  const moduleName = ["node", "crypto"].join(":");
  cached ??= (import(/* webpackIgnore: true */ /* @vite-ignore */ moduleName) as Promise<{ webcrypto: WebCrypto }>).then((m) => m.webcrypto);
  return cached;
}

/** Web Crypto with `subtle`, for HMAC (webhook signatures). */
export function webCrypto(): Promise<WebCrypto> {
  const global = globalCrypto();
  if (global?.subtle) return Promise.resolve(global as WebCrypto);
  return nodeCrypto();
}

/**
 * A random id with a prefix, such as "idem_3f9c…"; 128 bits of randomness. Only `getRandomValues` is needed, which a
 * browser page served over plain http has too (it lacks `crypto.subtle` there).
 */
export async function randomId(prefix: string): Promise<string> {
  const global = globalCrypto();
  const bytes = new Uint8Array(16);
  if (typeof global?.getRandomValues === "function") global.getRandomValues(bytes);
  else (await nodeCrypto()).getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
