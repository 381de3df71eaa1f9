import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { Page, Tollgate } from "../dist/index.js";
import { withCustomer } from "./helpers.js";

test("a server list is a page that for-await walks, one cursor after another", async () => {
  const { tg, customer } = await withCustomer();
  await tg.entitlements.consume({ customer, feature: "cv_generate", amount: 3 });   // uses the hard cap up: an exceeded alert
  const page = await tg.alerts.list({ customer });
  assert.ok(page instanceof Page);
  assert.equal(page.hasMore, false);
  assert.equal(page.nextCursor, null);
  const alerts = [];
  for await (const alert of page) alerts.push(alert);
  assert.ok(alerts.length >= 1);
  const onePerPage = await tg.alerts.list({ customer, limit: 1 });
  assert.equal(onePerPage.hasMore, alerts.length > 1);
  assert.deepEqual((await onePerPage.toArray()).map((a) => a.id), alerts.map((a) => a.id));
  assert.equal(alerts[0].customer, customer);
  assert.equal(alerts[0].feature, "cv_generate");
  const read = await tg.alerts.markRead(alerts[0].id);
  assert.ok(read.readAt);
  assert.equal((await (await tg.alerts.list({ customer, unread: true })).toArray()).some((a) => a.id === read.id), false);
});

// A long walk (45 items in pages of 20) with every request it sends, against a loopback server that answers in the
// list shape, through the SDK's real HTTP stack.
test("a paged list is walked page by page with the cursor until has_more is false", async () => {
  const items = Array.from({ length: 45 }, (_, i) => ({ id: `inv_${i}`, amount_due_cents: i }));
  const asked = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    asked.push(url.search);
    const start = Number(url.searchParams.get("cursor") ?? 0);
    const limit = Number(url.searchParams.get("limit") ?? 20);
    const data = items.slice(start, start + limit);
    const more = start + limit < items.length;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data, has_more: more, next_cursor: more ? String(start + limit) : null }));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const tg = new Tollgate({ apiKey: "tg_sk_x", baseUrl: `http://127.0.0.1:${server.address().port}` });
    const first = await tg.invoices.list({ customer: "c1", limit: 20 });
    assert.equal(first.data.length, 20);
    assert.equal(first.hasMore, true);
    const all = await first.toArray();
    assert.deepEqual(all.map((i) => i.amountDueCents), items.map((i) => i.amount_due_cents));
    assert.deepEqual(asked, ["?limit=20", "?limit=20&cursor=20", "?limit=20&cursor=40"]);
  } finally {
    server.close();
  }
});
