// Server rendering, as Next.js does it: no window, no document, no fetch during render.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { readFile } from "node:fs/promises";
import { ManageBilling, Paywall, PricingTable, TollgateProvider, UsageMeter } from "../dist/index.js";

test("every component renders on the server without a window and without fetching", () => {
  assert.equal(typeof globalThis.window, "undefined");
  let fetched = 0;
  globalThis.fetch = async () => { fetched++; throw new Error("no fetch during a server render"); };
  let sessions = 0;
  const html = renderToString(h(TollgateProvider, { baseUrl: "http://tollgate.test", getSession: async () => { sessions++; return { token: "t" }; } },
    h(Paywall, { feature: "cv_generate", fallback: h("p", null, "Upgrade"), loading: h("p", null, "Checking…") }, h("p", null, "Secret")),
    h(UsageMeter, { feature: "cv_generate" }),
    h(PricingTable),
    h(ManageBilling)));
  assert.match(html, /Checking…/);
  assert.doesNotMatch(html, /Secret|Upgrade/);
  assert.match(html, /Loading usage…/);
  assert.match(html, /Loading prices…/);
  assert.match(html, /Manage billing/);
  assert.equal(fetched + sessions, 0);
});

test("the components' modules say \"use client\", so a Next.js server component can render them", async () => {
  for (const file of ["context.js", "hooks.js", "components/Paywall.js", "components/PricingTable.js", "components/UsageMeter.js", "components/ManageBilling.js"]) {
    assert.match(await readFile(new URL(`../dist/${file}`, import.meta.url), "utf8"), /^"use client";/, file);
  }
});

test("a sessionUrl string stands in for getSession, so a server component can pass it", () => {
  const html = renderToString(h(TollgateProvider, { baseUrl: "http://tollgate.test", sessionUrl: "/api/tollgate-session" },
    h(Paywall, { feature: "cv_generate", fallback: "Upgrade", loading: "Checking…" }, "Secret")));
  assert.match(html, /Checking…/);
});
