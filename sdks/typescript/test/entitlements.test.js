import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BudgetExceededError, FeatureNotInPlanError, IdempotencyMismatchError, QuotaExceededError, RateLimitedError, Tollgate, TollgateUnavailableError,
} from "../dist/index.js";
import { losingFirstAnswer, secretKey, withCustomer } from "./helpers.js";

test("consuming past the hard cap throws QuotaExceededError with the quota fields and Retry-After", async () => {
  const { tg, customer } = await withCustomer();
  await tg.entitlements.consume({ customer, feature: "cv_generate", amount: 3 });
  const error = await tg.entitlements.consume({ customer, feature: "cv_generate" }).catch((e) => e);
  assert.ok(error instanceof QuotaExceededError);
  assert.equal(error.name, "QuotaExceededError");
  assert.equal(error.status, 429);
  assert.equal(error.feature, "cv_generate");
  assert.equal(error.plan, "free");
  assert.equal(error.limit, 3);
  assert.equal(error.used, 3);
  assert.equal(error.remaining, 0);
  assert.ok(error.resetsAt instanceof Date && error.resetsAt > new Date());
  assert.ok(error.retryAfter > 0);
  assert.equal(error.upgradeUrl, "/pricing");
});

test("a feature the plan lacks throws FeatureNotInPlanError", async () => {
  const { tg, customer } = await withCustomer();
  const error = await tg.entitlements.consume({ customer, feature: "exports" }).catch((e) => e);
  assert.ok(error instanceof FeatureNotInPlanError);
  assert.equal(error.name, "FeatureNotInPlanError");
  assert.equal(error.status, 402);
  assert.equal(error.feature, "exports");
});

test("a spent LLM budget throws BudgetExceededError, a QuotaExceededError with the budget fields", async () => {
  const { tg, customer } = await withCustomer();
  // gpt-4o at $2.50 / $10.00 per 1M: 1,000 input + 1,000 output is $0.0125, past the free plan's $0.01.
  await tg.llm.logUsage({ customer, model: "gpt-4o", inputTokens: 1000, outputTokens: 1000, requestId: "chatcmpl-budget" });
  const error = await tg.entitlements.consume({ customer, feature: "ai_chat" }).catch((e) => e);
  assert.ok(error instanceof BudgetExceededError);
  assert.ok(error instanceof QuotaExceededError);
  assert.equal(error.name, "BudgetExceededError");
  assert.equal(error.error, "budget_exceeded");
  assert.equal(error.budgetUsd, 0.01);
  assert.equal(error.budgetSpentUsd, 0.0125);
  const check = await tg.entitlements.check({ customer, feature: "ai_chat" });
  assert.equal(check.allowed, false);
  assert.equal(check.reason, "budget_exceeded");
});

test("the same idempotency key with another amount is an IdempotencyMismatchError", async () => {
  const { tg, customer } = await withCustomer();
  const key = `order-${customer}`;
  await tg.entitlements.consume({ customer, feature: "api_calls", idempotencyKey: key });
  const again = await tg.entitlements.consume({ customer, feature: "api_calls", idempotencyKey: key });
  assert.equal(again.used, 1);
  const error = await tg.entitlements.consume({ customer, feature: "api_calls", amount: 2, idempotencyKey: key }).catch((e) => e);
  assert.ok(error instanceof IdempotencyMismatchError);
  assert.equal(error.status, 409);
});

test("concurrent consumes never grant more than the hard cap", async () => {
  const { tg, customer } = await withCustomer();
  const results = await Promise.allSettled(Array.from({ length: 60 }, () => tg.entitlements.consume({ customer, feature: "api_calls" })));
  const granted = results.filter((r) => r.status === "fulfilled");
  const refused = results.filter((r) => r.status === "rejected");
  assert.equal(granted.length, 25);
  assert.equal(refused.length, 35);
  assert.ok(refused.every((r) => r.reason instanceof QuotaExceededError));
  assert.equal((await tg.usage.get(customer)).features.api_calls.used, 25);
});

test("a consume retried after a lost answer counts once, under the same generated idempotency key", async () => {
  const { lossy, seen } = losingFirstAnswer("/v1/entitlements/consume");
  const { tg, customer } = await withCustomer({ fetch: lossy });
  const decision = await tg.entitlements.consume({ customer, feature: "api_calls", amount: 2 });
  assert.equal(seen.attempts, 2);
  assert.equal(seen.keys[0], seen.keys[1]);
  assert.match(seen.keys[0], /^idem_[0-9a-f]{32}$/);
  assert.equal(decision.used, 2);
  assert.equal((await tg.usage.get(customer)).features.api_calls.used, 2);
});

test("a reserve retried after a lost answer holds once", async () => {
  const { lossy, seen } = losingFirstAnswer("/v1/entitlements/reserve");
  const { tg, customer } = await withCustomer({ fetch: lossy });
  const reservation = await tg.entitlements.reserve({ customer, feature: "cv_generate", amount: 2 });
  assert.equal(seen.attempts, 2);
  assert.equal(reservation.entitlement.reserved, 2);
  assert.equal((await tg.usage.get(customer)).features.cv_generate.reserved, 2);
  await reservation.release();
});

test("a 5xx is retried, honouring Retry-After, and the last one is a TollgateUnavailableError", async () => {
  let calls = 0;
  // A proxy in front of the real server that answers 503 with Retry-After twice, then lets the request through.
  const flaky = async (input, init) => {
    calls++;
    if (calls <= 2) return new Response(JSON.stringify({ status: 503, error: "overloaded" }), { status: 503, headers: { "retry-after": "0", "content-type": "application/problem+json" } });
    return fetch(input, init);
  };
  const { tg, customer } = await withCustomer({ fetch: flaky });
  calls = 0;
  const decision = await tg.entitlements.consume({ customer, feature: "api_calls" });
  assert.equal(calls, 3);
  assert.equal(decision.used, 1);

  calls = -10;
  const error = await tg.entitlements.check({ customer, feature: "api_calls" }, { maxRetries: 1 }).catch((e) => e);
  assert.ok(error instanceof TollgateUnavailableError);
  assert.equal(error.status, 503);
  assert.equal(calls, -8);
});

test("a 429 without a Tollgate code (a proxy's throttling) is retried after its Retry-After; one past maxRetryAfter is thrown at once", async () => {
  let calls = 0;
  let retryAfter = "0";
  // A proxy in front of the real server that throttles the first attempt of each call, with no problem body.
  const throttling = async (input, init) => {
    calls++;
    if (calls % 2 === 1) return new Response("Too Many Requests", { status: 429, headers: { "retry-after": retryAfter, "content-type": "text/plain" } });
    return fetch(input, init);
  };
  const { tg, customer } = await withCustomer();
  const throttled = new Tollgate({ apiKey: await secretKey(), baseUrl: tg.baseUrl, fetch: throttling, maxRetryAfter: 60 });
  assert.equal((await throttled.entitlements.check({ customer, feature: "api_calls" })).allowed, true);
  assert.equal(calls, 2);

  calls = 0;
  retryAfter = "3600";
  const error = await throttled.entitlements.check({ customer, feature: "api_calls" }).catch((e) => e);
  assert.ok(error instanceof RateLimitedError);
  assert.equal(error.name, "RateLimitedError");
  assert.equal(error.retryAfter, 3600);
  assert.equal(calls, 1);
});

test("with retryAnswers false a 503 or a code-less 429 is thrown at once, whatever its Retry-After, and a lost answer is still retried", async () => {
  const answers = [
    new Response(JSON.stringify({ status: 503, error: "overloaded" }), { status: 503, headers: { "retry-after": "0", "content-type": "application/problem+json" } }),
    new Response("Too Many Requests", { status: 429, headers: { "retry-after": "0", "content-type": "text/plain" } }),
  ];
  for (const answer of answers) {
    let calls = 0;
    const tg = new Tollgate({ apiKey: "tg_sk_x", baseUrl: "http://127.0.0.1:9", fetch: async () => { calls++; return answer.clone(); } });
    const error = await tg.entitlements.check({ customer: "c1", feature: "api_calls" }, { retryAnswers: false }).catch((e) => e);
    assert.deepEqual([error.status, calls], [answer.status, 1]);
  }
  const { lossy, seen } = losingFirstAnswer("/v1/entitlements/consume");
  const { tg, customer } = await withCustomer({ fetch: lossy });
  assert.equal((await tg.entitlements.consume({ customer, feature: "api_calls" }, { retryAnswers: false })).used, 1);
  assert.equal(seen.attempts, 2);
});

test("a rate_limited or quota_exceeded denial is thrown at once with its Retry-After, never retried", async () => {
  const seen = { consumes: 0 };
  // Counts the consumes that reach the real server, so a retry would show.
  const counting = async (input, init) => {
    if (String(input).endsWith("/v1/entitlements/consume")) seen.consumes++;
    return fetch(input, init);
  };
  const { tg, customer } = await withCustomer({ fetch: counting });   // the default client: maxRetries 2, maxRetryAfter 60
  await tg.subscriptions.create({ customer, plan: "burst" });         // api_calls: 3 a minute, so Retry-After is within 60 s

  let limited;
  for (let i = 0; i < 8 && !limited; i++) {                           // 3 a minute: a few more in case the minute turns mid-test
    limited = await tg.entitlements.consume({ customer, feature: "api_calls" }).then(() => undefined, (e) => e);
  }
  assert.ok(limited instanceof RateLimitedError, `expected a RateLimitedError, got ${limited}`);
  assert.ok(limited.retryAfter >= 1 && limited.retryAfter <= 60);
  assert.equal((await tg.usage.get(customer)).features.api_calls.used, seen.consumes - 1, "each consume reached the server once");

  const { tg: free, customer: other } = await withCustomer({ fetch: counting });
  await free.entitlements.consume({ customer: other, feature: "cv_generate", amount: 3 });
  seen.consumes = 0;
  const spent = await free.entitlements.consume({ customer: other, feature: "cv_generate" }).catch((e) => e);
  assert.ok(spent instanceof QuotaExceededError);
  assert.equal(seen.consumes, 1);
});

test("events.track sends events with properties, one or a batch; a resent id counts once and groups keep their keys", async () => {
  const { tg, customer } = await withCustomer();
  const one = await tg.events.track(customer, "llm_call", { model_name: "gpt-4o", tokens: 1000 }, { id: `${customer}-t1` });
  const batch = await tg.events.track([
    { customer, event: "llm_call", properties: { model_name: "gpt-4o", tokens: 500 } },
    { customer, event: "llm_call", properties: { model_name: "mini", tokens: 200 } },
    { id: `${customer}-t1`, customer, event: "llm_call", properties: { model_name: "gpt-4o", tokens: 1000 } },
  ]);
  const usage = (await tg.usage.get(customer)).features.ai_tokens;
  assert.deepEqual([one.accepted, batch.accepted, batch.duplicates], [1, 2, [`${customer}-t1`]]);
  assert.equal(usage.used, 1700);
  assert.deepEqual(usage.groups.map((g) => [g.group.model_name, g.used]).sort(), [["gpt-4o", 1500], ["mini", 200]]);
});
