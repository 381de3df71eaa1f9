// The cross-customer lists, usage history, the raw logs and GDPR deletion through the SDK, against the real server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NotFoundError, ValidationError } from "../dist/index.js";
import { adminClient, client, uniqueId, withCustomer } from "./helpers.js";

const day = (d) => d.toISOString().slice(0, 10);

async function customers(tg, prefix, n) {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  for (const id of ids) await tg.customers.upsert(id, { email: `${id}@example.com` });
  return ids;
}

test("customers are listed by prefix across pages, newest first, and filtered by plan", async () => {
  const tg = await client();
  const prefix = uniqueId("tsls");
  const ids = await customers(tg, prefix, 3);
  await tg.subscriptions.create({ customer: ids[0], plan: "pro" });
  const first = await tg.customers.list({ query: prefix, limit: 2 });
  assert.equal(first.data.length, 2);
  assert.equal(first.hasMore, true);
  assert.deepEqual((await first.toArray()).map((c) => c.id), [...ids].reverse());
  assert.deepEqual((await (await tg.customers.list({ query: prefix.toUpperCase(), plan: "pro", status: "active" })).toArray()).map((c) => c.id), [ids[0]]);
  const error = await tg.customers.list({ status: "sleeping" }).catch((e) => e);
  assert.ok(error instanceof ValidationError);
  assert.ok("status" in error.errors);
});

test("subscriptions and invoices are listed across customers page by page", async () => {
  const tg = await client();
  const since = new Date(Date.now() - 1000);
  const ids = await customers(tg, uniqueId("tssub"), 3);
  const subs = [];
  for (const id of ids) subs.push((await tg.subscriptions.create({ customer: id, plan: "pro" })).id);
  const listed = (await (await tg.subscriptions.list({ plan: "pro", status: "active", limit: 2 })).toArray()).map((s) => s.id);
  assert.ok(subs.every((id) => listed.includes(id)));
  assert.equal(new Set(listed).size, listed.length);
  assert.deepEqual((await (await tg.subscriptions.list({ customer: ids[1] })).toArray()).map((s) => s.id), [subs[1]]);

  const mine = (await (await tg.invoices.list({ from: since, limit: 1 })).toArray()).filter((i) => ids.includes(i.customer));
  assert.deepEqual(mine.map((i) => i.customer).sort(), [...ids].sort());
  const filtered = await (await tg.invoices.list({ customer: ids[2], status: mine[0].status })).toArray();
  assert.deepEqual(filtered.map((i) => i.id), mine.filter((i) => i.customer === ids[2]).map((i) => i.id));
  assert.equal((await tg.invoices.list({ customer: ids[2] })).balanceCents !== undefined, true);
});

test("usage history, daily totals and usage at an instant count consumed units", async () => {
  const { tg, customer } = await withCustomer();
  const admin = await adminClient();
  const before = new Date();
  await tg.entitlements.consume({ customer, feature: "cv_generate", amount: 2 });
  const today = new Date();
  const crossed = day(before) !== day(today); // the consume ran at midnight UTC: it may count on either day (or month)
  const twoDaysAgo = new Date(today.getTime() - 2 * 86_400_000);

  const history = await tg.usage.history(customer, { feature: "cv_generate", from: day(twoDaysAgo), to: day(today) });
  assert.equal(history.granularity, "day");
  assert.equal(history.from, day(twoDaysAgo));
  const days = history.features.cv_generate.map((p) => p.quantity);
  assert.ok(JSON.stringify(days) === "[0,0,2]" || (crossed && JSON.stringify(days) === "[0,2,0]"), `days ${days}`);
  const months = (await tg.usage.history(customer, { granularity: "month" })).features.cv_generate.map((p) => p.quantity);
  assert.equal(months.length, 12);
  assert.ok(months.at(-1) === 2 || (crossed && months.at(-2) === 2), `months ${months}`);
  assert.equal((await tg.usage.get(customer, { at: new Date() })).features.cv_generate.used, 2);
  assert.equal((await tg.usage.get(customer, { at: "2020-01-01T00:00:00Z" })).features.cv_generate.used, 0);

  const daily = (await admin.usage.daily({ feature: "cv_generate", from: day(before), to: day(today) })).features.cv_generate;
  assert.equal(daily.at(-1).day, day(today));
  assert.ok(daily.reduce((sum, p) => sum + p.quantity, 0) >= 2 && Math.max(...daily.map((p) => p.customers)) >= 1);
  const error = await tg.usage.history(customer, { granularity: "week" }).catch((e) => e);
  assert.ok(error instanceof ValidationError && "granularity" in error.errors);
});

test("recorded events and LLM calls are listed newest first across pages", async () => {
  const { tg, customer } = await withCustomer();
  const start = Date.now() - 10 * 60_000; // one minute apart, so "newest first" is one order
  const at = (i) => new Date(start + i * 60_000);
  await tg.events.track([1, 2, 3].map((amount) => ({ customer, feature: "api_calls", amount, timestamp: at(amount), properties: { source_app: "web" } })));
  const events = await (await tg.events.list({ customer, feature: "api_calls", limit: 2 })).toArray();
  assert.deepEqual(events.map((e) => e.amount), [3, 2, 1]);
  assert.deepEqual(events[0].properties, { source_app: "web" });
  assert.deepEqual((await tg.events.list({ customer, to: new Date("2020-01-01T00:00:00Z") })).data, []);
  const error = await tg.events.list().catch((e) => e);
  assert.ok(error instanceof ValidationError && "customer" in error.errors);

  for (const input of [100, 200, 300]) {
    await tg.llm.logUsage({ customer, model: "gpt-4o-mini", provider: "openai", inputTokens: input, outputTokens: 10, timestamp: at(input / 100) });
  }
  const calls = await (await tg.llm.listCalls({ customer, model: "gpt-4o-mini", limit: 2 })).toArray();
  assert.deepEqual(calls.map((c) => c.tokens.input), [300, 200, 100]);
  assert.ok(calls.every((c) => c.customer === customer && Number.isInteger(c.costNanoUsd)));
  assert.deepEqual((await tg.llm.listCalls({ customer, provider: "anthropic" })).data, []);
});

test("a customer is exported, then deleted, and reads afterwards are not found", async () => {
  const { tg, customer } = await withCustomer();
  const sub = await tg.subscriptions.create({ customer, plan: "pro" });
  const exported = await tg.customers.export(customer);
  assert.equal(exported.customer.id, customer);
  assert.deepEqual(exported.subscriptions.map((s) => s.id), [sub.id]);
  const deleted = await tg.customers.delete(customer, { prorate: true });
  assert.equal(deleted.deleted, true);
  assert.equal(deleted.canceledSubscription, sub.id);
  assert.ok(deleted.deletedAt);
  assert.ok((await tg.customers.get(customer).catch((e) => e)) instanceof NotFoundError);
  assert.ok((await tg.customers.delete(customer).catch((e) => e)) instanceof NotFoundError);
});
