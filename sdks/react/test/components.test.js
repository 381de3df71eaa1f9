import { test } from "node:test";
import assert from "node:assert/strict";
import { act, fakeServer, h, render, until } from "./dom.js";

const { ManageBilling, Paywall, PricingTable, TollgateProvider, UsageMeter, useEntitlement, useTollgate } = await import("../dist/index.js");

const window_ = { window_start: "2026-11-01T00:00:00Z", resets_at: "2026-12-01T00:00:00Z" };
const plans = (variant) => [
  { code: "free", name: "Free", description: "Try it", sort_order: 0, is_popular: false, version: 1,
    prices: [{ billing_period: "monthly", price_cents: 0, currency: "USD", trial_days: 0, display_price: "$0", saving_percent: null, stripe_price_id: null }],
    features: [{ feature_code: "cv_generate", name: "CV generation", unit: "CVs", kind: "metered", enabled: true, display_terms: "5 a month" },
      { feature_code: "mock_interview", name: "Mock interviews", unit: "interviews", kind: "metered", enabled: false, display_terms: "Not included" }] },
  { code: "pro", name: "Pro", description: "For job hunters", sort_order: 1, is_popular: true, version: 1,
    prices: [
      { billing_period: "monthly", price_cents: variant ? 2499 : 1900, currency: "USD", trial_days: 0, display_price: variant ? "$24.99" : "$19", saving_percent: null, stripe_price_id: null },
      { billing_period: "yearly", price_cents: 19000, currency: "USD", trial_days: 0, display_price: "$190", saving_percent: 17, stripe_price_id: null }],
    features: [{ feature_code: "cv_generate", name: "CV generation", unit: "CVs", kind: "metered", enabled: true, display_terms: "50 a month" },
      { feature_code: "mock_interview", name: "Mock interviews", unit: "interviews", kind: "metered", enabled: true, display_terms: "10 a month" }],
    ...(variant ? { experiment: { id: "exp_1", variant } } : {}) },
  { code: "team", name: "Team", description: null, sort_order: 2, is_popular: false, version: 1,
    prices: [{ billing_period: "monthly", price_cents: 1500, currency: "USD", trial_days: 0, display_price: "$15.00", saving_percent: null, stripe_price_id: null,
      per_seat: true, included_seats: 2, max_seats: 50, display_per: "/ seat / month", display_seats: "From 2 seats, up to 50" }],
    features: [{ feature_code: "cv_generate", name: "CV generation", unit: "CVs", kind: "metered", enabled: true, display_terms: "100 a month",
      display_rate_limit: "5 a second", display_overage: ["Over the limit, 1–100: $0.02 per CV", "Over the limit, 101+: $0.01 per CV"] }] },
];

function server(state) {
  return fakeServer({
    "POST /api/session": async () => [200, {}],
    "GET /v1/customers/c1/entitlements": async ({ token }) => token === state.valid
      ? [200, { customer: "c1", plan: state.plan, period_start: "2026-11-01T00:00:00Z", period_end: "2026-12-01T00:00:00Z", features: [
        { feature: "cv_generate", name: "CV generation", kind: "metered", access: state.used < state.limit, limit: state.limit, used: state.used,
          remaining: state.limit - state.used, unlimited: false, value: null, ...window_ },
        { feature: "mock_interview", name: "Mock interviews", kind: "metered", access: state.plan === "pro", limit: state.plan === "pro" ? 10 : 0, used: 0,
          remaining: state.plan === "pro" ? 10 : 0, unlimited: false, value: null, ...window_ }] }]
      : [401, { error: "invalid_session", status: 401 }],
    "GET /v1/customers/c1/usage": async ({ token }) => token === state.valid
      ? [200, { customer: "c1", plan: state.plan, period_start: "2026-11-01T00:00:00Z", period_end: "2026-12-01T00:00:00Z",
        features: { cv_generate: { limit: state.limit, used: state.used, remaining: state.limit - state.used, unlimited: false, hard_cap: true, overage: 0, reserved: 0, ...window_ } } }]
      : [401, { error: "invalid_session", status: 401 }],
    "GET /v1/pricing/plans": async ({ url, token }) => { state.pricingToken = token; return [200, plans(url.searchParams.get("visitor") ? "b" : null)]; },
    "GET /v1/pricing/features": async () => [200, [{ code: "cv_generate", name: "CV generation", description: null, unit: "CVs", kind: "metered" }]],
    "POST /v1/billing/checkout-sessions": async () => [200, { checkout_url: "http://stripe.test/pay", session_id: "cs_1" }],
    "POST /v1/customers/c1/portal-sessions": async () => [201, { url: "http://tollgate.test/portal/enter?token=x", expires_at: "2026-11-15T10:10:00Z" }],
  });
}

function app(state, children, props = {}) {
  let minted = 0;
  const getSession = async () => { minted++; state.valid = `tg_cs_${minted}`; state.minted = minted; return { token: state.valid, customer: "c1", expires_at: new Date(Date.now() + 15 * 60_000).toISOString() }; };
  return h(TollgateProvider, { baseUrl: "http://tollgate.test", getSession, ...props }, children);
}

test("the usage meter shows the numbers of /usage in words and as a labelled progress bar", async () => {
  const state = { plan: "free", used: 12, limit: 50 };
  server(state);
  const view = await render(app(state, h(UsageMeter, { feature: "cv_generate" })));
  const bar = await until(() => { const el = view.container.querySelector("[role=progressbar]"); assert.ok(el); return el; });
  assert.match(view.container.textContent, /^12 of 50 CVs this month, resets Dec 1$/);
  assert.equal(bar.getAttribute("aria-valuenow"), "12");
  assert.equal(bar.getAttribute("aria-valuemax"), "50");
  assert.equal(bar.getAttribute("aria-valuetext"), "12 of 50 CVs this month, resets Dec 1");
  await view.unmount();
});

test("the paywall shows the fallback, then its children once an upgrade is read by refresh()", async () => {
  const state = { plan: "free", used: 0, limit: 5 };
  server(state);
  let refresh;
  const Grab = () => { refresh = useTollgate().refresh; return null; };
  const view = await render(app(state, [h(Grab, { key: "g" }), h(Paywall, { key: "p", feature: "mock_interview", fallback: h("p", null, "Upgrade to Pro") }, h("p", null, "Interview room"))]));
  await until(() => assert.match(view.container.textContent, /Upgrade to Pro/));
  state.plan = "pro";
  await act(async () => { await refresh(); });
  assert.match(view.container.textContent, /Interview room/);
  await view.unmount();
});

test("the paywall shows unavailable, not the upgrade fallback, when the entitlements cannot be read", async () => {
  const state = { plan: "pro", used: 0, limit: 5 };
  fakeServer({ "POST /api/session": async () => [200, {}], "GET /v1/customers/c1/entitlements": async () => [503, { error: "database_unavailable", status: 503 }] });
  const view = await render(app(state, h(Paywall, { feature: "mock_interview", fallback: h("p", null, "Upgrade to Pro"),
    unavailable: h("p", null, "Billing is unavailable; try again shortly") }, h("p", null, "Interview room"))));
  await until(() => assert.match(view.container.textContent, /Billing is unavailable/));
  assert.doesNotMatch(view.container.textContent, /Upgrade to Pro/);
  await view.unmount();
});

test("the pricing table shows a signed-in customer's plans in the currency of its next invoice, or in the currency given", async () => {
  const state = { plan: "free", used: 0, limit: 5 };
  const eur = { id: "upcoming", currency: "EUR", status: "upcoming", lines: [], subtotal_cents: 850, amount_due_cents: 850, total_cents: 850 };
  fakeServer({ "POST /api/session": async () => [200, {}], "GET /v1/customers/c1/upcoming-invoice": async () => [200, eur],
    "GET /v1/customers/c1/entitlements": async () => [200, { customer: "c1", plan: "pro", period_start: "2026-11-01T00:00:00Z", period_end: "2026-12-01T00:00:00Z", features: [] }],
    "GET /v1/pricing/plans": async ({ url }) => { state.currency = url.searchParams.get("currency"); return [200, plans(null)]; } });
  const view = await render(app(state, h(PricingTable, {})));
  await until(() => assert.equal(state.currency, "EUR"));
  await view.unmount();
  const anonymous = await render(h(TollgateProvider, { baseUrl: "http://tollgate.test" }, h(PricingTable, { currency: "gbp" })));
  await until(() => assert.equal(state.currency, "gbp"));
  await anonymous.unmount();
});

test("useEntitlement and the meter move after a consume elsewhere when the window regains focus", async () => {
  const state = { plan: "free", used: 1, limit: 5 };
  server(state);
  const Numbers = () => { const e = useEntitlement("cv_generate"); return h("output", null, e.loading ? "…" : `${e.used}/${e.limit} left ${e.remaining} allowed ${e.allowed}`); };
  const view = await render(app(state, [h(Numbers, { key: "n" }), h(UsageMeter, { key: "m", feature: "cv_generate" })]));
  await until(() => assert.match(view.container.textContent, /1\/5 left 4 allowed true/));
  state.used = 5;
  await act(async () => { window.dispatchEvent(new window.FocusEvent("focus")); });
  await until(() => assert.match(view.container.textContent, /5\/5 left 0 allowed false/));
  assert.match(view.container.textContent, /5 of 5 CVs this month/);
  await view.unmount();
});

test("a token the server calls expired is renewed through getSession and the read repeated", async () => {
  const state = { plan: "free", used: 2, limit: 5 };
  const calls = server(state);
  const view = await render(app(state, h(UsageMeter, { feature: "cv_generate" })));
  await until(() => assert.match(view.container.textContent, /2 of 5/));
  state.valid = "revoked-on-the-server";
  state.used = 3;
  const provider = { refresh: null };
  const Grab = () => { provider.refresh = useTollgate().refresh; return null; };
  await view.unmount();
  const again = await render(app(state, [h(Grab, { key: "g" }), h(UsageMeter, { key: "m", feature: "cv_generate" })]));
  await until(() => assert.match(again.container.textContent, /3 of 5/));
  state.valid = "expired-now";
  state.used = 4;
  await act(async () => { await provider.refresh(); });
  await until(() => assert.match(again.container.textContent, /4 of 5/));
  const usageCalls = calls.filter((c) => c.key === "GET /v1/customers/c1/usage");
  assert.equal(usageCalls.at(-2).token, "tg_cs_1", "the held token was tried first");
  assert.equal(usageCalls.at(-1).token, "tg_cs_2", "then a renewed one");
  await again.unmount();
});

test("the pricing table shows the visitor's experiment price, the current plan, and switches period with the arrow keys", async () => {
  const state = { plan: "pro", used: 0, limit: 50 };
  const calls = server(state);
  const selected = [];
  const view = await render(app(state, h(PricingTable, { onSelect: (s) => selected.push(s) }), { visitorId: "v-42" }));
  await until(() => assert.ok(view.container.querySelector("[data-plan=pro] [data-current]") || view.container.querySelector("[data-plan=pro][data-current]")));
  const pro = view.container.querySelector("[data-plan=pro]");
  assert.match(pro.textContent, /\$24\.99\/month/);
  assert.match(pro.textContent, /Current plan/);
  assert.equal(view.container.querySelector("section").getAttribute("data-variant"), "b");
  assert.equal(calls.find((c) => c.key === "GET /v1/pricing/plans").search, "?visitor=v-42");
  assert.equal(state.pricingToken, null, "the public pricing read carries no token");
  const radios = [...view.container.querySelectorAll("[role=radio]")];
  assert.deepEqual(radios.map((r) => r.getAttribute("aria-checked")), ["true", "false"]);
  await act(async () => { radios[0].dispatchEvent(new window.KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true })); });
  assert.equal(view.container.querySelectorAll("[role=radio]")[1].getAttribute("aria-checked"), "true");
  assert.equal(document.activeElement, view.container.querySelectorAll("[role=radio]")[1]);
  assert.match(pro.textContent, /\$190\/yearSave 17%/);
  const free = view.container.querySelector("[data-plan=free] button");
  await act(async () => { free.dispatchEvent(new window.MouseEvent("click", { bubbles: true })); });
  // Free has no yearly price: its card shows the monthly one, and that is the period it is chosen in.
  assert.deepEqual(selected.map((s) => [s.plan, s.billingPeriod]), [["free", "monthly"]]);
  await view.unmount();
});

test("in the yearly view a plan sold only by the month checks out monthly, the price its card shows", async () => {
  const state = { plan: "free", used: 0, limit: 50 };
  const calls = server(state);
  const assigned = [];
  const view = await render(app(state, h(PricingTable, { defaultPeriod: "yearly" }), { navigate: (url) => assigned.push(url) }));
  await until(() => assert.ok(view.container.querySelector("[data-plan=team] button:not([disabled])")));
  assert.match(view.container.querySelector("[data-plan=team]").textContent, /\$15\.00\/ seat \/ month/);
  await act(async () => { view.container.querySelector("[data-plan=team] button").dispatchEvent(new window.MouseEvent("click", { bubbles: true })); });
  await until(() => assert.deepEqual(assigned, ["http://stripe.test/pay"]));
  const body = calls.find((c) => c.key === "POST /v1/billing/checkout-sessions").body;
  assert.deepEqual([body.plan, body.billing_period], ["team", "monthly"]);
  await view.unmount();
});

test("the pricing table says a plan's seats, rate limits and overage as the hosted page does, and a free plan is Free", async () => {
  const state = { plan: "pro", used: 0, limit: 50 };
  server(state);
  const view = await render(app(state, h(PricingTable, { onSelect: () => {} })));
  await until(() => assert.ok(view.container.querySelector("[data-plan=team]")));
  const team = view.container.querySelector("[data-plan=team]").textContent;
  assert.match(team, /\$15\.00\/ seat \/ month/);
  assert.match(team, /From 2 seats, up to 50/);
  assert.match(team, /100 a month CV generation · up to 5 a second/);
  assert.match(team, /Over the limit, 1–100: \$0\.02 per CVOver the limit, 101\+: \$0\.01 per CV/);
  const free = view.container.querySelector("[data-plan=free] .tg-plan__price").textContent;
  assert.equal(free, "Free");
  await view.unmount();
});

test("manage billing opens a portal link made with the session, never a secret key", async () => {
  const state = { plan: "pro", used: 0, limit: 50 };
  const calls = server(state);
  const assigned = [];
  const view = await render(app(state, h(ManageBilling), { navigate: (url) => assigned.push(url) }));
  const button = view.container.querySelector("button");
  await act(async () => { button.dispatchEvent(new window.MouseEvent("click", { bubbles: true })); });
  await until(() => assert.equal(calls.filter((c) => c.key === "POST /v1/customers/c1/portal-sessions").length, 1));
  const call = calls.find((c) => c.key === "POST /v1/customers/c1/portal-sessions");
  assert.match(call.token, /^tg_cs_/);
  assert.deepEqual(call.body, { return_url: "http://app.test/" });
  await until(() => assert.deepEqual(assigned, ["http://tollgate.test/portal/enter?token=x"]));
  await view.unmount();
});

test("with sessionUrl the provider POSTs to the app's backend for the session", async () => {
  const state = { plan: "free", used: 3, limit: 5 };
  const calls = server(state);
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    if (String(input) === "/api/tollgate-session") {
      calls.push({ key: `${init.method} /api/tollgate-session` });
      state.valid = "tg_cs_from_url";
      return new Response(JSON.stringify({ token: "tg_cs_from_url", customer: "c1", expires_at: new Date(Date.now() + 900_000).toISOString() }), { status: 201 });
    }
    return original(input, init);
  };
  const view = await render(h(TollgateProvider, { baseUrl: "http://tollgate.test", sessionUrl: "/api/tollgate-session" }, h(UsageMeter, { feature: "cv_generate" })));
  await until(() => assert.match(view.container.textContent, /3 of 5 CVs/));
  assert.deepEqual(calls.filter((c) => c.key.endsWith("/api/tollgate-session")).map((c) => c.key), ["POST /api/tollgate-session"]);
  await view.unmount();
});
