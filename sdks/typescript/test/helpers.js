// Shared test setup: the real Tollgate server run-tests.sh started (TOLLGATE_URL, TOLLGATE_ADMIN_KEY), the test
// catalog applied once, and a secret key made for the SDK, as an app would have.
import { readFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Tollgate } from "../dist/index.js";

export const baseUrl = process.env.TOLLGATE_URL;
export const adminKey = process.env.TOLLGATE_ADMIN_KEY;
if (!baseUrl || !adminKey) throw new Error("TOLLGATE_URL and TOLLGATE_ADMIN_KEY must be set: run the tests with sdks/typescript/run-tests.sh");

/** A call with the admin key, for setup only (the SDK under test uses a secret key). */
export async function admin(method, path, body) {
  const response = await fetch(new URL(path, baseUrl), {
    method, headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

let secret;
/** A secret key (tg_sk_…) made through the admin API; the test catalog is applied first. */
export async function secretKey() {
  if (!secret) {
    secret = (async () => {
      await admin("PUT", "/v1/admin/catalog", JSON.parse(await readFile(new URL("./fixtures/catalog.json", import.meta.url), "utf8")));
      return (await admin("POST", "/v1/admin/keys", { name: `ts-sdk-${randomUUID()}`, role: "secret" })).key;
    })();
  }
  return secret;
}

/** A client with a secret key; options override (a fetch that fails, fewer retries…). */
export async function client(options = {}) {
  return new Tollgate({ apiKey: await secretKey(), baseUrl, ...options });
}

/** A customer id no other test uses. */
export const uniqueId = (prefix = "c") => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A client and a fresh customer on the free plan. */
export async function withCustomer(options = {}) {
  const tg = await client(options);
  const customer = uniqueId();
  await tg.customers.upsert(customer, { email: `${customer}@example.com` });
  return { tg, customer };
}

/** Retries a check until it passes, at most `attempts` times: for work done after an answer was sent (a gate's commit). */
export async function eventually(check, attempts = 100) {
  for (let i = 1; ; i++) {
    try {
      return await check();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** A client with the admin key: coupons, promotion codes, offer links and cross-customer reads need it. */
export async function adminClient() {
  await secretKey(); // the test catalog is applied first
  return new Tollgate({ apiKey: adminKey, baseUrl });
}

/** A fetch to the real server that counts the requests whose path ends with `suffix`: a retry would show as one more. */
export function countingFetch(suffix) {
  const seen = { count: 0 };
  const counting = (input, init) => {
    if (new URL(input instanceof Request ? input.url : String(input)).pathname.endsWith(suffix)) seen.count++;
    return fetch(input, init);
  };
  return { fetch: counting, seen };
}

/**
 * A fetch to the real server that loses the answer to the first call to `path` after the server has acted on it, and
 * records each attempt's idempotency key (from the body, or the Idempotency-Key header).
 */
export function losingFirstAnswer(path) {
  const seen = { attempts: 0, keys: [] };
  const lossy = async (input, init) => {
    const response = await fetch(input, init);
    if (String(input).endsWith(path)) {
      seen.attempts++;
      seen.keys.push(JSON.parse(init.body ?? "{}").idempotency_key ?? init.headers?.["idempotency-key"]);
      if (seen.attempts === 1) throw new TypeError("fetch failed: socket hang up");
    }
    return response;
  };
  return { lossy, seen };
}

/**
 * A stand-in for what may sit between an app and Tollgate (a gateway, a hung server) on loopback: `answer(req, res)`
 * handles each request, or leaves it unanswered. `requests` counts them; `close()` also drops connections left open.
 */
export async function fakeUpstream(answer) {
  const seen = { requests: 0 };
  const server = createServer((req, res) => { seen.requests++; req.resume(); answer(req, res); });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/** Answers as a throttling gateway does: 429 with Retry-After and no Tollgate problem. */
export const gatewayThrottling = (req, res) => {
  res.writeHead(429, { "retry-after": "10", "content-type": "application/json" });
  res.end(JSON.stringify({ message: "Too Many Requests" }));
};

/** Accepts the request and never answers. */
export const hanging = () => {};
