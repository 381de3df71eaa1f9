import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { LlmUsageBuffer, Tollgate } from "../dist/index.js";
import { admin, secretKey, withCustomer } from "./helpers.js";
import { startFakeLlm } from "./fake-llm.js";

let upstream;
before(async () => { upstream = await startFakeLlm(); });
after(() => upstream.close());

/** What Tollgate logged for the customer, by model, from the admin stats (tokens) and the budget (cost). */
async function logged(tg, customer) {
  const stats = await admin("GET", `/v1/admin/stats/user-costs/${customer}?days=1`);
  const budget = await tg.llm.getBudget(customer);
  return { byModel: stats.by_model, byFeature: stats.by_feature, requests: stats.total_requests, spentUsd: budget.spentUsd };
}

const o3Tokens = { input_tokens: 1000, cached_input_tokens: 200, output_tokens: 200, reasoning_tokens: 300, cache_write_tokens: 0 };

test("the openai package's chat completion is logged with disjoint cached and reasoning tokens and its id", async () => {
  const { tg, customer } = await withCustomer();
  const openai = new OpenAI({ apiKey: "sk-test", baseURL: `${upstream.url}/v1`, fetch: tg.llm.fetch({ customer, feature: "ai_chat" }) });
  const completion = await openai.chat.completions.create({ model: "o3", messages: [{ role: "user", content: "Hi" }] });
  assert.equal(completion.choices[0].message.content, "Hello there.");
  await tg.llm.flush();

  const seen = await logged(tg, customer);
  assert.equal(seen.requests, 1);
  assert.equal(seen.byModel[0].model, "o3-2025-04-16");
  assert.deepEqual(pick(seen.byModel[0], Object.keys(o3Tokens)), o3Tokens);
  assert.equal(seen.byFeature[0].feature, "ai_chat");
  assert.equal(seen.spentUsd, 0.0061);   // docs/llm.md's worked o3 example
  const [call] = (await tg.llm.listCalls({ customer })).data;
  assert.deepEqual(call.metadata, { streamed: false, http_request_id: call.metadata.http_request_id });   // as Python and .NET record
  assert.match(call.metadata.http_request_id, /^req_\d+$/);

  // The provider's id is the request_id, so logging the same call again counts once.
  const again = await tg.llm.logUsage({ customer, feature: "ai_chat", model: "o3-2025-04-16", inputTokens: 1000, cachedInputTokens: 200,
    outputTokens: 200, reasoningTokens: 300, requestId: completion.id });
  assert.equal(again.status, "duplicate");
  assert.equal(tg.llm.buffer.sent, 1);
});

test("a streamed chat completion with include_usage is logged from its last chunk, and the app reads every chunk", async () => {
  const { tg, customer } = await withCustomer();
  const openai = new OpenAI({ apiKey: "sk-test", baseURL: `${upstream.url}/v1`, fetch: tg.llm.fetch({ customer, feature: "ai_chat" }) });
  const stream = await openai.chat.completions.create({
    model: "o3", messages: [{ role: "user", content: "Hi" }], stream: true, stream_options: { include_usage: true },
  });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
  assert.equal(text, "Hello there.");
  await tg.llm.flush();

  const seen = await logged(tg, customer);
  assert.equal(seen.requests, 1);
  assert.deepEqual((await tg.llm.listCalls({ customer })).data[0].metadata, { streamed: true });
  assert.deepEqual(pick(seen.byModel[0], Object.keys(o3Tokens)), o3Tokens);
  assert.equal(seen.spentUsd, 0.0061);
});

test("a stream without include_usage carries no usage, so nothing is logged", async () => {
  const { tg, customer } = await withCustomer();
  const openai = new OpenAI({ apiKey: "sk-test", baseURL: `${upstream.url}/v1`, fetch: tg.llm.fetch({ customer }) });
  const stream = await openai.chat.completions.create({ model: "o3", messages: [{ role: "user", content: "Hi" }], stream: true });
  for await (const chunk of stream) void chunk;
  await tg.llm.flush();
  assert.equal((await logged(tg, customer)).requests, 0);
});

test("the owner can come per call in Tollgate-Customer and Tollgate-Feature headers, which the provider never sees", async () => {
  const { tg, customer } = await withCustomer();
  const openai = new OpenAI({ apiKey: "sk-test", baseURL: `${upstream.url}/v1`, fetch: tg.llm.fetch() });
  await openai.chat.completions.create({ model: "o3", messages: [{ role: "user", content: "Hi" }] },
    { headers: { "Tollgate-Customer": customer, "Tollgate-Feature": "ai_chat" } });
  await tg.llm.flush();
  const last = upstream.requests.at(-1);
  assert.equal(last.headers["tollgate-customer"], undefined);
  assert.equal(last.headers["tollgate-feature"], undefined);
  assert.equal(last.headers.authorization, "Bearer sk-test");
  const seen = await logged(tg, customer);
  assert.equal(seen.requests, 1);
  assert.equal(seen.byFeature[0].feature, "ai_chat");
});

const claudeTokens = { input_tokens: 100, cached_input_tokens: 2000, cache_write_tokens: 1000, output_tokens: 500, reasoning_tokens: 0 };

for (const stream of [false, true]) {
  test(`an Anthropic message${stream ? ", streamed," : ""} is logged with its cache reads and writes and the last output total`, async () => {
    const { tg, customer } = await withCustomer();
    const fetchWithCapture = tg.llm.fetch({ customer, feature: "ai_chat" });
    const response = await fetchWithCapture(`${upstream.url}/v1/messages`, {
      method: "POST", headers: { "content-type": "application/json", "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 1024, stream, messages: [{ role: "user", content: "Hi" }] }),
    });
    const text = await response.text();
    assert.match(text, stream ? /message_stop/ : /"type":"message"/);
    await tg.llm.flush();
    const seen = await logged(tg, customer);
    assert.equal(seen.requests, 1);
    assert.equal(seen.byModel[0].model, "claude-sonnet-4-5-20250929");
    assert.deepEqual(pick(seen.byModel[0], Object.keys(claudeTokens)), claudeTokens);
    // docs/llm.md: $3.00 / write $3.75 (an hour's $6.00) / read $0.30 / $15.00, so 400 of the 1000 written at $6.00
    assert.equal(seen.spentUsd, 0.01305);
    const [record] = (await tg.llm.listCalls({ customer })).data;
    assert.equal(record.tokens.cacheWrite1h, 400);
  });
}

test("a failed model call is passed through and not logged", async () => {
  const { tg, customer } = await withCustomer();
  const response = await tg.llm.fetch({ customer })(`${upstream.url}/v1/fail`, { method: "POST", body: "{}" });
  assert.equal(response.status, 500);
  await response.text();
  await tg.llm.flush();
  assert.equal((await logged(tg, customer)).requests, 0);
});

test("when Tollgate is down the model call still succeeds and the batch is dropped after its retries", async () => {
  const errors = [];
  const tg = new Tollgate({ apiKey: "tg_sk_x", baseUrl: "http://127.0.0.1:9",
    llmCapture: { retryDelaysMs: [1, 1, 1], logger: { warn: () => {}, error: (m) => errors.push(m) } } });
  const openai = new OpenAI({ apiKey: "sk-test", baseURL: `${upstream.url}/v1`, fetch: tg.llm.fetch({ customer: "someone" }) });
  const completion = await openai.chat.completions.create({ model: "o3", messages: [{ role: "user", content: "Hi" }] });
  assert.equal(completion.choices[0].message.content, "Hello there.");
  await tg.llm.flush();
  assert.equal(tg.llm.buffer.dropped, 1);
  assert.match(errors[0], /Dropped 1 captured LLM call\(s\) after 3 attempt\(s\)/);
});

test("flush() stops at its timeout while Tollgate does not answer, and the calls stay queued for the next send", async () => {
  let answering = false;
  const attempts = [];
  // A Tollgate that accepts the request and never answers, until `answering`: only the flush's deadline can end the wait.
  const post = (calls, signal) => {
    attempts.push(calls.length);
    if (answering) return Promise.resolve({ accepted: calls.length, duplicates: 0, rejected: [] });
    return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
  };
  const buffer = new LlmUsageBuffer(post, { batchSize: 2, logger: { warn: () => {}, error: () => {} } });
  for (let n = 0; n < 5; n++) buffer.add({ customer: "someone", model: "gpt-4o", inputTokens: 1, requestId: `r-${n}` });

  const first = await buffer.flush({ timeoutMs: 200 });
  assert.deepEqual([first, buffer.pending, buffer.dropped, buffer.sent], [false, 5, 0, 0]);

  answering = true;
  const second = await buffer.flush({ timeoutMs: 5000 });
  assert.deepEqual([second, buffer.pending, buffer.dropped, buffer.sent], [true, 0, 0, 5]);
  assert.deepEqual(attempts.slice(-3), [2, 2, 1]);
});

test("a script that ends while Tollgate is down exits after its exit timeout and counts the unsent calls as dropped", async () => {
  const script = new URL("./fixtures/exit-while-down.mjs", import.meta.url);
  // Each of the three batches would retry for about 12 s: the process must end long before, killed here if it does not.
  const { stdout } = await promisify(execFile)(process.execPath, [script.pathname], { timeout: 60_000 }).catch((error) => {
    assert.fail(error.killed ? "the script was still running after 60 s: its retries held the process open" : error.message);
  });
  assert.match(stdout, /dropped 1500, pending 0; Dropped 1500 captured LLM call\(s\) not sent to Tollgate before the process ended/);
});

test("a script that ends while a background send waits on a hung Tollgate exits within its exit timeout and counts the calls as dropped", async () => {
  const { createServer } = await import("node:net");
  const sockets = [];
  const hung = createServer((socket) => sockets.push(socket)).listen(0, "127.0.0.1");   // accepts, never answers
  await new Promise((resolve) => hung.once("listening", resolve));
  try {
    const script = new URL("./fixtures/exit-while-tollgate-hangs.mjs", import.meta.url);
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, [script.pathname], {
      env: { ...process.env, TOLLGATE_URL: `http://127.0.0.1:${hung.address().port}` }, timeout: 60_000,
    }).catch((error) => assert.fail(error.killed ? "the script was still running after 60 s: the hung send held it" : error.message));
    // The script itself runs about 1.5 s; exitTimeoutMs is 1 s, and the client's 30 s timeout must not count.
    const took = Date.now() - started;
    assert.ok(took < 6000, `the process took ${took} ms: ${stdout}`);
    const after = Number(/ended (\d+) ms after the script/.exec(stdout)?.[1]);
    assert.ok(after <= 2000, `the process ended ${after} ms after the script, past exitTimeoutMs (1000) and a margin`);
    assert.match(stdout, /dropped 5; Dropped 5 captured LLM call\(s\) not sent to Tollgate before the process ended/);
  } finally {
    for (const socket of sockets) socket.destroy();
    hung.close();
  }
});

test("a captured call for an unknown customer is rejected alone and reported", async () => {
  const warnings = [];
  const { tg, customer } = await withCustomer({ llmCapture: { logger: { warn: (m) => warnings.push(m), error: () => {} } } });
  const known = tg.llm.fetch({ customer });
  const unknown = tg.llm.fetch({ customer: `${customer}-missing` });
  for (const f of [known, unknown]) {
    const openai = new OpenAI({ apiKey: "sk-test", baseURL: `${upstream.url}/v1`, fetch: f });
    await openai.chat.completions.create({ model: "o3", messages: [{ role: "user", content: "Hi" }] });
  }
  await tg.llm.flush();
  assert.equal(tg.llm.buffer.sent, 1);
  assert.equal(tg.llm.buffer.rejected, 1);
  assert.match(warnings[0], /no customer/);
});

test("a budget hold is settled by the call logged against it", async () => {
  const { tg, customer } = await withCustomer();
  const hold = await tg.llm.reserveBudget({ customer, estimateUsd: 0.005 });
  assert.ok(hold.reservationId);
  assert.equal(hold.reservedUsd, 0.005);
  const logged = await tg.llm.logUsage({ customer, model: "gpt-4o", inputTokens: 1000, outputTokens: 100, reservationId: hold.reservationId });
  assert.equal(logged.costUsd, 0.0035);
  const budget = await tg.llm.getBudget(customer);
  assert.equal(budget.spentUsd, 0.0035);
  assert.equal(budget.reservedUsd, 0);
  assert.equal(budget.limitUsd, 0.01);
});

test("a batch log answers each call's fate", async () => {
  const { tg, customer } = await withCustomer();
  const answer = await tg.llm.logUsageBatch([
    { customer, model: "gpt-4o", inputTokens: 1000, requestId: `a-${customer}` },
    { customer, model: "gpt-4o", inputTokens: -1, requestId: `b-${customer}` },
  ]);
  assert.equal(answer.accepted, 1);
  assert.equal(answer.rejected[0].index, 1);
  assert.match(answer.rejected[0].reason, /input_tokens/);
  assert.equal(answer.totalCostUsd, 0.0025);
});

test("calls still queued when a Node script ends are sent before the process exits", async () => {
  const { tg, customer } = await withCustomer();
  const script = new URL("./fixtures/exit-with-queued-call.mjs", import.meta.url);
  const { stdout } = await promisify(execFile)(process.execPath, [script.pathname], {
    env: { ...process.env, TOLLGATE_API_KEY: await secretKey(), OPENAI_BASE_URL: `${upstream.url}/v1`, CUSTOMER: customer },
  });
  assert.match(stdout, /pending at the end of the script: 1/);
  assert.equal((await tg.llm.getBudget(customer)).spentUsd, 0.0061);
});

test("flush() returns after the flush timer fired on a queue that a full batch had already emptied", async () => {
  const { tg, customer } = await withCustomer();
  const script = new URL("./fixtures/flush-after-idle-timer.mjs", import.meta.url);
  // A child process, killed if it runs too long: the bug starved the event loop, so no timer in this process could end it.
  const run = promisify(execFile)(process.execPath, [script.pathname], {
    env: { ...process.env, TOLLGATE_API_KEY: await secretKey(), CUSTOMER: customer }, timeout: 60_000,
  });
  const { stdout } = await run.catch((error) => {
    assert.fail(error.killed ? "flush() never returned: the script was killed after 60 s" : error.message);
  });
  assert.match(stdout, /flushed: sent 2, pending 0/);
  assert.equal((await logged(tg, customer)).requests, 2);
});

test("a batch size below 1 counts as 1, so the queue still empties", async () => {
  const { tg, customer } = await withCustomer({ llmCapture: { batchSize: 0 } });
  tg.llm.buffer.add({ customer, model: "gpt-4o", inputTokens: 1000, requestId: `${customer}-1` });
  tg.llm.buffer.add({ customer, model: "gpt-4o", inputTokens: 1000, requestId: `${customer}-2` });
  await tg.llm.flush();
  assert.deepEqual([tg.llm.buffer.sent, tg.llm.buffer.pending], [2, 0]);
  assert.equal((await logged(tg, customer)).requests, 2);
});

function pick(object, keys) {
  return Object.fromEntries(keys.map((k) => [k, object[k]]));
}

test("a 2xx that is not Tollgate's tally (200 {}) counts its batch as dropped, not NaN sent, and the next batch is sent", async () => {
  let odd = true;
  const errors = [];
  // A proxy that answers the first batch itself with `200 {}`; later batches reach the real server.
  const proxyFetch = (input, init) => {
    if (odd && String(input).endsWith("/v1/llm/usage")) {
      odd = false;
      return Promise.resolve(new Response("{}", { status: 200, headers: { "content-type": "application/json" } }));
    }
    return fetch(input, init);
  };
  const { tg, customer } = await withCustomer({ fetch: proxyFetch, llmCapture: { logger: { warn: () => {}, error: (m) => errors.push(m) } } });
  tg.llm.buffer.add({ customer, model: "gpt-4o", inputTokens: 1000, requestId: `${customer}-odd` });
  assert.equal(await tg.llm.flush(), true);
  assert.deepEqual([tg.llm.buffer.sent, tg.llm.buffer.dropped, tg.llm.buffer.pending], [0, 1, 0]);
  assert.match(errors[0], /Dropped 1 captured LLM call\(s\): the answer to sending them was not Tollgate's/);

  tg.llm.buffer.add({ customer, model: "gpt-4o", inputTokens: 1000, requestId: `${customer}-next` });
  assert.equal(await tg.llm.flush(), true);
  assert.deepEqual([tg.llm.buffer.sent, tg.llm.buffer.dropped], [1, 1]);
  assert.equal((await logged(tg, customer)).requests, 1);
});

test("process.exit() with calls still queued counts them as dropped and warns once, since nothing can be sent in 'exit'", async () => {
  const script = new URL("./fixtures/process-exit-with-queued-calls.mjs", import.meta.url);
  const { stdout } = await promisify(execFile)(process.execPath, [script.pathname], { timeout: 60_000 });
  assert.match(stdout, /dropped 3, pending 0, warnings 1: Dropped 3 captured LLM call\(s\) not sent to Tollgate: process\.exit\(\)/);
});

test("a call to an Azure OpenAI host is logged as Azure's, where its OpenAI-shaped answer made it openai's", async () => {
  const { tg, customer } = await withCustomer();
  const azureBase = "https://my-resource.openai.azure.com/openai";
  // The answer comes from the fake upstream; the capture reads the host the app asked for.
  const toUpstream = (input, init) => fetch(String(input).replace(azureBase, upstream.url), init);
  const openai = new OpenAI({ apiKey: "sk-test", baseURL: `${azureBase}/v1`, fetch: tg.llm.fetch({ customer, fetch: toUpstream }) });
  await openai.chat.completions.create({ model: "o3", messages: [{ role: "user", content: "Hi" }] });
  await tg.llm.flush();
  const [call] = (await tg.llm.listCalls({ customer })).data;
  assert.equal(call.provider, "azure");
});
