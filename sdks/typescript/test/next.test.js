import { test } from "node:test";
import assert from "node:assert/strict";
import { withQuota, setQuotaUsage } from "../dist/middleware/next.js";
import { Tollgate } from "../dist/index.js";
import { countingFetch, fakeUpstream, gatewayThrottling, hanging, withCustomer } from "./helpers.js";

// Next.js route handlers are Request → Response functions; these call them as Next would, with plain Web objects.
const post = (user, body = {}) => new Request("http://app.local/api/cv", {
  method: "POST", headers: { "content-type": "application/json", ...(user ? { "x-user": user } : {}) }, body: JSON.stringify(body),
});

const gated = (tg, handler, extra = {}) => withQuota(handler, { client: tg, feature: "cv_generate", customer: (req) => req.headers.get("x-user"), ...extra });

test("withQuota commits when the handler answers 2xx", async () => {
  const { tg, customer } = await withCustomer();
  const POST = gated(tg, async () => Response.json({ cv: "done" }));
  const response = await POST(post(customer), { params: {} });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { cv: "done" });
  const f = (await tg.usage.get(customer)).features.cv_generate;
  assert.deepEqual([f.used, f.reserved], [1, 0]);
});

test("withQuota releases when the handler answers 4xx or throws, and the error reaches the caller", async () => {
  const { tg, customer } = await withCustomer();
  assert.equal((await gated(tg, () => new Response("no", { status: 400 }))(post(customer))).status, 400);
  await assert.rejects(gated(tg, () => { throw new Error("handler broke"); })(post(customer)), /handler broke/);
  const f = (await tg.usage.get(customer)).features.cv_generate;
  assert.deepEqual([f.used, f.reserved], [0, 0]);
});

test("withQuota answers a denial as a problem Response with Retry-After", async () => {
  const { tg, customer } = await withCustomer();
  await tg.entitlements.consume({ customer, feature: "cv_generate", amount: 3 });
  let ran = false;
  const response = await gated(tg, () => { ran = true; return new Response("ok"); })(post(customer));
  assert.equal(ran, false);
  assert.equal(response.status, 429);
  assert.ok(Number(response.headers.get("retry-after")) > 0);
  const body = await response.json();
  assert.equal(body.error, "quota_exceeded");
  assert.equal(body.used, 3);
});

test("withQuota settles to the amount the handler reports", async () => {
  const { tg, customer } = await withCustomer();
  const POST = withQuota(async (req) => {
    setQuotaUsage(req, "api_calls", 7);
    return Response.json({ ok: true });
  }, { client: tg, feature: "api_calls", amount: 20, customer: () => customer });
  const response = await POST(post(customer));
  assert.equal(response.status, 200);
  await response.json(); // the commit waits for the body's end, as Next.js reads it
  assert.equal((await tg.usage.get(customer)).features.api_calls.used, 7);
});

test("withQuota fails closed by default and open when asked, when Tollgate is down", async () => {
  const down = new Tollgate({ apiKey: "tg_sk_x", baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
  assert.equal((await gated(down, () => new Response("ok"))(post("anyone"))).status, 503);
  assert.equal((await gated(down, () => new Response("ok"), { onError: "open" })(post("anyone"))).status, 200);
});

test("withQuota answers a gateway's code-less 429 and a Tollgate that never answers with 503 within timeoutMs, never waiting out Retry-After", async () => {
  const gateway = await fakeUpstream(gatewayThrottling);   // Retry-After: 10
  const hung = await fakeUpstream(hanging);
  try {
    for (const upstream of [gateway, hung]) {
      const tg = new Tollgate({ apiKey: "tg_sk_x", baseUrl: upstream.url });   // the default client: 30 s an attempt, 2 retries
      let ran = 0;
      const POST = gated(tg, () => { ran++; return new Response("ok"); }, { timeoutMs: 1_000 });
      const started = Date.now();
      const response = await POST(post("anyone"));
      const elapsed = Date.now() - started;
      assert.equal(response.status, 503);
      assert.equal((await response.json()).error, "quota_unavailable");
      assert.ok(elapsed < 15_000, `answered after ${elapsed} ms`);
      assert.equal(ran, 0);
    }
    assert.equal(gateway.seen.requests, 1);
  } finally {
    await Promise.all([gateway.close(), hung.close()]);
  }
});

test("withQuota runs the handler once per request whatever its Idempotency-Key", async () => {
  const { tg, customer } = await withCustomer();
  let ran = 0;
  const POST = gated(tg, () => { ran++; return Response.json({ cv: "done" }); });
  const request = () => new Request("http://app.local/api/cv", { method: "POST", headers: { "x-user": customer, "idempotency-key": "same" } });
  const statuses = [];
  for (let i = 0; i < 4; i++) {
    const response = await POST(request());
    statuses.push(response.status);
    await response.text(); // read to its end, as Next.js does: the commit waits for it
  }
  assert.deepEqual(statuses, [200, 200, 200, 429]);   // cv_generate: 3 a month on the free plan
  assert.equal(ran, 3);
  assert.equal((await tg.usage.get(customer)).features.cv_generate.used, 3);
});

test("withQuota answers an app user Tollgate does not know with 403 customer_unknown, not a thrown error", async () => {
  const { tg, customer } = await withCustomer();
  const response = await gated(tg, () => new Response("ok"))(post(`${customer}-never-created`));
  assert.equal(response.status, 403);
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  assert.equal((await response.json()).error, "customer_unknown");
});

test("withQuota answers a rate limit at once as a 429 problem Response with Retry-After, sending no retry", async () => {
  const { fetch: counting, seen } = countingFetch("/v1/entitlements/reserve");
  const { tg, customer } = await withCustomer({ fetch: counting });   // the default client, as the docs build it
  await tg.subscriptions.create({ customer, plan: "burst" });         // api_calls: 3 a minute
  const POST = withQuota(() => Response.json({ ok: true }), { client: tg, feature: "api_calls", customer: (req) => req.headers.get("x-user") });
  let response;
  let requests = 0;
  for (; requests < 8 && (!response || response.status === 200); requests++) response = await POST(post(customer));
  assert.equal(response.status, 429);
  const retryAfter = Number(response.headers.get("retry-after"));
  assert.ok(retryAfter >= 1 && retryAfter <= 60);
  const body = await response.json();
  assert.deepEqual([body.error, body.limit, body.remaining], ["rate_limited", 3, 0]);
  assert.equal(seen.count, requests, "one reserve per request: no retry reached Tollgate");
});

/** A streamed answer of `chunks` server-sent events, 20 ms apart, that fails after `failAfter` of them when given. */
function streamed(chunks, failAfter) {
  let n = 0;
  return () => new Response(new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (n === failAfter) return controller.error(new Error("the model died mid-stream"));
      if (n === chunks) return controller.close();
      controller.enqueue(new TextEncoder().encode(`data: token${n++}\n\n`));
    },
  }), { headers: { "content-type": "text/event-stream" } });
}

test("withQuota commits a stream read to its end, and releases one its caller leaves or that fails mid-way", async () => {
  const { tg, customer } = await withCustomer();
  const usage = async () => { const f = (await tg.usage.get(customer)).features.cv_generate; return [f.used, f.reserved]; };

  const whole = await gated(tg, streamed(5))(post(customer));
  assert.equal((await whole.text()).split("data:").length - 1, 5);
  assert.deepEqual(await usage(), [1, 0]);

  // The caller leaves after the first chunk (Next.js cancels the body of a response whose client went away).
  const left = await gated(tg, streamed(5))(post(customer));
  const reader = left.body.getReader();
  await reader.read();
  await reader.cancel("client went away");
  assert.deepEqual(await usage(), [1, 0]);

  const failed = await gated(tg, streamed(5, 2))(post(customer));
  await assert.rejects(failed.text(), /died mid-stream/);
  assert.deepEqual(await usage(), [1, 0]);
});
