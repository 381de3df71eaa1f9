// Coupons, promotion codes, discounts, credit grants, members, seats and offer links through the SDK, against the real server.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ConflictError, CreditExceedsInvoiceError, IdempotencyMismatchError, NotFoundError, PromotionCodeInvalidError, SeatsExhaustedError, Tollgate, ValidationError,
} from "../dist/index.js";
import { admin, adminClient, losingFirstAnswer, uniqueId, withCustomer } from "./helpers.js";

const couponId = () => uniqueId("TS").toUpperCase();

test("coupons are created, read, listed across pages and deleted", async () => {
  const admin = await adminClient();
  const made = await admin.coupons.create({
    id: couponId(), name: "Twelve and a half", percentOff: 12.5, duration: "repeating", durationInMonths: 3, appliesToPlans: ["pro"],
  });
  assert.equal(made.percentOff, 12.5);
  assert.deepEqual(made.appliesToPlans, ["pro"]);
  assert.equal(made.valid, true);
  const other = await admin.coupons.create({ id: couponId(), name: "Five off", amountOffCents: 500, currency: "USD" });
  assert.equal((await admin.coupons.get(other.id)).amountOffCents, 500);
  const ids = (await (await admin.coupons.list({ limit: 1 })).toArray()).map((c) => c.id);
  assert.ok(ids.includes(made.id) && ids.includes(other.id));
  assert.deepEqual(await admin.coupons.delete(other.id), { id: other.id, deleted: true });
  assert.ok((await admin.coupons.get(other.id).catch((e) => e)) instanceof NotFoundError);
  const bad = await admin.coupons.create({ id: couponId(), name: "Both", percentOff: 10, amountOffCents: 100, currency: "USD" }).catch((e) => e);
  assert.ok(bad instanceof ValidationError);
});

test("a coupon's currency options keep their ISO codes as keys both ways, on the coupon and on the codes and discounts that carry it", async () => {
  const { tg, customer } = await withCustomer();
  const admin = await adminClient();
  const made = await admin.coupons.create({
    id: couponId(), name: "Five off", amountOffCents: 500, currency: "USD", duration: "forever", currencyOptions: { EUR: { amountOffCents: 400 } },
  });
  assert.deepEqual(made.currencyOptions, { EUR: { amountOffCents: 400 } });
  assert.deepEqual((await admin.coupons.get(made.id)).currencyOptions, { EUR: { amountOffCents: 400 } });
  const code = await admin.promotionCodes.create({ code: `${made.id}-EUR`, coupon: made.id });
  assert.deepEqual(code.coupon.currencyOptions, { EUR: { amountOffCents: 400 } });
  const sub = await tg.subscriptions.create({ customer, plan: "pro", coupon: made.id });
  assert.deepEqual(sub.discount.coupon.currencyOptions, { EUR: { amountOffCents: 400 } });
  // A percentage has no amounts to give per currency.
  assert.equal((await admin.coupons.create({ id: couponId(), name: "Ten percent", percentOff: 10 })).currencyOptions, null);
});

test("promotion codes discount subscriptions, and a code that cannot apply is a PromotionCodeInvalidError with its reason", async () => {
  const { tg, customer } = await withCustomer();
  const admin = await adminClient();
  const coupon = (await admin.coupons.create({ id: couponId(), name: "Twenty off", percentOff: 20, duration: "forever" })).id;
  const codes = [];
  for (const i of [0, 1, 2]) codes.push(await admin.promotionCodes.create({ code: `${coupon}-${i}`, coupon }));
  assert.equal(codes[0].coupon.id, coupon);
  assert.equal((await admin.promotionCodes.get(codes[1].code)).id, codes[1].id);
  assert.deepEqual((await (await admin.promotionCodes.list({ coupon, limit: 2 })).toArray()).map((p) => p.id), codes.map((p) => p.id).sort());

  const sub = await tg.subscriptions.create({ customer, plan: "pro", promotionCode: codes[0].code.toLowerCase() });
  const discount = await tg.subscriptions.getDiscount(sub.id);
  assert.equal(discount.coupon.id, coupon);
  assert.equal(discount.promotionCode, codes[0].id);
  assert.deepEqual(sub.discount, discount);
  assert.deepEqual((await tg.subscriptions.get(sub.id)).discount, discount);
  const preview = await tg.subscriptions.preview(sub.id, { plan: "seats", effective: "immediate", coupon });
  assert.equal(preview.subscription.plan, "seats");
  assert.notEqual(preview.discountCents, 0);
  assert.equal(preview.discountCents, preview.lines.reduce((sum, line) => sum + line.discountCents, 0));
  assert.deepEqual(preview.lines.map((line) => line.id), preview.lines.map(() => null));   // no invoice holds them yet: InvoiceLine.id is nullable
  assert.equal((await tg.subscriptions.removeDiscount(sub.id)).deleted, true);
  assert.ok((await tg.subscriptions.getDiscount(sub.id).catch((e) => e)) instanceof NotFoundError);
  assert.equal((await tg.subscriptions.applyDiscount(sub.id, { coupon })).promotionCode, null);

  assert.equal((await admin.promotionCodes.deactivate(codes[2].id)).active, false);
  const inactive = await tg.subscriptions.applyDiscount(sub.id, { promotionCode: codes[2].code }).catch((e) => e);
  assert.ok(inactive instanceof PromotionCodeInvalidError && inactive instanceof ValidationError);
  assert.deepEqual([inactive.status, inactive.reason, inactive.field], [400, "inactive", "promotion_code"]);
  const unknown = await tg.subscriptions.change(sub.id, { plan: "seats", effective: "immediate", promotionCode: "NO-SUCH-CODE" }).catch((e) => e);
  assert.equal(unknown.reason, "unknown");
  assert.equal((await tg.subscriptions.get(sub.id)).plan, "pro");
});

test("credit grants are created, listed across pages, read and voided", async () => {
  const { tg, customer } = await withCustomer();
  const grants = [];
  for (const i of [0, 1, 2]) grants.push(await tg.grants.create(customer, { feature: "cv_generate", amount: 10 * (i + 1), reason: `goodwill ${i}` }));
  assert.deepEqual([grants[0].amount, grants[0].remaining, grants[0].status], [10, 10, "active"]);
  assert.deepEqual((await (await tg.grants.list(customer, { limit: 2 })).toArray()).map((g) => g.id), grants.map((g) => g.id).reverse());
  assert.equal((await tg.grants.get(customer, grants[1].id)).reason, "goodwill 1");
  const voided = await tg.grants.void(customer, grants[2].id);
  assert.equal(voided.status, "voided");
  assert.ok(voided.voidedAt);
});

test("a grant repeated with its idempotency key answers the first grant, and the key with other fields is an IdempotencyMismatchError", async () => {
  const { tg, customer } = await withCustomer();
  const idempotencyKey = uniqueId("ticket");
  const grant = await tg.grants.create(customer, { feature: "api_calls", amount: 50, reason: "goodwill", idempotencyKey });
  const again = await tg.grants.create(customer, { feature: "api_calls", amount: 50, reason: "goodwill", idempotencyKey });
  assert.equal(again.id, grant.id);
  const other = await tg.grants.create(customer, { feature: "api_calls", amount: 60, reason: "goodwill", idempotencyKey }).catch((e) => e);
  assert.ok(other instanceof IdempotencyMismatchError);
  assert.deepEqual([other.status, other.error], [409, "idempotency_mismatch"]);
  assert.deepEqual((await (await tg.grants.list(customer)).toArray()).map((g) => g.id), [grant.id]);
});

test("a grant whose first answer is lost is made once, its retry sending the same generated key", async () => {
  const { lossy, seen } = losingFirstAnswer("/grants");
  const { tg, customer } = await withCustomer({ fetch: lossy });
  const grant = await tg.grants.create(customer, { feature: "api_calls", amount: 50, reason: "goodwill" });
  assert.equal(seen.attempts, 2);
  assert.equal(seen.keys[0], seen.keys[1]);
  assert.match(seen.keys[0], /^idem_[0-9a-f]{32}$/);
  const grants = await (await tg.grants.list(customer)).toArray();
  assert.deepEqual(grants.map((g) => [g.id, g.amount]), [[grant.id, 50]]);
});

test("an LLM budget grant in USD is read back exactly in the budget", async () => {
  const { tg, customer } = await withCustomer();
  const grant = await tg.grants.create(customer, { feature: "$llm_budget", amountUsd: "2.50", reason: "model outage" });
  const tiny = await tg.grants.create(customer, { feature: "$llm_budget", amountUsd: "0.000000001" });
  const refused = await tg.grants.create(customer, { feature: "$llm_budget", amountUsd: "2.5.0" }).catch((e) => e);
  const budget = await tg.llm.getBudget(customer);
  assert.deepEqual([grant.feature, grant.amount, grant.remaining, tiny.amount], ["$llm_budget", 2_500_000_000, 2_500_000_000, 1]);
  assert.ok(refused instanceof ValidationError);
  assert.deepEqual(Object.keys(refused.errors), ["amount_usd"]);
  assert.equal(budget.grantedRemainingUsd, 2.500000001);
});

test("members take seats, a full organisation is a SeatsExhaustedError, and decisions name the member", async () => {
  const { tg, customer } = await withCustomer();
  const sub = await tg.subscriptions.create({ customer, plan: "seats" });
  assert.equal(sub.seats, 1);
  const first = await tg.members.upsert(customer, `${customer}-m0`, { email: "m0@example.com", role: "owner" });
  assert.deepEqual([first.customer, first.role], [customer, "owner"]);
  const full = await tg.members.upsert(customer, `${customer}-m1`).catch((e) => e);
  assert.ok(full instanceof SeatsExhaustedError);
  assert.deepEqual([full.status, full.customer, full.seats], [402, customer, 1]);

  const changed = await tg.subscriptions.changeSeats(sub.id, { seats: 3 });
  assert.equal(changed.subscription.seats, 3);
  for (const i of [1, 2]) await tg.members.upsert(customer, `${customer}-m${i}`, { name: `Member ${i}` });
  assert.deepEqual((await (await tg.members.list(customer, { limit: 2 })).toArray()).map((m) => m.id), [0, 1, 2].map((i) => `${customer}-m${i}`));
  const decision = await tg.entitlements.consume({ customer: `${customer}-m1`, feature: "cv_generate" });
  assert.deepEqual([decision.customer, decision.member], [customer, `${customer}-m1`]);
  await tg.members.delete(customer, `${customer}-m2`);
  assert.equal((await (await tg.members.list(customer)).toArray()).length, 2);
  assert.ok((await tg.members.delete(customer, `${customer}-m2`).catch((e) => e)) instanceof NotFoundError);

  const pro = await withCustomer();
  const proSub = await pro.tg.subscriptions.create({ customer: pro.customer, plan: "pro" });
  const notPerSeat = await pro.tg.subscriptions.changeSeats(proSub.id, { seats: 2 }).catch((e) => e);
  assert.ok(notPerSeat instanceof ConflictError);
  assert.equal(notPerSeat.error, "not_per_seat");
});

test("a member's consume is listed with the member, and the event list filters by member", async () => {
  const { tg, customer } = await withCustomer();
  const member = `${customer}-dev`;
  await tg.members.upsert(customer, member, { email: "dev@example.com" });
  await tg.entitlements.consume({ customer: member, feature: "cv_generate", metadata: { endpoint: "/v1/cv" } });
  await tg.entitlements.consume({ customer, feature: "cv_generate", metadata: { endpoint: "/v1/cv" } });

  const events = await (await tg.events.list({ customer })).toArray();
  assert.deepEqual(events.map((e) => [e.source, e.member]).sort(), [["consume", member], ["consume", null]].sort());
  assert.ok(events.every((e) => e.customer === customer && e.metadata.endpoint === "/v1/cv"));
  assert.deepEqual((await (await tg.events.list({ member })).toArray()).map((e) => [e.customer, e.member]), [[customer, member]]);
});

test("a visitor who saw a price experiment subscribes at its price and is its conversion; experiments run through the SDK", async () => {
  const { tg, customer } = await withCustomer();
  const experiments = (await adminClient()).experiments;
  const refused = await experiments.create({ name: "bad", variants: [{ key: "control", weight: 1 },
    { key: "b", weight: 0, prices: [{ plan: "nope", billingPeriod: "monthly", priceCents: 1 }] }] }).catch((e) => e);
  const draft = await experiments.create({
    name: `Pro at $24.00 (${customer})`,
    variants: [
      { key: "control", weight: 1 },
      { key: "cheaper", weight: 1, prices: [{ plan: "pro", billingPeriod: "monthly", priceCents: 2400 }] },
    ],
  });
  const id = draft.id;
  const started = await experiments.start(id);
  let visitor, pro, sub, results, stopped;
  try {
    // Assignment hashes (experiment, visitor), so the first visitor in "cheaper" differs per run; half land there.
    for (let i = 0; i < 64; i++) {
      visitor = `${customer}-v${i}`;
      pro = (await tg.pricing.plans({ visitor })).find((p) => p.code === "pro");
      if (pro.experiment?.variant === "cheaper") break;
    }
    sub = await tg.subscriptions.create({ customer, plan: "pro", visitorId: visitor });
    results = await experiments.results(id);
  } finally {
    stopped = await experiments.stop(id);
  }

  assert.ok(refused instanceof ValidationError && "variants[1].weight" in refused.errors && "variants[1].prices[0].plan" in refused.errors);
  assert.deepEqual([draft.status, started.status, stopped.status], ["draft", "running", "stopped"]);
  assert.deepEqual(draft.variants[1].prices, [{ plan: "pro", billingPeriod: "monthly", priceCents: 2400 }]);
  assert.equal((await experiments.get(id)).status, "stopped");
  assert.ok((await experiments.list()).some((e) => e.id === id));
  assert.deepEqual(pro.experiment, { id, variant: "cheaper" });
  assert.deepEqual(pro.prices.filter((p) => p.billingPeriod === "monthly").map((p) => p.priceCents), [2400]);
  assert.equal(sub.priceOverrideCents, 2400);
  const cheaper = results.variants.find((v) => v.variant === "cheaper");
  assert.deepEqual([cheaper.visitors, cheaper.conversions, cheaper.mrrCents], [1, 1, 2400]);
});

test("a customer's sessions are revoked all at once, and a pack checkout and a note's refund reach their endpoints", async () => {
  const { tg, customer } = await withCustomer();
  await tg.customers.createSession(customer);
  await tg.customers.createSession(customer);
  const revoked = await tg.customers.revokeSessions(customer);
  const again = await tg.customers.revokeSessions(customer);
  // No Stripe on the test server: the pack checkout is refused as such (503 payments_not_configured), not as a missing route.
  const checkout = await tg.packs.createCheckoutSession(customer, { pack: "cv_100", successUrl: "https://app.example.com/ok", cancelUrl: "https://app.example.com/no" })
    .catch((e) => e);
  const open = (await tg.packs.sell(customer, { pack: "cv_100" })).invoice;
  const note = await tg.creditNotes.create(open.id, { amountCents: 100, reason: "other" });
  const refund = await tg.creditNotes.refund(note.id).catch((e) => e);

  assert.deepEqual([revoked.revoked, again.revoked], [2, 0]);
  assert.equal(checkout.error, "payments_not_configured");
  assert.ok(refund instanceof ConflictError && refund.error === "no_refund");
});

test("an offer link is a signed URL for the plan", async () => {
  const { customer } = await withCustomer();
  const admin = await adminClient();
  const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 7 * 86_400_000);
  const link = await admin.offerLinks.create("pro", { expiresAt, customer, billingPeriod: "yearly" });
  assert.match(link.url, /\/offer\?token=/);
  assert.deepEqual([link.plan, link.customer, Date.parse(link.expiresAt)], ["pro", customer, expiresAt.getTime()]);
  assert.ok((await admin.offerLinks.create("no-such-plan", { expiresAt }).catch((e) => e)) instanceof NotFoundError);
});

test("packs are listed, and a sale repeated with its idempotency key answers the first sale", async () => {
  const { tg, customer } = await withCustomer();
  const packs = await (await tg.packs.list({ limit: 1 })).toArray();
  assert.deepEqual(packs.map((p) => [p.code, p.priceCents, p.currency, p.expiresAfterDays]), [["cv_100", 900, "USD", 90], ["cv_1000", 7900, "USD", null]]);
  const idempotencyKey = uniqueId("order");

  const sale = await tg.packs.sell(customer, { pack: "cv_100", paid: true, idempotencyKey });
  const again = await tg.packs.sell(customer, { pack: "cv_100", paid: true, idempotencyKey });
  assert.deepEqual([sale.grant.pack, sale.grant.amount, sale.invoice.status], ["cv_100", 100, "paid"]);
  assert.deepEqual([again.grant.id, again.invoice.id], [sale.grant.id, sale.invoice.id]);
  const reused = await tg.packs.sell(customer, { pack: "cv_1000", idempotencyKey }).catch((e) => e);
  assert.ok(reused instanceof IdempotencyMismatchError);
  assert.equal(reused.error, "idempotency_mismatch");
  assert.ok((await tg.packs.sell(customer, { pack: "no_such_pack" }).catch((e) => e)) instanceof ValidationError);

  const open = await tg.packs.sell(customer, { pack: "cv_1000" });
  assert.equal(open.invoice.status, "open");
  const grants = (await (await tg.grants.list(customer)).toArray()).map((g) => g.id).sort();
  assert.deepEqual(grants, [sale.grant.id, open.grant.id].sort());
});

test("subscriptions.create takes a deal price and its note, kept on the subscription", async () => {
  const { tg, customer } = await withCustomer();
  const sub = await tg.subscriptions.create({ customer, plan: "pro", priceOverrideCents: 999, priceOverrideNote: "Friends" });
  assert.deepEqual([sub.priceOverrideCents, sub.priceOverrideNote], [999, "Friends"]);
});

test("subscriptions.cancel and customers.delete send billUsage, which waives the period's usage only with a cancel now", async () => {
  // 15 calls on a plan of 10 with overage at 2 cents: a billing cancel bills 5 of them, a waiving one none.
  const overUsed = async () => {
    const { tg, customer } = await withCustomer();
    const sub = await tg.subscriptions.create({ customer, plan: "metered" });
    await tg.entitlements.consume({ customer, feature: "api_calls", amount: 15 });
    return { tg, customer, sub };
  };
  const { tg, sub } = await overUsed();
  const refused = await tg.subscriptions.cancel(sub.id, { billUsage: false }).catch((e) => e); // at the period end, it is billed then
  const waived = await tg.subscriptions.cancel(sub.id, { atPeriodEnd: false, billUsage: false });
  const billing = await overUsed();
  const billed = await billing.tg.subscriptions.cancel(billing.sub.id, { atPeriodEnd: false });
  const other = await overUsed();
  const erased = await other.tg.customers.delete(other.customer, { billUsage: false });

  assert.ok(refused instanceof ValidationError && "bill_usage" in refused.errors);
  assert.equal(waived.subscription.status, "canceled");
  assert.deepEqual(waived.lines.filter((l) => l.kind === "overage"), []);
  assert.deepEqual(billed.lines.filter((l) => l.kind === "overage").map((l) => [l.quantity, l.amountCents]), [[5, 10]]);
  assert.deepEqual([erased.deleted, typeof erased.canceledSubscription], [true, "string"]);
});

test("credit notes lower an open invoice, give credit on a paid one, and list and read back", async () => {
  const { tg, customer } = await withCustomer();
  const open = (await tg.packs.sell(customer, { pack: "cv_1000" })).invoice;
  const paid = (await tg.packs.sell(customer, { pack: "cv_100", paid: true })).invoice;
  const line = open.lines[0].id;

  const note = await tg.creditNotes.create(open.id, { lines: [{ invoiceLineId: line, amountCents: 900 }], reason: "order_change" });
  const credit = await tg.creditNotes.create(paid.number, { amountCents: 400, reason: "duplicate", memo: "Twice" });
  const exceeded = await tg.creditNotes.create(paid.id, { amountCents: 501, reason: "other" }).catch((e) => e);
  const bad = await tg.creditNotes.create(paid.id, { amountCents: 1, reason: "mistake" }).catch((e) => e);

  assert.deepEqual([note.type, note.prePaymentAmountCents, note.lines[0].invoiceLineId], ["pre_payment", 900, line]);
  assert.equal((await tg.invoices.get(open.id)).amountDueCents, 7000);
  assert.deepEqual([credit.type, credit.creditBalanceCents, credit.memo], ["post_payment", 400, "Twice"]);
  assert.ok(exceeded instanceof CreditExceedsInvoiceError);
  assert.equal(exceeded.remainingCents, 500);
  assert.ok(bad instanceof ValidationError);
  const all = (await (await tg.creditNotes.list({ customer, limit: 1 })).toArray()).map((n) => n.id).sort();
  assert.deepEqual(all, [note.id, credit.id].sort());
  assert.deepEqual((await (await tg.creditNotes.list({ invoice: open.id })).toArray()).map((n) => n.id), [note.id]);
  assert.equal((await tg.creditNotes.get(credit.number)).id, credit.id);
});

test("tax rates are created, listed and set on a customer, and tax its invoices per line and per rate", async () => {
  const { tg, customer } = await withCustomer();
  const admin = await adminClient();
  // No country: the rate applies only where it is set on a customer, so it taxes no other test's invoices.
  const id = uniqueId("ts_vat");
  const rate = await admin.taxRates.create({ id, name: "VAT", percentage: 20, inclusive: false });
  assert.deepEqual([rate.percentage, rate.inclusive, rate.active], [20, false, true]);
  assert.equal((await admin.taxRates.get(id)).name, "VAT");
  assert.ok((await (await admin.taxRates.list({ limit: 1 })).toArray()).some((r) => r.id === id));
  assert.ok((await admin.taxRates.create({ id: uniqueId("ts_bad"), name: "x", percentage: 100, inclusive: false }).catch((e) => e)) instanceof ValidationError);

  assert.deepEqual((await tg.customers.upsert(customer, { taxRates: [id] })).taxRates, [id]);
  const { invoice } = await tg.packs.sell(customer, { pack: "cv_100" });
  const tax = Math.floor((invoice.subtotalCents * 20 + 50) / 100);
  assert.deepEqual([invoice.taxCents, invoice.totalCents, invoice.amountDueCents], [tax, invoice.subtotalCents + tax, invoice.subtotalCents + tax]);
  assert.equal(invoice.lines[0].taxAmounts[0].taxRate, id);
  assert.equal(invoice.taxBreakdown[0].amountCents, tax);
  assert.equal(invoice.reverseCharge, false);
  assert.equal((await admin.taxRates.deactivate(id)).active, false);
});

test("reports name their reporting currency and the rates they converted with", async () => {
  const admin = await adminClient();
  const saas = await admin.stats.saas({ from: "2026-01-01", to: "2027-01-01" });
  // The test server configures no rates: USD is counted, any other currency is named as left out.
  assert.equal(saas.reportingCurrency, "USD");
  assert.deepEqual(saas.rates, {});
  assert.ok(Array.isArray(saas.unconvertedCurrencies) && typeof saas.mrr === "number");
  const revenue = await admin.stats.revenueVsCost({ days: 7 });
  assert.equal(revenue.periodDays, 7);
  assert.equal(revenue.reportingCurrency, "USD");
  // Reporting in USD, the cost that profit subtracts is the USD cost itself.
  assert.equal(revenue.totalLlmCost, revenue.totalLlmCostUsd);
});

test("the per-customer, feature, plan and ranked reports read what a logged call cost", async () => {
  const { tg, customer } = await withCustomer();
  const admin = await adminClient();
  await tg.llm.logUsage({ customer, model: "gpt-4o", inputTokens: 1000, outputTokens: 500 }); // $0.0075
  const costs = await admin.stats.userCosts(customer, { days: 1 });
  assert.deepEqual([costs.customer, costs.totalLlmCostUsd, costs.totalRequests], [customer, 0.0075, 1]);
  assert.ok((await admin.stats.topSpenders({ days: 1, limit: 500 })).some((s) => s.customer === customer && s.llmCostUsd === 0.0075));
  assert.ok(Array.isArray(await admin.stats.features({ days: 1 })) && Array.isArray(await admin.stats.plans({ days: 1 })));
  assert.ok(Array.isArray(await admin.stats.negativeMargin({ days: 1 })));
});

test("an id of dots is refused before anything is sent, so it cannot name another route", async () => {
  // A URL resolves ".." away: DELETE v1/customers/acme/members/.. left as DELETE v1/customers/acme/ (a trial, stop 60).
  const sent = [];
  const client = new Tollgate({ apiKey: "tg_sk_unused", baseUrl: "http://tollgate.test", fetch: async (url) => { sent.push(url); return new Response(null, { status: 204 }); } });
  for (const id of [".", "..", ""]) { // "" named the collection: PUT v1/customers/ answered 405
    await assert.rejects(async () => client.members.delete("acme", id), TypeError);
    await assert.rejects(async () => client.customers.get(id), TypeError);
  }
  await client.members.delete("acme", "a..b"); // dots inside an id are the id's own
  assert.deepEqual(sent.map((u) => new URL(u).pathname), ["/v1/customers/acme/members/a..b"]);
});

test("every state-changing subscription POST sends one Idempotency-Key that its retries repeat", async () => {
  const admin = await adminClient();
  const coupon = couponId();
  await admin.coupons.create({ id: coupon, name: "Keyed", percentOff: 10 });
  const keys = {};
  // Fails the first attempt of each subscription POST before it is sent (a dropped connection); the rest reach the server.
  const dropping = (input, init) => {
    const path = new URL(String(input)).pathname;
    if (init?.method === "POST" && path.startsWith("/v1/subscriptions")) {
      const op = path === "/v1/subscriptions" ? "create" : path.split("/").at(-1);
      (keys[op] ??= []).push(init.headers["idempotency-key"]);
      if (keys[op].length === 1) return Promise.reject(new TypeError("fetch failed: connection reset"));
    }
    return fetch(input, init);
  };
  const { tg, customer } = await withCustomer({ fetch: dropping });
  const seated = uniqueId();
  await tg.customers.upsert(seated, {});
  const sub = await tg.subscriptions.create({ customer, plan: "pro" });
  await tg.subscriptions.change(sub.id, { plan: "burst", effective: "immediate" });
  await tg.subscriptions.applyDiscount(sub.id, { coupon });
  await tg.subscriptions.cancel(sub.id);
  await tg.subscriptions.undoCancel(sub.id);
  await tg.subscriptions.changeSeats((await tg.subscriptions.create({ customer: seated, plan: "seats" })).id, { seats: 2 });
  assert.deepEqual(Object.keys(keys).sort(), ["cancel", "change", "create", "discount", "seats", "undo-cancel"]);
  for (const [op, tries] of Object.entries(keys)) {
    assert.match(tries[0] ?? "", /^idem_[0-9a-f]{32}$/, op);
    assert.equal(tries[1], tries[0], `${op}: its retry repeats the key`);
  }
  assert.notEqual(keys.create[2], keys.create[0]); // the second create is a call of its own
});
