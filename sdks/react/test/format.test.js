import { test } from "node:test";
import assert from "node:assert/strict";
import { meterLabel, money, windowWords } from "../dist/index.js";

const now = new Date("2026-11-15T10:00:00Z");

test("a monthly quota reads as the issue words it: 12 of 50 CVs this month, resets Dec 1", () => {
  const label = meterLabel({ used: 12, limit: 50, unlimited: false, windowStart: "2026-11-01T00:00:00Z", resetsAt: "2026-12-01T00:00:00Z" }, "CVs", now);
  assert.equal(label, "12 of 50 CVs this month, resets Dec 1");
});

test("large numbers are grouped and an unlimited quota says so", () => {
  const label = meterLabel({ used: 12500, limit: null, unlimited: true, windowStart: "2026-11-15T00:00:00Z", resetsAt: "2026-11-16T00:00:00Z" }, "calls", now);
  assert.equal(label, "12,500 calls today (unlimited), resets Nov 16");
});

test("a lifetime allowance has no reset and reads as a total", () => {
  assert.equal(meterLabel({ used: 3, limit: 100, unlimited: false, windowStart: null, resetsAt: null }, "credits", now), "3 of 100 credits in total");
  assert.equal(windowWords("2026-11-09T00:00:00Z", "2026-11-16T00:00:00Z"), "this week");
});

test("money uses the currency's own minor units", () => {
  assert.equal(money(2999, "USD"), "$29.99");
  assert.equal(money(500, "JPY"), "¥500");
});

test("the plan's reset names the window even when a plan change shortened it", () => {
  const label = meterLabel({ used: 0, limit: 30, unlimited: false, windowStart: "2026-11-24T10:00:00Z", resetsAt: "2026-12-01T00:00:00Z", reset: "month" }, "CVs", now);
  assert.equal(label, "0 of 30 CVs this month, resets Dec 1");
});
