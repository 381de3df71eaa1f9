// Runs the example app and the example route handler against the real Tollgate server the SDK tests use, with the
// OpenAI calls going to the SDK tests' fake upstream on loopback.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { baseUrl, client, eventually, secretKey, uniqueId } from "../../../sdks/typescript/test/helpers.js";
import { startFakeLlm } from "../../../sdks/typescript/test/fake-llm.js";

let upstream;
let appUrl;
let server;
let route;
let tollgate;

before(async () => {
  upstream = await startFakeLlm();
  Object.assign(process.env, {
    TOLLGATE_API_KEY: await secretKey(), TOLLGATE_BASE_URL: baseUrl, OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: `${upstream.url}/v1`,
  });
  const { createApp } = await import("../app.js");
  ({ tollgate } = await import("../lib/tollgate.js"));
  server = createApp({ tollgate }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  appUrl = `http://127.0.0.1:${server.address().port}`;
  route = await import("../app/api/chat/route.js");
});
after(async () => { server.close(); await upstream.close(); });

const call = (method, path, user, body) => fetch(appUrl + path, {
  method, headers: { "content-type": "application/json", "x-user-id": user }, body: body && JSON.stringify(body),
});

test("the Express example gates /cv/generate on the quota and records the model call's cost", async () => {
  const user = uniqueId("ex");
  assert.equal((await call("POST", "/signup", user, { id: user, email: `${user}@example.com` })).status, 201);
  for (let i = 0; i < 3; i++) {
    const response = await call("POST", "/cv/generate", user, { name: "Ada" });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { cv: "Hello there." });
  }
  const denied = await call("POST", "/cv/generate", user, { name: "Ada" });
  assert.equal(denied.status, 429);
  assert.equal((await denied.json()).error, "quota_exceeded");

  await eventually(async () => {   // the last commit runs after its answer was sent
    const usage = await (await call("GET", "/me/usage", user)).json();
    assert.deepEqual([usage.features.cv_generate.used, usage.features.cv_generate.reserved], [3, 0]);
  });
  await tollgate.llm.flush();
  assert.equal((await tollgate.llm.getBudget(user)).spentUsd, 0.0183);   // three o3 calls at $0.0061
});

test("a user who never signed up gets 403 customer_unknown as JSON, not an error page", async () => {
  const response = await call("POST", "/cv/generate", uniqueId("nobody"), { name: "Ada" });
  assert.equal(response.status, 403);
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  assert.equal((await response.json()).error, "customer_unknown");
});

test("the Next.js route handler streams the answer, counts the message and logs the streamed call", async () => {
  const tg = await client();
  const user = uniqueId("ex");
  await tg.customers.upsert(user, {});
  const response = await route.POST(new Request("http://app.local/api/chat", {
    method: "POST", headers: { "content-type": "application/json", "x-user-id": user }, body: JSON.stringify({ message: "Hi" }),
  }));
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "Hello there.");
  assert.equal((await tg.usage.get(user)).features.ai_chat.used, 1);
  await tollgate.llm.flush();
  assert.equal((await tg.llm.getBudget(user)).spentUsd, 0.0061);
});
