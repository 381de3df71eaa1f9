/** Random ids for idempotency keys and events: Web Crypto where it is global (Node 19+, browsers, edge), else Node 18's module. */
type WebCrypto = { getRandomValues<T extends ArrayBufferView>(array: T): T; subtle: SubtleCrypto; randomUUID?: () => string };

let cached: Promise<WebCrypto> | undefined;

export function webCrypto(): Promise<WebCrypto> {
  const global = (globalThis as { crypto?: WebCrypto }).crypto;
  if (global?.subtle) return Promise.resolve(global);
  // Node 18 has Web Crypto only on its module; the name is a variable so edge bundlers do not try to resolve it.
  const moduleName = "node:crypto";
  cached ??= (import(/* webpackIgnore: true */ moduleName) as Promise<{ webcrypto: WebCrypto }>).then((m) => m.webcrypto);
  return cached;
}

/** A random id with a prefix, such as "idem_3f9c…"; 128 bits of randomness. */
export async function randomId(prefix: string): Promise<string> {
  const bytes = (await webCrypto()).getRandomValues(new Uint8Array(16));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
