import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AuthenticationError, IdempotencyAnswerLostError, IdempotencyKeyInUseError, NotFoundError, Tollgate, TollgateUnavailableError, ValidationError,
} from "../dist/index.js";
import { baseUrl, client, uniqueId, withCustomer } from "./helpers.js";

test("upsert creates a customer and get reads it back in camelCase, metadata keys untouched", async () => {
  const tg = await client();
  const id = uniqueId();
  const created = await tg.customers.upsert(id, { email: "ada@example.com", name: "Ada", metadata: { team_name: "growth" } });
  assert.equal(created.id, id);
  assert.deepEqual(created.metadata, { team_name: "growth" });
  const read = await tg.customers.get(id);
  assert.equal(read.email, "ada@example.com");
  assert.equal(read.hasPaymentMethod, false);
  assert.match(read.createdAt, /Z$/);
});

test("an unknown customer is a NotFoundError naming the resource", async () => {
  const tg = await client();
  const error = await tg.customers.get(uniqueId("nobody")).catch((e) => e);
  assert.ok(error instanceof NotFoundError);
  assert.equal(error.name, "NotFoundError");
  assert.equal(error.status, 404);
  assert.equal(error.error, "not_found");
  assert.equal(error.resource, "customer");
});

test("a wrong key is an AuthenticationError", async () => {
  const tg = new Tollgate({ apiKey: "tg_sk_not_a_real_key", baseUrl });
  const error = await tg.customers.get("anyone").catch((e) => e);
  assert.ok(error instanceof AuthenticationError);
  assert.equal(error.error, "invalid_api_key");
});

test("a bad field is a ValidationError whose errors name it", async () => {
  const tg = await client();
  const error = await tg.customers.upsert(uniqueId(), { email: "not-an-email" }).catch((e) => e);
  assert.ok(error instanceof ValidationError);
  assert.equal(error.status, 400);
  assert.ok(Object.keys(error.errors).includes("email"));
});

test("an unreachable server is a TollgateUnavailableError after the retries", async () => {
  let attempts = 0;
  const tg = new Tollgate({ apiKey: "tg_sk_x", baseUrl: "http://127.0.0.1:9", maxRetries: 2,
    fetch: (input, init) => { attempts++; return fetch(input, init); } });
  const error = await tg.customers.get("anyone").catch((e) => e);
  assert.ok(error instanceof TollgateUnavailableError);
  assert.equal(error.status, undefined);
  assert.equal(attempts, 3);
});

test("a signal aborted before the call sends nothing and rejects with its reason, where the call was sent and counted", async () => {
  const { tg, customer } = await withCustomer();
  const controller = new AbortController();
  controller.abort(new Error("the user left"));
  const error = await tg.entitlements.consume({ customer, feature: "api_calls" }, { signal: controller.signal }).catch((e) => e);
  assert.equal(error.message, "the user left");
  assert.equal((await tg.usage.get(customer)).features.api_calls.used, 0);
  const bare = new AbortController();
  bare.abort();
  assert.equal((await tg.customers.get(customer, { signal: bare.signal }).catch((e) => e)).name, "AbortError");
});

test("a timeout or retry count that would fail every call is a RangeError where it is given", async () => {
  for (const timeout of [Number.NaN, 0, -1, Number.POSITIVE_INFINITY]) {
    assert.throws(() => new Tollgate({ apiKey: "x", timeout }), RangeError);
  }
  assert.throws(() => new Tollgate({ apiKey: "x", maxRetries: -1 }), RangeError);
  assert.throws(() => new Tollgate({ apiKey: "x", maxRetries: 1.5 }), RangeError);
  await assert.rejects(new Tollgate({ apiKey: "x" }).customers.get("c", { timeout: Number.NaN }), RangeError);
});

test("an answer that is no problem (a proxy's 503 or 429 text) is an error whose message quotes the start of its body", async () => {
  const answers = [
    new Response("unavailable", { status: 503, headers: { "content-type": "text/plain" } }),
    new Response("slow down", { status: 429, headers: { "content-type": "text/plain" } }),
    new Response(`<html><body>${"x".repeat(500)}</body></html>`, { status: 502, headers: { "content-type": "text/html" } }),
  ];
  const tg = new Tollgate({ apiKey: "tg_sk_x", baseUrl: "http://tollgate.test", maxRetries: 0, fetch: async () => answers.shift() });
  const unavailable = await tg.customers.get("anyone").catch((e) => e);
  assert.ok(unavailable instanceof TollgateUnavailableError);
  assert.deepEqual([unavailable.message, unavailable.detail, unavailable.error], ["Tollgate answered 503: unavailable", "Tollgate answered 503: unavailable", "http_503"]);
  assert.equal((await tg.customers.get("anyone").catch((e) => e)).message, "Tollgate answered 429: slow down");
  const page = await tg.customers.get("anyone").catch((e) => e);
  assert.equal(page.message, `Tollgate answered 502: <html><body>${"x".repeat(188)}…`);   // 200 characters of a page, not all of it
});

test("check, consume, reserve, commit and release answer decisions with the counter", async () => {
  const { tg, customer } = await withCustomer();
  const check = await tg.entitlements.check({ customer, feature: "cv_generate" });
  assert.equal(check.allowed, true);
  assert.equal(check.used, 0);
  assert.equal(check.hardCap, true);

  const consumed = await tg.entitlements.consume({ customer, feature: "cv_generate" });
  assert.equal(consumed.reason, "within_quota");
  assert.equal(consumed.used, 1);
  assert.equal(consumed.remaining, 2);

  const reservation = await tg.entitlements.reserve({ customer, feature: "cv_generate", amount: 2, ttlSeconds: 60 });
  assert.ok(reservation.id);
  assert.equal(reservation.entitlement.reserved, 2);
  const committed = await reservation.commit(1);
  assert.equal(committed.used, 2);
  assert.equal(committed.reserved, 0);

  const second = await tg.entitlements.reserve({ customer, feature: "cv_generate", amount: 1 });
  const released = await tg.entitlements.release(second.id);
  assert.equal(released.used, 2);
  assert.equal(released.reserved, 0);

  const usage = await tg.usage.get(customer);
  assert.equal(usage.plan, "free");
  assert.equal(usage.features.cv_generate.used, 2);
  assert.equal(usage.features.api_calls.hardCap, true);

  const list = await tg.entitlements.get(customer);
  const seats = list.features.find((f) => f.feature === "seats");
  assert.equal(seats.value, 1);
  assert.equal(list.features.find((f) => f.feature === "exports").access, false);
});

test("events count once per id, and a bad event is rejected alone", async () => {
  const { tg, customer } = await withCustomer();
  const first = await tg.events.track([
    { id: "e-1", customer, feature: "api_calls", amount: 3, properties: { endpoint_path: "/v1/x" } },
    { customer, feature: "no_such_feature" },
  ]);
  assert.equal(first.accepted, 1);
  assert.equal(first.rejected.length, 1);
  assert.equal(first.rejected[0].index, 1);
  const again = await tg.events.track([{ id: "e-1", customer, feature: "api_calls", amount: 3 }]);
  assert.deepEqual(again.duplicates, ["e-1"]);
  assert.equal((await tg.usage.get(customer)).features.api_calls.used, 3);
});

test("subscriptions are created, previewed, changed, listed, canceled and uncanceled", async () => {
  const { tg, customer } = await withCustomer();
  const sub = await tg.subscriptions.create({ customer, plan: "pro", billingPeriod: "monthly" });
  assert.equal(sub.plan, "pro");
  assert.equal(sub.status, "active");
  assert.equal((await tg.subscriptions.get(sub.id)).id, sub.id);

  const preview = await tg.subscriptions.preview(sub.id, { plan: "pro", billingPeriod: "yearly", effective: "immediate" });
  assert.equal(preview.subscription.billingPeriod, "yearly");
  assert.ok(preview.amountCents > 0);
  assert.equal(preview.currency, "USD");
  assert.equal((await tg.subscriptions.get(sub.id)).billingPeriod, "monthly");

  const changed = await tg.subscriptions.change(sub.id, { plan: "pro", billingPeriod: "yearly", effective: "immediate" });
  assert.equal(changed.subscription.billingPeriod, "yearly");
  assert.equal(changed.effective, "immediate");

  const all = await (await tg.subscriptions.list({ customer })).toArray();
  assert.deepEqual(all.map((s) => s.id), [sub.id]);

  const canceled = await tg.subscriptions.cancel(sub.id);
  assert.equal(canceled.subscription.cancelAtPeriodEnd, true);
  const back = await tg.subscriptions.undoCancel(sub.id);
  assert.equal(back.cancelAtPeriodEnd, false);

  const invoices = await tg.invoices.list({ customer });
  const listed = await invoices.toArray();
  assert.ok(listed.length >= 1);
  const invoice = await tg.invoices.get(listed[0].id);
  assert.equal(invoice.customer, customer);
  assert.ok(Number.isInteger(invoice.amountDueCents));
  assert.match(await tg.invoices.html(invoice.id), /<html/i);
  const pdf = await tg.invoices.pdf(invoice.id);
  assert.ok(pdf instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(pdf.subarray(0, 5)), "%PDF-");
  await assert.rejects(tg.invoices.pdf("in_missing"), (e) => e.status === 404);
  assert.ok(invoices.balanceCents && typeof invoices.balanceCents === "object");
});

test("the upcoming invoice shows the next renewal's fee without writing it, and a free customer has none", async () => {
  const { tg, customer } = await withCustomer();
  await tg.subscriptions.create({ customer, plan: "pro" });
  const issued = await (await tg.invoices.list({ customer })).toArray();
  const upcoming = await tg.invoices.upcoming(customer);
  assert.deepEqual([upcoming.status, upcoming.number, upcoming.htmlUrl], ["upcoming", null, null]);
  assert.deepEqual(upcoming.lines.map((l) => [l.kind, l.amountCents]), [["recurring", 2900]]);
  assert.equal(upcoming.amountDueCents, 2900);
  assert.equal((await (await tg.invoices.list({ customer })).toArray()).length, issued.length);
  await tg.customers.upsert(`${customer}-free`);
  await assert.rejects(tg.invoices.upcoming(`${customer}-free`), (e) => e.name === "NotFoundError" && e.resource === "upcoming_invoice");
});

test("a portal link is a signed URL into Tollgate's portal", async () => {
  const { tg, customer } = await withCustomer();
  const link = await tg.portal.createLink(customer, { returnUrl: "https://app.example.com/account" });
  assert.match(link.url, /\/portal\/enter\?token=/);
  assert.ok(Date.parse(link.expiresAt) > Date.now());
});

test("checkout without Stripe configured says so, without retrying", async () => {
  let attempts = 0;
  const { tg, customer } = await withCustomer({ fetch: (i, o) => { attempts++; return fetch(i, o); } });
  attempts = 0;
  const error = await tg.checkout.createSession({ customer, plan: "pro", successUrl: "https://a.example/ok", cancelUrl: "https://a.example/no" }).catch((e) => e);
  assert.equal(error.error, "payments_not_configured");
  assert.equal(error.status, 503);
  assert.equal(attempts, 1);
});

test("pricing reads the public plans", async () => {
  const tg = await client();
  const plans = await tg.pricing.plans();
  const pro = plans.find((p) => p.code === "pro");
  assert.equal(pro.prices.find((p) => p.billingPeriod === "monthly").displayPrice, "$29.00");
  assert.equal((await tg.pricing.plan("pro")).code, "pro");
  assert.equal(pro.experiment, null);   // sent as null outside an experiment, as PricingPlan's type says
});

test("one plan reads in a currency, and one it lacks is refused naming currency", async () => {
  const tg = await client();
  const free = await tg.pricing.plan("free", { currency: "eur" }); // a free plan costs 0 in every currency
  assert.deepEqual(free.prices.map((p) => [p.currency, p.priceCents]), [["EUR", 0]]);
  const refused = await tg.pricing.plan("pro", { currency: "EUR" }).catch((e) => e);
  assert.equal(refused.status, 400);
  assert.ok(refused.errors.currency, JSON.stringify(refused.errors));
});

test("billing details are set, read back and refused by field", async () => {
  const { tg, customer } = await withCustomer();
  const updated = await tg.customers.upsert(customer, {
    name: "Muster GmbH",
    address: { line1: "Friedrichstraße 123", city: "Berlin", postalCode: "10117", country: "DE" },
    taxIds: [{ type: "eu_vat", value: "DE987654321" }],
    taxExempt: "reverse",
  });
  assert.deepEqual([updated.address?.postalCode, updated.address?.country, updated.taxIds, updated.taxExempt],
    ["10117", "DE", [{ type: "eu_vat", value: "DE987654321" }], "reverse"]);
  assert.deepEqual((await tg.customers.get(customer)).address, updated.address);
  await assert.rejects(tg.customers.upsert(customer, { address: { country: "Germany" } }),
    (e) => e.status === 400 && String(e.message).includes("address.country"));
});

test("createSession mints a browser token that reads its own customer's usage and not another's, until revoked", async () => {
  const { tg, customer } = await withCustomer();
  const other = uniqueId();
  await tg.customers.upsert(other);
  const session = await tg.customers.createSession(customer, { ttlSeconds: 600 });
  assert.equal(session.customer, customer);
  assert.match(session.token, /^tg_cs_/);
  const browser = new Tollgate({ apiKey: session.token, baseUrl, maxRetries: 0 });
  assert.equal((await browser.usage.get(customer)).customer, customer);
  const denied = await browser.usage.get(other).catch((e) => e);
  assert.equal(denied.status, 403);
  await tg.customers.revokeSession(customer, session.id);
  const revoked = await browser.usage.get(customer).catch((e) => e);
  assert.ok(revoked instanceof AuthenticationError);
  assert.equal(revoked.error, "invalid_session");
});

test("every request says cache: no-store, so Next.js's fetch cache never serves a read that consumes have changed", async () => {
  const inits = [];
  const { tg, customer } = await withCustomer({ fetch: (input, init) => { inits.push(init); return fetch(input, init); } });
  const before = await tg.usage.get(customer);
  await tg.entitlements.consume({ customer, feature: "cv_generate" });
  const after = await tg.usage.get(customer);
  assert.equal(after.features.cv_generate.used, before.features.cv_generate.used + 1);
  assert.ok(inits.length >= 4);
  for (const init of inits) assert.equal(init.cache, "no-store");
});

test("a runtime whose fetch refuses the cache field is asked again without it", async () => {
  const inits = [];
  const refusing = (input, init) => {
    inits.push(init);
    if (init.cache !== undefined) throw new TypeError("The 'cache' field on 'RequestInitializerDict' is not implemented.");
    return fetch(input, init);
  };
  const { tg, customer } = await withCustomer({ fetch: refusing });
  assert.equal((await tg.usage.get(customer)).customer, customer);
  assert.deepEqual(inits.map((i) => i.cache), ["no-store", undefined, undefined]); // the upsert, its retry, then the read
});

test("without a key the public pricing reads work and every other call is an AuthenticationError, as in the Python SDK", async () => {
  const saved = process.env.TOLLGATE_API_KEY;
  delete process.env.TOLLGATE_API_KEY;
  try {
    const keyless = new Tollgate({ baseUrl });
    assert.ok((await keyless.pricing.plans()).some((p) => p.code === "pro"));
    const error = await keyless.customers.get("anyone").catch((e) => e);
    assert.ok(error instanceof AuthenticationError);
    assert.equal(error.status, 401);
  } finally {
    if (saved !== undefined) process.env.TOLLGATE_API_KEY = saved;
  }
});

// The server answers these only after a fault (a lost answer, a first request still running past its wait), so a fetch
// stands in for it with the server's problem body.
for (const [code, type] of [["idempotency_answer_lost", IdempotencyAnswerLostError], ["idempotency_key_in_use", IdempotencyKeyInUseError]]) {
  test(`a keyed POST answered 409 ${code} raises its own conflict, unretried`, async () => {
    const keys = [];
    const tg = new Tollgate({ apiKey: "tg_sk_x", baseUrl: "http://tollgate.test", fetch: async (_input, init) => {
      keys.push(new Headers(init.headers).get("Idempotency-Key"));
      return new Response(JSON.stringify({ type: "about:blank", title: "Conflict", status: 409, error: code, detail: "…" }),
        { status: 409, headers: { "Content-Type": "application/problem+json" } });
    } });
    const error = await tg.subscriptions.create({ customer: "c1", plan: "pro" }).catch((e) => e);
    assert.ok(error instanceof type);
    assert.deepEqual([error.error, keys.length, Boolean(keys[0])], [code, 1, true]);
  });
}
