// Shared test setup: the real Tollgate server run-tests.sh started (TOLLGATE_URL, TOLLGATE_ADMIN_KEY), the test
// catalog applied once, and a secret key made for the SDK, as an app would have.
import { readFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
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
