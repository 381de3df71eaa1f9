import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionKeeper, toSession } from "../dist/index.js";

const grant = (token, expiresAt) => ({ token, customer: "c1", expiresAt: new Date(expiresAt).toISOString() });

test("a held token is reused until a minute before it expires, then a new one is fetched", async () => {
  let now = 0;
  const fetched = [];
  const keeper = new SessionKeeper(async () => { fetched.push(now); return grant(`t${fetched.length}`, now + 15 * 60_000); }, { now: () => now });
  assert.equal((await keeper.current()).token, "t1");
  now = 13 * 60_000;
  assert.equal((await keeper.current()).token, "t1");
  now = 14 * 60_000 + 1;
  assert.equal((await keeper.current()).token, "t2");
  assert.deepEqual(fetched, [0, 14 * 60_000 + 1]);
  keeper.stop();
});

test("a short-lived token renews at four fifths of its life", async () => {
  let now = 0;
  const keeper = new SessionKeeper(async () => grant("t", now + 100_000), { now: () => now });
  const session = await keeper.current();
  assert.equal(keeper.renewAt(session, 0), 80_000);
  keeper.stop();
});

test("callers asking at once share one getSession call", async () => {
  let calls = 0;
  const keeper = new SessionKeeper(async () => { calls++; await new Promise((r) => setTimeout(r, 10)); return grant("t", Date.now() + 60_000); });
  const [a, b, c] = await Promise.all([keeper.current(), keeper.current(), keeper.renew()]);
  assert.equal(calls, 1);
  assert.deepEqual([a.token, b.token, c.token], ["t", "t", "t"]);
  keeper.stop();
});

test("a read whose token failed after another read already renewed it takes the new token, minting no third", async () => {
  let calls = 0;
  const keeper = new SessionKeeper(async () => { calls++; return grant(`t${calls}`, Date.now() + 15 * 60_000); });
  const old = await keeper.current();
  const first = await keeper.renew(old); // the first read's 401
  const second = await keeper.renew(old); // the second read's 401, answered after the first renewal ended
  assert.deepEqual([calls, first.token, second.token], [2, "t2", "t2"]);
  assert.equal((await keeper.renew(second)).token, "t3"); // the new token failing too is a new expiry
  keeper.stop();
});

test("the raw snake_case body of POST /v1/customers/{id}/sessions is accepted as it is", () => {
  const session = toSession({ token: "tg_cs_x", customer: "c1", expires_at: "2026-12-01T00:00:00Z" }, 0);
  assert.deepEqual(session, { token: "tg_cs_x", customer: "c1", expiresAt: Date.parse("2026-12-01T00:00:00Z") });
});

test("a getSession that answers without a token fails naming what it must return", () => {
  assert.throws(() => toSession({}, 0), /getSession must resolve to \{ token, expiresAt \}/);
});

test("a getSession that never answers fails after its timeout instead of hanging", async () => {
  const keeper = new SessionKeeper(() => new Promise(() => undefined), { timeoutMs: 50 });
  await assert.rejects(keeper.current(), /getSession took longer than 50 ms/);
  keeper.stop();
});

test("a stopped keeper resumes renewing after StrictMode's unmount and mount", async () => {
  globalThis.window = {}; // the timer runs only in a browser
  let calls = 0;
  const keeper = new SessionKeeper(async () => { calls++; return grant(`t${calls}`, Date.now() + 1_200); }, { renewBeforeMs: 60_000 });
  try {
    await keeper.current();
    keeper.stop();
    keeper.resume();
    await new Promise((r) => setTimeout(r, 1_300));
    assert.equal(calls, 2);
  } finally {
    keeper.stop();
    delete globalThis.window;
  }
});
