// Rate limits, quota windows, usage metadata and cancel feedback against the real server. The catalog's "limited" plan
// allows api_calls at most 2 requests an hour and cv_generate a lifetime allowance of 3 (reset: never).
import { test } from "node:test";
import assert from "node:assert/strict";
import { EntitlementDeniedError, QuotaExceededError, RateLimitedError, ValidationError } from "../dist/index.js";
import { withCustomer } from "./helpers.js";

/** A client that never retries and a fresh customer on the limited plan. */
async function limitedCustomer() {
  const { tg, customer } = await withCustomer({ maxRetries: 0 });
  await tg.subscriptions.create({ customer, plan: "limited" });
  return { tg, customer };
}

/** Consumes api_calls until the rate limit refuses: 2 an hour, a few more tries in case the test straddles the hour. */
async function rateLimited(tg, customer, use = (params) => tg.entitlements.consume(params)) {
  for (let i = 0; i < 6; i++) {
    const error = await use({ customer, feature: "api_calls" }).then(() => undefined, (e) => e);
    if (error) return error;
  }
  throw new Error("six requests in a row were never rate limited");
}

test("past a rate limit consume throws RateLimitedError with the window's fields and counts nothing", async () => {
  const { tg, customer } = await limitedCustomer();
  const error = await rateLimited(tg, customer);
  assert.ok(error instanceof RateLimitedError && error instanceof EntitlementDeniedError && !(error instanceof QuotaExceededError));
  assert.equal(error.name, "RateLimitedError");
  assert.deepEqual([error.status, error.error, error.feature, error.plan], [429, "rate_limited", "api_calls", "limited"]);
  assert.deepEqual([error.limit, error.remaining, error.upgradeUrl], [2, 0, "/pricing"]);
  assert.deepEqual([error.per, error.scope, error.used], ["hour", "feature", undefined]);   // as in Python and .NET
  assert.ok(error.resetAt instanceof Date && error.resetAt > new Date());
  assert.equal(error.resetsAt, undefined); // a quota's reset, which a rate limit does not send
  assert.ok(error.retryAfter >= 1 && error.retryAfter <= 3600);
  assert.equal(error.headers.get("ratelimit-limit"), "2");
  assert.equal(error.headers.get("ratelimit-remaining"), "0");
  const used = (await tg.usage.get(customer)).features.api_calls.used;
  assert.ok(used >= 2 && used <= 4, `only the granted requests count, not the refused one: ${used}`);
});

test("a reserve past a rate limit throws RateLimitedError too", async () => {
  const { tg, customer } = await limitedCustomer();
  const error = await rateLimited(tg, customer, (params) => tg.entitlements.reserve(params));
  assert.ok(error instanceof RateLimitedError);
  assert.ok(error.resetAt instanceof Date);
});

test("decisions, usage and entitlements carry the quota's own window, with no end for a lifetime allowance", async () => {
  const { tg, customer } = await limitedCustomer();
  const monthly = await tg.entitlements.consume({ customer, feature: "api_calls" });
  assert.equal(typeof monthly.windowStart, "string");
  assert.ok(Date.parse(monthly.resetsAt) > Date.parse(monthly.windowStart));
  const lifetime = await tg.entitlements.consume({ customer, feature: "cv_generate" });
  assert.equal(typeof lifetime.windowStart, "string");
  assert.equal(lifetime.resetsAt, null);

  const usage = (await tg.usage.get(customer)).features;
  assert.deepEqual([usage.api_calls.windowStart, usage.api_calls.resetsAt], [monthly.windowStart, monthly.resetsAt]);
  assert.deepEqual([usage.cv_generate.used, usage.cv_generate.resetsAt], [1, null]);

  const features = Object.fromEntries((await tg.entitlements.get(customer)).features.map((f) => [f.feature, f]));
  assert.equal(features.api_calls.resetsAt, monthly.resetsAt);
  assert.equal(typeof features.cv_generate.windowStart, "string");
  assert.equal(features.cv_generate.resetsAt, null);
});

test("metadata on consume, reserve and track is kept on the usage records, its keys as sent", async () => {
  const { tg, customer } = await withCustomer();
  await tg.entitlements.consume({ customer, feature: "api_calls", metadata: { endpoint: "/chat", userAgent: "curl" } });
  await (await tg.entitlements.reserve({ customer, feature: "api_calls", amount: 2, metadata: { endpoint: "/bulk" } })).commit();
  await tg.events.track([{ customer, feature: "api_calls", amount: 3, metadata: { endpoint: "/import" } }]);
  const records = Object.fromEntries((await (await tg.events.list({ customer })).toArray()).map((e) => [e.source, e]));
  assert.deepEqual(records.consume.metadata, { endpoint: "/chat", userAgent: "curl" });
  assert.deepEqual([records.reservation.metadata, records.reservation.amount], [{ endpoint: "/bulk" }, 2]);
  assert.deepEqual(records.event.metadata, { endpoint: "/import" });
});

test("cancel keeps its reason and comment on the subscription, and undoCancel clears them", async () => {
  const { tg, customer } = await withCustomer();
  const sub = await tg.subscriptions.create({ customer, plan: "pro" });
  assert.deepEqual([sub.cancelReason, sub.cancelComment], [null, null]);
  const canceled = (await tg.subscriptions.cancel(sub.id, { reason: "missing_features", comment: "No SSO" })).subscription;
  assert.deepEqual([canceled.cancelAtPeriodEnd, canceled.cancelReason, canceled.cancelComment], [true, "missing_features", "No SSO"]);
  assert.equal((await tg.subscriptions.get(sub.id)).cancelReason, "missing_features");
  const back = await tg.subscriptions.undoCancel(sub.id);
  assert.deepEqual([back.cancelReason, back.cancelComment], [null, null]);
});

test("an unknown cancel reason or a comment past 1000 characters is a ValidationError, and nothing is canceled", async () => {
  const { tg, customer } = await withCustomer();
  const sub = await tg.subscriptions.create({ customer, plan: "pro" });
  const badReason = await tg.subscriptions.cancel(sub.id, { reason: "bored" }).catch((e) => e);
  assert.ok(badReason instanceof ValidationError);
  assert.ok("reason" in badReason.errors);
  const longComment = await tg.subscriptions.cancel(sub.id, { reason: "other", comment: "x".repeat(1001) }).catch((e) => e);
  assert.ok(longComment instanceof ValidationError);
  assert.ok("comment" in longComment.errors);
  assert.equal((await tg.subscriptions.get(sub.id)).cancelAtPeriodEnd, false);
});
