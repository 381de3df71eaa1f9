import { test, after } from "node:test";
import assert from "node:assert/strict";
import express from "express";
import { requireQuota, setQuotaUsage } from "../dist/middleware/express.js";
import { EntitlementDeniedError, SubscriptionInactiveError, Tollgate, errorFromResponse, gate } from "../dist/index.js";
import { baseUrl, client, countingFetch, eventually, fakeUpstream, gatewayThrottling, hanging, uniqueId, withCustomer } from "./helpers.js";

const servers = [];
after(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

/** A real Express app on loopback with routes gated by requireQuota; the caller names itself in X-User. */
async function app(tg, gateOptions = {}) {
  const app = express();
  app.use(express.json());
  const who = (req) => req.get("x-user");
  app.post("/cv", requireQuota("cv_generate", { client: tg, customer: who, ...gateOptions }), (req, res) => {
    res.json({ cv: "done" });
  });
  app.post("/cv/invalid", requireQuota("cv_generate", { client: tg, customer: who, ...gateOptions }), (req, res) => {
    res.status(422).json({ error: "bad input" });
  });
  app.post("/cv/crash", requireQuota("cv_generate", { client: tg, customer: who, ...gateOptions }), () => {
    throw new Error("handler broke");
  });
  app.post("/calls", requireQuota("api_calls", { client: tg, customer: who, amount: (req) => req.body.batch ?? 1 }), (req, res) => {
    setQuotaUsage(req, "api_calls", req.body.actual);
    res.json({ ok: true });
  });
  app.use((error, req, res, next) => { void next; res.status(500).json({ error: error.message }); });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  servers.push(server);
  const url = `http://127.0.0.1:${server.address().port}`;
  return (path, user, body = {}, headers = {}) => fetch(url + path, {
    method: "POST", headers: { "content-type": "application/json", ...(user ? { "x-user": user } : {}), ...headers }, body: JSON.stringify(body),
  });
}

const used = async (tg, customer, feature = "cv_generate") => {
  const f = (await tg.usage.get(customer)).features[feature];
  return { used: f.used, reserved: f.reserved };
};

test("a 2xx answer commits the reserved unit", async () => {
  const { tg, customer } = await withCustomer();
  const call = await app(tg);
  const response = await call("/cv", customer);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { cv: "done" });
  await eventually(async () => assert.deepEqual(await used(tg, customer), { used: 1, reserved: 0 }));
});

test("a 4xx answer or a thrown error releases the hold, counting nothing", async () => {
  const { tg, customer } = await withCustomer();
  const call = await app(tg);
  assert.equal((await call("/cv/invalid", customer)).status, 422);
  assert.equal((await call("/cv/crash", customer)).status, 500);
  await eventually(async () => assert.deepEqual(await used(tg, customer), { used: 0, reserved: 0 }));
});

test("past the hard cap the caller gets 429 with Retry-After, an absolute upgrade_url and no cost fields", async () => {
  const { tg, customer } = await withCustomer();
  await tg.entitlements.consume({ customer, feature: "cv_generate", amount: 3 });
  const response = await (await app(tg))("/cv", customer);
  assert.equal(response.status, 429);
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  assert.ok(Number(response.headers.get("retry-after")) > 0);
  const body = await response.json();
  assert.equal(body.error, "quota_exceeded");
  assert.equal(body.limit, 3);
  assert.equal(body.remaining, 0);
  assert.equal(body.upgrade_url, new URL("/pricing", baseUrl).toString());
});

test("a spent LLM budget reaches the caller without the budget's dollar figures", async () => {
  const { tg, customer } = await withCustomer();
  await tg.llm.logUsage({ customer, model: "gpt-4o", inputTokens: 1000, outputTokens: 1000 });
  const response = await (await chatApp(tg))("/chat", customer);
  assert.equal(response.status, 429);
  const body = await response.json();
  assert.equal(body.error, "budget_exceeded");
  assert.equal(body.budget_usd, undefined);
  assert.equal(body.budget_spent_usd, undefined);
  assert.equal(body.budget_reserved_usd, undefined);
});

async function chatApp(tg) {
  const a = express();
  a.post("/chat", requireQuota("ai_chat", { client: tg, customer: (req) => req.get("x-user") }), (req, res) => res.json({ ok: true }));
  const server = a.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  servers.push(server);
  return (path, user) => fetch(`http://127.0.0.1:${server.address().port}${path}`, { method: "POST", headers: { "x-user": user } });
}

test("onDenied shapes the denial the app sends", async () => {
  const { tg, customer } = await withCustomer();
  await tg.entitlements.consume({ customer, feature: "cv_generate", amount: 3 });
  const call = await app(tg, {
    onDenied: (denial, error) => ({ status: denial.status, headers: { "content-type": "application/json" },
      body: { message: `You have used all ${error.limit} CVs this month.`, upgrade: denial.body.upgrade_url } }),
  });
  const response = await call("/cv", customer);
  assert.equal(response.status, 429);
  assert.deepEqual(await response.json(), { message: "You have used all 3 CVs this month.", upgrade: new URL("/pricing", baseUrl).toString() });
});

test("an anonymous caller gets 401 and nothing is reserved", async () => {
  const response = await (await app(await client()))("/cv", undefined);
  assert.equal(response.status, 401);
  assert.equal((await response.json()).error, "unauthenticated");
});

test("a plan without the feature answers 402 feature_not_in_plan", async () => {
  const { tg, customer } = await withCustomer();
  const a = express();
  a.get("/export", requireQuota("exports", { client: tg, customer: () => customer }), (req, res) => res.send("csv"));
  const server = a.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  servers.push(server);
  const response = await fetch(`http://127.0.0.1:${server.address().port}/export`);
  assert.equal(response.status, 402);
  assert.equal((await response.json()).error, "feature_not_in_plan");
});

test("setQuotaUsage settles the commit to the units really used", async () => {
  const { tg, customer } = await withCustomer();
  const response = await (await app(tg))("/calls", customer, { batch: 10, actual: 4 });
  assert.equal(response.status, 200);
  await eventually(async () => assert.deepEqual(await used(tg, customer, "api_calls"), { used: 4, reserved: 0 }));
});

test("each request is its own reservation whatever its Idempotency-Key: one key cannot run the handler past the cap", async () => {
  const { tg, customer } = await withCustomer();
  const call = await app(tg);
  const key = uniqueId("req");
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await call("/cv", customer, {}, { "idempotency-key": key })).status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);   // cv_generate: 3 a month on the free plan
  await eventually(async () => assert.deepEqual(await used(tg, customer), { used: 3, reserved: 0 }));
});

test("a key another customer already sent is no error: the second customer is served and counted", async () => {
  const { tg, customer } = await withCustomer();
  const { customer: other } = await withCustomer();
  const call = await app(tg);
  const key = uniqueId("shared");
  assert.equal((await call("/cv", customer, {}, { "idempotency-key": key })).status, 200);
  const second = await call("/cv", other, {}, { "idempotency-key": key });
  assert.equal(second.status, 200);
  assert.deepEqual(await second.json(), { cv: "done" });
  await eventually(async () => assert.deepEqual(await used(tg, other), { used: 1, reserved: 0 }));
});

test("with Tollgate unreachable the gate fails closed with 503 by default, or lets requests through with onError open", async () => {
  const down = new Tollgate({ apiKey: "tg_sk_x", baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
  const closed = await (await app(down))("/cv", "anyone");
  assert.equal(closed.status, 503);
  assert.equal((await closed.json()).error, "quota_unavailable");
  const open = await (await app(down, { onError: "open" }))("/cv", "anyone");
  assert.equal(open.status, 200);
});

test("a gateway's 429 without a Tollgate code is answered through onError at once, never waited out, with one request", async () => {
  const gateway = await fakeUpstream(gatewayThrottling);   // Retry-After: 10
  try {
    const tg = new Tollgate({ apiKey: "tg_sk_x", baseUrl: gateway.url });   // the default client: 2 retries, maxRetryAfter 60
    const started = Date.now();
    const closed = await (await app(tg, { timeoutMs: 30_000 }))("/cv", "anyone");
    assert.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms`);
    assert.equal(closed.status, 503);
    assert.equal((await closed.json()).error, "quota_unavailable");
    assert.equal(closed.headers.get("retry-after"), null);
    assert.equal(gateway.seen.requests, 1);
    assert.equal((await (await app(tg, { onError: "open" }))("/cv", "anyone")).status, 200);
  } finally {
    await gateway.close();
  }
});

test("with Tollgate accepting but never answering, the gate answers 503 once timeoutMs has passed, or lets through with onError open", async () => {
  const hung = await fakeUpstream(hanging);
  try {
    const tg = new Tollgate({ apiKey: "tg_sk_x", baseUrl: hung.url });   // 30 s an attempt, 2 retries
    for (const [onError, status] of [["closed", 503], ["open", 200]]) {
      const started = Date.now();
      const response = await (await app(tg, { timeoutMs: 1_000, onError }))("/cv", "anyone");
      const elapsed = Date.now() - started;
      assert.equal(response.status, status);
      assert.ok(elapsed >= 900 && elapsed < 15_000, `answered after ${elapsed} ms`);
    }
  } finally {
    await hung.close();
  }
});

test("timeoutMs bounds autoCreateCustomers too: a customer creation that hangs is answered 503 in time", async () => {
  // Tollgate answers that the customer is unknown, then hangs on creating it.
  const upstream = await fakeUpstream((req, res) => {
    if (req.method !== "POST") return;
    res.writeHead(404, { "content-type": "application/problem+json" });
    res.end(JSON.stringify({ status: 404, error: "not_found", resource: "customer" }));
  });
  try {
    const tg = new Tollgate({ apiKey: "tg_sk_x", baseUrl: upstream.url });
    const started = Date.now();
    const response = await (await app(tg, { timeoutMs: 1_000, autoCreateCustomers: true }))("/cv", "new-user");
    const elapsed = Date.now() - started;
    assert.equal(response.status, 503);
    assert.ok(elapsed >= 900 && elapsed < 15_000, `answered after ${elapsed} ms`);
    assert.equal(upstream.seen.requests, 2);   // the reserve, then the PUT that never answered
  } finally {
    await upstream.close();
  }
});

test("a revoked or wrong key is covered by the onError policy too", async () => {
  const wrong = new Tollgate({ apiKey: "tg_sk_wrong", baseUrl });
  assert.equal((await (await app(wrong))("/cv", "anyone")).status, 503);
  assert.equal((await (await app(wrong, { onError: "open" }))("/cv", "anyone")).status, 200);
});

test("autoCreateCustomers creates an unknown customer on first use", async () => {
  const tg = await client();
  const customer = uniqueId("new");
  const response = await (await app(tg, { autoCreateCustomers: true }))("/cv", customer);
  assert.equal(response.status, 200);
  assert.equal((await tg.customers.get(customer)).id, customer);
  await eventually(async () => assert.deepEqual(await used(tg, customer), { used: 1, reserved: 0 }));
});

test("an amount or a customer id Tollgate takes no usage for is answered 400 invalid_usage naming it, not 500", async () => {
  const { tg, customer } = await withCustomer();
  const call = await app(tg);
  for (const batch of [0, -1, 2.5, 10 ** 13]) {
    const response = await call("/calls", customer, { batch });
    assert.equal(response.status, 400, `batch ${batch}`);
    assert.equal(response.headers.get("content-type"), "application/problem+json");
    const body = await response.json();
    assert.equal(body.error, "invalid_usage");
    assert.match(body.detail, /amount/);
  }
  const spaced = await call("/cv", "has a space");
  assert.deepEqual([spaced.status, (await spaced.json()).error], [400, "invalid_usage"]);
});

test("an app user Tollgate does not know is answered 403 customer_unknown as a JSON problem, whatever onError says", async () => {
  const tg = await client();
  const stranger = uniqueId("unknown");
  for (const onError of ["closed", "open"]) {
    const response = await (await app(tg, { onError }))("/cv", stranger);
    assert.equal(response.status, 403);
    assert.equal(response.headers.get("content-type"), "application/problem+json");
    const body = await response.json();
    assert.deepEqual([body.status, body.error], [403, "customer_unknown"]);
  }
});

test("past a rate limit the caller gets 429 rate_limited with Retry-After at once: the gate never waits to retry", async () => {
  const { fetch: counting, seen } = countingFetch("/v1/entitlements/reserve");
  const { tg, customer } = await withCustomer({ fetch: counting });   // the default client, as the docs build it
  await tg.subscriptions.create({ customer, plan: "burst" });         // api_calls: 3 a minute, so Retry-After is within 60 s
  const call = await app(tg);
  let response;
  let requests = 0;
  // 3 a minute: the 4th is refused, or a few more when the minute turns mid-test.
  for (; requests < 8 && (!response || response.status === 200); requests++) response = await call("/calls", customer, {});
  assert.equal(response.status, 429);
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  const retryAfter = Number(response.headers.get("retry-after"));
  assert.ok(retryAfter >= 1 && retryAfter <= 60);
  assert.deepEqual([response.headers.get("ratelimit-limit"), response.headers.get("ratelimit-remaining")], ["3", "0"]);
  const body = await response.json();
  assert.deepEqual([body.error, body.feature, body.plan, body.limit, body.remaining], ["rate_limited", "api_calls", "burst", 3, 0]);
  assert.equal(typeof body.reset_at, "string");
  assert.equal(body.upgrade_url, new URL("/pricing", baseUrl).toString());
  assert.equal(seen.count, requests, "one reserve per request: no retry reached Tollgate");
});

// The answer Tollgate sends for a suspended subscription under on_suspension "deny" (the server's contract tests make
// a real one; a suspension takes days of the test clock, which this suite's real-clock server does not have).
const suspended = {
  type: "https://tollgate.dev/problems/subscription_inactive", title: "Subscription inactive", status: 402, error: "subscription_inactive",
  detail: "An active subscription is required to use 'cv_generate': the subscription is past due and suspended until its invoice is paid.",
  feature: "cv_generate", plan: "pro", upgrade_url: "/pricing",
};

test("a suspended subscription's 402 subscription_inactive is a SubscriptionInactiveError that the gate answers as 402", async () => {
  const answer402 = async () => new Response(JSON.stringify(suspended), { status: 402, headers: { "content-type": "application/problem+json" } });
  const tg = new Tollgate({ apiKey: "tg_sk_test", baseUrl, fetch: answer402, maxRetries: 0 });
  const error = await tg.entitlements.consume({ customer: "c1", feature: "cv_generate" }).catch((e) => e);
  assert.ok(error instanceof SubscriptionInactiveError && error instanceof EntitlementDeniedError);
  assert.equal(error.name, "SubscriptionInactiveError");
  // A 402 code this version does not know is still a refusal, not a plain TollgateError.
  assert.ok(errorFromResponse(402, { ...suspended, error: "some_future_refusal" }, new Headers()) instanceof EntitlementDeniedError);

  const a = express();
  a.post("/cv", requireQuota("cv_generate", { client: tg, customer: () => "c1" }), (req, res) => res.send("cv"));
  const server = a.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  servers.push(server);
  const response = await fetch(`http://127.0.0.1:${server.address().port}/cv`, { method: "POST" });
  assert.equal(response.status, 402);
  assert.equal((await response.json()).error, "subscription_inactive");
});

test("timeoutMs of Infinity sets no deadline of the gate's own, and one that is not positive is refused", async () => {
  // AbortSignal.timeout throws a RangeError past 2^32 - 1 ms, which reached every gated request.
  const { tg, customer } = await withCustomer();
  const outcome = await gate("cv_generate", { client: tg, customer: () => customer, timeoutMs: Infinity }, {});
  assert.equal(outcome.allowed, true);
  await outcome.settle(true);
  await assert.rejects(() => gate("cv_generate", { client: tg, customer: () => customer, timeoutMs: 0 }, {}), RangeError);
});

test("a stream is committed when sent to its end, and released when the caller leaves mid-way or the handler fails after its headers", async () => {
  const { tg, customer } = await withCustomer();
  const app = express();
  const gated = requireQuota("cv_generate", { client: tg, customer: (req) => req.get("x-user") });
  const tokens = async (res, n) => {
    res.setHeader("content-type", "text/event-stream");
    for (let i = 0; i < n; i++) {
      if (res.destroyed) return;
      res.write(`data: token${i}\n\n`);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    res.end();
  };
  app.post("/stream", gated, (req, res) => tokens(res, 5));
  app.post("/stream/fails", gated, async (req, res) => {
    res.status(200).write("data: start\n\n");
    throw new Error("the model died mid-stream"); // Express's own error handler: headers sent, so it destroys the response
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  servers.push(server);
  const url = `http://127.0.0.1:${server.address().port}`;
  const call = (path, signal) => fetch(url + path, { method: "POST", headers: { "x-user": customer }, signal });

  assert.equal((await (await call("/stream")).text()).split("data:").length - 1, 5);
  await eventually(async () => assert.deepEqual(await used(tg, customer), { used: 1, reserved: 0 }));

  const leaving = new AbortController();
  const left = await call("/stream", leaving.signal);
  await left.body.getReader().read();
  leaving.abort();
  await eventually(async () => assert.deepEqual(await used(tg, customer), { used: 1, reserved: 0 }));

  await (await call("/stream/fails")).text().catch(() => "cut off");
  await eventually(async () => assert.deepEqual(await used(tg, customer), { used: 1, reserved: 0 }));
});
